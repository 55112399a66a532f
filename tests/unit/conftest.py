"""Unit tier: no sockets, no database; the app runs on in-memory repositories."""

import pytest
from pytest_socket import disable_socket, enable_socket

from api import create_app


@pytest.fixture(autouse=True)
def _no_network():
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


@pytest.fixture
def app():
    """An app whose repositories live in memory (no DATABASE_URL needed)."""
    return create_app(
        {
            "TESTING": True,
            "REPOSITORY_BACKEND": "memory",
            "DATABASE_URL": None,
            "LOG_FORMAT": "json",
        }
    )


@pytest.fixture
def repositories(app):
    return app.extensions["insights"]["repositories"]
