"""Email subject lines: split off the model's answer, checked like the body, replaced when bad."""

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from pipelines.content.attempts import Draft, write_checked
from pipelines.content.checks import Expectations, check_subject_line
from pipelines.content.errors import ModelOutputRejected
from pipelines.content.facts import ground
from pipelines.content.policy import Policy
from pipelines.content.prompts import PromptTemplate
from pipelines.content.subjects import header_problems, split_subject
from repository.customer_history import Vocabulary

VOCABULARY = Vocabulary(
    topics=frozenset({"Drug Efficacy", "Efficacy", "Dosage"}),
    products=frozenset({"Sand", "Glass"}),
    channels=frozenset({"Email", "Call"}),
)
# What the prompt's data carried: one interaction about Drug Efficacy, by call, in March.
SHOWN = [{"salutation": "Jedi", "customer_id": 1},
         [{"topic": "Drug Efficacy", "channel": "Call", "date": "2024-03-05"}]]  # fmt: skip
EMAIL = Expectations(
    "email", 1, "Jedi", 5, 60, frozenset({"Drug Efficacy"}), grounding=ground(SHOWN)
)
POLICY = Policy("policy/test", ("guaranteed cure",), (), 12)
BODY = "Dear Jedi,\n\nThank you for asking about Drug Efficacy.\n\nKind regards"


class TestSplitting:
    def test_the_first_subject_line_is_split_off_the_body(self):
        subject, body = split_subject(f"Subject: About Drug Efficacy\n\n{BODY}")
        assert (subject, body) == ("About Drug Efficacy", BODY)

    def test_the_prefix_is_read_whatever_its_case_and_spacing(self):
        assert split_subject(f"  SUBJECT:   Hello\n{BODY}") == ("Hello", BODY)

    def test_a_text_without_a_subject_line_is_left_whole(self):
        assert split_subject(BODY) == (None, BODY)

    def test_a_subject_word_later_in_the_text_is_not_a_subject_line(self):
        text = f"{BODY}\nSubject: not a header"
        assert split_subject(text) == (None, text)


class TestHeaderRules:
    def test_a_plain_subject_passes(self):
        assert header_problems("About Drug Efficacy and COPD") == []

    @pytest.mark.parametrize(
        ("subject", "problem"),
        [
            ("Hi\x07there", "control character"),
            ("Hi\r\nBcc: all@example.test", "control character"),
            ("", "1 to 78 characters"),
            ("x" * 79, "1 to 78 characters"),
            ("ACT NOW ON DOSAGE", "capitals"),
            ("Great FREE OFFER inside", "capitals"),
            ("Good news!!!", "exclamation"),
            ("Good news! !", "exclamation"),
        ],
    )
    def test_a_subject_breaking_a_rule_is_refused(self, subject, problem):
        assert any(problem in found for found in header_problems(subject)), subject


class TestGrounding:
    def test_a_subject_naming_only_what_the_data_carried_passes(self):
        assert check_subject_line("Your questions about Drug Efficacy", EMAIL, VOCABULARY) == []

    def test_a_product_the_data_did_not_carry_is_an_invention(self):
        problems = check_subject_line("News about Sand", EMAIL, VOCABULARY)
        assert problems == ["the subject names what its data did not contain: Sand"]

    def test_a_date_the_data_does_not_back_is_refused(self):
        problems = check_subject_line("Our call of 9 May 2024", EMAIL, VOCABULARY)
        assert len(problems) == 1 and "does not back" in problems[0] and "9 May 2024" in problems[0]

    def test_the_date_the_data_carried_passes(self):
        assert check_subject_line("Our call of 5 March 2024", EMAIL, VOCABULARY) == []

    def test_markup_is_refused(self):
        assert "the subject contains markup" in check_subject_line(
            "<b>Drug Efficacy</b>", EMAIL, VOCABULARY
        )

    def test_a_first_contact_subject_may_not_presume_a_past(self):
        first = Expectations(**{**EMAIL.__dict__, "first_contact": True})
        problems = check_subject_line("Following up on our conversation", first, VOCABULARY)
        assert problems and "past contact" in problems[0]


class ScriptedAsk:
    """Answers each call with the next scripted text, and keeps what it was asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[list] = []

    def __call__(self, messages):
        self.asked.append(messages)
        return self.answers.pop(0)


def draft(focus: str | None = None, content_type: str = "email") -> Draft:
    prompt = PromptTemplate("email/v2", None, "")  # the template is not read here
    messages = [SystemMessage("rules"), HumanMessage("data")]
    expected = Expectations(**{**EMAIL.__dict__, "content_type": content_type})
    return Draft(prompt, messages, expected, (1,), {"focus": focus})


def write(ask: ScriptedAsk, **draft_args):
    events: list[tuple[str, dict]] = []
    written = write_checked(
        draft(**draft_args), ask, POLICY, VOCABULARY,
        lambda event, **fields: events.append((event, fields)),
    )  # fmt: skip
    return written, events


class TestWriting:
    def test_a_good_subject_is_kept_with_the_body_on_the_first_attempt(self):
        written, events = write(ScriptedAsk(f"Subject: About Drug Efficacy\n\n{BODY}"))
        assert (written.subject, written.text, written.attempts) == (
            "About Drug Efficacy", BODY, 1)  # fmt: skip
        assert events == []

    def test_a_bad_subject_asks_for_the_one_regeneration_naming_it(self):
        ask = ScriptedAsk(f"Subject: News about Sand\n\n{BODY}",
                          f"Subject: More on Drug Efficacy\n\n{BODY}")  # fmt: skip
        written, events = write(ask)
        assert (written.subject, written.attempts) == ("More on Drug Efficacy", 2)
        correction = ask.asked[1][-1].content
        assert "the subject names what its data did not contain: Sand" in correction

    def test_a_restricted_phrase_in_the_subject_is_a_subject_problem(self):
        ask = ScriptedAsk(f"Subject: A guaranteed cure\n\n{BODY}",
                          f"Subject: About Drug Efficacy\n\n{BODY}")  # fmt: skip
        written, _ = write(ask)
        assert (written.subject, written.attempts, written.restricted) == (
            "About Drug Efficacy", 2, [])  # fmt: skip
        assert "guaranteed cure" in ask.asked[1][-1].content

    def test_a_subject_bad_twice_is_replaced_by_the_derived_one_and_the_body_kept(self):
        bad = f"Subject: DRUG EFFICACY NEWS!!!\n\n{BODY}"
        written, events = write(ScriptedAsk(bad, bad), focus="Drug Efficacy")
        assert (written.subject, written.text, written.attempts) == (
            "About Drug Efficacy", BODY, 2)  # fmt: skip
        assert [event for event, _ in events] == ["content_regenerating", "subject_replaced"]

    def test_a_bad_body_twice_still_rejects_the_email_whatever_its_subject(self):
        bad = "Subject: About Drug Efficacy\n\nHello there, nobody in particular."
        with pytest.raises(ModelOutputRejected):
            write(ScriptedAsk(bad, bad))

    def test_an_answer_without_a_subject_line_gets_the_derived_one_without_regenerating(self):
        written, events = write(ScriptedAsk(BODY))
        assert (written.subject, written.attempts, events) == ("A note from our team", 1, [])

    def test_a_call_script_has_no_subject(self):
        script = "Hello, am I speaking with Jedi?\nTalking point: Drug Efficacy."
        written, _ = write(ScriptedAsk(script), content_type="call_script")
        assert (written.subject, written.text) == (None, script)
