"""One contract, two implementations: stored generations read back exactly as written."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from repository.engine import build_engine
from repository.errors import NotFound
from repository.generated_content import NewContent, PostgresGeneratedContentRepository
from tests.fakes import InMemoryGeneratedContentRepository

EMAIL = NewContent(
    customer_id=7,
    content_type="email",
    provider="mock",
    model="grounded-mock-1",
    mock=True,
    prompt_version="email/v1",
    sources=(12, 3, 40),
    content="Dear Jedi,\n\nThank you — ünïcode too.",
    latency_ms=1.25,
    attempts=2,
    parameters={"tone": "formal", "max_words": 180, "focus": None},
)
SUMMARY = NewContent(
    customer_id=8,
    content_type="summary",
    provider="none",
    model=None,
    mock=False,
    prompt_version=None,
    sources=(),
    content="Customer 8 has no recorded interactions.",
    latency_ms=0.0,
    attempts=0,
    facts={"total_interactions": 0, "key_topics": [], "last_interaction": None},
)


@pytest.fixture(params=["memory", "postgres"])
def generations(request):
    if request.param == "memory":
        yield InMemoryGeneratedContentRepository()
        return
    engine = build_engine(request.getfixturevalue("database_url"))
    yield PostgresGeneratedContentRepository(engine)
    engine.dispose()


@pytest.mark.parametrize("content", [EMAIL, SUMMARY], ids=["email", "summary"])
def test_a_generation_reads_back_field_for_field(generations, content):
    stored = generations.add(content)
    again = generations.get(stored.content_id)
    assert again == stored
    assert {k: v for k, v in vars(again).items() if k not in ("content_id", "created_at")} == vars(
        content
    )


def test_each_generation_gets_its_own_id_and_a_current_timestamp(generations):
    first, second = generations.add(EMAIL), generations.add(EMAIL)
    assert first.content_id != second.content_id
    assert abs(first.created_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_an_unknown_id_is_not_found(generations):
    content_id = uuid4()
    with pytest.raises(NotFound, match=str(content_id)):
        generations.get(content_id)
