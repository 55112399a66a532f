"""The retriever: one customer's interactions only, ranked by relevance and recency."""

from datetime import datetime, timedelta

import pytest

from pipelines.content.retrieval import CustomerInteractionRetriever, ScopeViolation, rank, words
from repository.model import Customer, Interaction
from tests.fakes import InMemoryCustomerHistoryRepository, LeakyCustomerHistoryRepository

NOW = datetime(2024, 6, 1, 12)


def item(id_, customer_id=1, days_ago=0, topic=None, product="Unknown", channel="Email"):
    return Interaction(
        id_, customer_id, NOW - timedelta(days=days_ago), channel, topic, None, product
    )


def retriever(items, customer_id=1, **budget) -> CustomerInteractionRetriever:
    customers = [Customer(1, "Jedi", "Red"), Customer(2, "Batman", "Blue")]
    repository = InMemoryCustomerHistoryRepository(customers, items)
    return CustomerInteractionRetriever(repository=repository, customer_id=customer_id, **budget)


class TestScope:
    def test_only_the_customers_own_interactions_come_back(self):
        items = [item(1, topic="Dosage"), item(2, customer_id=2, topic="Secret Of Customer Two")]
        documents = retriever(items).invoke("dosage")
        assert [d.metadata["id"] for d in documents] == [1]
        assert all("Secret" not in d.page_content for d in documents)

    def test_a_repository_that_leaks_another_customers_rows_is_refused(self):
        leaky = LeakyCustomerHistoryRepository([], [item(1), item(2, customer_id=2)])
        bound = CustomerInteractionRetriever(repository=leaky, customer_id=1)
        with pytest.raises(ScopeViolation):
            bound.invoke("anything")

    def test_a_customer_without_interactions_gets_no_documents(self):
        assert retriever([item(1, customer_id=2)]).invoke("dosage") == []


class TestRanking:
    def test_an_interaction_matching_the_query_outranks_newer_ones_however_old(self):
        items = [item(1, days_ago=0, topic="Pricing"), item(2, days_ago=3000, topic="Side Effects")]
        assert [i.id for i in rank(items, words("side effects"), 180)] == [2, 1]

    def test_among_equally_relevant_interactions_the_newest_comes_first(self):
        items = [item(1, days_ago=30, topic="Dosage"), item(2, days_ago=3, topic="Dosage")]
        assert [i.id for i in rank(items, words("dosage"), 180)] == [2, 1]

    def test_an_interaction_with_a_topic_outranks_one_without(self):
        items = [item(1, topic=None), item(2, topic="Dosage")]
        assert [i.id for i in rank(items, set(), 180)] == [2, 1]

    def test_an_unknown_product_matches_no_query_word(self):
        assert words("Unknown") == {"unknown"}
        items = [
            item(1, product="Unknown", topic="Pricing"),
            item(2, product="Sand", topic="Pricing"),
        ]
        assert [i.id for i in rank(items, words("unknown"), 180)] == [2, 1]

    @pytest.mark.parametrize("years_back", [0, 15])
    def test_recency_is_measured_from_the_latest_interaction_not_today(self, years_back):
        shift = timedelta(days=365 * years_back)
        substantial = item(1, days_ago=200, topic="Dosage", product="Sand")
        newest = item(2, days_ago=0)
        items = [
            Interaction(**{**vars(i), "occurred_at": i.occurred_at - shift})
            for i in (substantial, newest)
        ]
        assert [i.id for i in rank(items, set(), 180)] == [2, 1]


class TestBudget:
    def test_at_most_max_documents_are_returned(self):
        items = [item(n, days_ago=n, topic="Dosage") for n in range(1, 30)]
        assert len(retriever(items, max_documents=5).invoke("dosage")) == 5

    def test_the_documents_fit_the_character_budget(self):
        items = [item(n, days_ago=n, topic="Dosage") for n in range(1, 30)]
        documents = retriever(items, max_chars=400).invoke("dosage")
        assert 0 < len(documents) < 29
        assert sum(len(d.page_content) for d in documents) <= 400

    def test_only_the_latest_candidates_are_considered(self):
        items = [item(n, days_ago=n, topic="Dosage") for n in range(1, 30)]
        documents = retriever(items, candidate_limit=3).invoke("dosage")
        assert sorted(d.metadata["id"] for d in documents) == [1, 2, 3]


class TestDocuments:
    def test_metadata_carries_every_field_the_prompt_needs(self):
        (document,) = retriever([item(7, topic="Dosage", product="Sand")]).invoke("dosage")
        assert document.metadata == {
            "id": 7,
            "customer_id": 1,
            "date": "2024-06-01T12:00",
            "channel": "Email",
            "topic": "Dosage",
            "sentiment": None,
            "product": "Sand",
        }
        assert document.page_content == (
            "2024-06-01 12:00; channel: Email; topic: Dosage; "
            "sentiment: not recorded; product: Sand"
        )
