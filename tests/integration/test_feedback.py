"""Feedback events and campaign metrics on PostgreSQL, checked against counts made here."""

import math
from statistics import NormalDist

import psycopg
import pytest

from repository.engine import libpq_url
from tests.delivery_seed import seed_campaign
from tests.support import CommandLine, assert_error_shape, query

ARMS = ("email/v1", "email/v2")
CUSTOMERS = range(1, 81)  # seed_campaign alternates the arms: odd ids v1, even ids v2


def arm_of(customer_id: int) -> str:
    return ARMS[(customer_id - 1) % 2]


@pytest.fixture
def campaign(database_url) -> int:
    """80 sent messages, 40 per prompt version, with no events yet."""
    campaign_id = seed_campaign(database_url, {c: f"c{c}@example.test" for c in CUSTOMERS},
                                versions=ARMS)  # fmt: skip
    with psycopg.connect(libpq_url(database_url)) as connection:
        for c in CUSTOMERS:
            connection.execute(
                "INSERT INTO insights.deliveries (campaign_id, customer_id, batch, message_id, "
                "email, status) VALUES (%s, %s, 0, %s, %s, 'sent')",
                (campaign_id, c, f"<m{c}>", f"c{c}@example.test"),
            )
    return campaign_id


def event(event_id: str, type_: str, customer_id: int) -> dict:
    return {"event_id": event_id, "type": type_, "message_id": f"<m{customer_id}>",
            "occurred_at": "2026-11-30T08:00:00Z"}  # fmt: skip


def wilson(k: int, n: int) -> tuple[float, float]:
    """The textbook Wilson score interval at 95%."""
    z = NormalDist().inv_cdf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def metrics(client, campaign_id: int, by: str = "prompt_version") -> dict:
    response = client.get(f"/api/v1/campaigns/{campaign_id}/metrics?by={by}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


class TestEvents:
    def test_events_are_stored_once_and_unknown_messages_reported(self, client, campaign):
        batch = [event("e1", "opened", 1), event("e2", "opened", 1), event("e3", "replied", 2),
                 {**event("e4", "opened", 1), "message_id": "<nobody>"}]  # fmt: skip
        first = client.post("/api/v1/events", json={"events": batch}).get_json()
        again = client.post("/api/v1/events", json={"events": batch}).get_json()
        assert (first["stored"], first["duplicates"], first["unknown_message_ids"]) == (
            3, 0, ["<nobody>"])  # fmt: skip
        assert (again["stored"], again["duplicates"]) == (0, 3)

    def test_bounces_and_complaints_suppress_the_address_and_unsubscribe_opts_out(
        self, client, campaign, database_url
    ):
        batch = [event("b", "bounced", 3), event("c", "complained", 4), event("o", "opened", 5),
                 event("u", "unsubscribed", 6)]  # fmt: skip
        outcome = client.post("/api/v1/events", json={"events": batch}).get_json()
        assert outcome["suppressed"] == 2
        rows = query(database_url, "SELECT email, cause FROM insights.suppressions ORDER BY 1")
        assert rows == [("c3@example.test", "bounced"), ("c4@example.test", "complained")]
        assert query(database_url, "SELECT customer_id, source FROM insights.opt_outs") == [
            (6, "email")]  # fmt: skip

    def test_a_bad_type_is_a_422_that_stores_nothing(self, client, campaign, database_url):
        batch = [event("x", "opened", 1), event("y", "exploded", 1)]
        body = assert_error_shape(client.post("/api/v1/events", json={"events": batch}), 422)
        assert "type" in str(body["errors"])
        assert query(database_url, "SELECT count(*) FROM insights.delivery_events") == [(0,)]

    def test_a_nul_in_an_event_id_is_a_422_not_a_database_error(self, client, campaign):
        body = {"events": [event("a\x00b", "opened", 1)]}
        assert_error_shape(client.post("/api/v1/events", json=body), 422)


class TestMetrics:
    def test_events_change_the_counts_rates_and_intervals(self, client, campaign):
        before = metrics(client, campaign)
        assert [g["counts"]["replied"] for g in before["groups"]] == [0, 0]
        replied = [c for c in CUSTOMERS if c % 5 == 0 or c % 7 == 1]
        opened = [c for c in CUSTOMERS if c % 2 == 1 or c % 3 == 0]
        batch = [event(f"r{c}", "replied", c) for c in replied]
        batch += [event(f"o{c}", "opened", c) for c in opened]
        batch += [event(f"o2-{c}", "opened", c) for c in opened[:5]]  # a second open: one message
        assert client.post("/api/v1/events", json={"events": batch}).status_code == 200
        after = {g["group"]: g for g in metrics(client, campaign)["groups"]}
        for arm in ARMS:
            sent = sum(1 for c in CUSTOMERS if arm_of(c) == arm)
            k = sum(1 for c in replied if arm_of(c) == arm)
            opens = sum(1 for c in opened if arm_of(c) == arm)
            group = after[arm]
            assert (group["sent"], group["counts"]["replied"], group["counts"]["opened"]) == (
                sent, k, opens)  # fmt: skip
            rate = group["rates"]["replied"]
            assert rate["rate"] == pytest.approx(k / sent)
            assert (rate["ci_low"], rate["ci_high"]) == pytest.approx(wilson(k, sent))

    def test_two_prompt_versions_get_a_two_proportion_test_on_replies(self, client, campaign):
        replied = [c for c in CUSTOMERS if (arm_of(c) == ARMS[0] and c % 3 == 0)
                   or (arm_of(c) == ARMS[1] and c % 8 == 0)]  # fmt: skip
        batch = [event(f"r{c}", "replied", c) for c in replied]
        client.post("/api/v1/events", json={"events": batch})
        test = metrics(client, campaign)["reply_test"]
        k1 = sum(1 for c in replied if arm_of(c) == ARMS[0])
        k2 = sum(1 for c in replied if arm_of(c) == ARMS[1])
        n1 = n2 = 40
        pooled = (k1 + k2) / (n1 + n2)
        z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (2 / 40))
        assert test["enough_data"] is True
        assert test["z"] == pytest.approx(z)
        assert test["p_value"] == pytest.approx(2 * NormalDist().cdf(-abs(z)))

    def test_too_few_replies_is_not_enough_data(self, client, campaign):
        client.post("/api/v1/events", json={"events": [event("r", "replied", 1)]})
        test = metrics(client, campaign)["reply_test"]
        assert test["enough_data"] is False and "p_value" not in test

    def test_grouping_by_customer_type_and_the_cli_table(self, client, app, campaign):
        groups = {
            g["group"]: g["sent"] for g in metrics(client, campaign, "customer_type")["groups"]
        }
        assert groups == {"Hospital": 40, "Pharmacy": 40}
        result = CommandLine(app)("campaigns", "metrics", str(campaign))
        assert result.exit_code == 0
        lines = result.output.splitlines()
        assert lines[0].split("\t")[:3] == ["prompt_version", "sent", "delivered"]
        assert "reply rate, email/v1 vs email/v2: fewer than 5 expected" in result.output

    def test_an_unknown_grouping_or_campaign_is_refused(self, client, campaign):
        assert_error_shape(client.get(f"/api/v1/campaigns/{campaign}/metrics?by=colour"), 422)
        assert_error_shape(client.get("/api/v1/campaigns/999999/metrics"), 404)
