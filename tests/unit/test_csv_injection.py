"""CSV exports never carry a live spreadsheet formula (OWASP's CSV injection rule)."""

import csv
import io
from datetime import datetime

import pytest

from api.statistics_reports import inert_cell, rows_as_csv
from tests.fakes import InMemoryStatisticsRepository, InteractionFact


class TestInertCell:
    @pytest.mark.parametrize(
        "value",
        ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"],
    )
    def test_a_text_cell_starting_a_formula_gets_a_leading_apostrophe(self, value):
        assert inert_cell(value) == "'" + value

    @pytest.mark.parametrize("value", ["Sand", "Drug = Cure", "a-b", " =spaced", ""])
    def test_other_text_is_left_alone(self, value):
        assert inert_cell(value) == value

    @pytest.mark.parametrize("value", [-5, -0.5, 3, None])
    def test_numbers_and_empty_cells_are_not_text(self, value):
        assert inert_cell(value) is value


def test_rows_as_csv_neutralises_every_text_cell_and_keeps_negative_counts():
    rows = [
        {"period": "=1+1", "product": "=HYPERLINK(\"http://evil\")", "customer_type": "@Red",
         "interactions": -3},
    ]  # fmt: skip
    parsed = list(csv.reader(io.StringIO(rows_as_csv(rows, "month"))))
    assert parsed[1] == ["'=1+1", '\'=HYPERLINK("http://evil")', "'@Red", "-3"]


def test_a_hostile_product_name_leaves_the_csv_export_as_text(client, repositories):
    fact = InteractionFact(datetime(2024, 1, 5, 9), '=HYPERLINK("http://x")', "Red", "Email",
                           "Dosage", "Positive")  # fmt: skip
    repositories.statistics = InMemoryStatisticsRepository(facts=[fact])
    response = client.get("/api/v1/statistics/product-interactions", headers={"Accept": "text/csv"})
    parsed = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert parsed[1] == ['\'=HYPERLINK("http://x")', "Red", "1"]
