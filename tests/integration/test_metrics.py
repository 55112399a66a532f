"""GET /metrics after real requests, an ingestion and generations: every family, sane values.

prometheus-client keeps counts for the whole test process, so each test scrapes before and
after what it does and checks the difference against what the database recorded.
"""

import logging
import re
from pathlib import Path

import pandas as pd
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api import metrics_collectors
from repository.ingestion import LOAD_STEPS
from tests.fake_llm_server import Reply
from tests.support import BUNDLED_CSV, ingest_bundled_sample, query

SHEET_FILES = {"customers": "customers.csv", "interactions": "interactions.csv",
               "products": "products.csv"}  # fmt: skip
CLEAN_TABLES = {"customers": "insights.customers", "interactions": "insights.interactions",
                "products": "insights.product_months"}  # fmt: skip
GOOD_EMAIL = (
    "Dear Jedi,\n\nThank you for the conversations you have had with our team. We would be "
    "glad to answer any further questions you may have, whenever it suits you.\n\n"
    "Kind regards,\nThe Customer Engagement Team"
)


class Scrape:
    """One parsed scrape: look samples up by name and labels."""

    def __init__(self, client) -> None:
        response = client.get("/metrics")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.content_type.startswith("text/plain")
        families = text_string_to_metric_families(response.get_data(as_text=True))
        self.samples = [sample for family in families for sample in family.samples]

    def value(self, sample: str, required: bool = True, **labels: str) -> float:
        """Sum the samples called ``sample`` whose labels include ``labels``.

        A sample missing altogether fails the test when ``required`` (the "after" scrape),
        and counts as 0 otherwise (a "before" scrape, ahead of the first observation).
        """
        named = [s for s in self.samples if s.name == sample]
        assert named or not required, f"no {sample} in the scrape"
        return sum(s.value for s in named if labels.items() <= s.labels.items())


def delta(before: Scrape, after: Scrape, sample: str, **labels: str) -> float:
    return after.value(sample, **labels) - before.value(sample, required=False, **labels)


class TestRequests:
    def test_requests_are_timed_by_route_method_and_status(self, client, app, database_url):
        ingest_bundled_sample(database_url)
        before = Scrape(client)
        for _ in range(3):
            assert client.get("/api/v1/stats/customers").status_code == 200
        assert client.get("/api/v1/stats/no_such_table").status_code == 404
        assert app.test_client().get("/api/v1/customers").status_code == 401
        after = Scrape(client)
        route = "/api/v1/stats/{table_name}"
        name = "insights_http_request_seconds_count"
        assert delta(before, after, name, route=route, method="GET", status="200") == 3
        assert delta(before, after, name, route=route, method="GET", status="404") == 1
        assert delta(before, after, name, route="/api/v1/customers", status="401") == 1
        every = after.value("insights_http_request_seconds_bucket", route=route, le="+Inf")
        assert every == after.value(name, route=route)
        assert after.value("insights_http_request_seconds_sum", route=route) > 0

    def test_the_scrape_itself_is_the_one_request_in_flight(self, client):
        assert Scrape(client).value("insights_http_requests_in_flight") == 1

    def test_the_pool_reports_its_waits_and_connections_in_use(self, client):
        before = Scrape(client)
        client.get("/api/v1/customers")
        after = Scrape(client)
        assert delta(before, after, "insights_db_pool_wait_seconds_count") >= 1
        # The scrape's own reads are done by the time the gauge is read.
        assert after.value("insights_db_pool_connections_in_use") >= 0
        assert delta(before, after, "insights_db_pool_timeouts_total") == 0


class TestIngestion:
    def test_an_ingestion_counts_rows_per_sheet_and_times_each_step(
        self, client, insights, database_url
    ):
        before = Scrape(client)
        assert insights("ingest", str(BUNDLED_CSV)).exit_code == 0
        after = Scrape(client)
        quarantined = dict(query(database_url, "SELECT sheet, count(*) FROM insights.quarantine "
                                               "GROUP BY sheet"))  # fmt: skip
        for sheet, file in SHEET_FILES.items():
            read = len(pd.read_csv(BUNDLED_CSV / file, dtype=str, keep_default_na=False))
            clean = query(database_url, f"SELECT count(*) FROM {CLEAN_TABLES[sheet]}")[0][0]
            rows = "insights_ingestion_rows_total"
            assert delta(before, after, rows, sheet=sheet, outcome="read") == read
            assert delta(before, after, rows, sheet=sheet, outcome="clean") == clean
            assert delta(before, after, rows, sheet=sheet, outcome="quarantined") == (
                quarantined.get(sheet, 0)
            )
        for step in ("read", "clean", "check", "load", *LOAD_STEPS):
            assert delta(before, after, "insights_ingestion_step_seconds_count", step=step) == 1
        runs = "insights_ingestion_runs_total"
        assert delta(before, after, runs, status="succeeded") == 1

    def test_the_data_version_and_its_age_come_from_the_database(self, client, database_url):
        ingest_bundled_sample(database_url)
        scrape = Scrape(client)
        version, finished = query(
            database_url,
            "SELECT v.version, extract(epoch FROM r.finished_at) FROM insights.data_version v "
            "JOIN insights.ingestion_runs r ON r.status = 'succeeded' ORDER BY r.id DESC LIMIT 1",
        )[0]
        assert scrape.value("insights_data_version") == version
        assert scrape.value("insights_ingestion_last_success_timestamp_seconds") == pytest.approx(
            float(finished)
        )
        assert scrape.value("insights_data_version_age_seconds") >= 0
        assert scrape.value("insights_ingestion_runs_recorded", status="succeeded") == 1
        assert scrape.value("insights_scrape_errors", collector="data_freshness") == 0

    def test_each_step_and_cleaning_rule_is_logged_under_the_run_id(
        self, insights, database_url, caplog
    ):
        with caplog.at_level(logging.INFO, logger="pipelines.ingestion.steps"):
            assert insights("ingest", str(BUNDLED_CSV)).exit_code == 0
        (run_id,) = query(database_url, "SELECT max(id) FROM insights.ingestion_runs")[0]
        lines = [r for r in caplog.records if r.name == "pipelines.ingestion.steps"]
        assert lines and all(record.run_id == run_id for record in lines)
        steps = [r.step for r in lines if r.event == "ingestion_step"]
        assert steps == ["read", "clean", "check", "load", *LOAD_STEPS]
        assert all(r.seconds >= 0 for r in lines if r.event == "ingestion_step")
        logged = {
            (r.sheet, r.rule): r.quarantined_rows
            for r in lines
            if r.event == "ingestion_rule" and hasattr(r, "quarantined_rows")
        }
        stored = query(database_url, "SELECT sheet, reason, count(*) FROM insights.quarantine "
                                     "GROUP BY 1, 2")  # fmt: skip
        assert logged == {(sheet, reason): n for sheet, reason, n in stored}


class TestGeneration:
    def test_a_mock_generation_counts_its_calls_tokens_and_cost(self, client, database_url):
        ingest_bundled_sample(database_url)
        before = Scrape(client)
        response = client.get("/api/v1/generate-content/1")
        assert response.status_code == 200
        after = Scrape(client)
        version = response.get_json()["prompt_version"]
        attempts, sent, received, review = query(
            database_url,
            "SELECT attempts, input_tokens, output_tokens, review_status "
            "FROM insights.generated_content",
        )[0]
        labels = {"provider": "mock", "prompt_version": version}
        assert (
            delta(before, after, "insights_model_calls_total", outcome="ok", **labels) == attempts
        )
        assert delta(before, after, "insights_model_call_seconds_count", **labels) == attempts
        tokens = "insights_model_tokens_total"
        assert delta(before, after, tokens, provider="mock", direction="input") == sent
        assert delta(before, after, tokens, provider="mock", direction="output") == received
        assert delta(before, after, "insights_model_cost_total", provider="mock") == 0
        stored = {"content_type": "email", "attempts": str(attempts), "review": review}
        assert delta(before, after, "insights_generations_total", **stored) == 1

    def test_check_failures_are_counted_by_kind_and_failed_calls_by_outcome(
        self, llm_client, fake_llm
    ):
        client = llm_client(LLM_PROVIDER="openai", LLM_BASE_URL=fake_llm.url, LLM_MODEL="fake")
        before = Scrape(client)
        fake_llm.script(Reply(GOOD_EMAIL.replace("Jedi", "Batman")), Reply(GOOD_EMAIL))
        assert client.get("/api/v1/generate-content/1").status_code == 200
        fake_llm.script(Reply(status=500))
        assert client.get("/api/v1/generate-content/1").status_code == 503
        after = Scrape(client)
        failures = "insights_output_check_failures_total"
        assert delta(before, after, failures, kind="salutation") == 1
        calls = "insights_model_calls_total"
        assert delta(before, after, calls, provider="openai", outcome="ok") == 2
        assert delta(before, after, calls, provider="openai", outcome="unavailable") == 1


class TestCampaignWork:
    def test_a_queued_campaign_shows_its_items_jobs_and_waiting_time(self, client, database_url):
        from tests.support import ingest_bundled_sample, query

        ingest_bundled_sample(database_url)
        empty = Scrape(client)
        assert empty.value("insights_queue_oldest_job_age_seconds") == 0
        response = client.post("/api/v1/campaigns", json={"name": "metrics"})
        assert response.status_code == 202
        after = Scrape(client)
        assert after.value("insights_scrape_errors", collector="campaign_work") == 0
        assert after.value("insights_campaigns", status="queued") == 1
        recipients = response.get_json()["recipients"]
        assert after.value("insights_campaign_items", status="pending") == recipients > 0
        (todo,) = query(
            database_url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'"
        )
        assert after.value("insights_queue_jobs", status="todo") == todo[0] > 0
        assert after.value("insights_queue_oldest_job_age_seconds") >= 0
        assert after.value("insights_deliveries_open", status="unknown") == 0
        query(
            database_url,
            "INSERT INTO insights.deliveries (campaign_id, customer_id, batch, message_id, email,"
            " status) SELECT campaign_id, customer_id, batch, 'm-' || customer_id, 'a@example.com',"
            " 'unknown' FROM insights.campaign_items LIMIT 2 RETURNING customer_id",
        )
        assert Scrape(client).value("insights_deliveries_open", status="unknown") == 2
        query(database_url, "UPDATE insights.campaigns SET status = 'cancelled' RETURNING id")
        closed = Scrape(client)
        assert closed.value("insights_campaign_items", required=False, status="pending") == 0


class TestScrapeTimeCollectors:
    def test_a_failing_collector_is_counted_and_the_scrape_still_answers(self, client, monkeypatch):
        def broken():
            raise RuntimeError("campaign tables missing")

        monkeypatch.setitem(metrics_collectors._COLLECTORS, "broken", broken)
        scrape = Scrape(client)
        assert scrape.value("insights_scrape_errors", collector="broken") == 1
        assert scrape.value("insights_scrape_errors", collector="data_freshness") == 0

    def test_a_registered_collector_is_part_of_every_scrape(self, client, monkeypatch):
        from prometheus_client.core import GaugeMetricFamily

        def campaigns():
            return [GaugeMetricFamily("insights_example_queue_depth", "An example.", value=7)]

        monkeypatch.setattr(metrics_collectors, "_COLLECTORS", dict(metrics_collectors._COLLECTORS))
        metrics_collectors.register(campaigns)
        assert Scrape(client).value("insights_example_queue_depth") == 7


class TestMonitoringFilesMatchTheService:
    """The alerts and the dashboard use only families /metrics serves (no typo goes quiet)."""

    ROOT = Path(__file__).resolve().parents[2]
    SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")

    def used(self, path: Path) -> set[str]:
        names = set(re.findall(r"\binsights_[a-z_]+", path.read_text()))
        return {self.family(name) for name in names}

    def family(self, name: str) -> str:
        for suffix in self.SUFFIXES:
            if name.endswith(suffix):
                return name.removesuffix(suffix)
        return name

    def test_every_family_the_alerts_and_dashboard_use_is_served(self, client, database_url):
        ingest_bundled_sample(database_url)
        text = client.get("/metrics").get_data(as_text=True)
        served = {family.name for family in text_string_to_metric_families(text)}
        alerts = self.ROOT / "deploy" / "prometheus" / "alerts.yml"
        dashboard = self.ROOT / "deploy" / "grafana" / "dashboards" / "customer-insights.json"
        for path in (alerts, dashboard):
            used = self.used(path)
            assert used, path
            assert used <= served, (path.name, sorted(used - served))
