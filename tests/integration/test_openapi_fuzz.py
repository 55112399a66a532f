"""Fuzz every operation of /openapi.json against the app on PostgreSQL with the bundled
sample: no 500, and every status, content type, header and body as the spec declares.

Examples are bounded (and derandomized, so a CI run is repeatable); raise FUZZ_EXAMPLES
locally for a deeper search.
"""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import create_app
from repository.migrations import migration_ids
from repository.scratch import DatabaseServer
from tests.fakes import fake_repositories
from tests.support import MIGRATIONS_DIR, create_api_key, ingest_bundled_sample, make_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))

pytestmark = pytest.mark.slow


class _Dispatcher:
    """A WSGI app forwarding to ``target``: the schema is read at import time (pytest
    parametrizes then) from an app on in-memory fakes, the requests go to the app on
    PostgreSQL that the fixture below swaps in. (schemathesis' from_fixture would do this,
    but does not work with pytest 9.2.)"""

    def __init__(self, target) -> None:
        self.target = target

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


_SPEC_APP = create_app(
    {"TESTING": True, "DATABASE_URL": None, "LOG_LEVEL": "WARNING"},
    repositories=fake_repositories(migration_ids(MIGRATIONS_DIR)),
)
_DISPATCHER = _Dispatcher(_SPEC_APP)
schema = schemathesis.openapi.from_wsgi("/openapi.json", _DISPATCHER)


@pytest.fixture(scope="module", autouse=True)
def fuzzed_app(database_server: DatabaseServer, migrated_template: str) -> Iterator:
    """One app over one database with the bundled sample, shared by every fuzzed operation."""
    url = database_server.create(template=migrated_template)
    ingest_bundled_sample(url)
    # Limits set as a busy deployment would: the fuzzer sends far more than 60 generations
    # a minute, and a 429 would hide what the endpoint answers.
    limits = {"RATE_LIMIT_DEFAULT": "1000000/minute", "RATE_LIMIT_CONTENT": "1000000/minute"}
    app = make_app(url, LOG_LEVEL="WARNING", **limits)
    _DISPATCHER.target = app
    yield app
    _DISPATCHER.target = _SPEC_APP
    app.extensions["insights"]["repositories"].close()
    database_server.drop(url)


@pytest.fixture(scope="module")
def api_headers(fuzzed_app) -> dict[str, str]:
    """Headers every fuzzed request carries: an admin key, as a client would send it."""
    return {"X-API-Key": create_api_key(fuzzed_app)}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_openapi_document_says(case, api_headers):
    case.call_and_validate(headers=api_headers, checks=CHECKS)
