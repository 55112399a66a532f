"""Figures read at scrape time rather than counted as they happen: the extension point.

A collector here is a function of the app's repositories returning Prometheus families
(``prometheus_client.core.GaugeMetricFamily`` and friends). It runs inside the scrape's
request, so what it reads is as fresh as the scrape; whatever it raises is logged and
counted in ``insights_scrape_errors`` without failing the scrape. This is where state
kept in the database belongs: data freshness here, and the campaign engine's items and
deliveries by status, queue depth and oldest job age (read from its own tables) when it
arrives. Add one with ``register(collector)`` at import of the module that owns the
figures, and import that module from ``create_app``; docs/operations.md lists them.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from api.extensions import repositories

log = logging.getLogger(__name__)

Collector = Callable[[], Iterable[Metric]]
_COLLECTORS: dict[str, Collector] = {}


def register(collector: Collector, name: str | None = None) -> Collector:
    """Add ``collector`` to every scrape (usable as a decorator); the same name replaces."""
    _COLLECTORS[name or collector.__name__] = collector
    return collector


def collect_all() -> Iterator[Metric]:
    """Run every collector, turning a failure into a count instead of a failed scrape."""
    errors = GaugeMetricFamily(
        "insights_scrape_errors",
        "Scrape-time collectors that failed in this scrape (1) or not (0), by collector.",
        labels=["collector"],
    )
    for name, collector in _COLLECTORS.items():
        try:
            families = list(collector())
        except Exception as error:  # a broken figure must not hide all the others
            log.warning("metrics collector %s failed: %s", name, error)
            errors.add_metric([name], 1)
            continue
        errors.add_metric([name], 0)
        yield from families
    yield errors


def _seconds_since(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else max(0.0, (now - moment).total_seconds())


@register
def data_freshness() -> Iterable[Metric]:
    """Publish the data version, its age and the ingestion runs the database recorded."""
    operations = repositories().operations
    if operations is None:  # an app on injected fakes has no database to ask
        return []
    snapshot, now = operations.snapshot(), datetime.now(UTC)
    families = []
    version = GaugeMetricFamily(
        "insights_data_version", "The data version readers are served (a load's run id)."
    )
    age = GaugeMetricFamily(
        "insights_data_version_age_seconds",
        "Seconds since readers were switched to the current data version.",
    )
    last = GaugeMetricFamily(
        "insights_ingestion_last_success_timestamp_seconds",
        "When the latest successful ingestion finished (Unix time).",
    )
    if snapshot.data_version is not None:
        version.add_metric([], snapshot.data_version)
    if (seconds := _seconds_since(snapshot.data_version_switched_at, now)) is not None:
        age.add_metric([], seconds)
    if snapshot.last_success_finished_at is not None:
        last.add_metric([], snapshot.last_success_finished_at.timestamp())
    recorded = GaugeMetricFamily(
        "insights_ingestion_runs_recorded",
        "Ingestion runs the database holds, by status (every process's, ever).",
        labels=["status"],
    )
    for status in ("running", "succeeded", "failed"):
        recorded.add_metric([status], snapshot.runs_by_status.get(status, 0))
    families.extend([version, age, last, recorded])
    return families


@register
def campaign_work() -> Iterable[Metric]:
    """Publish campaigns, open items and deliveries by status, queue depth, oldest wait."""
    operations = repositories().operations
    if operations is None:
        return []
    snapshot, now = operations.campaign_snapshot(), datetime.now(UTC)
    campaigns = GaugeMetricFamily("insights_campaigns", "Campaigns by status.", labels=["status"])
    for status, count in sorted(snapshot.campaigns_by_status.items()):
        campaigns.add_metric([status], count)
    items = GaugeMetricFamily(
        "insights_campaign_items",
        "Items of the open (queued, running, paused) campaigns, by status.",
        labels=["status"],
    )
    for status, count in sorted(snapshot.open_items_by_status.items()):
        items.add_metric([status], count)
    jobs = GaugeMetricFamily(
        "insights_queue_jobs", "Queue jobs waiting (todo) or running (doing).",
        labels=["queue", "status"],
    )  # fmt: skip
    for (queue, status), count in sorted(snapshot.jobs_by_status.items()):
        jobs.add_metric([queue, status], count)
    oldest = GaugeMetricFamily(
        "insights_queue_oldest_job_age_seconds",
        "Seconds the longest-waiting runnable job has waited (0: none waits).",
    )
    oldest.add_metric([], _seconds_since(snapshot.oldest_waiting_since, now) or 0.0)
    deliveries = GaugeMetricFamily(
        "insights_deliveries_open",
        "Deliveries not settled: queued, sending, and unknown (sent or not: a person decides).",
        labels=["status"],
    )
    for status in ("queued", "sending", "unknown"):
        deliveries.add_metric([status], snapshot.open_deliveries_by_status.get(status, 0))
    return [campaigns, items, jobs, oldest, deliveries]
