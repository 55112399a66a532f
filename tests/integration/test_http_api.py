"""The foundation endpoints over HTTP against a real PostgreSQL database."""

import pytest

from tests.support import client_with_key, make_app, query, seed_brief_rows


@pytest.fixture
def seeded_url(database_url: str) -> str:
    seed_brief_rows(database_url)
    return database_url


@pytest.fixture
def seeded_client(seeded_url: str):
    app = make_app(seeded_url)
    yield client_with_key(app)
    app.extensions["insights"]["repositories"].close()


class TestLegacyRowCounts:
    @pytest.mark.parametrize(
        ("name", "table"),
        [
            ("customers", "customers"),
            ("interactions", "interactions"),
            ("products", "product_months"),
        ],
    )
    def test_counts_match_the_clean_tables(self, seeded_client, seeded_url, name, table):
        (expected,) = query(seeded_url, f"SELECT count(*) FROM insights.{table}")[0]
        assert expected > 0
        response = seeded_client.get(f"/api/v1/stats/{name}")
        assert response.status_code == 200
        assert response.get_json() == {"message": "Number of Rows", "rows": expected}

    def test_an_empty_table_counts_zero(self, client):
        assert client.get("/api/v1/stats/products").get_json()["rows"] == 0

    @pytest.mark.parametrize(
        "name", ["orders", "customers;DROP TABLE customers", "CUSTOMERS", "_yoyo_migration"]
    )
    def test_names_outside_the_allow_list_are_404_and_touch_nothing(
        self, seeded_client, seeded_url, name
    ):
        response = seeded_client.get(f"/api/v1/stats/{name}")
        assert response.status_code == 404
        assert response.get_json()["code"] == 404
        assert query(seeded_url, "SELECT count(*) FROM insights.customers")[0][0] == 4


class TestHealthAgainstARealDatabase:
    def test_ready_when_migrated(self, client):
        response = client.get("/health/ready")
        assert response.status_code == 200
        assert response.get_json() == {
            "status": "ok",
            "checks": {"database": "ok", "migrations": "ok"},
            "data_version": 1,
        }


class TestDatabaseDown:
    @pytest.fixture
    def unreachable_client(self):
        # Port 1 on loopback refuses at once: a server that is down, without waiting.
        app = make_app("postgresql://postgres@127.0.0.1:1/insights", DB_POOL_TIMEOUT_S=1)
        # No key can be created or checked with the database down: a well-formed one is
        # sent, and checking it is what answers 503.
        yield client_with_key(app, "ci_00000000_" + "x" * 43)
        app.extensions["insights"]["repositories"].close()

    def test_ready_reports_unreachable_with_503(self, unreachable_client):
        response = unreachable_client.get("/health/ready")
        assert response.status_code == 503
        assert response.get_json()["checks"]["database"] == "unreachable"

    def test_live_stays_ok(self, unreachable_client):
        assert unreachable_client.get("/health/live").status_code == 200

    def test_data_endpoints_answer_503_json_without_internals(self, unreachable_client):
        response = unreachable_client.get("/api/v1/stats/customers")
        assert response.status_code == 503
        body = response.get_json()
        assert body["code"] == 503 and "database" in body["message"].lower()
        assert "127.0.0.1" not in response.get_data(as_text=True)
