"""Delivery end to end: the API, real `insights worker` processes, a real SMTP server."""

import hashlib
import hmac
import signal
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest

from tests.delivery_seed import PUBLIC_BASE_URL, UNSUBSCRIBE_SECRET, deliveries_of, seed_campaign
from tests.smtp_server import KeepingHandler, running_smtp_server
from tests.support import CommandLine, assert_error_shape, make_app, query
from tests.workers import start_worker, stop, wait_for

MAIL_FROM = "Customer team <team@example.test>"
MAIL_ENV = {"MAIL_FROM": MAIL_FROM, "MAIL_REPLY_TO": "replies@example.test",
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL, "UNSUBSCRIBE_SECRET": UNSUBSCRIBE_SECRET,
            "MAIL_PER_MINUTE": "0", "MAIL_TIMEOUT_S": "5"}  # fmt: skip


@pytest.fixture
def app(database_url):
    """The app with the workers' mail settings (one unsubscribe secret for both)."""
    application = make_app(database_url, **MAIL_ENV)
    yield application
    application.extensions["insights"]["repositories"].close()


def expected_token(campaign_id: int, customer_id: int) -> str:
    """The token as docs/delivery.md defines it, computed here from the secret."""
    signed = f"unsubscribe:{campaign_id}:{customer_id}".encode()
    digest = hmac.new(UNSUBSCRIBE_SECRET.encode(), signed, hashlib.sha256)
    return f"{campaign_id}.{customer_id}.{digest.hexdigest()[:32]}"


def finished(url: str, campaign_id: int) -> bool:
    rows = deliveries_of(url, campaign_id)
    return bool(rows) and all(status not in ("queued", "sending") for status, _ in rows.values())


def send(client, campaign_id: int) -> dict:
    response = client.post(f"/api/v1/campaigns/{campaign_id}/send")
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def opt_out(url: str, customer_id: int) -> None:
    query(url, "INSERT INTO insights.opt_outs (customer_id, source) VALUES (%s, 'test') "
          "RETURNING customer_id", (customer_id,))  # fmt: skip


@pytest.mark.slow
class TestOneMessagePerApprovedCustomer:
    def test_each_reachable_customer_gets_one_message_with_the_right_headers(
        self, client, database_url
    ):
        reachable = {n: f"customer{n}@example.test" for n in range(1, 6)}
        # Stored subjects for 1 and 2 (one not ASCII); 3 to 5 were written before subjects.
        subjects = {1: "Your questions about Product A", 2: "Ihre Fragen zu Produkt Ä – Übersicht"}
        campaign_id = seed_campaign(database_url, {**reachable, 6: None, 7: "out@example.test",
                                                   8: "bounced@example.test"},
                                    subjects=subjects)  # fmt: skip
        opt_out(database_url, 7)
        query(database_url, "INSERT INTO insights.suppressions (email, cause) VALUES "
              "('bounced@example.test', 'bounced') RETURNING email")  # fmt: skip
        handler = KeepingHandler()
        with running_smtp_server(handler) as mail_url:
            outcome = send(client, campaign_id)
            assert outcome["queued"] == 5
            assert outcome["skipped"] == {"opted_out": 1, "suppressed": 1, "no_address": 1}
            worker = start_worker(database_url, MAIL_URL=mail_url, **MAIL_ENV)
            try:
                wait_for(lambda: finished(database_url, campaign_id), 30)
            finally:
                stop(worker)
            again = send(client, campaign_id)
        assert (again["queued"], again["already_queued_or_sent"]) == (0, 5)
        by_address = {message["To"].addresses[0].addr_spec: message for message in handler.messages}
        assert len(handler.messages) == 5 and set(by_address) == set(reachable.values())
        assert handler.connections == 1  # one connection served the whole batch
        for customer_id, address in reachable.items():
            message = by_address[address]
            link = (
                f"{PUBLIC_BASE_URL}/api/v1/unsubscribe/{expected_token(campaign_id, customer_id)}"
            )
            assert (
                message["Message-ID"]
                == f"<campaign-{campaign_id}.customer-{customer_id}@example.test>"
            )
            assert message["From"] == MAIL_FROM and message["Reply-To"] == "replies@example.test"
            assert message["Subject"] == subjects.get(customer_id, "About Product A")
            assert message["List-Unsubscribe"] == f"<{link}>"
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            body = message.get_body(("plain",)).get_content()
            assert f"Dear customer {customer_id}," in body and link in body
        assert set(deliveries_of(database_url, campaign_id).values()) == {("sent", None)}

    def test_a_campaign_without_that_id_is_a_404(self, client):
        assert_error_shape(client.post("/api/v1/campaigns/999999/send"), 404)


@pytest.mark.slow
class TestAWorkerKilledMidSend:
    def test_the_uncertain_message_ends_unknown_and_nothing_is_sent_twice(
        self, client, app, database_url
    ):
        customers = {n: f"customer{n}@example.test" for n in range(1, 5)}
        campaign_id = seed_campaign(database_url, customers)
        handler = KeepingHandler(hold_at=2)  # the server has message 2; its 250 waits
        with running_smtp_server(handler) as mail_url:
            send(client, campaign_id)
            first = start_worker(database_url, MAIL_URL=mail_url, **MAIL_ENV)
            try:
                assert handler.holding.wait(30)
                first.send_signal(signal.SIGKILL)
                first.wait(10)
            finally:
                stop(first)
            handler.release.set()
            second = start_worker(database_url, MAIL_URL=mail_url, **MAIL_ENV)
            try:
                wait_for(lambda: finished(database_url, campaign_id), 60)
                rows = deliveries_of(database_url, campaign_id)
                ids = [m["Message-ID"] for m in handler.messages]
                insights = CommandLine(app)
                listed = insights("deliveries", "unknown", "--campaign", str(campaign_id))
                resent = insights("deliveries", "unknown", "--campaign", str(campaign_id),
                                  "--resend")  # fmt: skip
                wait_for(lambda: finished(database_url, campaign_id), 30)
            finally:
                stop(second)
        assert {c: s for c, (s, _) in rows.items()} == {
            1: "sent",
            2: "unknown",
            3: "sent",
            4: "sent",
        }
        assert sorted(ids) == sorted(set(ids)) and len(ids) == 4  # the server got each once
        assert (
            listed.exit_code == 0 and f"{campaign_id}\t2\tcustomer2@example.test" in listed.output
        )
        assert resent.exit_code == 0 and "1 deliveries queued again" in resent.output
        # Resending is the person's decision: customer 2 now has two copies, nobody else.
        addresses = [m["To"].addresses[0].addr_spec for m in handler.messages]
        assert sorted(addresses) == sorted([*customers.values(), "customer2@example.test"])
        assert deliveries_of(database_url, campaign_id)[2] == ("sent", None)


class TestTheUnknownCommand:
    def test_mark_sent_needs_a_campaign(self, app):
        result = CommandLine(app)("deliveries", "unknown", "--mark-sent")
        assert result.exit_code == 2
        assert "insights: error: --resend and --mark-sent need --campaign" in result.output

    def test_mark_sent_records_unknown_rows_as_sent(self, app, database_url):
        campaign_id = seed_campaign(database_url, {3: "c3@example.test"})
        query(database_url, "INSERT INTO insights.deliveries (campaign_id, customer_id, batch, "
              "message_id, email, status) VALUES (%s, 3, 0, '<m3>', 'c3@example.test', "
              "'unknown') RETURNING customer_id", (campaign_id,))  # fmt: skip
        result = CommandLine(app)("deliveries", "unknown", "--campaign", str(campaign_id),
                                  "--mark-sent")  # fmt: skip
        assert result.exit_code == 0 and "1 deliveries marked sent" in result.output
        assert deliveries_of(database_url, campaign_id)[3][0] == "sent"


@pytest.mark.slow
class TestFileTransportAndUnsubscribe:
    def test_eml_files_parse_and_their_link_opts_the_customer_out(
        self, client, app, database_url, tmp_path
    ):
        campaign_id = seed_campaign(database_url, {11: "a@example.test", 12: "b@example.test"})
        other = seed_campaign(database_url, {11: "a@example.test"}, status="written")
        send(client, campaign_id)
        worker = start_worker(database_url, MAIL_URL=f"file://{tmp_path}", **MAIL_ENV)
        try:
            wait_for(lambda: finished(database_url, campaign_id), 30)
        finally:
            stop(worker)
        files = sorted(tmp_path.glob("*.eml"))
        messages = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
        assert sorted(m["To"].addresses[0].addr_spec for m in messages) == [
            "a@example.test", "b@example.test"]  # fmt: skip
        message = next(m for m in messages if m["To"].addresses[0].addr_spec == "a@example.test")
        path = urlsplit(message["List-Unsubscribe"].strip("<>")).path
        anonymous = app.test_client()  # a customer's mail client: no API key
        first, second = anonymous.get(path), anonymous.post(path)
        assert first.status_code == 200 and second.status_code == 200
        assert query(
            database_url, "SELECT source FROM insights.opt_outs WHERE customer_id = 11"
        ) == [("email",)]
        events = query(
            database_url, "SELECT count(*) FROM insights.consent_events WHERE customer_id = 11"
        )
        assert events == [(1,)]  # the second opening changed nothing
        cancelled = query(database_url, "SELECT status FROM insights.campaign_items "
                          "WHERE campaign_id = %s", (other,))  # fmt: skip
        assert cancelled == [("cancelled",)]

    def test_a_forged_token_is_a_404_and_opts_nobody_out(self, app, database_url):
        forged = f"1.11.{'0' * 32}"
        response = app.test_client().get(f"/api/v1/unsubscribe/{forged}")
        assert_error_shape(response, 404)
        assert query(database_url, "SELECT count(*) FROM insights.opt_outs") == [(0,)]


@pytest.mark.slow
class TestTheRateLimitHoldsAcrossWorkers:
    def test_two_workers_share_one_bucket(self, client, database_url):
        customers = {n: f"customer{n}@example.test" for n in range(1, 5)}
        campaign_id = seed_campaign(database_url, customers)
        handler = KeepingHandler()
        # One message a minute, a bucket of one: whichever worker takes the token sends,
        # every other job waits about a minute for the next; the test never waits that long.
        limited = {**MAIL_ENV, "MAIL_PER_MINUTE": "1", "DELIVERY_BATCH_SIZE": "1"}
        with running_smtp_server(handler) as mail_url:
            app = make_app(database_url, **{**limited, "DELIVERY_BATCH_SIZE": 1})
            try:
                outcome = client_of(app).post(f"/api/v1/campaigns/{campaign_id}/send").get_json()
            finally:
                app.extensions["insights"]["repositories"].close()
            workers = [start_worker(database_url, MAIL_URL=mail_url, **limited) for _ in range(2)]
            try:
                wait_for(lambda: len(handler.messages) >= 1, 30)
                # Both workers have picked up jobs (batches of one) and wait on the bucket.
                wait_for(lambda: jobs_doing(database_url) >= 2, 30)
                statuses = sorted(s for s, _ in deliveries_of(database_url, campaign_id).values())
            finally:
                for worker in workers:  # their jobs sleep on the bucket: no graceful stop
                    worker.kill()
                    worker.wait(10)
        assert outcome["batches"] == 4
        assert len(handler.messages) == 1
        assert statuses == ["queued", "queued", "queued", "sent"]


def client_of(app):
    from tests.support import client_with_key

    return client_with_key(app)


def jobs_doing(url: str) -> int:
    rows = query(url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' "
                 "AND task_name = 'deliveries.send_batch'")  # fmt: skip
    return rows[0][0]
