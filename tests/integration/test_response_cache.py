"""Read answers carry an ETag of the data version and request, and repeat from a cache."""

import uuid

import pytest
import redis

from pipelines.ingestion import synthetic
from repository.statistics import PostgresStatisticsRepository
from tests.support import (
    BUNDLED_CSV,
    assert_error_shape,
    client_with_key,
    create_api_key,
    ingest_bundled_sample,
    make_app,
    query,
)

READS = (
    "/api/v1/statistics/overview",
    "/api/v1/statistics/product-interactions?granularity=month",
    "/api/v1/stats/interactions",
    "/api/v1/customers?type=Red",
    "/api/v1/customers/1",
    "/api/v1/customers/1/interactions",
)
REDIS_URL = "redis://127.0.0.1:6379/0"


class CountingStatistics(PostgresStatisticsRepository):
    """The real statistics repository, counting the aggregate queries it runs."""

    def __init__(self, engine) -> None:
        super().__init__(engine)
        self.calls = 0

    def _interaction_counts(self, *args, **kwargs):
        self.calls += 1
        return super()._interaction_counts(*args, **kwargs)

    def reach(self, *args, **kwargs):
        self.calls += 1
        return super().reach(*args, **kwargs)

    def _count_rows(self, *args, **kwargs):
        self.calls += 1
        return super()._count_rows(*args, **kwargs)


def counted(app) -> CountingStatistics:
    repositories = app.extensions["insights"]["repositories"]
    repositories.statistics = CountingStatistics(repositories.engine)
    return repositories.statistics


@pytest.fixture
def sample(client, database_url):
    ingest_bundled_sample(database_url)
    return client


def interactions_served(url: str) -> int:
    return query(url, "SELECT count(*) FROM insights.interaction_facts")[0][0]


class TestETags:
    @pytest.mark.parametrize("path", READS)
    def test_every_read_carries_an_etag_and_no_cache(self, sample, path):
        response = sample.get(path)
        assert response.status_code == 200
        assert response.headers["ETag"].strip('"')
        assert response.headers["Cache-Control"] == "no-cache"

    @pytest.mark.parametrize("path", READS)
    def test_a_cached_answer_carries_the_fresh_one_s_headers(self, sample, path):
        fresh, cached = sample.get(path), sample.get(path)
        per_request = {"X-Request-ID", "Content-Length"}
        assert fresh.headers["X-Request-ID"] != cached.headers["X-Request-ID"]
        assert sorted((k, v) for k, v in fresh.headers if k not in per_request) == sorted(
            (k, v) for k, v in cached.headers if k not in per_request
        )
        assert cached.headers["Vary"] == "Accept" and cached.data == fresh.data

    @pytest.mark.parametrize("path", READS)
    def test_a_matching_if_none_match_gets_304_with_no_body(self, sample, path):
        etag = sample.get(path).headers["ETag"]
        response = sample.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response.data == b""
        assert response.headers["ETag"] == etag

    def test_a_304_does_not_touch_the_aggregates(self, app, sample):
        path = "/api/v1/statistics/overview?channel=Email"
        etag = sample.get(path).headers["ETag"]
        statistics = counted(app)
        assert sample.get(path, headers={"If-None-Match": etag}).status_code == 304
        assert statistics.calls == 0

    def test_the_order_of_query_parameters_does_not_matter(self, sample):
        one = sample.get("/api/v1/statistics/overview?from=2020-01-01&channel=Email")
        other = sample.get("/api/v1/statistics/overview?channel=Email&from=2020-01-01")
        assert one.headers["ETag"] == other.headers["ETag"]

    def test_a_different_filter_or_representation_is_a_different_etag(self, sample):
        path = "/api/v1/statistics/overview"
        tags = {
            sample.get(path).headers["ETag"],
            sample.get(path + "?channel=Email").headers["ETag"],
            sample.get(path, headers={"Accept": "text/csv"}).headers["ETag"],
        }
        assert len(tags) == 3

    def test_a_stale_etag_gets_the_new_answer_after_a_load(self, sample, insights, database_url):
        path = "/api/v1/stats/interactions"
        etag = sample.get(path).headers["ETag"]
        assert insights("ingest", str(BUNDLED_CSV), "--force").exit_code == 0
        response = sample.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200
        assert response.headers["ETag"] != etag
        assert response.get_json()["rows"] == interactions_served(database_url)

    def test_errors_carry_no_etag(self, sample):
        response = sample.get("/api/v1/customers/999999")
        assert_error_shape(response, 404)
        assert "ETag" not in response.headers


class TestTheMemoryCache:
    def test_a_repeated_read_is_answered_without_the_aggregates(self, app, sample):
        statistics = counted(app)
        first = sample.get("/api/v1/statistics/overview?sentiment=Positive")
        calls = statistics.calls
        again = sample.get("/api/v1/statistics/overview?sentiment=Positive")
        assert calls > 0 and statistics.calls == calls
        assert again.get_json() == first.get_json()
        assert again.headers["X-Data-Version"] and again.headers["X-Request-ID"]

    def test_a_cached_csv_keeps_its_type_and_download_name(self, sample):
        path = "/api/v1/statistics/overview?format=csv"
        first, again = sample.get(path), sample.get(path)
        assert again.data == first.data
        assert again.mimetype == "text/csv"
        assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]

    def test_a_cached_page_keeps_its_pagination_header(self, sample):
        path = "/api/v1/customers?page=2&page_size=5"
        assert sample.get(path).headers["X-Pagination"] == sample.get(path).headers["X-Pagination"]

    def test_a_load_makes_every_cached_answer_unreachable(
        self, sample, insights, database_url, tmp_path
    ):
        before = {path: sample.get(path).get_json() for path in READS[:3]}
        synthetic.write_dataset(synthetic.generate_dataset(60, 900, 5), tmp_path, "csv")
        assert insights("ingest", str(tmp_path)).exit_code == 0
        after = {path: sample.get(path).get_json() for path in READS[:3]}
        assert after["/api/v1/stats/interactions"]["rows"] == interactions_served(database_url)
        assert all(after[path] != before[path] for path in before)

    def test_a_cached_answer_is_never_given_without_the_scope(self, app, sample):
        path = "/api/v1/statistics/overview"
        assert sample.get(path).status_code == 200
        writer = client_with_key(app, create_api_key(app, scopes="content:write"))
        assert_error_shape(writer.get(path), 403)
        assert_error_shape(app.test_client().get(path), 401)
        etag = sample.get(path).headers["ETag"]
        assert_error_shape(writer.get(path, headers={"If-None-Match": etag}), 403)


@pytest.fixture
def redis_prefix():
    prefix = f"test-insights-{uuid.uuid4().hex}:"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(prefix + "*"):
        connection.delete(key)


class TestTheRedisCache:
    def test_answers_are_shared_through_redis(self, database_url, redis_prefix):
        ingest_bundled_sample(database_url)
        settings = {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": redis_prefix}
        writer, reader = make_app(database_url, **settings), make_app(database_url, **settings)
        try:
            path = "/api/v1/statistics/overview?channel=Email"
            first = client_with_key(writer).get(path)
            assert list(redis.Redis.from_url(REDIS_URL).scan_iter(redis_prefix + "*"))
            statistics = counted(reader)
            again = client_with_key(reader).get(path)
            assert statistics.calls == 0
            assert again.get_json() == first.get_json()
            assert again.headers["ETag"] == first.headers["ETag"]
        finally:
            for app in (writer, reader):
                app.extensions["insights"]["repositories"].close()

    def test_a_redis_that_does_not_answer_only_costs_the_cache(self, database_url, redis_prefix):
        ingest_bundled_sample(database_url)
        app = make_app(database_url, CACHE_URL="redis://127.0.0.1:1/0", CACHE_TIMEOUT_S=0.2)
        try:
            client = client_with_key(app)
            for _ in range(2):
                response = client.get("/api/v1/stats/interactions")
                assert response.status_code == 200
                assert response.get_json()["rows"] == interactions_served(database_url)
        finally:
            app.extensions["insights"]["repositories"].close()
