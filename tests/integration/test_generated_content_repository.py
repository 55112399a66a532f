"""One contract, two implementations: stored generations read back exactly as written."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from repository.errors import InvalidInput, NotFound
from repository.generated_content import (
    NewContent,
    UsageRow,
)

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


@pytest.mark.parametrize("content", [EMAIL, SUMMARY], ids=["email", "summary"])
def test_a_generation_reads_back_field_for_field(generations, content):
    stored = generations.add(content)
    again = generations.get(stored.content_id)
    assert again == stored
    stored_fields = {"content_id", "created_at", "cached"}
    assert {k: v for k, v in vars(again).items() if k not in stored_fields} == vars(content)
    assert again.cached is False


def test_each_generation_gets_its_own_id_and_a_current_timestamp(generations):
    first, second = generations.add(EMAIL), generations.add(EMAIL)
    assert first.content_id != second.content_id
    assert abs(first.created_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_an_unknown_id_is_not_found(generations):
    content_id = uuid4()
    with pytest.raises(NotFound, match=str(content_id)):
        generations.get(content_id)


PRICED = replace(EMAIL, input_tokens=1000, output_tokens=200, tokens_estimated=False, cost=0.5)


class TestUsage:
    def test_totals_per_model_count_unknown_tokens_and_unpriced_generations(self, generations):
        generations.add(PRICED)
        generations.add(replace(PRICED, input_tokens=10, output_tokens=5, cost=0.25))
        generations.add(
            replace(PRICED, model="big", input_tokens=None, output_tokens=None, cost=None)
        )
        generations.add(replace(SUMMARY, input_tokens=0, output_tokens=0, cost=0.0))
        rows = generations.usage(None, None, "model")
        assert rows == [
            UsageRow("big", 1, 0, 0, 1, False, 0.0, 1),
            UsageRow("grounded-mock-1", 2, 1010, 205, 0, False, 0.75, 0),
            UsageRow(None, 1, 0, 0, 0, False, 0.0, 0),
        ]

    def test_estimated_counts_mark_their_group(self, generations):
        generations.add(PRICED)
        generations.add(replace(PRICED, prompt_version="email/v2", tokens_estimated=True))
        rows = {
            row.key: row.tokens_estimated for row in generations.usage(None, None, "prompt_version")
        }
        assert rows == {"email/v1": False, "email/v2": True}

    def test_only_generations_created_in_the_window_count(self, generations):
        stored = generations.add(PRICED)
        at = stored.created_at
        assert (
            generations.usage(at - timedelta(seconds=1), at + timedelta(seconds=1), "content_type")[
                0
            ].generations
            == 1
        )
        assert generations.usage(at + timedelta(seconds=1), None, "content_type") == []
        assert generations.usage(None, at, "content_type") == []  # the end is excluded

    def test_an_unknown_grouping_is_invalid_input(self, generations):
        with pytest.raises(InvalidInput, match="group_by"):
            generations.usage(None, None, "content")
