"""Output checks: what a generated text must satisfy before anyone sees it."""

import pytest

from pipelines.content.checks import Expectations, check_text
from repository.customer_history import Vocabulary

VOCABULARY = Vocabulary(
    topics=frozenset({"Drug Efficacy", "Efficacy", "Dosage", "Side Effects Discussion"}),
    products=frozenset({"Sand", "Glass"}),
)
EMAIL = Expectations("email", 1, "Jedi", 5, 40, frozenset({"Drug Efficacy", "Sand"}))
GOOD_EMAIL = "Dear Jedi,\n\nThank you for asking about Drug Efficacy and Sand.\n\nKind regards"


def expect(**changes) -> Expectations:
    return Expectations(**{**EMAIL.__dict__, **changes})


class TestPassingTexts:
    def test_a_grounded_email_to_the_right_customer_passes(self):
        assert check_text(GOOD_EMAIL, EMAIL, VOCABULARY) == []

    def test_names_match_whatever_their_case(self):
        assert (
            check_text(GOOD_EMAIL.replace("Drug Efficacy", "drug efficacy"), EMAIL, VOCABULARY)
            == []
        )

    def test_a_shorter_name_inside_an_allowed_one_is_not_a_mention(self):
        # "Efficacy" is a topic of its own, absent from the context, but here it is only
        # part of "Drug Efficacy".
        assert check_text(GOOD_EMAIL, EMAIL, VOCABULARY) == []

    def test_a_call_script_is_addressed_on_its_first_line(self):
        script = "Hello, am I speaking with Jedi?\nTalking point: Sand and Drug Efficacy."
        assert check_text(script, expect(content_type="call_script"), VOCABULARY) == []

    def test_a_summary_names_its_customer_by_id(self):
        summary = "Customer 1 asked about Drug Efficacy twice."
        assert check_text(summary, expect(content_type="summary"), VOCABULARY) == []


class TestFailingTexts:
    @pytest.mark.parametrize("text", ["", "   \n "])
    def test_an_empty_text_fails(self, text):
        assert check_text(text, EMAIL, VOCABULARY) == ["the text is empty"]

    def test_a_text_over_the_word_limit_fails(self):
        long = GOOD_EMAIL + " more" * 40
        assert check_text(long, EMAIL, VOCABULARY) == ["the text has 53 words, outside 5-40"]

    def test_a_text_under_the_minimum_fails(self):
        assert check_text("Dear Jedi,", EMAIL, VOCABULARY) == ["the text has 2 words, outside 5-40"]

    def test_an_email_to_someone_else_fails(self):
        problems = check_text(GOOD_EMAIL.replace("Jedi", "Batman"), EMAIL, VOCABULARY)
        assert problems == ["the text is not addressed to 'Jedi'"]

    def test_a_summary_about_another_customer_fails(self):
        summary = "Customer 12 asked about Drug Efficacy twice."
        problems = check_text(summary, expect(content_type="summary"), VOCABULARY)
        assert problems == [
            "the text is not addressed to 'Customer 1'",
            "the text states what its data does not back: 12",
        ]

    def test_a_topic_absent_from_the_context_fails(self):
        text = GOOD_EMAIL.replace("and Sand", "and Dosage")
        assert check_text(text, EMAIL, VOCABULARY) == [
            "the text names what its data did not contain: Dosage"
        ]

    def test_a_product_absent_from_the_context_fails(self):
        text = GOOD_EMAIL.replace("and Sand", "and Glass")
        assert check_text(text, EMAIL, VOCABULARY) == [
            "the text names what its data did not contain: Glass"
        ]

    def test_a_text_echoing_the_data_blocks_fails(self):
        text = GOOD_EMAIL + " <interaction_history>"
        assert check_text(text, EMAIL, VOCABULARY) == ["the text quotes the prompt's data blocks"]

    def test_every_problem_is_reported_at_once(self):
        text = "Dear Batman, Dosage"
        assert len(check_text(text, EMAIL, VOCABULARY)) == 3


class TestValuesThePromptCarried:
    def test_a_salutation_that_is_also_a_product_name_is_no_invention(self):
        # Occupation "Sand", and "Sand" a product of some month this customer never saw.
        customer = expect(salutation="Sand", allowed_names=frozenset({"Drug Efficacy"}))
        text = "Dear Sand,\n\nThank you for asking about Drug Efficacy.\n\nKind regards"
        assert check_text(text, customer, VOCABULARY) == []

    def test_a_product_inside_a_longer_carried_salutation_is_no_invention(self):
        customer = expect(salutation="Glass Blower", allowed_names=frozenset({"Drug Efficacy"}))
        text = "Dear Glass Blower,\n\nThank you for asking about Drug Efficacy.\n\nKind regards"
        assert check_text(text, customer, VOCABULARY) == []

    def test_the_same_product_outside_the_salutation_is_still_an_invention(self):
        customer = expect(salutation="Glass Blower", allowed_names=frozenset({"Drug Efficacy"}))
        text = "Dear Glass Blower,\n\nThank you for asking about Glass today.\n\nKind regards"
        assert check_text(text, customer, VOCABULARY) == [
            "the text names what its data did not contain: Glass"
        ]


class TestMarkup:
    @pytest.mark.parametrize(
        "fragment",
        ["<script>alert(1)</script>", "<b>bold</b>", "<img src=x onerror=y>",
         "javascript:alert(1)", "&lt;script&gt;", "</customer>"],
    )  # fmt: skip
    def test_markup_in_the_text_fails(self, fragment):
        problems = check_text(GOOD_EMAIL + " " + fragment, EMAIL, VOCABULARY)
        assert len(problems) == 1 and problems[0].startswith("the text contains markup: ")

    def test_a_comparison_sign_is_not_markup(self):
        assert check_text(GOOD_EMAIL + " Sand < Drug Efficacy.", EMAIL, VOCABULARY) == []


INTRODUCTION = (
    "Dear Jedi,\n\nAllow us to introduce ourselves: we are the customer engagement team. "
    "We are here to answer questions about our products.\n\nKind regards"
)


class TestFirstContact:
    def test_an_introduction_passes(self):
        first = expect(first_contact=True, max_words=80)
        assert check_text(INTRODUCTION, first, VOCABULARY) == []

    @pytest.mark.parametrize(
        "sentence",
        ["We appreciate your continued engagement.", "As we discussed, here is more.",
         "Following up on our last conversation.", "Thank you for your ongoing trust.",
         "It is good to write to you again.", "Your recent interactions with us matter.",
         "It has been a real pleasure hearing from you.", "We noted your concerns."],
    )  # fmt: skip
    def test_a_reference_to_past_contact_fails(self, sentence):
        text = INTRODUCTION.replace("We are here", f"{sentence} We are here")
        problems = check_text(text, expect(first_contact=True, max_words=80), VOCABULARY)
        assert len(problems) == 1
        assert problems[0].startswith("the text refers to past contact (")

    def test_the_same_wording_is_fine_for_a_customer_with_history(self):
        text = INTRODUCTION.replace("We are here", "As we discussed, we are here")
        assert check_text(text, expect(max_words=80), VOCABULARY) == []
