"""OpenTelemetry traces of requests, SQL statements and model calls, sent over OTLP/HTTP.

Only when OTEL_EXPORTER_OTLP_ENDPOINT is set: otherwise nothing here imports any
OpenTelemetry module, so the service pays nothing for tracing it does not do. The spans
go to ``<endpoint>/v1/traces`` (an OpenTelemetry Collector, Jaeger, Tempo...), batched by
a background thread; the provider is not made global, so several apps (tests) each keep
their own.
"""

from typing import Any

from flask import Flask

from api.extensions import EXTENSION_KEY

TRACER_KEY = "tracer_provider"


class TracedProvider:
    """A chat provider whose every call is a span named after the provider and model."""

    def __init__(self, provider: Any, tracer: Any) -> None:
        self._provider = provider
        self._tracer = tracer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._provider, name)

    def ask(self, messages: list[Any]) -> Any:
        """Ask the wrapped provider inside a span; a failure is recorded on the span."""
        attributes = {
            "gen_ai.system": self._provider.name,
            "gen_ai.request.model": self._provider.model_name,
            "insights.messages": len(messages),
        }
        with self._tracer.start_as_current_span("llm.ask", attributes=attributes):
            return self._provider.ask(messages)


def init_app(app: Flask, engine: Any = None) -> None:
    """Trace ``app``'s requests, ``engine``'s statements and its model calls, if configured."""
    endpoint = app.config.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.flask import FlaskInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": app.config["OTEL_SERVICE_NAME"]})
    provider = TracerProvider(resource=resource)
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    FlaskInstrumentor().instrument_app(app, tracer_provider=provider)
    if engine is not None:
        _trace_statements(engine, provider)
    content = app.extensions[EXTENSION_KEY]["content"]
    content.provider = TracedProvider(content.provider, provider.get_tracer(__name__))
    app.extensions[EXTENSION_KEY][TRACER_KEY] = provider  # tests flush it


def _trace_statements(engine: Any, provider: Any) -> None:
    """Give each statement ``engine`` runs a span, through the engine's own events.

    The instrumentation's EngineTracer, not SQLAlchemyInstrumentor: the instrumentor also
    patches ``create_engine`` for the whole process, imports SQLAlchemy's asyncio support
    (which needs greenlet, not installed) and declares sqlalchemy < 2.1, while the cursor
    events the tracer uses are unchanged in our 2.1 (tests/integration/test_tracing.py).
    """
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    # Connection counts are the metrics' job (api/metrics_pool.py): a no-op meter here.
    usage = get_meter(__name__).create_up_down_counter("db.client.connections.usage")
    EngineTracer(provider.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine, usage)
