"""One contract, two implementations: the interactions a safety trigger flags."""

from datetime import datetime

import pytest

from repository.customer_history import (
    FlaggedInteraction,
    InteractionPattern,
)
from repository.customer_history_postgres import PostgresCustomerHistoryRepository
from repository.engine import build_engine
from repository.model import UNKNOWN, Customer, Interaction
from tests.fakes import InMemoryCustomerHistoryRepository
from tests.support import seed_clean_rows

SIDE_EFFECTS, DRUGS = "Side Effects Discussion", "Drug Interaction Concerns"
# Customer 1's latest interaction is on 29 February 2024 at 10:00; twelve months before
# it is 28 February 2023 at 10:00 (no 29th in 2023), so 101 is one minute too old.
INTERACTIONS = [
    (101, 1, datetime(2023, 2, 28, 9, 59), "Call", SIDE_EFFECTS, "Negative"),
    (102, 1, datetime(2023, 2, 28, 10, 0), "Email", SIDE_EFFECTS, "Negative"),
    (103, 1, datetime(2023, 6, 1, 10), "Call", SIDE_EFFECTS, "Positive"),
    (104, 1, datetime(2023, 7, 1, 10), "Call", "SideXEffects", "Negative"),  # "_" is no wildcard
    (105, 1, datetime(2023, 8, 1, 10), "Visit", None, "Negative"),
    (106, 1, datetime(2023, 9, 1, 10), "Visit", DRUGS, None),
    (107, 1, datetime(2024, 2, 29, 10), "Visit", DRUGS, "Negative"),
    (201, 2, datetime(2024, 1, 1, 10), "Call", SIDE_EFFECTS, "Negative"),
]
PATTERNS = (
    InteractionPattern("side effects", ("side_effect", "SIDE EFFECT"), ("NEGATIVE",)),
    InteractionPattern("drug interactions", ("drug interaction",), ("Negative",)),
    InteractionPattern("visits", channels=("visit",)),
)


@pytest.fixture(params=["memory", "postgres"])
def histories(request):
    if request.param == "memory":
        yield InMemoryCustomerHistoryRepository(
            [Customer(1, "Jedi", "Red"), Customer(3, "Santa", "Blue")],
            [Interaction(*row, UNKNOWN) for row in INTERACTIONS],
        )
        return
    url = request.getfixturevalue("database_url")
    seed_clean_rows(url, [(1, "Jedi", "Red"), (3, "Santa", "Blue")], [], INTERACTIONS)
    engine = build_engine(url)
    yield PostgresCustomerHistoryRepository(engine)
    engine.dispose()


def flagged_ids(found: list[FlaggedInteraction]) -> list[tuple[int, str]]:
    return [(item.interaction.id, item.pattern) for item in found]


def test_each_match_comes_once_per_pattern_in_pattern_order_then_newest_first(histories):
    assert flagged_ids(histories.flagged_interactions(1, PATTERNS, 12)) == [
        (102, "side effects"),
        (107, "drug interactions"),
        (107, "visits"),
        (106, "visits"),
        (105, "visits"),
    ]


def test_the_window_is_counted_back_from_the_customers_latest_interaction(histories):
    found = histories.flagged_interactions(1, PATTERNS[:1], 13)
    assert flagged_ids(found) == [(102, "side effects"), (101, "side effects")]
    assert histories.flagged_interactions(1, PATTERNS[:1], 1) == []


def test_the_interaction_comes_back_whole(histories):
    (first, *_) = histories.flagged_interactions(1, PATTERNS[1:2], 12)
    assert first.interaction == Interaction(*INTERACTIONS[6], UNKNOWN)


def test_only_the_customers_own_interactions_are_flagged(histories):
    assert flagged_ids(histories.flagged_interactions(2, PATTERNS, 12)) == [(201, "side effects")]


@pytest.mark.parametrize("customer_id", [3, 99], ids=["no interactions", "unknown"])
def test_a_customer_without_interactions_has_nothing_flagged(histories, customer_id):
    assert histories.flagged_interactions(customer_id, PATTERNS, 12) == []


def test_no_patterns_flag_nothing(histories):
    assert histories.flagged_interactions(1, (), 12) == []
