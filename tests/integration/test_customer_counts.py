"""The three customer counts of the bundled sample, each against its definition in SQL.

GET /api/v1/stats/customers counts the customers sheet's clean rows; the overview's
totals.customers the customers seen in (matching) interactions; the customer list's total
every customer, on the sheet or seen in interactions. They differ on purpose; each must
equal its own definition, computed here independently of the app.
"""

import psycopg
import pytest

from repository.engine import libpq_url
from tests.support import client_with_key, ingest_bundled_sample, make_app, pagination, query

ON_SHEET = "SELECT count(*) FROM insights.customers"
SEEN = "SELECT count(DISTINCT customer_id) FROM insights.interactions"
EVERY = """
    SELECT count(*) FROM (SELECT customer_id FROM insights.customers
                          UNION SELECT customer_id FROM insights.interactions) AS every
"""
SEEN_IN_2020 = """
    SELECT count(DISTINCT customer_id) FROM insights.interactions
    WHERE occurred_at >= '2020-01-01' AND occurred_at < '2021-01-01'
"""


@pytest.fixture
def sample(database_url):
    ingest_bundled_sample(database_url)
    app = make_app(database_url)
    yield database_url, client_with_key(app)
    app.extensions["insights"]["repositories"].close()


def count(url: str, statement: str) -> int:
    return query(url, statement)[0][0]


class TestThreeCustomerCounts:
    def test_the_legacy_count_is_the_sheets_rows(self, sample):
        url, client = sample
        rows = client.get("/api/v1/stats/customers").get_json()["rows"]
        assert rows == count(url, ON_SHEET)

    def test_the_overview_counts_customers_seen_in_interactions(self, sample):
        url, client = sample
        totals = client.get("/api/v1/statistics/overview").get_json()["totals"]
        assert totals["customers"] == count(url, SEEN)
        dated = client.get("/api/v1/statistics/overview?from=2020-01-01&to=2020-12-31")
        assert dated.get_json()["totals"]["customers"] == count(url, SEEN_IN_2020)

    def test_the_customer_list_counts_every_customer(self, sample):
        url, client = sample
        assert pagination(client.get("/api/v1/customers"))["total"] == count(url, EVERY)

    def test_the_sample_shows_why_the_three_differ(self, sample):
        url, _ = sample
        # Customers on the sheet without interactions, and ids seen only in interactions:
        # without both, two of the counts would coincide and this file would prove less.
        assert count(url, ON_SHEET) < count(url, EVERY) and count(url, SEEN) < count(url, EVERY)
        assert count(url, SEEN) != count(url, ON_SHEET)

    def test_the_overview_documents_its_definition(self, sample):
        _, client = sample
        spec = client.get("/openapi.json").get_json()
        totals = spec["components"]["schemas"]["OverviewTotals"]["properties"]
        assert "seen in interactions" in totals["customers"]["description"]


EVERY_ID_AND_TYPE = """
    SELECT customer_id, COALESCE(customer_type, 'Unknown') FROM insights.customers
    UNION ALL
    SELECT DISTINCT customer_id, 'Unknown' FROM insights.interactions AS i
    WHERE NOT EXISTS (SELECT 1 FROM insights.customers AS c WHERE c.customer_id = i.customer_id)
    ORDER BY 1
"""
FORGET_RECORDED_IDS = "UPDATE insights.load_figures SET interaction_only_customers = NULL"


def every_page(client, type_filter: str) -> list[tuple[int, str]]:
    """Walk the customer list page by page (7 a page); return (id, type) in order."""
    listed, page = [], 1
    while True:
        response = client.get(f"/api/v1/customers?page={page}&page_size=7{type_filter}")
        listed += [(c["customer_id"], c["customer_type"]) for c in response.get_json()]
        if page >= pagination(response)["total_pages"]:
            return listed
        page += 1


class TestTheListsPages:
    # Migration 0021: the pages merge the sheet's rows with the interaction-only ids the
    # load recorded; a version recorded before it finds them among the interactions.
    @pytest.mark.parametrize("recorded", [True, False], ids=["recorded ids", "found ids"])
    def test_every_page_of_every_customer_and_of_unknown_ones(self, sample, recorded):
        url, client = sample
        if not recorded:
            run_sql(url, FORGET_RECORDED_IDS)
        expected = [tuple(row) for row in query(url, EVERY_ID_AND_TYPE)]
        assert any(t == "Unknown" for _, t in expected) and len(expected) > 7
        assert every_page(client, "") == expected
        assert every_page(client, "&type=unknown") == [r for r in expected if r[1] == "Unknown"]


def run_sql(url: str, statement: str) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute(statement)
