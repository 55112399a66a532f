"""Consent through the API on PostgreSQL: opt-out, opt back in, history, idempotence, refusals."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import (
    assert_error_shape,
    client_with_key,
    create_api_key,
    ingest_bundled_sample,
    query,
)

# The bundled sample's customers are 1..40 (tests/integration/test_readme_examples.py).
CUSTOMER = 7
NOBODY = 99_999


@pytest.fixture
def manager(app, database_url):
    """A client whose key may manage campaigns (named "outreach-team"), over the sample."""
    ingest_bundled_sample(database_url)
    return client_with_key(app, create_api_key(app, "outreach-team", "campaigns:manage"))


def _consent_rows(database_url: str, customer_id: int) -> tuple[list[tuple], list[tuple]]:
    events = query(
        database_url,
        "SELECT action, reason, source, actor, recorded_at FROM insights.consent_events "
        "WHERE customer_id = %s ORDER BY id",
        (customer_id,),
    )
    current = query(
        database_url,
        "SELECT reason, source FROM insights.opt_outs WHERE customer_id = %s",
        (customer_id,),
    )
    return events, current


class TestOptOut:
    def test_an_opt_out_is_current_and_kept_with_time_source_and_actor(self, manager, database_url):
        before = datetime.now(UTC)
        response = manager.post(
            f"/api/v1/customers/{CUSTOMER}/opt-out",
            json={"reason": "asked by phone", "source": "call"},
        )
        assert response.status_code == 200
        body = response.get_json()
        assert body["opted_out"] is True and body["changed"] is True
        assert (body["customer_id"], body["reason"], body["source"]) == (
            CUSTOMER,
            "asked by phone",
            "call",
        )
        events, current = _consent_rows(database_url, CUSTOMER)
        assert current == [("asked by phone", "call")]
        [(action, reason, source, actor, recorded_at)] = events
        assert (action, reason, source, actor) == (
            "opt_out",
            "asked by phone",
            "call",
            "outreach-team",
        )
        assert (
            before - timedelta(seconds=5) <= recorded_at <= datetime.now(UTC) + timedelta(seconds=5)
        )

    def test_the_source_defaults_to_api_and_the_reason_is_optional(self, manager, database_url):
        body = manager.post(f"/api/v1/customers/{CUSTOMER}/opt-out", json={}).get_json()
        assert (body["source"], body["reason"]) == ("api", None)
        assert _consent_rows(database_url, CUSTOMER)[1] == [(None, "api")]

    def test_opting_out_twice_changes_nothing_the_second_time(self, manager, database_url):
        url = f"/api/v1/customers/{CUSTOMER}/opt-out"
        first = manager.post(url, json={"reason": "first"}).get_json()
        second = manager.post(url, json={"reason": "second", "source": "email"}).get_json()
        assert second["changed"] is False
        assert (second["reason"], second["source"]) == ("first", "api")
        assert second["opted_out_at"] == first["opted_out_at"]
        events, current = _consent_rows(database_url, CUSTOMER)
        assert [event[0] for event in events] == ["opt_out"] and current == [("first", "api")]

    def test_delete_opts_back_in_and_both_changes_stay_in_the_history(self, manager, database_url):
        manager.post(f"/api/v1/customers/{CUSTOMER}/opt-out", json={"source": "import"})
        response = manager.delete(f"/api/v1/customers/{CUSTOMER}/opt-out")
        assert response.status_code == 200
        assert response.get_json()["opted_out"] is False and response.get_json()["changed"] is True
        events, current = _consent_rows(database_url, CUSTOMER)
        assert current == []
        assert [(e[0], e[2]) for e in events] == [("opt_out", "import"), ("opt_in", "api")]

    def test_opting_in_a_customer_who_never_opted_out_writes_nothing(self, manager, database_url):
        body = manager.delete(f"/api/v1/customers/{CUSTOMER}/opt-out").get_json()
        assert (body["opted_out"], body["changed"]) == (False, False)
        assert _consent_rows(database_url, CUSTOMER) == ([], [])


class TestConsentRead:
    def test_the_consent_shows_the_state_and_the_history_newest_first(self, manager):
        url = f"/api/v1/customers/{CUSTOMER}/opt-out"
        manager.post(url, json={"reason": "one"})
        manager.delete(url)
        manager.post(url, json={"reason": "three", "source": "email"})
        body = manager.get(f"/api/v1/customers/{CUSTOMER}/consent").get_json()
        assert (body["opted_out"], body["reason"], body["source"]) == (True, "three", "email")
        history = body["history"]
        assert [(h["action"], h["reason"], h["source"]) for h in history] == [
            ("opt_out", "three", "email"),
            ("opt_in", None, "api"),
            ("opt_out", "one", "api"),
        ]
        assert {h["actor"] for h in history} == {"outreach-team"}

    def test_a_customer_with_no_record_is_opted_in_with_an_empty_history(self, manager):
        body = manager.get(f"/api/v1/customers/{CUSTOMER}/consent").get_json()
        assert (body["opted_out"], body["history"], body["opted_out_at"]) == (False, [], None)


class TestRefusals:
    @pytest.mark.parametrize(
        ("method", "path"),
        [("post", "opt-out"), ("delete", "opt-out"), ("get", "consent")],
    )
    def test_an_unknown_customer_is_404_and_nothing_is_written(
        self, manager, database_url, method, path
    ):
        response = getattr(manager, method)(f"/api/v1/customers/{NOBODY}/{path}")
        assert str(NOBODY) in assert_error_shape(response, 404)["message"]
        assert query(database_url, "SELECT count(*) FROM insights.consent_events") == [(0,)]
        assert query(database_url, "SELECT count(*) FROM insights.opt_outs") == [(0,)]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"source": "Not A Source"}, "source"),
            ({"reason": "x" * 501}, "reason"),
            ({"reason": "line\nbreak"}, "reason"),
            ({"channel": "sms"}, "channel"),
        ],
    )
    def test_a_bad_body_is_422_naming_the_field_and_nothing_is_written(
        self, manager, database_url, body, field
    ):
        response = manager.post(f"/api/v1/customers/{CUSTOMER}/opt-out", json=body)
        error = assert_error_shape(response, 422)
        assert field in error["errors"]["json"]
        assert query(database_url, "SELECT count(*) FROM insights.consent_events") == [(0,)]

    def test_a_stats_read_key_may_not_see_or_change_consent(self, app, manager):
        reader = client_with_key(app, create_api_key(app, "analyst", "stats:read"))
        assert_error_shape(reader.post(f"/api/v1/customers/{CUSTOMER}/opt-out", json={}), 403)
        assert_error_shape(reader.get(f"/api/v1/customers/{CUSTOMER}/consent"), 403)


class TestTrimming:
    def test_a_source_and_reason_with_surrounding_blanks_are_stored_trimmed(
        self, manager, database_url
    ):
        response = manager.post(
            f"/api/v1/customers/{CUSTOMER}/opt-out", json={"source": "call\n", "reason": " why "}
        )
        assert response.status_code == 200
        assert _consent_rows(database_url, CUSTOMER)[1] == [("why", "call")]
