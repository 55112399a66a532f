"""Contact addresses through the API on PostgreSQL: read, set, normalise, refuse, keep private."""

import logging

import pytest

from tests.support import (
    assert_error_shape,
    client_with_key,
    create_api_key,
    ingest_bundled_sample,
    query,
)

CUSTOMER = 12  # in the bundled sample (customers 1..40)
NOBODY = 99_999


@pytest.fixture
def manager(app, database_url):
    """A client whose key may manage campaigns, over the bundled sample."""
    ingest_bundled_sample(database_url)
    return client_with_key(app, create_api_key(app, "outreach", "campaigns:manage"))


def _stored(database_url: str) -> list[tuple]:
    return query(
        database_url, "SELECT customer_id, email, display_name, source FROM insights.contacts"
    )


class TestReadAndSet:
    def test_a_customer_without_an_address_is_reported_as_no_address(self, manager):
        response = manager.get(f"/api/v1/customers/{CUSTOMER}/contact")
        assert response.status_code == 200
        body = response.get_json()
        assert (body["customer_id"], body["status"], body["email"]) == (
            CUSTOMER,
            "no_address",
            None,
        )

    def test_put_stores_the_address_normalised_and_get_returns_it(self, manager, database_url):
        response = manager.put(
            f"/api/v1/customers/{CUSTOMER}/contact",
            json={"email": "  Ada.Lovelace@EXAMPLE.Org ", "display_name": "Ada"},
        )
        assert response.status_code == 200
        # The domain is case-insensitive (lower-cased); the local part is kept as written.
        assert _stored(database_url) == [(CUSTOMER, "Ada.Lovelace@example.org", "Ada", "api")]
        body = manager.get(f"/api/v1/customers/{CUSTOMER}/contact").get_json()
        assert (body["status"], body["email"], body["display_name"]) == (
            "ok",
            "Ada.Lovelace@example.org",
            "Ada",
        )
        assert body["updated_at"]

    def test_put_replaces_the_earlier_address(self, manager, database_url):
        url = f"/api/v1/customers/{CUSTOMER}/contact"
        manager.put(url, json={"email": "old@example.com"})
        manager.put(url, json={"email": "new@example.com"})
        assert _stored(database_url) == [(CUSTOMER, "new@example.com", None, "api")]


class TestRefusals:
    @pytest.mark.parametrize(
        "email", ["not-an-address", "two@@example.com", "someone@localhost", "a@b.test", ""]
    )
    def test_a_bad_address_is_422_naming_email_and_nothing_is_stored(
        self, manager, database_url, email
    ):
        response = manager.put(f"/api/v1/customers/{CUSTOMER}/contact", json={"email": email})
        error = assert_error_shape(response, 422)
        assert list(error["errors"]["json"]) == ["email"]
        assert _stored(database_url) == []

    def test_a_missing_address_is_422_naming_email(self, manager):
        response = manager.put(f"/api/v1/customers/{CUSTOMER}/contact", json={"display_name": "X"})
        assert "email" in assert_error_shape(response, 422)["errors"]["json"]

    def test_a_display_name_too_long_is_422_naming_it(self, manager, database_url):
        response = manager.put(
            f"/api/v1/customers/{CUSTOMER}/contact",
            json={"email": "ok@example.com", "display_name": "n" * 201},
        )
        assert "display_name" in assert_error_shape(response, 422)["errors"]["json"]
        assert _stored(database_url) == []

    @pytest.mark.parametrize("method", ["get", "put"])
    def test_an_unknown_customer_is_404_and_nothing_is_stored(self, manager, database_url, method):
        response = getattr(manager, method)(
            f"/api/v1/customers/{NOBODY}/contact", json={"email": "who@example.com"}
        )
        assert_error_shape(response, 404)
        assert _stored(database_url) == []


class TestPrivacy:
    def test_a_stats_read_key_gets_403_and_no_address(self, app, manager):
        manager.put(f"/api/v1/customers/{CUSTOMER}/contact", json={"email": "private@example.com"})
        reader = client_with_key(app, create_api_key(app, "analyst", "stats:read"))
        for response in (
            reader.get(f"/api/v1/customers/{CUSTOMER}/contact"),
            reader.put(f"/api/v1/customers/{CUSTOMER}/contact", json={"email": "x@example.com"}),
        ):
            assert_error_shape(response, 403)
            assert b"private@" not in response.data
        # What stats:read may read about the customer carries no address either.
        assert b"@" not in reader.get(f"/api/v1/customers/{CUSTOMER}").data

    def test_addresses_never_reach_the_logs(self, manager, caplog):
        caplog.set_level(logging.DEBUG)
        url = f"/api/v1/customers/{CUSTOMER}/contact"
        manager.put(url, json={"email": "secret.person@example.com"})
        manager.put(url, json={"email": "secret.person@@example.com"})
        manager.get(url)
        assert caplog.records, "the request log should have written something"
        for record in caplog.records:
            text = record.getMessage() + repr(record.__dict__)
            assert "secret.person" not in text, record.name
