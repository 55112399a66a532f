"""Invisible and control characters in cells: removed from text as a logged repair, never stored."""

import json

import pytest

from pipelines.ingestion.cleaning import clean
from pipelines.ingestion.rules import clean_text, normalise_text
from tests.unit.test_cleaning import (
    customer,
    interaction,
    only_value,
    raw_sheets,
    reasons,
    repairs_of,
)


class TestInvisibleCharacters:
    @pytest.mark.parametrize(
        "value",
        ["E\u200bmail", "Em\u200cail", "Ema\u200dil", "\u2060Email", "E\u00admail", "Em\ufeffail"],
    )
    def test_an_invisible_character_inside_a_channel_gives_the_known_channel(self, value):
        cleaned = clean(raw_sheets(interactions=[interaction(channel=value)]))
        assert only_value(cleaned.interactions, "channel") == "Email"
        assert repairs_of(cleaned, "channel") == [(value, "Email", "invisible_characters", 1, 2)]

    def test_lookalike_channels_fold_into_one(self):
        rows = [
            interaction(channel="Email", date_start="2020-01-01"),
            interaction(channel="E\u200bmail", date_start="2020-01-02"),
            interaction(channel="e\u00ad-mail", date_start="2020-01-03"),
        ]
        cleaned = clean(raw_sheets(interactions=rows))
        assert set(cleaned.interactions["channel"]) == {"Email"}

    def test_a_leading_bom_is_still_named_a_normalisation(self):
        cleaned = clean(raw_sheets(interactions=[interaction(channel="\ufeffEmail")]))
        assert repairs_of(cleaned, "channel") == [("\ufeffEmail", "Email", "normalised", 1, 2)]

    def test_topics_and_occupations_lose_them_too(self):
        sheets = raw_sheets(
            customers=[customer(occupation="Santa\u200b Claus")],
            interactions=[interaction(topic="Drug\u2060 Efficacy")],
        )
        cleaned = clean(sheets)
        assert only_value(cleaned.customers, "occupation") == "Santa Claus"
        assert only_value(cleaned.interactions, "topic") == "Drug Efficacy"

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("1\u200b7", 17), ("\u200b17", 17), ("17\u00ad", 17)],
    )
    def test_an_id_reads_through_them_as_through_a_bom(self, value, expected):
        cleaned = clean(raw_sheets(interactions=[interaction(customer_id=value)]))
        assert only_value(cleaned.interactions, "customer_id") == expected

    def test_a_date_reads_through_them(self):
        cleaned = clean(raw_sheets(interactions=[interaction(date_start="04/10/2019\u200b 09:00")]))
        assert str(only_value(cleaned.interactions, "occurred_at")) == "2019-10-04 09:00:00"

    def test_a_cell_of_nothing_but_invisible_characters_is_empty(self):
        cleaned = clean(raw_sheets(interactions=[interaction(topic="\u200b\u200d")]))
        assert only_value(cleaned.interactions, "topic") is None

    @pytest.mark.parametrize("value", ["Email", "Zoë", "naïve café", "\u00a0Nurse", "日本語"])
    def test_visible_text_is_left_alone(self, value):
        assert normalise_text(value) == value.strip("\u00a0")


class TestControlCharacters:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("E\x00mail", "Email"),
            ("\x1b[31mBird", "[31mbird"),  # title case: the first letter is "["
            ("Bo\x7fat", "Boat"),
            ("Post\x9b", "Post"),
            ("\x07Call", "Call"),
        ],
    )
    def test_they_are_removed_from_text_with_a_logged_repair(self, value, expected):
        cleaned = clean(raw_sheets(interactions=[interaction(channel=value)]))
        assert only_value(cleaned.interactions, "channel") == expected
        ((original, repaired, rule, count, first),) = repairs_of(cleaned, "channel")
        assert (repaired, rule, count, first) == (expected, "control_characters", 1, 2)
        assert "\x00" not in original

    def test_a_nul_is_logged_as_the_symbol_for_null(self):
        cleaned = clean(raw_sheets(interactions=[interaction(topic="Dr\x00ug")]))
        assert repairs_of(cleaned, "topic") == [("Dr\u2400ug", "Drug", "control_characters", 1, 2)]

    @pytest.mark.parametrize("value", ["\x00", "\x00\x01\x02"])
    def test_a_cell_of_control_characters_only_becomes_empty(self, value):
        cleaned = clean(raw_sheets(customers=[customer(occupation=value)]))
        assert only_value(cleaned.customers, "occupation") is None

    @pytest.mark.parametrize(
        ("column", "value", "reason"),
        [
            ("customer_id", "1\x007", "invalid_customer_id"),
            ("date_start", "04/10/2019\x00 09:00", "invalid_date"),
        ],
    )
    def test_an_id_or_date_holding_one_is_quarantined_not_guessed(self, column, value, reason):
        cleaned = clean(raw_sheets(interactions=[interaction(**{column: value})]))
        assert reasons(cleaned, "interactions") == {2: reason}

    def test_the_quarantine_keeps_a_nul_as_the_symbol_for_null(self):
        cleaned = clean(raw_sheets(interactions=[interaction(customer_id="1\x007")]))
        original = json.loads(cleaned.quarantine["original"].iloc[0])
        assert original["customer_id"] == "1\u24007"
        assert "\\u0000" not in cleaned.quarantine["original"].iloc[0]

    # Python counts these controls as whitespace (NEL, unit separator): a space, like a tab.
    @pytest.mark.parametrize(
        "value", ["Santa\tClaus", "Santa\nClaus", "Santa\x1fClaus", "Santa\x85Claus"]
    )
    def test_whitespace_controls_still_become_one_space(self, value):
        assert clean_text(value) == "Santa Claus"
