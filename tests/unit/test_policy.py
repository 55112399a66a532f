"""The compliance policy file and what it finds in texts and histories."""

from datetime import datetime

import pytest

from pipelines.content.policy import BLOCKED, CLEAR, NEEDS_REVIEW, Policy, load_policy
from repository.customer_history import FlaggedInteraction, InteractionPattern
from repository.errors import ConfigurationError
from repository.model import Interaction
from tests.support import MIGRATIONS_DIR

POLICY_DIR = MIGRATIONS_DIR.parent / "policy"
VALID = """
[restricted]
phrases = ["guaranteed", "no side effects", "off-label", "100% safe"]

[safety]
window_months = 12

[[safety.triggers]]
name = "adverse event"
sentiments = ["Negative"]
topic_contains = ["side effect"]
"""


def policy(*phrases: str) -> Policy:
    return Policy("policy/v9", phrases, (), 12)


def write(folder, name: str, text: str):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


class TestRestrictedPhrases:
    @pytest.mark.parametrize(
        "text",
        [
            "Results are GUARANTEED.",
            "It has no side effects at all.",
            "It has no   side-effects at all.",
            "Some use it off label.",
            "It is 100% safe, we think.",
        ],
    )
    def test_a_restricted_phrase_is_found_whatever_its_case_or_spacing(self, text):
        found = policy(
            "guaranteed", "no side effects", "off-label", "100% safe"
        ).restricted_phrases(text)
        assert len(found) == 1

    @pytest.mark.parametrize(
        "text",
        [
            "Your data is secure.",  # "cure" inside a word
            "We discussed side effects you reported.",
            "A guarantor signed.",
            "Nothing here is curated.",
        ],
    )
    def test_a_phrase_inside_another_word_or_a_neighbouring_phrase_is_not_found(self, text):
        assert policy("cure", "no side effects", "guarantee").restricted_phrases(text) == []

    def test_every_phrase_used_is_named_as_the_policy_spells_it(self):
        found = policy("cure", "risk-free", "guaranteed").restricted_phrases(
            "A Risk Free cure, guaranteed."
        )
        assert found == ["cure", "risk-free", "guaranteed"]


def flagged(interaction_id: int, pattern: str) -> FlaggedInteraction:
    at = datetime(2024, 1, interaction_id)
    return FlaggedInteraction(
        Interaction(interaction_id, 1, at, "Call", "Side Effects", "Negative", "Sand"), pattern
    )


class TestReviewStatus:
    def test_nothing_found_is_clear(self):
        assert policy("cure").review([], []).status == CLEAR

    def test_a_safety_trigger_needs_review_naming_the_interactions(self):
        review = policy("cure").review([], [flagged(3, "adverse"), flagged(5, "adverse")])
        assert review.status == NEEDS_REVIEW
        (reason,) = review.reasons
        assert (reason["code"], reason["trigger"]) == ("safety_trigger", "adverse")
        assert reason["interaction_ids"] == [3, 5]

    def test_a_restricted_phrase_blocks_even_with_safety_triggers_and_keeps_both_reasons(self):
        review = policy("cure").review(["cure"], [flagged(3, "adverse")])
        assert review.status == BLOCKED
        assert [r["code"] for r in review.reasons] == ["restricted_phrase", "safety_trigger"]
        assert review.reasons[0]["phrase"] == "cure"


class TestLoadingThePolicyFile:
    def test_the_bundled_policy_loads_with_its_version(self):
        loaded = load_policy(POLICY_DIR)
        assert loaded.version == "policy/v1"
        assert "guaranteed" in loaded.phrases and loaded.triggers

    def test_the_highest_version_is_used(self, tmp_path):
        write(tmp_path, "v2.toml", VALID.replace('"guaranteed", ', ""))
        write(tmp_path, "v10.toml", VALID)
        loaded = load_policy(tmp_path)
        assert loaded.version == "policy/v10" and "guaranteed" in loaded.phrases
        assert loaded.triggers == (
            InteractionPattern("adverse event", ("side effect",), ("Negative",), ()),
        )

    def test_a_file_that_does_not_parse_is_named_with_its_line(self, tmp_path):
        broken = VALID.replace("window_months = 12", "window_months = = 12")
        path = write(tmp_path, "v1.toml", broken) / "v1.toml"
        with pytest.raises(ConfigurationError) as raised:
            load_policy(tmp_path)
        message = raised.value.message
        assert str(path) in message and "line 6," in message
        assert "\n" not in message

    @pytest.mark.parametrize(
        ("change", "named"),
        [
            (("[restricted]", "[allowed]"), "restricted.phrases"),
            (("window_months = 12", "window_months = 0"), "safety.window_months"),
            (('sentiments = ["Negative"]\n', ""), None),
            (('name = "adverse event"', 'name = "adverse event"\ntopics = ["x"]'), "topics"),
        ],
    )
    def test_a_file_missing_or_misusing_a_key_is_refused_naming_it(self, tmp_path, change, named):
        text = VALID.replace(*change)
        if named is None:  # a trigger left with nothing to match on
            text = text.replace('topic_contains = ["side effect"]', "")
            named = "matches every interaction"
        write(tmp_path, "v1.toml", text)
        with pytest.raises(ConfigurationError, match="policy file .*v1.toml") as raised:
            load_policy(tmp_path)
        assert named in raised.value.message

    def test_a_folder_without_a_policy_file_is_refused(self, tmp_path):
        with pytest.raises(ConfigurationError, match="no policy file"):
            load_policy(tmp_path)
