"""Fixtures shared by both tiers: the database server, per-test databases, the app."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from api import create_app
from api.commands import cli
from pipelines.ingestion import ingest
from pipelines.ingestion.sources import read_source, source_from_legacy_tables
from repository.embedded import start_embedded_postgres
from repository.engine import build_engine
from repository.ingestion import PostgresIngestionRepository
from repository.migrations import upgrade
from tests.databases import DatabaseServer, run_sql_file

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "artifacts" / "migrations"
TEST_DATA = Path(__file__).resolve().parent / "data"
BUNDLED_CSV = MIGRATIONS_DIR.parents[0] / "data" / "sample_export_csv"


@pytest.fixture(scope="session")
def database_server() -> Iterator[DatabaseServer]:
    """The server tests create databases on: TEST_DATABASE_URL, else an embedded one."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="insights-pg-") as data_dir:
        server = DatabaseServer(admin_url or start_embedded_postgres(data_dir))
        yield server
        server.drop_all()


@pytest.fixture(scope="session")
def migrated_template(database_server: DatabaseServer) -> str:
    """Name of a database with every migration applied, cloned by each test."""
    url = database_server.create(prefix="insights_template")
    upgrade(url, MIGRATIONS_DIR)
    return url.rsplit("/", 1)[1].split("?")[0]


@pytest.fixture
def database_url(database_server: DatabaseServer, migrated_template: str) -> Iterator[str]:
    """A fresh, fully migrated database for one test."""
    url = database_server.create(template=migrated_template)
    yield url
    database_server.drop(url)


@pytest.fixture
def empty_database_url(database_server: DatabaseServer) -> Iterator[str]:
    """A fresh database with no migrations applied."""
    url = database_server.create()
    yield url
    database_server.drop(url)


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


def make_app(database_url: str, **overrides):
    """Build an app bound to ``database_url`` with test-friendly settings."""
    config = {"TESTING": True, "DATABASE_URL": database_url, "LOG_FORMAT": "json"}
    return create_app({**config, **overrides})


@pytest.fixture
def app(database_url: str):
    """The app over a fresh migrated database (pytest-flask's ``client`` uses it)."""
    application = make_app(database_url)
    yield application
    application.extensions["insights"]["repositories"].close()


class CommandLine:
    """Invoke the ``insights`` command group in-process against a given app."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, *args: str, input: str | None = None):
        info = ScriptInfo(create_app=lambda: self.app)
        return CliRunner().invoke(cli, list(args), obj=info, input=input)


@pytest.fixture
def insights(app) -> CommandLine:
    """Run ``insights ...`` commands against the test app's database."""
    return CommandLine(app)
