"""One contract, two implementations: customer histories in memory and in PostgreSQL agree."""

from datetime import datetime

import psycopg
import pytest

from repository.customer_history import (
    InteractionSummary,
    LastInteraction,
    Vocabulary,
)
from repository.customer_history_postgres import PostgresCustomerHistoryRepository
from repository.engine import build_engine, libpq_url
from repository.errors import NotFound
from repository.model import Customer, Interaction
from tests.fakes import InMemoryCustomerHistoryRepository
from tests.support import seed_clean_rows

# Customer 1: Email and Call both used twice, Call more recently, so Call is the favourite.
# Topics: Dosage x3, Efficacy x2, Pricing x2 (Pricing used last), Safety x1 -> three key
# topics Dosage, Pricing, Efficacy. Interactions 16 and 17 share a timestamp: 17 is latest.
# Customer 2 has interactions but no row; customer 3 has a row but no interactions.
# Customer 4's two interactions tie on count and time: names decide.
# Customer 6 used Call and Email once each, Email last: recency beats the name order.
# Customer 5's two latest interactions have no topic: Refunds is its only key topic, and
# its last interaction is a Call about nothing. Silk is the product of a month nobody
# was contacted in.
CUSTOMERS = [(1, "Jedi", "Red"), (3, "Santa Claus", None)]
PRODUCT_MONTHS = [
    ("2024-01-01", "Sand"),
    ("2024-02-01", "Glass"),
    ("2024-04-01", "Gold"),
    ("2023-01-01", "Silk"),
]
INTERACTIONS = [
    # (id, customer, occurred_at, channel, topic, sentiment, product of its month)
    (10, 1, datetime(2024, 1, 3, 9), "Email", "Dosage", "Positive", "Sand"),
    (11, 1, datetime(2024, 1, 9, 9), "Email", "Efficacy", None, "Sand"),
    (12, 1, datetime(2024, 2, 2, 9), "Call", "Dosage", "Negative", "Glass"),
    (13, 1, datetime(2024, 2, 5, 9), None, "Efficacy", None, "Glass"),
    (14, 1, datetime(2024, 3, 1, 9), "Call", "Pricing", None, "Unknown"),
    (15, 1, datetime(2024, 3, 2, 9), "Bird", "Safety", None, "Unknown"),
    (16, 1, datetime(2024, 3, 4, 9), None, "Dosage", None, "Unknown"),
    (17, 1, datetime(2024, 3, 4, 9), None, "Pricing", None, "Unknown"),
    (20, 2, datetime(2024, 4, 1, 8), "Post", "Secret Of Two", None, "Gold"),
    (30, 4, datetime(2024, 5, 1, 8), "Post", "Zeta", None, "Unknown"),
    (31, 4, datetime(2024, 5, 1, 8), "Boat", "Alpha", None, "Unknown"),
    (40, 5, datetime(2024, 6, 1, 8), "Email", "Refunds", None, "Unknown"),
    (41, 5, datetime(2024, 6, 2, 8), "Call", None, None, "Unknown"),
    (42, 5, datetime(2024, 6, 3, 8), "Call", None, None, "Unknown"),
    (50, 6, datetime(2024, 6, 1, 8), "Call", None, None, "Unknown"),
    (51, 6, datetime(2024, 6, 2, 8), "Email", None, None, "Unknown"),
]


def seed_postgres(url: str) -> None:
    seed_clean_rows(url, CUSTOMERS, PRODUCT_MONTHS, [row[:-1] for row in INTERACTIONS])


@pytest.fixture(params=["memory", "postgres"])
def histories(request):
    if request.param == "memory":
        yield InMemoryCustomerHistoryRepository(
            [Customer(i, job, kind or "Unknown") for i, job, kind in CUSTOMERS],
            [Interaction(*row) for row in INTERACTIONS],
            [product for _, product in PRODUCT_MONTHS],
        )
        return
    url = request.getfixturevalue("database_url")
    seed_postgres(url)
    engine = build_engine(url)
    yield PostgresCustomerHistoryRepository(engine)
    engine.dispose()


class TestProfiles:
    def test_the_summary_counts_every_interaction_and_breaks_ties_by_recency(self, histories):
        assert histories.profile(1).summary == InteractionSummary(
            total_interactions=8,
            most_frequent_channel="Call",
            last_interaction=LastInteraction(datetime(2024, 3, 4, 9), None, "Pricing"),
            key_topics=("Dosage", "Pricing", "Efficacy"),
        )

    def test_the_customer_is_read_with_the_profile(self, histories):
        assert histories.profile(1).customer == Customer(1, "Jedi", "Red")

    def test_contacted_products_are_distinct_known_and_most_recent_first(self, histories):
        assert histories.profile(1).products == ("Glass", "Sand")

    def test_a_customer_known_only_from_interactions_has_type_unknown(self, histories):
        profile = histories.profile(2)
        assert profile.customer == Customer(2, None, "Unknown")
        assert profile.summary.key_topics == ("Secret Of Two",)
        assert profile.products == ("Gold",)

    def test_a_customer_without_interactions_has_an_empty_summary(self, histories):
        profile = histories.profile(3)
        assert profile.customer == Customer(3, "Santa Claus", "Unknown")
        assert profile.summary == InteractionSummary(0, None, None, ())
        assert profile.products == ()

    def test_an_unknown_customer_is_not_found(self, histories):
        with pytest.raises(NotFound, match="customer 99 not found"):
            histories.profile(99)

    def test_a_channel_tie_on_count_goes_to_the_most_recently_used(self, histories):
        assert histories.profile(6).summary.most_frequent_channel == "Email"

    def test_ties_of_count_and_time_go_to_the_first_name(self, histories):
        summary = histories.profile(4).summary
        assert summary.most_frequent_channel == "Boat"
        assert summary.key_topics == ("Alpha", "Zeta")
        assert summary.last_interaction == LastInteraction(datetime(2024, 5, 1, 8), "Boat", "Alpha")

    def test_interactions_without_a_topic_are_not_a_key_topic_but_may_be_the_last(self, histories):
        assert histories.profile(5).summary == InteractionSummary(
            total_interactions=3,
            most_frequent_channel="Call",
            last_interaction=LastInteraction(datetime(2024, 6, 3, 8), "Call", None),
            key_topics=("Refunds",),
        )


class TestRecentInteractions:
    def test_newest_first_with_ties_broken_by_id(self, histories):
        recent = histories.recent_interactions(1, 3)
        assert [item.id for item in recent] == [17, 16, 15]

    def test_items_carry_the_product_of_their_month(self, histories):
        by_id = {item.id: item for item in histories.recent_interactions(1, 50)}
        assert by_id[12] == Interaction(*INTERACTIONS[2])
        assert by_id[14].product == "Unknown"

    def test_only_the_customers_own_interactions_come_back(self, histories):
        assert {item.customer_id for item in histories.recent_interactions(1, 50)} == {1}
        assert [item.id for item in histories.recent_interactions(2, 50)] == [20]

    def test_an_unknown_customer_has_no_interactions(self, histories):
        assert histories.recent_interactions(99, 10) == ()


class TestVocabulary:
    def test_every_topic_known_product_and_channel_is_listed(self, histories):
        assert histories.vocabulary() == Vocabulary(
            topics=frozenset(
                {
                    "Dosage",
                    "Efficacy",
                    "Pricing",
                    "Safety",
                    "Secret Of Two",
                    "Zeta",
                    "Alpha",
                    "Refunds",
                }
            ),  # fmt: skip
            products=frozenset({"Sand", "Glass", "Gold", "Silk"}),
            channels=frozenset({"Email", "Call", "Bird", "Post", "Boat"}),
        )


def test_the_postgres_vocabulary_refreshes_when_a_new_load_lands(database_url):
    seed_postgres(database_url)
    engine = build_engine(database_url)
    repository = PostgresCustomerHistoryRepository(engine, vocabulary_recheck_s=0)
    before = repository.vocabulary()
    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        connection.execute("INSERT INTO insights.products (name) VALUES ('Silver')")
        connection.execute(
            "INSERT INTO insights.interaction_monthly_rollup VALUES "
            "('2024-07-01', 'Silver', 'Red', 'Email', 'Recalls', NULL, 1)"
        )
        assert repository.vocabulary() == before  # same load: the cached names
        connection.execute(
            "INSERT INTO insights.ingestion_runs (source_name, source_kind, checksum, "
            "started_at, status) VALUES ('next', 'csv', repeat('1', 64), now(), 'succeeded')"
        )
    assert repository.vocabulary() == Vocabulary(
        before.topics | {"Recalls"}, before.products | {"Silver"}, before.channels
    )
    engine.dispose()


def test_the_postgres_vocabulary_looks_for_a_new_load_at_most_every_few_seconds(database_url):
    seed_postgres(database_url)
    engine = build_engine(database_url)
    repository = PostgresCustomerHistoryRepository(engine, vocabulary_recheck_s=3600)
    before = repository.vocabulary()
    with psycopg.connect(libpq_url(database_url)) as connection:
        connection.execute("INSERT INTO insights.products (name) VALUES ('Silver')")
        connection.execute(
            "INSERT INTO insights.ingestion_runs (source_name, source_kind, checksum, "
            "started_at, status) VALUES ('next', 'csv', repeat('1', 64), now(), 'succeeded')"
        )
    assert repository.vocabulary() == before
    engine.dispose()


class TestProfileAndRecent:
    def test_reads_what_profile_and_recent_interactions_read(self, histories):
        profile, recent = histories.profile_and_recent(1, 3)
        assert profile == histories.profile(1)
        assert recent == histories.recent_interactions(1, 3)

    def test_a_customer_without_interactions_has_a_profile_and_none(self, histories):
        profile, recent = histories.profile_and_recent(3, 10)
        assert (profile.customer.occupation, recent) == ("Santa Claus", ())

    def test_an_unknown_customer_is_not_found(self, histories):
        with pytest.raises(NotFound, match="99"):
            histories.profile_and_recent(99, 10)

    def test_each_customer_has_a_fingerprint_of_their_own_that_reads_the_same_twice(
        self, histories
    ):
        fingerprints = [histories.profile(i).fingerprint for i in (1, 2, 3, 4, 5, 6)]
        assert all(fingerprints) and len(set(fingerprints)) == 6
        assert histories.profile(1).fingerprint == fingerprints[0]
