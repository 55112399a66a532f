"""``GET /metrics``: Prometheus text for every request, model call, ingestion and the database.

Under gunicorn each worker is a process of its own, so counts live in files under
PROMETHEUS_MULTIPROC_DIR (api/gunicorn_conf.py creates it and tells prometheus-client about
dead workers) and a scrape of any worker reads them all. Without that variable (``insights
run``, tests) the values are this process's. Either way, the figures read from the database
at scrape time (api/metrics_collectors.py) are added on top. The endpoint needs an
``admin`` key (api/auth.py): it names routes, models and volumes, which are not public.
"""

import functools
import re
from collections.abc import Iterable, Iterator
from time import perf_counter
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from api import metrics_collectors

# Statistics answer in milliseconds, a generation in seconds: buckets cover both.
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

HTTP_SECONDS = Histogram(
    "insights_http_request_seconds",
    "Time to answer a request, by route (the URL rule, not the path), method and status.",
    ["route", "method", "status"],
    buckets=_HTTP_BUCKETS,
)
# livesum: the sum over the workers still alive, so a killed worker's requests drop out.
IN_FLIGHT = Gauge(
    "insights_http_requests_in_flight",
    "Requests being answered right now.",
    multiprocess_mode="livesum",
)
_UNMATCHED = "<unmatched>"  # 404s and 405s: one series, not one per scanned path
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@functools.lru_cache(maxsize=1024)  # one entry per URL rule: called on every request
def route_label(rule: str) -> str:
    """Write a URL rule as OpenAPI does: ``/c/<int(min=1):customer_id>`` -> ``/c/{customer_id}``."""
    return _CONVERTER.sub(r"{\1}", rule)


def _start() -> None:
    g.metrics_started = perf_counter()
    IN_FLIGHT.inc()


def _observe(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None:
        route = route_label(request.url_rule.rule) if request.url_rule else _UNMATCHED
        HTTP_SECONDS.labels(route, request.method, str(response.status_code)).observe(
            perf_counter() - started
        )
    return response


def _finish(_error: BaseException | None) -> None:
    # Popped: an app context (a test's) can outlive one request.
    if g.pop("metrics_started", None) is not None:
        IN_FLIGHT.dec()


class _Forward:
    """Hand a registry's families to another registry (the process's own, single-process)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator[Metric]:
        return self._registry.collect()


class _AtScrape:
    """Run the scrape-time collectors of api/metrics_collectors.py in the app's context."""

    def collect(self) -> Iterable[Metric]:
        return metrics_collectors.collect_all()


def exposition() -> bytes:
    """Return this scrape's text: the recorded families, then the scrape-time ones."""
    registry = CollectorRegistry(auto_describe=False)
    if current_app.config.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry, current_app.config["PROMETHEUS_MULTIPROC_DIR"])
    else:
        registry.register(_Forward(REGISTRY))  # type: ignore[arg-type]
    registry.register(_AtScrape())  # type: ignore[arg-type]
    return generate_latest(registry)


def metrics_view() -> Response:
    """Answer a Prometheus scrape."""
    return Response(exposition(), status=200, content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask, engine: Any = None) -> None:
    """Time every request, count the pool's connections and serve ``/metrics``.

    Call it before the auth hooks: a request they refuse is timed and counted too.
    """
    from api.metrics_pool import instrument_pool

    app.before_request(_start)
    app.after_request(_observe)
    app.teardown_request(_finish)
    if engine is not None:
        instrument_pool(engine)
    app.add_url_rule("/metrics", endpoint="metrics", view_func=metrics_view, methods=["GET"])
