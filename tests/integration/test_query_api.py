"""POST /api/v1/query and GET /api/v1/query/meta over the bundled sample, through a client."""

import shutil

import pytest

from repository.model import UNKNOWN
from tests.integration.generated_facts import reference_facts
from tests.support import (
    BUNDLED_CSV,
    assert_error_shape,
    client_with_key,
    create_api_key,
    ingest_bundled_sample,
)


@pytest.fixture
def sample(app, database_url):
    ingest_bundled_sample(database_url)
    return client_with_key(app), reference_facts(database_url)


class TestQuery:
    def test_counts_per_product_in_a_year_match_pandas(self, sample):
        client, facts = sample
        body = {"dimensions": ["product"], "time": {"from": "2024-01-01", "to": "2024-12-31"}}
        response = client.post("/api/v1/query", json=body)
        assert response.status_code == 200
        in_year = facts[facts["day"].map(lambda d: d.year) == 2024]
        expected = in_year.groupby("product").size().to_dict()
        got = response.get_json()
        assert {row["product"]: row["interactions"] for row in got["rows"]} == expected
        assert got["source"] == "rollup"
        assert got["query"]["measures"] == ["interactions"]
        assert got["query"]["time"] == {
            "granularity": None,
            "from": "2024-01-01",
            "to": "2024-12-31",
        }

    def test_values_are_matched_in_any_case_and_returned_in_the_datas(self, sample):
        client, facts = sample
        body = {
            "measures": ["customers"],
            "filters": [{"dimension": "channel", "op": "equals", "values": ["email"]}],
        }
        got = client.post("/api/v1/query", json=body).get_json()
        emails = facts[facts["channel"] == "Email"]
        assert got["rows"] == [{"customers": emails["customer_id"].nunique()}]
        assert got["query"]["filters"][0]["values"] == ["Email"]
        assert got["source"] == "rows"

    def test_unknown_names_and_values_are_named_in_one_422(self, sample):
        client, _ = sample
        body = {
            "measures": ["revenue"],
            "dimensions": ["region"],
            "filters": [{"dimension": "channel", "values": ["Pigeon"]}],
            "time": {"granularity": "decade"},
            "order": [{"by": "product"}],
        }
        error = assert_error_shape(client.post("/api/v1/query", json=body), 422)
        problems = error["errors"]["json"]
        assert "'revenue'" in problems["measures"][0]
        assert "'region'" in problems["dimensions"][0]
        assert "'Pigeon'" in problems["filters[0]"][0]
        assert "'decade'" in problems["time.granularity"][0]
        assert "'product'" in problems["order[0]"][0]

    def test_a_malformed_body_is_a_422_not_a_500(self, sample):
        client, _ = sample
        for body in ({"limit": "many"}, {"filters": [{"values": ["x"]}]}, {"limit": 0}):
            assert_error_shape(client.post("/api/v1/query", json=body), 422)

    def test_a_key_without_stats_read_is_refused(self, app, sample):
        client = client_with_key(app, create_api_key(app, scopes="content:write"))
        assert_error_shape(client.post("/api/v1/query", json={}), 403)


class TestMeta:
    def test_lists_every_dimension_with_the_values_the_data_holds(self, sample):
        client, facts = sample
        got = client.get("/api/v1/query/meta").get_json()
        values = {d["name"]: d["values"] for d in got["dimensions"]}
        for name in ("product", "customer_type", "channel", "topic", "sentiment"):
            assert set(values[name]) == set(facts[name].fillna(UNKNOWN)), name
        assert values["customer"] is None
        assert got["measures"] == ["interactions", "customers"]
        assert got["last_day"] == facts["day"].max().isoformat()


class TestOutOfRangeValues:
    @pytest.mark.parametrize("value", ["99999999999", "-1", "1\x00", "١٧"])
    def test_a_customer_id_beyond_integer_or_not_digits_is_a_422(self, sample, value):
        client, _ = sample
        body = {"filters": [{"dimension": "customer", "values": [value]}]}
        error = assert_error_shape(client.post("/api/v1/query", json=body), 422)
        assert "filters[0]" in error["errors"]["json"]

    @pytest.mark.parametrize("question", ["nul\x00here", "   ", "\x1b[2J"])
    def test_a_question_with_control_characters_or_no_words_is_a_422(self, sample, question):
        client, _ = sample
        assert_error_shape(client.post("/api/v1/research", json={"question": question}), 422)


class TestQueryCaching:
    BODY = {"dimensions": ["channel"], "time": {"from": "2024-01-01", "to": "2024-12-31"}}

    def test_the_same_query_in_another_key_order_has_the_same_etag(self, sample):
        client, _ = sample
        first = client.post("/api/v1/query", json=self.BODY)
        reordered = client.post("/api/v1/query", json=dict(reversed(self.BODY.items())))
        assert first.status_code == reordered.status_code == 200
        assert first.headers["ETag"] and first.headers["ETag"] == reordered.headers["ETag"]
        assert first.headers["Cache-Control"] == "no-cache"
        assert first.get_json() == reordered.get_json()

    def test_a_matching_if_none_match_gets_304_and_another_body_does_not(self, sample):
        client, _ = sample
        etag = client.post("/api/v1/query", json=self.BODY).headers["ETag"]
        again = client.post("/api/v1/query", json=self.BODY, headers={"If-None-Match": etag})
        assert again.status_code == 304
        other = {**self.BODY, "dimensions": ["topic"]}
        changed = client.post("/api/v1/query", json=other, headers={"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["ETag"] != etag

    def test_a_new_load_changes_the_etag(self, sample, insights):
        client, _ = sample
        etag = client.post("/api/v1/query", json=self.BODY).headers["ETag"]
        assert insights("ingest", str(BUNDLED_CSV), "--force").exit_code == 0
        after = client.post("/api/v1/query", json=self.BODY, headers={"If-None-Match": etag})
        assert after.status_code == 200
        assert after.headers["ETag"] != etag


class TestVocabularyAfterALoad:
    def test_a_new_load_s_values_are_listed_and_accepted_at_once(
        self, sample, insights, database_url, tmp_path
    ):
        # The vocabulary is kept per data version and the request's version is reused:
        # a load must still show on the very next request.
        client, _ = sample
        assert client.get("/api/v1/query/meta").status_code == 200
        shutil.copytree(BUNDLED_CSV, tmp_path, dirs_exist_ok=True)
        rows = (tmp_path / "interactions.csv").read_text(encoding="utf-8").splitlines()
        rows[1] = rows[1].replace(",Email,", ",Pigeon,", 1)
        (tmp_path / "interactions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        assert insights("ingest", str(tmp_path)).exit_code == 0
        got = client.get("/api/v1/query/meta").get_json()
        values = {d["name"]: d["values"] for d in got["dimensions"]}
        assert "Pigeon" in values["channel"]
        body = {"filters": [{"dimension": "channel", "op": "equals", "values": ["Pigeon"]}]}
        response = client.post("/api/v1/query", json=body)
        assert response.status_code == 200
        assert response.get_json()["rows"] == [{"interactions": 1}]
