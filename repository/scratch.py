"""Create, clone and drop scratch databases on a server: for tests and benchmarks."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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
        if not name:
            raise ValueError(f"no database name in {url!r}")
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
