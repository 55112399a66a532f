"""READ_DATABASE_URL: reads go to a replica, everything else to the primary, and a client
that sends back the data version it saw is never served an older one.

Two databases stand in for the primary and a lagging replica: the replica is a copy of
the primary taken before the primary loads a newer data version. The copy is also marked
(customer 1 gets another occupation and loses its interactions), so each answer shows
which database it was read from.
"""

import pytest
from sqlalchemy.engine import make_url

from tests.support import (
    BUNDLED_CSV,
    CommandLine,
    assert_error_shape,
    client_with_key,
    ingest_bundled_sample,
    make_app,
    query,
    rebuild_rollups,
)

REPLICA_OCCUPATION = "Read from the replica"
SERVED = "SELECT version FROM insights.data_version"
INTERACTIONS = "SELECT count(*) FROM insights.interaction_facts"
OCCUPATION = "SELECT occupation FROM insights.customers WHERE customer_id = 1 AND version = ({})"


def mark_as_replica(url: str) -> None:
    """Make the copy's answers differ from the primary's for customer 1 and the totals."""
    query(url, f"UPDATE insights.customers SET occupation = %s WHERE customer_id = 1 "
               f"AND version = ({SERVED}) RETURNING 1", (REPLICA_OCCUPATION,))  # fmt: skip
    query(url, "DELETE FROM insights.interactions WHERE customer_id = 1 RETURNING 1")
    rebuild_rollups(url)


@pytest.fixture
def primary_and_replica(database_server, database_url):
    """The primary (database_url) one data version ahead of its replica, and an app on both."""
    ingest_bundled_sample(database_url)
    replica_url = database_server.create(template=make_url(database_url).database)
    mark_as_replica(replica_url)
    app = make_app(database_url, READ_DATABASE_URL=replica_url)
    # The load runs through the app, like an operator's: it must land on the primary.
    result = CommandLine(app)("ingest", str(BUNDLED_CSV), "--force")
    assert result.exit_code == 0, result.output
    yield database_url, replica_url, app
    app.extensions["insights"]["repositories"].close()
    database_server.drop(replica_url)


@pytest.fixture
def replica_client(primary_and_replica):
    """A client with an admin key created through the app (so on the primary only)."""
    return client_with_key(primary_and_replica[2])


def version_of(url: str) -> int:
    return query(url, SERVED)[0][0]


def interactions_in(url: str) -> int:
    return query(url, INTERACTIONS)[0][0]


class TestReadsOnAReplica:
    def test_the_replica_lags_one_version_behind_the_primary(self, primary_and_replica):
        primary, replica, _ = primary_and_replica
        assert version_of(primary) > version_of(replica)
        assert interactions_in(primary) > interactions_in(replica)

    def test_a_client_that_saw_no_version_reads_the_replica(
        self, primary_and_replica, replica_client
    ):
        _, replica, _ = primary_and_replica
        customer = replica_client.get("/api/v1/customers/1")
        overview = replica_client.get("/api/v1/statistics/overview")
        assert customer.status_code == 200 and overview.status_code == 200
        assert customer.get_json()["occupation"] == REPLICA_OCCUPATION
        assert overview.get_json()["totals"]["interactions"] == interactions_in(replica)
        assert int(customer.headers["X-Data-Version"]) == version_of(replica)

    def test_a_client_that_saw_a_newer_version_reads_the_primary(
        self, primary_and_replica, replica_client
    ):
        primary, _, _ = primary_and_replica
        seen = {"X-Min-Data-Version": str(version_of(primary))}
        customer = replica_client.get("/api/v1/customers/1", headers=seen)
        overview = replica_client.get("/api/v1/statistics/overview", headers=seen)
        occupation = query(primary, OCCUPATION.format(SERVED))[0][0]
        assert customer.get_json()["occupation"] == occupation != REPLICA_OCCUPATION
        assert overview.get_json()["totals"]["interactions"] == interactions_in(primary)
        assert int(customer.headers["X-Data-Version"]) == version_of(primary)

    def test_the_fallback_lasts_one_request(self, primary_and_replica, replica_client):
        primary, replica, _ = primary_and_replica
        seen = {"X-Min-Data-Version": str(version_of(primary))}
        assert replica_client.get("/api/v1/customers/1", headers=seen).status_code == 200
        after = replica_client.get("/api/v1/customers/1")
        assert after.get_json()["occupation"] == REPLICA_OCCUPATION
        assert int(after.headers["X-Data-Version"]) == version_of(replica)

    def test_a_client_echoing_the_header_never_goes_back(self, primary_and_replica, replica_client):
        primary, replica, _ = primary_and_replica
        # Start from the primary's version, as a client served by another replica would.
        versions = [version_of(primary)]
        for path in ("/api/v1/customers/1", "/api/v1/statistics/overview") * 2:
            response = replica_client.get(path, headers={"X-Min-Data-Version": str(versions[-1])})
            assert response.status_code == 200
            versions.append(int(response.headers["X-Data-Version"]))
        assert versions == sorted(versions) and min(versions) > version_of(replica)

    def test_a_version_the_replica_has_is_read_from_the_replica(
        self, primary_and_replica, replica_client
    ):
        _, replica, _ = primary_and_replica
        seen = {"X-Min-Data-Version": str(version_of(replica))}
        response = replica_client.get("/api/v1/customers/1", headers=seen)
        assert response.get_json()["occupation"] == REPLICA_OCCUPATION


class TestWritesStayOnThePrimary:
    def test_api_keys_are_created_and_checked_on_the_primary(
        self, primary_and_replica, replica_client
    ):
        primary, replica, _ = primary_and_replica
        assert replica_client.get("/api/v1/customers/1").status_code == 200
        assert query(replica, "SELECT count(*) FROM insights.api_keys")[0][0] == 0
        used = "SELECT count(*) FROM insights.api_keys WHERE last_used_at IS NOT NULL"
        assert query(primary, used)[0][0] == 1

    def test_generated_content_is_grounded_on_and_stored_in_the_primary(
        self, primary_and_replica, replica_client
    ):
        primary, replica, _ = primary_and_replica
        response = replica_client.get("/api/v1/summarized_interactions/1")
        assert response.status_code == 200, response.get_json()
        stored = "SELECT count(*) FROM insights.generated_content WHERE customer_id = 1"
        assert query(primary, stored)[0][0] == 1
        assert query(replica, stored)[0][0] == 0


class TestTheSeenVersionHeader:
    @pytest.mark.parametrize("value", ["abc", "-3", "0", "1.5", "99999999999"])
    def test_a_value_that_is_no_version_is_refused(
        self, primary_and_replica, replica_client, value
    ):
        response = replica_client.get("/api/v1/customers/1", headers={"X-Min-Data-Version": value})
        body = assert_error_shape(response, 422)
        assert "X-Min-Data-Version" in body["errors"]["headers"]

    def test_without_a_replica_any_version_reads_the_one_database(self, client, database_url):
        ingest_bundled_sample(database_url)
        response = client.get("/api/v1/customers/1", headers={"X-Min-Data-Version": "2147483647"})
        assert response.status_code == 200
        assert int(response.headers["X-Data-Version"]) == version_of(database_url)


class TestReadiness:
    def test_it_reports_the_replica(self, primary_and_replica):
        response = primary_and_replica[2].test_client().get("/health/ready")
        assert response.status_code == 200
        assert response.get_json()["checks"]["replica"] == "ok"

    def test_an_unreachable_replica_makes_the_service_not_ready(self, database_url):
        missing = make_url(database_url).set(database="no_such_replica_database")
        app = make_app(database_url, READ_DATABASE_URL=missing.render_as_string(False))
        try:
            response = app.test_client().get("/health/ready")
        finally:
            app.extensions["insights"]["repositories"].close()
        assert response.status_code == 503
        assert response.get_json()["checks"] == {
            "database": "ok", "migrations": "ok", "replica": "unreachable"
        }  # fmt: skip
