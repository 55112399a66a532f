"""Cells over the length limit: their rows go to quarantine as value_too_long, cut short there."""

import datetime as dt
import json

import pytest

from pipelines.ingestion.cleaning import clean
from pipelines.ingestion.limits import Limits
from tests.unit.test_cleaning import customer, interaction, product, raw_sheets, reasons

LIMIT = Limits().max_cell_chars
LONG = "x" * (LIMIT + 1)


class TestValueTooLong:
    @pytest.mark.parametrize(
        "column", ["date_start", "channel", "customer_id", "topic", "sentiment"]
    )
    def test_a_long_interaction_cell_quarantines_its_row(self, column):
        cleaned = clean(raw_sheets(interactions=[interaction(**{column: LONG}), interaction()]))
        assert reasons(cleaned, "interactions") == {2: "value_too_long"}
        assert cleaned.interactions["source_row"].tolist() == [3]

    @pytest.mark.parametrize("column", ["customer_id", "occupation", "type"])
    def test_a_long_customer_cell_quarantines_its_row(self, column):
        cleaned = clean(raw_sheets(customers=[customer(**{column: LONG})]))
        assert reasons(cleaned, "customers") == {2: "value_too_long"}

    @pytest.mark.parametrize("column", ["month", "product"])
    def test_a_long_product_cell_quarantines_its_row(self, column):
        cleaned = clean(raw_sheets(products=[product(**{column: LONG})]))
        assert reasons(cleaned, "products") == {2: "value_too_long"}

    def test_a_cell_at_the_limit_is_kept(self):
        topic = "Y" + "y" * (LIMIT - 1)
        cleaned = clean(raw_sheets(interactions=[interaction(topic=topic)]))
        assert cleaned.interactions["topic"].tolist() == [topic]

    def test_the_limit_counts_characters_not_bytes(self):
        topic = "\U0001f600" * LIMIT  # 4 bytes each in UTF-8
        cleaned = clean(raw_sheets(interactions=[interaction(topic=topic)]))
        assert cleaned.quarantine.empty

    def test_it_outranks_the_reasons_of_other_cells(self):
        rows = [interaction(customer_id="abc", date_start="never", topic=LONG)]
        assert reasons(clean(raw_sheets(interactions=rows)), "interactions") == {
            2: "value_too_long"
        }

    def test_a_long_row_is_not_the_first_of_its_customer(self):
        rows = [customer(occupation=LONG), customer(occupation="Nurse")]
        cleaned = clean(raw_sheets(customers=rows))
        assert reasons(cleaned, "customers") == {2: "value_too_long"}
        assert cleaned.customers["occupation"].tolist() == ["Nurse"]

    def test_the_limit_is_a_parameter(self):
        cleaned = clean(raw_sheets(interactions=[interaction(topic="Side effects")]), 10)
        assert reasons(cleaned, "interactions") == {2: "value_too_long"}

    @pytest.mark.parametrize("value", [12345678901.0, dt.datetime(2020, 1, 2, 3, 4, 5)])
    def test_number_and_date_cells_are_never_too_long(self, value):
        # 16: the longest text of the row, its date; the cell itself reads as longer.
        cleaned = clean(raw_sheets(interactions=[interaction(customer_id=value)]), 16)
        assert "value_too_long" not in reasons(cleaned, "interactions").values()

    def test_the_quarantine_keeps_the_start_of_the_cell_and_its_length(self):
        huge = "A" * 5_000_000
        cleaned = clean(raw_sheets(interactions=[interaction(topic=huge)]))
        original = json.loads(cleaned.quarantine["original"].iloc[0])
        assert original["topic"] == "A" * LIMIT + "… (5000000 characters)"
        assert original["channel"] == "Email"

    def test_no_repair_is_logged_for_a_quarantined_long_cell(self):
        cleaned = clean(raw_sheets(interactions=[interaction(channel=" e-mail" + LONG)]))
        assert cleaned.repairs.empty
