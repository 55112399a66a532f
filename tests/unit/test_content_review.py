"""The compliance review of generated content, over in-memory repositories and a scripted model."""

from datetime import datetime

import pytest

from pipelines.content.providers import ChatProvider
from repository.model import Customer, Interaction
from tests.fakes import InMemoryCustomerHistoryRepository, ScriptedChatModel
from tests.support import assert_error_shape

SIDE_EFFECTS = "Side Effects Discussion"
CUSTOMERS = [Customer(1, "Jedi", "Red"), Customer(2, "Batman", "Blue")]
INTERACTIONS = [
    # Jedi: a Negative side-effects report within 12 months of the latest interaction,
    # one 13 months before it, and a Positive one: only the first is a trigger.
    Interaction(11, 1, datetime(2023, 1, 5, 9), "Call", SIDE_EFFECTS, "Negative", "Sand"),
    Interaction(12, 1, datetime(2023, 11, 7, 10), "Email", SIDE_EFFECTS, "Negative", "Glass"),
    Interaction(13, 1, datetime(2024, 1, 2, 15), "Call", SIDE_EFFECTS, "Positive", "Glass"),
    Interaction(14, 1, datetime(2024, 2, 2, 15), "Call", "Drug Efficacy", "Negative", "Glass"),
    Interaction(21, 2, datetime(2024, 3, 9, 11), "Email", "Drug Efficacy", "Negative", "Gold"),
]
GOOD = (
    "Dear {name},\n\nThank you for the conversations you have had with our team. We would be "
    "glad to answer any further questions you may have, whenever it suits you.\n\n"
    "Kind regards,\nThe Customer Engagement Team"
)
RESTRICTED = GOOD.replace("glad to answer", "glad to offer guaranteed answers to")


@pytest.fixture
def script(app):
    pipeline = app.extensions["insights"]["content"]
    pipeline.history = InMemoryCustomerHistoryRepository(CUSTOMERS, INTERACTIONS)

    def scripted(*texts: str) -> ScriptedChatModel:
        model = ScriptedChatModel(texts=list(texts))
        pipeline.provider = ChatProvider("scripted", "scripted-1", False, model)
        return model

    return scripted


def stored(app) -> list:
    return list(app.extensions["insights"]["repositories"].generated_content.stored.values())


def email(client, customer_id: int):
    return client.get(f"/api/v1/generate-content/{customer_id}")


class TestAReviewedGeneration:
    def test_a_clean_text_for_a_customer_without_triggers_is_clear(self, client, app, script):
        script(GOOD.format(name="Batman"))
        body = email(client, 2).get_json()
        assert body["review"] == {"status": "clear", "reasons": []}
        assert body["policy_version"] == "policy/v1"
        (generation,) = stored(app)
        assert (generation.review_status, generation.policy_version) == ("clear", "policy/v1")

    def test_a_recent_negative_side_effect_report_needs_review_naming_it(self, client, app, script):
        script(GOOD.format(name="Jedi"))
        response = email(client, 1)
        assert response.status_code == 200
        review = response.get_json()["review"]
        assert review["status"] == "needs_review"
        (reason,) = review["reasons"]
        assert reason["code"] == "safety_trigger" and reason["interaction_ids"] == [12]
        assert stored(app)[0].review_reasons == review["reasons"]

    def test_the_exact_messages_sent_are_stored(self, app, client, script):
        scripted = script(GOOD.format(name="Batman"))
        email(client, 2)
        (sent,) = scripted.requests
        assert [m["content"] for m in stored(app)[0].messages] == [m.content for m in sent]
        assert [m["role"] for m in stored(app)[0].messages] == ["system", "user"]


class TestARestrictedPhrase:
    def test_it_is_regenerated_once_naming_the_phrase(self, client, app, script):
        scripted = script(RESTRICTED.format(name="Batman"), GOOD.format(name="Batman"))
        body = email(client, 2).get_json()
        assert (body["attempts"], body["review"]["status"]) == (2, "clear")
        correction = scripted.requests[1][-1].content
        assert "restricted phrase 'guaranteed'" in correction
        # The conversation that produced the final text is what is kept for replay.
        assert [m["role"] for m in stored(app)[0].messages] == [
            "system",
            "user",
            "assistant",
            "user",
        ]
        assert stored(app)[0].messages[2]["content"] == RESTRICTED.format(name="Batman")

    def test_used_twice_it_is_stored_blocked_and_answered_502_naming_it(self, client, app, script):
        script(RESTRICTED.format(name="Jedi"))
        body = assert_error_shape(email(client, 1), 502)
        (generation,) = stored(app)
        assert "'guaranteed'" in body["message"]
        assert str(generation.content_id) in body["message"]
        assert "generated_content" not in body
        assert body["errors"] == {
            "content_id": str(generation.content_id),
            "restricted_phrases": ["guaranteed"],
        }
        assert generation.review_status == "blocked"
        codes = [reason["code"] for reason in generation.review_reasons]
        assert codes == ["restricted_phrase", "safety_trigger"]
        assert generation.content == RESTRICTED.format(name="Jedi")

    def test_a_blocked_text_reads_back_as_blocked(self, client, script):
        script(RESTRICTED.format(name="Batman"))
        content_id = email(client, 2).get_json()["errors"]["content_id"]
        body = client.get(f"/api/v1/generated-content/{content_id}").get_json()
        assert body["review"]["status"] == "blocked"
        assert body["review"]["reasons"][0]["phrase"] == "guaranteed"

    def test_with_another_failed_check_the_second_time_it_is_rejected_unstored(
        self, client, app, script
    ):
        script(RESTRICTED.format(name="Batman"), RESTRICTED.format(name="Robin"))
        body = assert_error_shape(email(client, 2), 502)
        assert "not addressed to 'Batman'" in body["message"]
        assert "'guaranteed'" in body["message"]
        assert stored(app) == []

    def test_a_summary_is_reviewed_too(self, client, app, script):
        script("Customer 2 was told results are guaranteed, by email.")
        assert_error_shape(client.get("/api/v1/summarized_interactions/2"), 502)
        assert [g.review_status for g in stored(app)] == ["blocked"]
