"""Helpers the tests share: seeding, independent queries, app and CLI builders, HTTP asserts."""

import json
import uuid
from collections.abc import Iterable
from pathlib import Path

import psycopg
from click.testing import CliRunner
from flask.cli import ScriptInfo

from api import create_app
from api.commands import cli
from pipelines.ingestion import ingest
from pipelines.ingestion.sources import read_source, source_from_legacy_tables
from repository.api_keys import parse_scopes
from repository.api_keys_postgres import PostgresApiKeyRepository
from repository.engine import build_engine, libpq_url
from repository.ingestion import PostgresIngestionRepository
from repository.version_lease import LOCK_KEY_PARTS


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
        # The monthly rollup per pair of dimensions (migration 0019) follows the monthly one.
        connection.execute(
            "SELECT insights.record_monthly_pairs((SELECT version FROM insights.data_version))"
        )
    refresh_load_figures(url)  # the per-load figures (migration 0017) follow the seeded rows


MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "artifacts" / "migrations"
TEST_DATA = Path(__file__).resolve().parent / "data"
BUNDLED_CSV = MIGRATIONS_DIR.parents[0] / "data" / "sample_export_csv"


def seed_brief_rows(url: str) -> None:
    """Load the brief's example rows into the legacy tables and ingest them into the clean ones."""
    run_sql_file(url, TEST_DATA / "legacy_rows.sql")
    engine = build_engine(url)
    repository = PostgresIngestionRepository(engine)
    ingest(source_from_legacy_tables(repository.read_legacy_tables()), repository)
    engine.dispose()


def ingest_bundled_sample(url: str) -> None:
    """Ingest the bundled sample export (40 customers, 400 interactions) into ``url``."""
    engine = build_engine(url)
    ingest(read_source(BUNDLED_CSV), PostgresIngestionRepository(engine))
    engine.dispose()


# A pepper of the tests' own, so building an app never writes one into the checkout's .data/.
TEST_API_KEY_PEPPER = "pepper-used-only-by-the-tests"


def make_app(database_url: str, **overrides):
    """Build an app bound to ``database_url`` with test-friendly settings."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "LOG_FORMAT": "json",
        "API_KEY_PEPPER": TEST_API_KEY_PEPPER,
        # Issue 15: never generate a secret into the checkout's .data during tests.
        "UNSUBSCRIBE_SECRET": "test-unsubscribe-secret",
    }
    return create_app({**config, **overrides})


class CommandLine:
    """Invoke the ``insights`` command group in-process against a given app."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, *args: str, input: str | None = None):
        info = ScriptInfo(create_app=lambda: self.app)
        return CliRunner().invoke(cli, list(args), obj=info, input=input)


def create_api_key(app, name: str | None = None, scopes: str = "admin") -> str:
    """Create a key the way an operator does (``insights keys create``); return the key.

    Without a name, a unique one: fixtures may share one database between tests.
    """
    name = name or f"test-client-{uuid.uuid4().hex[:8]}"
    result = CommandLine(app)("keys", "create", "--name", name, "--scopes", scopes)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[-1]


def client_with_key(app, key: str | None = None):
    """Return a test client sending ``key`` (by default a new admin key) on every request."""
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = key or create_api_key(app)
    return client


# What a server started as a process needs to accept keys the tests create, and a limit
# set the way any busy deployment would set it: load tests measure loads, not limits.
SERVER_ENV = {"API_KEY_PEPPER": TEST_API_KEY_PEPPER, "RATE_LIMIT_DEFAULT": "1000000/minute"}


def create_key_in(database_url: str, name: str = "test-client", scopes: str = "admin") -> str:
    """Create a key in ``database_url`` through its repository, for servers run as processes."""
    engine = build_engine(database_url)
    try:
        repository = PostgresApiKeyRepository(engine, TEST_API_KEY_PEPPER.encode())
        return repository.create(name, parse_scopes(scopes), None, "tests").secret
    finally:
        engine.dispose()


def assert_error_shape(response, code: int) -> dict:
    """Check the one JSON error shape every 4xx and 5xx uses; return the body."""
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == code and body["message"]
    return body


def pagination(response) -> dict:
    """Return flask-smorest's pagination metadata from the X-Pagination header."""
    return json.loads(response.headers["X-Pagination"])


def refresh_load_figures(url: str) -> None:
    """Recompute the served version's precomputed figures (for rows seeded without a load)."""
    with psycopg.connect(libpq_url(url)) as connection:
        connection.execute(
            "SELECT insights.record_load_figures((SELECT version FROM insights.data_version))"
        )


def lease_holders(url: str) -> int:
    """How many sessions on ``url``'s database hold the data version lease's lock."""
    (count,) = query(
        url,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND mode = 'ShareLock' AND classid = %s AND objid = %s"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        (LOCK_KEY_PARTS["classid"], LOCK_KEY_PARTS["objid"]),
    )[0]
    return count
