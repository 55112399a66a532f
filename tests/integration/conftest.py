"""Fixtures of the integration tier: fake model providers, and generated-content stores."""

import pytest

from repository.engine import build_engine
from repository.generated_content_postgres import PostgresGeneratedContentRepository
from tests.fake_llm_server import running_fake_llm_server
from tests.fakes import InMemoryGeneratedContentRepository
from tests.support import client_with_key, ingest_bundled_sample, make_app


@pytest.fixture
def fake_llm():
    """A fake chat server on 127.0.0.1 speaking OpenAI's and Ollama's APIs."""
    with running_fake_llm_server() as fake:
        yield fake


@pytest.fixture
def llm_client(database_url):
    """Return a function that gives a test client over the bundled sample, with the given
    LLM settings, short timeouts and one retry."""
    apps = []

    def client(**llm_settings):
        ingest_bundled_sample(database_url)
        app = make_app(database_url, LLM_TIMEOUT_S=0.5, LLM_MAX_RETRIES=1, **llm_settings)
        apps.append(app)
        return client_with_key(app)

    yield client
    for app in apps:
        app.extensions["insights"]["repositories"].close()


@pytest.fixture(params=["memory", "postgres"])
def generations(request):
    """The generated-content repository twice: in memory, and on a fresh PostgreSQL database."""
    if request.param == "memory":
        yield InMemoryGeneratedContentRepository()
        return
    engine = build_engine(request.getfixturevalue("database_url"))
    yield PostgresGeneratedContentRepository(engine)
    engine.dispose()


# --- issue 16: one generated data set shared by the semantic-layer and assistant tests ---
@pytest.fixture(scope="module")
def generated_url(database_server, migrated_template, tmp_path_factory):
    """A database holding the generated data set of tests/integration/generated_facts.py."""
    from tests.integration.generated_facts import load_generated

    url = database_server.create(template=migrated_template)
    load_generated(url, tmp_path_factory.mktemp("generated"))
    yield url
    database_server.drop(url)


@pytest.fixture(scope="module")
def generated_facts(generated_url):
    """The generated data set's interactions, read back and joined in pandas."""
    from tests.integration.generated_facts import reference_facts

    return reference_facts(generated_url)
