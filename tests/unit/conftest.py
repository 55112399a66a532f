"""Unit tier: no sockets, no database; the app runs on in-memory fakes."""

import pytest
from pytest_socket import disable_socket, enable_socket

from api import create_app
from repository.migrations import migration_ids
from tests.fakes import fake_repositories
from tests.support import MIGRATIONS_DIR, TEST_API_KEY_PEPPER


@pytest.fixture(autouse=True)
def _no_network():
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


@pytest.fixture
def app():
    """An app whose repositories live in memory (no DATABASE_URL needed)."""
    config = {
        "TESTING": True,
        "DATABASE_URL": None,
        "LOG_FORMAT": "json",
        "API_KEY_PEPPER": TEST_API_KEY_PEPPER,
    }
    return create_app(config, repositories=fake_repositories(migration_ids(MIGRATIONS_DIR)))


@pytest.fixture
def repositories(app):
    return app.extensions["insights"]["repositories"]
