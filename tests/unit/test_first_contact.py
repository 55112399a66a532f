"""A customer with no interactions gets an introduction, never a pretence of past contact."""

from datetime import datetime

import pytest

from pipelines.content.checks import PAST_CONTACT_PHRASES
from repository.model import Customer, Interaction
from tests.fakes import InMemoryCustomerHistoryRepository

# Another customer's history, so the vocabulary is not empty.
OTHERS = [Interaction(11, 1, datetime(2024, 1, 5), "Email", "Dosage", "Positive", "Sand")]


@pytest.fixture(autouse=True)
def seeded(app):
    app.extensions["insights"]["content"].history = InMemoryCustomerHistoryRepository(
        [Customer(1, "Jedi", "Red"), Customer(5, "Baker", "Blue")], OTHERS
    )


def past_contact(text: str) -> list[str]:
    lowered = f" {' '.join(text.lower().split())} "
    return [phrase for phrase in PAST_CONTACT_PHRASES if f" {phrase} " in lowered]


@pytest.mark.parametrize("tone", ["formal", "friendly"])
@pytest.mark.parametrize(
    ("content_type", "version", "greeting"),
    [("email", "email_introduction/v2", "Dear Baker,"),
     ("call_script", "call_script_introduction/v1", "Hello, am I speaking with Baker?")],
)  # fmt: skip
def test_a_customer_without_interactions_gets_an_introduction(
    client, content_type, version, greeting, tone
):
    response = client.get(
        "/api/v1/generate-content/5", query_string={"content_type": content_type, "tone": tone}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    text = body["generated_content"]["Content"]
    assert body["prompt_version"] == version and body["attempts"] == 1
    assert text.startswith(greeting) and "introduce" in text
    assert past_contact(text) == []


def test_a_customer_with_interactions_keeps_the_regular_prompt(client):
    body = client.get("/api/v1/generate-content/1").get_json()
    assert body["prompt_version"] == "email/v2"


def test_the_introduction_prompt_carries_no_history_block(app):
    pipeline = app.extensions["insights"]["content"]
    profile = pipeline.history.profile(5)
    draft = pipeline._draft(profile, {"content_type": "email"}, 180, None)
    assert draft.prompt.version == "email_introduction/v2"
    assert draft.expected.first_contact
    assert "<interaction_history>" not in draft.messages[1].text
