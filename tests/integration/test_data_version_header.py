"""Every /api/v1 response names the data version it was read from."""

from tests.support import BUNDLED_CSV, ingest_bundled_sample, query


def served_version(url: str) -> str:
    return str(query(url, "SELECT version FROM insights.data_version")[0][0])


class TestTheDataVersionHeader:
    def test_api_responses_name_the_served_version(self, client, database_url):
        ingest_bundled_sample(database_url)
        for path in ("/api/v1/customers/1", "/api/v1/statistics/product-interactions"):
            response = client.get(path)
            assert response.status_code == 200
            assert response.headers["X-Data-Version"] == served_version(database_url)

    def test_a_new_load_moves_it_on(self, client, database_url, insights):
        ingest_bundled_sample(database_url)
        before = client.get("/api/v1/customers/1").headers["X-Data-Version"]
        assert insights("ingest", str(BUNDLED_CSV), "--force").exit_code == 0
        after = client.get("/api/v1/customers/1").headers["X-Data-Version"]
        assert int(after) > int(before) and after == served_version(database_url)

    def test_errors_of_the_api_carry_it_too_and_probes_do_not(self, client, database_url):
        assert client.get("/api/v1/customers/99999").status_code == 404
        assert client.get("/api/v1/customers/99999").headers["X-Data-Version"]
        assert "X-Data-Version" not in client.get("/health/live").headers
