"""The facts check: every number, date and channel a text states is backed by its data."""

import pytest

from pipelines.content.checks import Expectations, check_text
from pipelines.content.facts import ground
from repository.customer_history import Vocabulary

VOCABULARY = Vocabulary(
    topics=frozenset({"Dosage", "Drug Efficacy"}),
    products=frozenset({"Sand", "Glass"}),
    channels=frozenset({"Email", "Call", "Chatbot", "Bird"}),
)
# The data of a prompt, shaped as context_blocks renders it: customer 7, three
# interactions (Friday 5 January 2024 by Email, 7 February 2024 and 2 March 2024 by Call).
RECORD = {"customer_id": 7, "salutation": "Jedi", "customer_type": "Red",
          "products_discussed": ["Glass"]}  # fmt: skip
HISTORY = [
    {"id": 13, "date": "2024-03-02T15:00", "channel": "Call", "topic": "Dosage",
     "sentiment": None, "product": None},
    {"id": 12, "date": "2024-02-07T10:00", "channel": "Call", "topic": "Dosage",
     "sentiment": "Negative", "product": "Glass"},
    {"id": 11, "date": "2024-01-05T09:00", "channel": "Email", "topic": "Drug Efficacy",
     "sentiment": "Positive", "product": None},
]  # fmt: skip
FACTS = {
    "total_interactions": 3,
    "most_frequent_channel": "Call",
    "key_topics": ["Dosage"],
    "last_interaction": {"date": "2024-03-02", "channel": "Call", "topic": "Dosage"},
}
NAMES = frozenset({"Dosage", "Drug Efficacy", "Glass"})
EMAIL = Expectations("email", 7, "Jedi", 5, 200, NAMES, ground([RECORD, HISTORY]))
SUMMARY = Expectations("summary", 7, "Jedi", 5, 200, NAMES, ground([RECORD, HISTORY, FACTS]))


def email(sentence: str) -> str:
    return f"Dear Jedi,\n\nThank you for your time. {sentence}\n\nKind regards"


def problems(sentence: str, expected: Expectations = EMAIL) -> list[str]:
    text = sentence if expected.content_type == "summary" else email(sentence)
    return check_text(text, expected, VOCABULARY)


def unbacked(*claims: str) -> list[str]:
    return [f"the text states what its data does not back: {', '.join(claims)}"]


class TestNumbers:
    def test_a_count_the_summary_facts_give_passes(self):
        assert problems("Customer 7 has 3 recorded interactions.", SUMMARY) == []

    def test_a_count_nobody_gave_fails(self):
        assert problems("Customer 7 has 12 recorded interactions.", SUMMARY) == unbacked("12")

    def test_a_count_in_words_passes_when_backed(self):
        assert problems("Customer 7 has three recorded interactions.", SUMMARY) == []

    def test_a_count_in_words_fails_when_not_backed(self):
        assert problems("Customer 7 has twelve recorded interactions.", SUMMARY) == unbacked(
            "twelve"
        )

    def test_the_customer_id_is_not_an_invented_number(self):
        assert problems("Customer 7 asked about Dosage.", SUMMARY) == []

    def test_one_as_english_is_not_a_claim(self):
        assert problems("One of our team is happy to help; no one will call uninvited.") == []

    def test_a_dose_with_a_unit_is_a_number_claim(self):
        assert problems("We recommend 50mg of Glass.") == unbacked("50")

    def test_an_interaction_id_of_the_data_backs_no_count(self):
        assert problems("Your 13 questions matter to us.") == unbacked("13")


class TestDates:
    @pytest.mark.parametrize(
        "written",
        ["2024-01-05", "5 January 2024", "5th January 2024", "January 5, 2024", "Jan 5, 2024",
         "05/01/2024", "7 February 2024"],
    )  # fmt: skip
    def test_a_date_of_the_history_passes_in_every_form(self, written):
        assert problems(f"We last spoke on {written}.") == []

    @pytest.mark.parametrize(
        "written",
        ["2024-01-06", "6 January 2024", "January 6, 2024", "06/02/2024", "30 February 2024"],
    )
    def test_a_date_the_history_lacks_fails(self, written):
        assert problems(f"We last spoke on {written}.") == unbacked(written)

    def test_a_month_and_year_of_the_history_passes(self):
        assert problems("We spoke in Jan 2024 and in February 2024.") == []

    def test_a_month_and_year_the_history_lacks_fails(self):
        assert problems("We spoke in Jan 2023.") == unbacked("Jan 2023")

    def test_a_bare_year_of_the_history_passes(self):
        assert problems("Since 2024 you have asked about Dosage.") == []

    def test_a_bare_year_the_history_lacks_fails(self):
        assert problems("Since 2019 you have asked about Dosage.") == unbacked("2019")

    def test_a_weekday_of_an_interaction_passes(self):
        assert problems("We enjoyed our talk on Friday.") == []  # 5 January 2024

    def test_a_weekday_of_no_interaction_fails(self):
        assert problems("We enjoyed our talk on Monday.") == unbacked("Monday")

    def test_a_day_and_month_without_a_year_are_checked_too(self):
        assert problems("On 2 March we spoke.") == []
        assert problems("On 3 March we spoke.") == unbacked("3 March")

    def test_a_month_name_alone_must_be_a_month_of_the_data(self):
        assert problems("In March we spoke.") == []
        assert problems("In June we spoke.") == unbacked("June")

    def test_may_as_a_verb_is_no_date(self):
        assert problems("You may reply at any time.") == []


class TestChannels:
    def test_a_channel_of_the_history_passes(self):
        assert problems("We last spoke by email about Dosage.") == []

    def test_a_synonym_of_a_channel_of_the_history_passes(self):
        assert problems("We last spoke on the phone.") == []  # phone means Call

    def test_a_channel_the_customer_never_used_fails(self):
        assert problems("We enjoyed your chatbot conversation.") == unbacked("chatbot conversation")

    def test_a_channel_unknown_to_the_customer_fails_by_synonym_too(self):
        assert problems("As you often reach us by chat bot.") == unbacked("by chat bot")

    def test_the_word_email_that_is_not_a_way_of_contact_is_no_claim(self):
        customer = Expectations("email", 7, "Jedi", 5, 200, NAMES, ground([RECORD]))
        assert check_text(email("This email is for you."), customer, VOCABULARY) == []

    def test_a_channel_name_without_words_matches_nothing(self):
        vocabulary = Vocabulary(VOCABULARY.topics, VOCABULARY.products, frozenset({"<>", "Call"}))
        assert check_text(email("Reach us by courier."), EMAIL, vocabulary) == []

    def test_a_summary_names_its_most_frequent_channel(self):
        assert problems("Customer 7 most often contacts us by Call.", SUMMARY) == []


class TestSeveralClaims:
    def test_every_unbacked_claim_is_named_once_in_order(self):
        sentence = "On 9 May 2024 by Bird you asked 4 questions, on Monday."
        assert problems(sentence) == unbacked("9 May 2024", "by Bird", "4", "Monday")
