"""Fixtures shared by both tiers: the database server, per-test databases, the app."""

import os
import tempfile
from collections.abc import Iterator

import pytest

from repository.embedded import released_at_end, start_embedded_postgres
from repository.migrations import upgrade
from repository.scratch import DatabaseServer
from tests.database_clones import TemplateClones
from tests.support import (
    MIGRATIONS_DIR,
    CommandLine,
    client_with_key,
    ingest_bundled_sample,
    make_app,
)


@pytest.fixture(scope="session")
def database_server() -> Iterator[DatabaseServer]:
    """The server tests create databases on: TEST_DATABASE_URL, else an embedded one."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="insights-pg-") as data_dir, released_at_end(data_dir):
        server = DatabaseServer(admin_url or start_embedded_postgres(data_dir))
        yield server
        server.drop_all()


@pytest.fixture(scope="session")
def migrated_template(database_server: DatabaseServer) -> str:
    """Name of a database with every migration applied, cloned by each test."""
    url = database_server.create(prefix="insights_template")
    upgrade(url, MIGRATIONS_DIR)
    return url.rsplit("/", 1)[1].split("?")[0]


@pytest.fixture(scope="session")
def template_clones(database_server: DatabaseServer, migrated_template: str):
    """Clones of the migrated template, made and dropped beside the running tests."""
    clones = TemplateClones(database_server, migrated_template)
    yield clones
    clones.close()


@pytest.fixture
def database_url(template_clones: TemplateClones) -> Iterator[str]:
    """A fresh, fully migrated database for one test."""
    url = template_clones.take()
    yield url
    template_clones.discard(url)


@pytest.fixture(scope="module")
def sample_url(database_server: DatabaseServer, migrated_template: str) -> Iterator[str]:
    """One database with the bundled sample for a whole module whose tests only read it."""
    url = database_server.create(template=migrated_template)
    ingest_bundled_sample(url)
    yield url
    database_server.drop(url)


@pytest.fixture
def empty_database_url(database_server: DatabaseServer) -> Iterator[str]:
    """A fresh database with no migrations applied."""
    url = database_server.create()
    yield url
    database_server.drop(url)


@pytest.fixture
def app(database_url: str):
    """The app over a fresh migrated database (pytest-flask's ``client`` uses it)."""
    application = make_app(database_url)
    yield application
    application.extensions["insights"]["repositories"].close()


@pytest.fixture
def client(app):
    """pytest-flask's client, sending an admin key created with ``insights keys create``."""
    return client_with_key(app)


@pytest.fixture
def insights(app) -> CommandLine:
    """Run ``insights ...`` commands against the test app's database."""
    return CommandLine(app)
