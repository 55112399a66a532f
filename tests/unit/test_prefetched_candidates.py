"""The retriever given candidates already read: it ranks them and still checks their owner."""

from datetime import datetime

import pytest

from pipelines.content.retrieval import CustomerInteractionRetriever, ScopeViolation
from repository.model import Interaction
from tests.fakes import InMemoryCustomerHistoryRepository

OWN = (Interaction(11, 1, datetime(2024, 1, 5, 9), "Email", "Dosage", None, "Sand"),)


class CountingHistory(InMemoryCustomerHistoryRepository):
    def __init__(self) -> None:
        super().__init__(interactions=OWN)
        self.reads = 0

    def recent_interactions(self, customer_id: int, limit: int) -> tuple[Interaction, ...]:
        self.reads += 1
        return super().recent_interactions(customer_id, limit)


def test_given_candidates_are_used_without_asking_the_repository():
    history = CountingHistory()
    retriever = CustomerInteractionRetriever(repository=history, customer_id=1, candidates=OWN)
    assert [document.metadata["id"] for document in retriever.invoke("dosage")] == [11]
    assert history.reads == 0


def test_given_candidates_of_another_customer_are_refused():
    stranger = Interaction(21, 2, datetime(2024, 1, 6, 9), "Call", "Secret", None, "Gold")
    retriever = CustomerInteractionRetriever(
        repository=CountingHistory(), customer_id=1, candidates=(*OWN, stranger)
    )
    with pytest.raises(ScopeViolation):
        retriever.invoke("anything")
