"""Tracing: spans of requests, SQL and model calls reach an OTLP/HTTP endpoint when one is
set; without one, no instrumentation or exporter module is even imported."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.support import client_with_key, ingest_bundled_sample, make_app

ROOT = Path(__file__).resolve().parents[2]
TRACING_MODULES = (
    "opentelemetry.instrumentation.flask",
    "opentelemetry.instrumentation.sqlalchemy",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.sdk.trace.export",
)


class Collector:
    """An OTLP/HTTP trace receiver on 127.0.0.1: a stand-in for an OpenTelemetry Collector."""

    def __init__(self) -> None:
        self.requests: list[ExportTraceServiceRequest] = []
        self.paths: list[str] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                collector.paths.append(self.path)
                collector.requests.append(ExportTraceServiceRequest.FromString(body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def spans(self) -> list:
        return [
            span
            for request in self.requests
            for resource in request.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        ]


@pytest.fixture
def collector():
    receiver = Collector()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def attributes(span) -> dict:
    return {a.key: a.value.string_value or a.value.int_value for a in span.attributes}


def test_spans_of_a_request_its_sql_and_its_model_call_arrive_in_one_trace(database_url, collector):
    ingest_bundled_sample(database_url)
    app = make_app(database_url, OTEL_EXPORTER_OTLP_ENDPOINT=collector.url)
    try:
        assert client_with_key(app).get("/api/v1/generate-content/1").status_code == 200
        assert app.extensions["insights"]["tracer_provider"].force_flush(10_000)
    finally:
        app.extensions["insights"]["tracer_provider"].shutdown()
        app.extensions["insights"]["repositories"].close()
    assert set(collector.paths) == {"/v1/traces"}
    spans = collector.spans()
    (request,) = [
        s
        for s in spans
        if s.name == "GET /api/v1/generate-content/<int:customer_id>"
        or attributes(s).get("http.route", "").startswith("/api/v1/generate-content")
    ]
    (model,) = [s for s in spans if s.name == "llm.ask"]
    sql = [s for s in spans if attributes(s).get("db.system") == "postgresql"
           or attributes(s).get("db.system.name") == "postgresql"]  # fmt: skip
    assert attributes(model)["gen_ai.system"] == "mock"
    assert model.trace_id == request.trace_id
    assert any(s.trace_id == request.trace_id for s in sql)


def test_without_an_endpoint_no_tracing_module_is_imported(database_url):
    script = (
        "import json, sys\n"
        "from tests.support import client_with_key, make_app\n"
        "app = make_app(sys.argv[1])\n"
        "status = client_with_key(app).get('/api/v1/customers').status_code\n"
        f"loaded = [m for m in {TRACING_MODULES!r} if m in sys.modules]\n"
        "print(json.dumps({'status': status, 'loaded': loaded,\n"
        "    'provider': 'tracer_provider' in app.extensions['insights']}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", script, database_url],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"status": 200, "loaded": [], "provider": False}
