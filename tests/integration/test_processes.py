"""The real entry points as separate processes: console script, WSGI module, gunicorn."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import SERVER_ENV

BIN = Path(sys.executable).parent
# Started as the Dockerfile starts it: with the service's gunicorn settings.
GUNICORN = [str(BIN / "gunicorn"), "--config", "python:api.gunicorn_conf"]


def _env(database_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"LOG_FORMAT": "json", **extra})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)


class TestCommandLineErrors:
    def test_a_non_postgres_url_is_one_line_and_exit_2(self):
        result = _run([str(BIN / "insights"), "db", "status"], _env("mysql://u@h/d"))
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            "insights: error: DATABASE_URL must be a PostgreSQL URL (postgresql://...), "
            "got scheme 'mysql'"
        ]

    def test_an_unreachable_database_is_one_line_and_exit_2(self):
        url = "postgresql://postgres:hunter2@127.0.0.1:1/insights"
        result = _run([str(BIN / "insights"), "db", "upgrade"], _env(url))
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("insights: error: cannot connect to ")
        assert "hunter2" not in result.stderr

    def test_a_bad_setting_is_one_line_and_exit_2(self, database_url):
        result = _run(
            [str(BIN / "insights"), "db", "status"], _env(database_url, DB_POOL_SIZE="many")
        )
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "DB_POOL_SIZE" in result.stderr


class TestWsgiEntryPoint:
    def test_refuses_to_load_while_migrations_are_pending(self, empty_database_url):
        result = _run([sys.executable, "-c", "import api.wsgi"], _env(empty_database_url))
        assert result.returncode != 0
        assert "0001_legacy_schema" in result.stderr and "0002_clean_schema" in result.stderr
        assert "insights db upgrade" in result.stderr

    @pytest.mark.slow
    def test_gunicorn_stops_instead_of_restarting_workers_that_cannot_load(
        self, empty_database_url
    ):
        command = GUNICORN + ["--bind", f"127.0.0.1:{_free_port()}", "api.wsgi:app"]
        result = _run(command, _env(empty_database_url))
        assert result.returncode != 0
        assert result.stderr.count("database schema is out of date") == 1, result.stderr

    def test_loads_when_the_schema_is_current(self, database_url):
        result = _run([sys.executable, "-c", "import api.wsgi"], _env(database_url))
        assert result.returncode == 0, result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_serves_the_app(database_url):
    port, env = _free_port(), _env(database_url, **SERVER_ENV)
    server = subprocess.Popen(
        GUNICORN + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "api.wsgi:app"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = _get_when_up(f"http://127.0.0.1:{port}/health/ready", server)
        assert body == (
            b'{"checks":{"database":"ok","migrations":"ok"},"data_version":1,"status":"ok"}\n'
        )
        _a_key_from_the_command_line_opens_the_api(f"http://127.0.0.1:{port}", env)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert '"route": "/health/ready"' in stderr


def _a_key_from_the_command_line_opens_the_api(base: str, env: dict[str, str]) -> None:
    """A key made by one process (``insights keys create``) is accepted by another."""
    created = _run([str(BIN / "insights"), "keys", "create", "--name", "ops", "--scopes",
                    "stats:read"], env)  # fmt: skip
    assert created.returncode == 0, created.stderr
    url = base + "/api/v1/stats/customers"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 401
    refused.value.close()  # the error holds the response's socket
    key = created.stdout.splitlines()[-1]
    with urllib.request.urlopen(urllib.request.Request(url, headers={"X-API-Key": key})) as ok:
        assert ok.status == 200


def _get_when_up(url: str, server: subprocess.Popen, deadline_s: float = 30) -> bytes:
    give_up = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            if server.poll() is not None or time.monotonic() > give_up:
                raise
            time.sleep(0.2)


def _raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.slow
def test_gunicorn_answers_requests_past_its_limits_itself(database_url):
    port = _free_port()
    server = subprocess.Popen(
        GUNICORN + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "api.wsgi:app"],
        env=_env(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _get_when_up(f"http://127.0.0.1:{port}/health/live", server)
        end = b"Host: x\r\nConnection: close\r\n\r\n"
        long_line = b"GET /api/v1/customers?type=" + b"a" * 4100 + b" HTTP/1.1\r\n" + end
        many = b"GET /health/live HTTP/1.1\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(51))
        big = b"GET /health/live HTTP/1.1\r\nX-Big: " + b"b" * 8200 + b"\r\n" + end
        answers = {
            414: _raw_request(port, long_line),
            431: _raw_request(port, many + end),
        }
        big_answer = _raw_request(port, big)
        in_app = _raw_request(port, b"GET /no/such/path HTTP/1.1\r\n" + end)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for status, answer in answers.items():
        assert answer.startswith(b"HTTP/1.1 %d " % status), answer[:200]
        assert b"X-Request-ID" not in answer  # gunicorn's own answer, as documented
    assert big_answer.startswith(b"HTTP/1.1 431 "), big_answer[:200]
    # A request within the limits reaches the app: its JSON shape, with a request id.
    head, _, body = in_app.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404 ") and b"X-Request-ID: " in head
    assert body.startswith(b'{"code":404')
