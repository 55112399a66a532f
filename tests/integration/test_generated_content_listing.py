"""One contract, two implementations: listing stored generations by review, customer and day."""

from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from repository.errors import InvalidInput
from repository.generated_content import (
    ContentFilter,
    NewContent,
)

EMAIL = NewContent(
    customer_id=7,
    content_type="email",
    provider="mock",
    model="grounded-mock-1",
    mock=True,
    prompt_version="email/v1",
    sources=(12,),
    content="Dear Jedi,\n\nThank you.",
    latency_ms=1.0,
    attempts=1,
    review_status="needs_review",
    review_reasons=[{"code": "safety_trigger", "trigger": "x", "interaction_ids": [12]}],
    policy_version="policy/v1",
    messages=[{"role": "system", "content": "Rules"}, {"role": "user", "content": "Data"}],
)


@pytest.fixture
def three(generations):
    """Customer 7: needs_review then clear; customer 8: needs_review (the newest)."""
    return [
        generations.add(EMAIL),
        generations.add(replace(EMAIL, review_status="clear", review_reasons=[])),
        generations.add(replace(EMAIL, customer_id=8)),
    ]


def ids(found) -> list:
    return [item.content_id for item in found]


def test_the_review_and_messages_read_back_as_written(generations):
    stored = generations.add(EMAIL)
    again = generations.get(stored.content_id)
    assert (again.review_status, again.review_reasons) == ("needs_review", EMAIL.review_reasons)
    assert (again.policy_version, again.messages) == ("policy/v1", EMAIL.messages)


def test_newest_first_with_the_total(generations, three):
    found, total = generations.matching(ContentFilter(), 1, 10)
    assert ids(found) == ids(reversed(three)) and total == 3


def test_by_status_and_customer(generations, three):
    found, total = generations.matching(ContentFilter(review_status="needs_review"), 1, 10)
    assert ids(found) == [three[2].content_id, three[0].content_id] and total == 2
    found, _ = generations.matching(ContentFilter("needs_review", customer_id=7), 1, 10)
    assert ids(found) == [three[0].content_id]


def test_by_content_type(generations, three):
    summary = generations.add(replace(EMAIL, content_type="summary"))
    found, total = generations.matching(ContentFilter(content_type="summary"), 1, 10)
    assert ids(found) == [summary.content_id] and total == 1
    found, total = generations.matching(ContentFilter(content_type="email", customer_id=8), 1, 10)
    assert ids(found) == [three[2].content_id] and total == 1


def test_by_utc_day(generations, three):
    today = three[0].created_at.astimezone(UTC).date()
    found, _ = generations.matching(ContentFilter(created_from=today, created_to=today), 1, 10)
    assert len(found) == 3
    yesterday = today - timedelta(days=1)
    assert generations.matching(ContentFilter(created_to=yesterday), 1, 10) == ([], 0)
    assert (
        generations.matching(ContentFilter(created_from=today + timedelta(days=1)), 1, 10)[1] == 0
    )


def test_a_page_past_the_end_is_empty_with_the_total(generations, three):
    assert generations.matching(ContentFilter(), 2, 3) == ([], 3)
    found, total = generations.matching(ContentFilter(), 2, 2)
    assert ids(found) == [three[0].content_id] and total == 3


def test_a_page_below_one_is_refused(generations):
    with pytest.raises(InvalidInput):
        generations.matching(ContentFilter(), 0, 10)
