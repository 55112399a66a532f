"""Campaigns end to end: API, real `insights worker` processes, PostgreSQL."""

import csv
import hashlib
import io
import json
import shutil
import signal
from pathlib import Path

import pytest

from tests.support import assert_error_shape, ingest_bundled_sample, query
from tests.workers import run_to_completion, start_worker, status_of, stop, wait_for


def items_with_generations(url: str, campaign_id: int, columns: str) -> list[tuple]:
    """Return (customer_id, *columns) per item of the campaign, joined to its generation."""
    return query(
        url,
        f"SELECT i.customer_id, {columns} FROM insights.campaign_items i "
        "JOIN insights.generated_content g ON g.id = i.generation_id WHERE i.campaign_id = %s",
        (campaign_id,),
    )


def all_customers(url: str) -> set[int]:
    rows = query(
        url,
        "SELECT customer_id FROM insights.customers "
        "UNION SELECT customer_id FROM insights.interactions",
    )
    return {row[0] for row in rows}


@pytest.fixture
def sample(database_url):
    ingest_bundled_sample(database_url)
    return database_url


@pytest.mark.slow
class TestOneItemPerEligibleCustomer:
    def test_a_campaign_writes_every_eligible_customer_once_and_skips_opt_outs(
        self, client, sample
    ):
        opted = sorted(all_customers(sample))[:3]
        for customer_id in opted:
            query(
                sample,
                "INSERT INTO insights.opt_outs (customer_id, source) VALUES (%s, 'test') "
                "RETURNING customer_id",
                (customer_id,),
            )
        response = client.post("/api/v1/campaigns", json={"name": "all"})
        assert response.status_code == 202, response.get_json()
        body = response.get_json()
        assert body["excluded"]["opted_out"] == 3
        assert response.headers["Location"].endswith(f"/api/v1/campaigns/{body['campaign_id']}")
        worker = start_worker(sample)
        try:
            wait_for(lambda: status_of(sample, body["campaign_id"]) == "completed")
        finally:
            stop(worker)
        rows = query(
            sample,
            "SELECT customer_id, status, generation_id FROM "
            "insights.campaign_items WHERE campaign_id = %s",
            (body["campaign_id"],),
        )
        expected = all_customers(sample) - set(opted)
        assert sorted(row[0] for row in rows) == sorted(expected)
        assert {row[1] for row in rows} == {"written"}
        generations = query(
            sample,
            "SELECT count(*) FROM insights.generated_content g JOIN "
            "insights.campaign_items i ON i.generation_id = g.id",
        )
        assert generations[0][0] == len(expected)


def create(client, **body) -> dict:
    response = client.post("/api/v1/campaigns", json={"name": "test", **body})
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def items_of(url: str, campaign_id: int) -> dict[int, tuple]:
    rows = query(
        url,
        "SELECT customer_id, status, status_reason, prompt_version, generation_id "
        "FROM insights.campaign_items WHERE campaign_id = %s",
        (campaign_id,),
    )
    return {row[0]: row[1:] for row in rows}


def written(url: str, campaign: dict) -> int:
    return sum(item[0] == "written" for item in items_of(url, campaign["campaign_id"]).values())


def doing_jobs(url: str) -> list[int]:
    rows = query(url, "SELECT id FROM procrastinate_jobs WHERE status = 'doing'")
    return [row[0] for row in rows]


def queued_jobs(url: str) -> int:
    return query(url, "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")[
        0
    ][0]


@pytest.mark.slow
class TestWorkerKilledMidBatch:
    def test_a_sigkilled_worker_s_job_is_retried_with_no_duplicate_and_no_gap(
        self, app, client, sample
    ):
        app.config["CAMPAIGN_BATCH_SIZE"] = 10
        campaign = create(client)
        # Ten requests a second across workers: batches take about a second each.
        slow = {"LLM_REQUESTS_PER_MINUTE": "600", "WORKER_CONCURRENCY": "1"}
        first = start_worker(sample, **slow)
        try:
            wait_for(lambda: written(sample, campaign) >= 5 and doing_jobs(sample))
            killed_jobs = doing_jobs(sample)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert killed_jobs and written(sample, campaign) < campaign["recipients"]
        second = start_worker(sample)
        try:
            wait_for(lambda: status_of(sample, campaign["campaign_id"]) == "completed")
        finally:
            stop(second)
        items = items_of(sample, campaign["campaign_id"])
        assert sorted(items) == sorted(all_customers(sample))
        assert {item[0] for item in items.values()} == {"written"}
        generation_ids = [item[3] for item in items.values()]
        assert len(set(generation_ids)) == len(generation_ids)
        (stored,) = query(sample, "SELECT count(*) FROM insights.generated_content")[0]
        assert stored == len(items)  # a killed batch left no audit row behind


@pytest.mark.slow
class TestPauseResumeCancel:
    def test_a_paused_campaign_writes_nothing_until_resumed(self, client, sample):
        campaign = create(client)
        paused = client.post(f"/api/v1/campaigns/{campaign['campaign_id']}/pause")
        assert paused.status_code == 200 and paused.get_json()["status"] == "paused"
        worker = start_worker(sample)
        try:
            wait_for(lambda: queued_jobs(sample) == 0)
            statuses = {item[0] for item in items_of(sample, campaign["campaign_id"]).values()}
            assert statuses == {"pending"}
            resumed = client.post(f"/api/v1/campaigns/{campaign['campaign_id']}/resume")
            assert resumed.get_json()["status"] == "running"
            wait_for(lambda: status_of(sample, campaign["campaign_id"]) == "completed")
        finally:
            stop(worker)
        statuses = {item[0] for item in items_of(sample, campaign["campaign_id"]).values()}
        assert statuses == {"written"}

    def test_cancel_ends_pending_items_and_cannot_be_undone(self, client, sample):
        campaign = create(client)
        cancelled = client.post(f"/api/v1/campaigns/{campaign['campaign_id']}/cancel")
        assert cancelled.get_json()["status"] == "cancelled"
        items = items_of(sample, campaign["campaign_id"]).values()
        assert {(item[0], item[1]) for item in items} == {("cancelled", "campaign_cancelled")}
        again = client.post(f"/api/v1/campaigns/{campaign['campaign_id']}/resume")
        assert_error_shape(again, 409)

    def test_unknown_campaign_is_404(self, client):
        assert_error_shape(client.post("/api/v1/campaigns/999/pause"), 404)
        assert_error_shape(client.get("/api/v1/campaigns/999"), 404)
        assert_error_shape(client.get("/api/v1/campaigns/999/items"), 404)


@pytest.mark.slow
class TestOptOutsWhileRunning:
    def test_an_opt_out_after_creation_cancels_the_item_at_write_time(self, client, sample):
        campaign = create(client)
        customer = min(all_customers(sample))
        query(
            sample,
            "INSERT INTO insights.opt_outs (customer_id, source) VALUES (%s, 'test') "
            "RETURNING customer_id",
            (customer,),
        )
        worker = start_worker(sample)
        try:
            wait_for(lambda: status_of(sample, campaign["campaign_id"]) == "completed")
        finally:
            stop(worker)
        items = items_of(sample, campaign["campaign_id"])
        assert items[customer][:2] == ("cancelled", "opted_out")
        others = {item[0] for key, item in items.items() if key != customer}
        assert others == {"written"}

    def test_cancel_pending_items_cancels_the_customer_s_open_items(self, app, client, sample):
        first, second = create(client), create(client)
        customer = min(all_customers(sample))
        repository = app.extensions["insights"]["repositories"].campaigns
        assert repository.cancel_pending_items(customer) == 2
        for campaign in (first, second):
            item = items_of(sample, campaign["campaign_id"])[customer]
            assert item[:2] == ("cancelled", "opted_out")

    def test_an_opt_out_through_the_api_cancels_the_customer_s_pending_items(self, client, sample):
        campaign = create(client)
        customer, other = sorted(all_customers(sample))[:2]
        response = client.post(f"/api/v1/customers/{customer}/opt-out", json={"reason": "asked"})
        assert response.status_code == 200
        items = items_of(sample, campaign["campaign_id"])
        assert items[customer][:2] == ("cancelled", "opted_out")
        assert items[other][0] == "pending"

    def test_an_imported_opt_out_cancels_but_a_later_opt_in_in_the_file_keeps_the_item(
        self, client, sample, insights, tmp_path
    ):
        campaign = create(client)
        kept, cancelled = sorted(all_customers(sample))[:2]
        consent_file = tmp_path / "consent.csv"
        consent_file.write_text(
            f"customer_id,action\n{kept},opt_out\n{cancelled},opt_out\n{kept},opt_in\n"
        )
        assert insights("consent", "import", str(consent_file)).exit_code == 0
        items = items_of(sample, campaign["campaign_id"])
        assert items[cancelled][:2] == ("cancelled", "opted_out")
        assert items[kept][0] == "pending"


class TestCreateValidation:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "name"),
            ({"name": "x", "content_type": "fax"}, "content_type"),
            ({"name": "x", "segment": {"min_interactions": -1}}, "min_interactions"),
            ({"name": "x", "prompt_versions": ["email/v99"]}, "prompt_versions"),
            ({"name": "nul\u0000in a name"}, "name"),
            ({"name": "x", "segment": {"topics": ["bell\u0007"]}}, "topics"),
        ],
    )
    def test_a_bad_field_is_422_naming_it(self, client, body, field):
        body_json = assert_error_shape(client.post("/api/v1/campaigns", json=body), 422)
        assert field in json.dumps(body_json)
        (count,) = query(
            client.application.config["DATABASE_URL"], "SELECT count(*) FROM insights.campaigns"
        )[0]
        assert count == 0


@pytest.mark.slow
class TestReview:
    def test_approve_rules(self, client, sample):
        campaign = create(client)
        cid = campaign["campaign_id"]
        run_to_completion(sample, campaign["campaign_id"])
        reviews = dict(
            query(
                sample,
                "SELECT customer_id, review_status FROM "
                "insights.campaign_items WHERE campaign_id = %s",
                (cid,),
            )
        )
        clear = sorted(c for c, review in reviews.items() if review == "clear")
        needs = sorted(c for c, review in reviews.items() if review == "needs_review")
        assert clear and needs  # the bundled sample has both
        # One clear item stands for a blocked one: the mock never writes a restricted phrase.
        blocked, opted, *others = clear
        query(
            sample,
            "UPDATE insights.campaign_items SET review_status = 'blocked' "
            "WHERE campaign_id = %s AND customer_id = %s RETURNING 1",
            (cid, blocked),
        )
        query(
            sample,
            "INSERT INTO insights.opt_outs (customer_id, source) VALUES (%s, 'test') RETURNING 1",
            (opted,),
        )
        bulk = client.post(f"/api/v1/campaigns/{cid}/approve")
        assert bulk.get_json() == {"approved": len(others)}
        approved = {
            row[0]
            for row in query(
                sample,
                "SELECT customer_id FROM "
                "insights.campaign_items WHERE campaign_id = %s AND status = 'approved'",
                (cid,),
            )
        }
        assert approved == set(others)
        base = f"/api/v1/campaigns/{cid}/items"
        assert_error_shape(client.post(f"{base}/{blocked}/approve"), 409)
        assert_error_shape(client.post(f"{base}/{opted}/approve"), 409)
        one = client.post(f"{base}/{needs[0]}/approve", json={"note": "checked by hand"})
        assert one.status_code == 200
        assert (
            one.get_json()["status"] == "approved" and one.get_json()["note"] == "checked by hand"
        )
        rejected = client.post(f"{base}/{needs[1]}/reject")
        assert rejected.get_json()["status"] == "rejected"
        assert_error_shape(client.post(f"{base}/999999/approve"), 404)

    def test_export_lists_the_approved_items_with_cells_made_inert(self, client, sample):
        campaign = create(client)
        cid = campaign["campaign_id"]
        run_to_completion(sample, campaign["campaign_id"])
        (customer,) = query(
            sample,
            "SELECT min(customer_id) FROM insights.campaign_items "
            "WHERE campaign_id = %s AND review_status = 'clear'",
            (cid,),
        )[0]
        query(
            sample,
            "UPDATE insights.campaign_items SET content = '=HYPERLINK(1)' "
            "WHERE campaign_id = %s AND customer_id = %s RETURNING 1",
            (cid, customer),
        )
        client.post(f"/api/v1/campaigns/{cid}/approve")
        (approved,) = query(
            sample,
            "SELECT count(*) FROM insights.campaign_items "
            "WHERE campaign_id = %s AND status = 'approved'",
            (cid,),
        )[0]
        csv_response = client.get(f"/api/v1/campaigns/{cid}/export?format=csv")
        assert csv_response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
        assert len(rows) == approved
        assert {row["customer_id"]: row["content"] for row in rows}[str(customer)] == (
            "'=HYPERLINK(1)"
        )
        lines = client.get(f"/api/v1/campaigns/{cid}/export?format=jsonl").get_data(as_text=True)
        assert [json.loads(line)["customer_id"] for line in lines.splitlines()] == sorted(
            int(row["customer_id"]) for row in rows
        )


@pytest.mark.slow
class TestSubjects:
    def test_every_written_email_has_a_subject_grounded_in_its_sources_and_shown_everywhere(
        self, client, sample
    ):
        campaign = create(client)
        cid = campaign["campaign_id"]
        run_to_completion(sample, cid)
        topics = (
            "ARRAY(SELECT f.topic FROM insights.interaction_facts f "
            "WHERE f.id = ANY (g.sources) AND f.topic IS NOT NULL)"
        )
        rows = items_with_generations(sample, cid, f"i.subject, g.subject, {topics}")
        assert len(rows) == campaign["recipients"]
        for customer, item_subject, generation_subject, topics in rows:
            assert item_subject == generation_subject and 0 < len(item_subject) <= 78
            if topics:  # the mock names the leading topic of the history it was shown
                assert any(topic in item_subject for topic in topics), (customer, item_subject)
            else:
                assert item_subject == "An introduction from our team", customer
        subjects = {row[0]: row[1] for row in rows}
        listed = client.get(f"/api/v1/campaigns/{cid}/items?page_size=100").get_json()
        assert listed and all(item["subject"] == subjects[item["customer_id"]] for item in listed)
        client.post(f"/api/v1/campaigns/{cid}/approve")
        exported = client.get(f"/api/v1/campaigns/{cid}/export?format=csv").get_data(as_text=True)
        csv_rows = list(csv.DictReader(io.StringIO(exported)))
        assert csv_rows and all(
            row["subject"] == subjects[int(row["customer_id"])] for row in csv_rows
        )
        lines = client.get(f"/api/v1/campaigns/{cid}/export?format=jsonl").get_data(as_text=True)
        assert all(
            json.loads(line)["subject"] == subjects[json.loads(line)["customer_id"]]
            for line in lines.splitlines()
        )


@pytest.mark.slow
class TestAbSplit:
    def test_each_customer_is_written_with_the_arm_the_sha256_rule_gives(
        self, app, client, sample, tmp_path
    ):
        prompts = tmp_path / "prompts"
        shutil.copytree(Path(app.config["PROMPTS_DIR"]), prompts)
        shutil.copy(prompts / "email" / "v1.toml", prompts / "email" / "v2.toml")
        app.config["PROMPTS_DIR"] = prompts
        campaign = create(client, prompt_versions=["email/v1", "email/v2"])
        cid = campaign["campaign_id"]
        run_to_completion(sample, campaign["campaign_id"], PROMPTS_DIR=str(prompts))
        rows = items_with_generations(sample, cid, "i.prompt_version, g.prompt_version, i.status")
        assert len(rows) == campaign["recipients"]
        for customer, arm, used, status in rows:
            digest = hashlib.sha256(f"campaign:{cid}:customer:{customer}".encode()).hexdigest()
            assert arm == ("email/v1", "email/v2")[int(digest[:16], 16) % 2]
            # The arm wrote the text, except for a first contact's introduction.
            assert used in (arm, "email_introduction/v2") and status == "written"
        arms = [row[1] for row in rows]
        assert 0.25 <= arms.count("email/v2") / len(arms) <= 0.75


@pytest.mark.slow
class TestProviderFailures:
    def test_a_failing_provider_pauses_the_campaign_with_its_reason(self, client, sample, fake_llm):
        from tests.fake_llm_server import Reply

        fake_llm.script(Reply(status=503))
        campaign = create(client)
        env = {
            "LLM_PROVIDER": "openai",
            "LLM_BASE_URL": fake_llm.url,
            "LLM_MODEL": "fake",
            "LLM_API_KEY": "k",
            "LLM_MAX_RETRIES": "0",
            "LLM_TIMEOUT_S": "2",
            "CAMPAIGN_MAX_CONSECUTIVE_FAILURES": "3",
            "CAMPAIGN_RETRY_BASE_S": "0",
        }
        run_to_completion(sample, campaign["campaign_id"], **env)
        body = client.get(f"/api/v1/campaigns/{campaign['campaign_id']}").get_json()
        assert body["status"] == "paused"
        assert "3 consecutive provider failures" in body["status_reason"]
        failures = query(
            sample,
            "SELECT attempts, status, last_error FROM "
            "insights.campaign_items WHERE attempts > 0 AND campaign_id = %s",
            (campaign["campaign_id"],),
        )
        assert len(failures) == 3 and {row[1] for row in failures} == {"pending"}
        assert all("unavailable" in row[2] for row in failures)


class TestEmptySegment:
    def test_a_segment_of_nobody_is_completed_at_once(self, client, sample):
        body = create(client, segment={"customer_types": ["Nobody has this type"]})
        assert body["recipients"] == 0 and body["status"] == "completed"
        assert body["progress"]["fraction"] == 1.0
