"""Create and drop throwaway PostgreSQL databases for tests, on the embedded or a given server."""

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from repository.engine import driver_url, libpq_url


class DatabaseServer:
    """A PostgreSQL server on which tests create uniquely named databases."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = libpq_url(admin_url)
        self._created: list[str] = []

    def url_for(self, name: str) -> str:
        """Return the URL of database ``name`` on this server."""
        return (
            make_url(driver_url(self.admin_url))
            .set(database=name)
            .render_as_string(hide_password=False)
        )

    def create(self, template: str | None = None, prefix: str = "insights_test") -> str:
        """Create an empty (or ``template``-cloned) database and return its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template or "template0")
        )
        with self._admin() as connection:
            connection.execute(statement)
        self._created.append(name)
        return self.url_for(name)

    def drop(self, url: str) -> None:
        """Drop the database at ``url``, disconnecting anyone still on it."""
        name = make_url(url).database
        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if name in self._created:
            self._created.remove(name)

    def drop_all(self) -> None:
        """Drop every database this object created and has not dropped yet."""
        for name in list(self._created):
            self.drop(self.url_for(name))

    @contextmanager
    def _admin(self) -> Iterator[psycopg.Connection]:
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            yield connection


def run_sql_file(url: str, path: Path) -> None:
    """Execute a seed SQL file against the database at ``url``."""
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute(path.read_text())


def query(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    """Run one query and return all rows: for assertions made independently of the app."""
    with psycopg.connect(libpq_url(url)) as connection:
        return connection.execute(statement, params).fetchall()


# The rollups as SQL over the view that defines each interaction's product and customer
# type: the reference the pandas rollups of an ingestion are checked against.
ROLLUPS_FROM_FACTS = {
    "insights.interaction_monthly_rollup": """
        SELECT date_trunc('month', occurred_at)::date, product, customer_type, channel, topic,
               sentiment, count(*)
        FROM insights.interaction_facts GROUP BY 1, 2, 3, 4, 5, 6
    """,
    "insights.interaction_daily_product_type": """
        SELECT occurred_at::date, product, customer_type, count(*)
        FROM insights.interaction_facts GROUP BY 1, 2, 3
    """,
}


def seed_clean_rows(
    url: str,
    customers: Iterable[tuple],
    product_months: Iterable[tuple],
    interactions: Iterable[tuple],
) -> None:
    """Write rows straight into the clean tables under one succeeded run, then the rollups.

    ``customers`` are (customer_id, occupation, customer_type), ``product_months``
    (month, product) and ``interactions`` (id, customer_id, occurred_at, channel, topic,
    sentiment); source rows are numbered from 2, as under a header line.
    """
    with psycopg.connect(libpq_url(url)) as connection:
        (run_id,) = connection.execute(
            "INSERT INTO insights.ingestion_runs (source_name, source_kind, checksum, "
            "started_at, status) VALUES ('seeded', 'csv', repeat('0', 64), now(), 'succeeded') "
            "RETURNING id"
        ).fetchone()
        for row, (month, product) in enumerate(product_months, start=2):
            connection.execute(
                "WITH p AS (INSERT INTO insights.products (name) VALUES (%s) RETURNING id) "
                "INSERT INTO insights.product_months (month, product_id, run_id, source_sheet, "
                "source_row) SELECT %s, p.id, %s, 'products', %s FROM p",
                (product, month, run_id, row),
            )
        for row, customer in enumerate(customers, start=2):
            connection.execute(
                "INSERT INTO insights.customers VALUES (%s, %s, %s, %s, 'customers', %s)",
                (*customer, run_id, row),
            )
        for row, interaction in enumerate(interactions, start=2):
            connection.execute(
                "INSERT INTO insights.interactions (id, customer_id, occurred_at, channel, topic, "
                "sentiment, run_id, source_sheet, source_row) OVERRIDING SYSTEM VALUE "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, 'interactions', %s)",
                (*interaction, run_id, row),
            )
    rebuild_rollups(url)


def rebuild_rollups(url: str) -> None:
    """Fill the rollup tables from the clean tables (for data seeded without ingesting)."""
    with psycopg.connect(libpq_url(url)) as connection:
        for table, select in ROLLUPS_FROM_FACTS.items():
            connection.execute(f"TRUNCATE {table}")
            connection.execute(f"INSERT INTO {table} {select}")
