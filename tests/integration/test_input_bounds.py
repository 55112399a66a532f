"""Page numbers and dates at and past their bounds, on PostgreSQL: a 422 naming the
parameter past the bound, an answer at it, never a 500 (OFFSET or date overflow)."""

import pytest

from tests.support import assert_error_shape, make_app

LISTS = ["/api/v1/customers", "/api/v1/customers/1/interactions"]
REPORTS = [
    "/api/v1/statistics/overview?",
    "/api/v1/statistics/product-interactions?",
    "/api/v1/statistics/product-interactions?granularity=month&",
    "/api/v1/statistics/product-interactions?granularity=year&",
    "/api/v1/statistics/timeseries?group_by=channel&granularity=month&",
    "/api/v1/statistics/timeseries?group_by=topic&granularity=quarter&",
]


# Every test here only reads: one database with the sample and one app serve the module
# (a database, an ingestion and an app per case cost 0.4-0.9 s each, 38 cases).
@pytest.fixture(scope="module")
def app(sample_url):
    application = make_app(sample_url)
    yield application
    application.extensions["insights"]["repositories"].close()


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("page", ["1000001", "9223372036854775807", "99999999999999999999"])
def test_a_page_past_the_bound_is_a_422_naming_page(client, sample_url, path, page):
    body = assert_error_shape(client.get(f"{path}?page={page}&page_size=500"), 422)
    assert "page" in body["errors"]["query"]


@pytest.mark.parametrize("path", LISTS)
def test_the_last_allowed_page_is_an_empty_page(client, sample_url, path):
    response = client.get(f"{path}?page=1000000&page_size=500")
    assert response.status_code == 200
    assert response.get_json() == []


@pytest.mark.parametrize("url", REPORTS)
@pytest.mark.parametrize(
    ("query", "named"),
    [("to=9999-12-31", "to"), ("from=9999-01-01", "from"), ("to=10000-01-01", "to")],
)
def test_a_date_past_the_bound_is_a_422_naming_it(client, sample_url, url, query, named):
    body = assert_error_shape(client.get(url + query), 422)
    assert named in body["errors"]["query"]


@pytest.mark.parametrize("url", REPORTS)
def test_the_widest_allowed_range_counts_every_interaction(client, sample_url, url):
    unfiltered = client.get(url)
    widest = client.get(url + "from=0001-01-01&to=9998-12-31")
    assert widest.status_code == 200
    assert (
        widest.get_json()["data" if "data" in widest.get_json() else "by_channel"]
        == (unfiltered.get_json()["data" if "data" in unfiltered.get_json() else "by_channel"])
    )


@pytest.mark.parametrize("url", REPORTS)
def test_a_range_within_the_last_allowed_month_is_empty_not_an_error(client, sample_url, url):
    response = client.get(url + "from=9998-12-02&to=9998-12-31")
    assert response.status_code == 200
