"""Every statistics endpoint answers in CSV on request, as a named download, and inert."""

import csv
import io
from datetime import datetime

import pytest

from tests.fakes import InMemoryStatisticsRepository, InteractionFact

FACTS = [
    InteractionFact(datetime(2024, 1, 5, 9), "Sand", "Red", "Email", "=cmd()", "Positive", 1),
    InteractionFact(datetime(2024, 1, 9, 9), "Sand", "Red", "Call", "Dosage", None, 2),
    InteractionFact(datetime(2025, 2, 1, 9), "Glass", "Unknown", "Email", "Dosage", None, 3),
]
BASE = "/api/v1/statistics"
DOWNLOADS = {
    f"{BASE}/product-interactions": 'attachment; filename="product-interactions.csv"',
    f"{BASE}/overview": 'attachment; filename="overview.csv"',
    f"{BASE}/timeseries?group_by=channel&granularity=year": (
        'attachment; filename="timeseries-channel-year.csv"'
    ),
}


@pytest.fixture(autouse=True)
def _facts(repositories):
    repositories.statistics = InMemoryStatisticsRepository(facts=FACTS)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


class TestCsvDownloads:
    @pytest.mark.parametrize("how", [{"suffix": "format=csv"}, {"headers": {"Accept": "text/csv"}}])
    @pytest.mark.parametrize("url", DOWNLOADS)
    def test_every_csv_answer_is_an_attachment_with_a_file_name(self, client, url, how):
        suffix = how.get("suffix")
        target = f"{url}{'&' if '?' in url else '?'}{suffix}" if suffix else url
        response = client.get(target, headers=how.get("headers"))
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == DOWNLOADS[url]

    @pytest.mark.parametrize("url", DOWNLOADS)
    def test_json_answers_carry_no_attachment_header(self, client, url):
        response = client.get(url)
        assert response.mimetype == "application/json"
        assert "Content-Disposition" not in response.headers

    def test_the_timeseries_as_csv(self, client):
        response = client.get(f"{BASE}/timeseries?group_by=sentiment&granularity=year&format=csv")
        assert csv_rows(response) == [
            ["period", "sentiment", "interactions"],
            ["2024", "Positive", "1"],
            ["2024", "Unknown", "1"],
            ["2025", "Unknown", "1"],
        ]

    def test_the_overview_as_csv_holds_every_figure_of_the_json_form(self, client):
        rows = csv_rows(client.get(f"{BASE}/overview?format=csv"))
        assert rows[0] == ["section", "name", "value"]
        assert ["totals", "interactions", "3"] in rows and ["totals", "customers", "3"] in rows
        assert ["by_sentiment", "Unknown", "2"] in rows
        assert ["by_customer_type", "Red", "2"] in rows
        assert ["span", "first_interaction", "2024-01-05T09:00"] in rows
        assert ["span", "last_interaction", "2025-02-01T09:00"] in rows

    def test_a_formula_in_the_data_stays_text_in_the_new_exports(self, client):
        overview = csv_rows(client.get(f"{BASE}/overview?format=csv"))
        assert ["by_topic", "'=cmd()", "1"] in overview
        series = csv_rows(client.get(f"{BASE}/timeseries?group_by=topic&format=csv"))
        assert ["2024-01", "'=cmd()", "1"] in series

    def test_the_overview_csv_is_documented(self, client):
        spec = client.get("/openapi.json").get_json()
        for path in ("/api/v1/statistics/overview", "/api/v1/statistics/timeseries"):
            ok = spec["paths"][path]["get"]["responses"]["200"]
            assert set(ok["content"]) == {"application/json", "text/csv"}
            assert "Content-Disposition" in ok["headers"]
