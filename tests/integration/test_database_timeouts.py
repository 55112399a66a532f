"""Every wait on the database ends: a stalled server gives 503 within seconds, never a hang.

The stall is real: a PostgreSQL server this module owns (a second embedded server in a
temporary folder, on TCP and on a Unix socket) is stopped with SIGSTOP, as a frozen host
would be. Its kernel still accepts connections and acknowledges every packet, but nothing
answers. The suite's own server is never stopped.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import psutil
import psycopg
import pytest
from sqlalchemy import event, text

from repository.engine import _guards, build_engine, libpq_url, probe
from repository.migrations import upgrade
from repository.scratch import DatabaseServer
from repository.stall_guard import DatabaseStalled
from repository.version_lease import LEASE_S
from tests.support import (
    MIGRATIONS_DIR,
    SERVER_ENV,
    assert_error_shape,
    create_key_in,
    ingest_bundled_sample,
)

BIN = Path(sys.executable).parent
# Generous for a noisy 2-core machine: the goal is about 2 s, a hang lasts the whole stall.
NOT_A_HANG_S = 5.0
DATA_PATH = "/api/v1/customers/1"  # cached by the readiness polls
UNCACHED_PATH = "/api/v1/customers/2"


class OwnServer:
    """The test's own PostgreSQL: its data folder and a database URL per transport."""

    def __init__(self, data_dir: Path, socket_dir: str, port: int) -> None:
        self.data_dir = data_dir
        self.admin_urls = {
            "tcp": f"postgresql://postgres@127.0.0.1:{port}/postgres",
            "unix socket": f"postgresql://postgres@/postgres?host={socket_dir}&port={port}",
        }

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """SIGSTOP the postmaster and every child of it; SIGCONT them all on the way out."""
        postmaster = psutil.Process(int((self.data_dir / "postmaster.pid").read_text().split()[0]))
        # The pid file is this server's, but make sure: never stop anyone else's server.
        assert str(self.data_dir) in " ".join(postmaster.cmdline())
        stopped: list[int] = []
        try:
            # The postmaster first: once stopped it forks no child we could miss.
            for process in [postmaster, *postmaster.children(recursive=True)]:
                stopped.append(process.pid)
                os.kill(process.pid, signal.SIGSTOP)
            yield
        finally:
            for pid in reversed(stopped):
                os.kill(pid, signal.SIGCONT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def own_server() -> Iterator[OwnServer]:
    """Start the embedded server in a folder of this module's, then restart it on TCP too."""
    # Not under pytest's basetemp: its 0700 folders keep out the user postgres runs as.
    data_dir = Path(tempfile.mkdtemp(prefix="insights-stall-pg-"))
    with warnings.catch_warnings():
        # As in repository/embedded.py: platformdirs warns that XDG_RUNTIME_DIR is unset.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import pgserver

        handle = pgserver.get_server(data_dir, cleanup_mode=None)
    socket_dir = handle.get_postmaster_info().socket_dir
    port = _free_port()
    restart = ["-w", "-l", str(data_dir / "log"), "restart"]
    options = ["-o", f"-h 127.0.0.1 -p {port} -k {socket_dir}"]
    pgserver.pg_ctl(options + restart, pgdata=data_dir, user=handle.system_user)
    try:
        yield OwnServer(data_dir, str(socket_dir), port)
    finally:
        stop = ["-w", "-m", "immediate", "stop"]
        pgserver.pg_ctl(stop, pgdata=data_dir, user=handle.system_user)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def own_database(own_server: OwnServer) -> dict[str, str]:
    """A migrated database with the bundled sample on the own server, by transport."""
    tcp = DatabaseServer(own_server.admin_urls["tcp"])
    url = tcp.create(prefix="insights_stall")
    upgrade(url, MIGRATIONS_DIR)
    ingest_bundled_sample(url)
    name = url.rsplit("/", 1)[1]
    return {
        transport: DatabaseServer(admin).url_for(name)
        for transport, admin in own_server.admin_urls.items()
    }


@pytest.fixture(scope="module")
def own_key(own_database: dict[str, str]) -> str:
    """An API key in the own database (one database, whichever transport reaches it)."""
    return create_key_in(own_database["tcp"], scopes="stats:read")


class Answer(NamedTuple):
    """How one HTTP request ended; ``status`` is None when it got no answer in 30 s."""

    status: int | None
    body: dict | None
    seconds: float


def _get(url: str, key: str | None = None) -> Answer:
    started = time.monotonic()
    headers = {"X-API-Key": key} if key else {}
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=30
        ) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except OSError:  # no answer within 30 s: a hang
        return Answer(None, None, time.monotonic() - started)
    return Answer(status, json.loads(body), time.monotonic() - started)


@contextmanager
def _gunicorn(database_url: str, log_path: Path, key: str) -> Iterator[str]:
    """Serve the app under gunicorn; yield its base URL.

    One worker with threads, so that it has booted once it answers: a worker booting
    during the stall would fail to load the app, and gunicorn would stop altogether.
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DATABASE_URL": database_url, "LOG_FORMAT": "json", **SERVER_ENV})
    command = [str(BIN / "gunicorn"), "--config", "python:api.gunicorn_conf"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*command, "--threads", "4", "api.wsgi:app"], env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        assert _seconds_until_ready(base, key, within=30) is not None, log_path.read_text()
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _seconds_until_ready(base: str, key: str, within: float) -> float | None:
    """Poll until a data endpoint and readiness both answer 200; None if they never do."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if _get(base + DATA_PATH, key).status == _get(base + "/health/ready").status == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


class Reader(threading.Thread):
    """Request customers one after another (none cached) until told to stop; keep how the
    last request ended."""

    def __init__(self, base: str, key: str) -> None:
        super().__init__(daemon=True)
        self.base, self.key = base, key
        self.last: Answer | None = None
        self.done = threading.Event()

    def run(self) -> None:
        for customer_id in range(1000, 10**6):
            if self.done.is_set():
                return
            self.last = _get(f"{self.base}/api/v1/customers/{customer_id}", self.key)


def _answers_during_a_stall(server: OwnServer, base: str, key: str) -> dict[str, Answer]:
    """Stop the server while a request is in flight; return how each kind of request ended.

    A cached answer needs no database while the process's data version lease lasts
    (LEASE_S): it is asked for again once the lease has lapsed.
    """
    assert _get(base + DATA_PATH, key).status == 200
    reader = Reader(base, key)
    reader.start()
    time.sleep(0.5)
    with server.stopped():
        stopped_at = time.monotonic()
        time.sleep(0.2)  # the reader's request is now in flight on a stopped server
        reader.done.set()  # it ends with that request
        answers = {"/health/live": _get(base + "/health/live")}
        # At once, so that neither finds the stall already noticed by the other.
        with ThreadPoolExecutor(2) as pool:
            paths = [base + UNCACHED_PATH, base + "/health/ready"]
            data, ready = pool.map(_get, paths, [key, None])
        answers.update({UNCACHED_PATH: data, "/health/ready": ready})
        reader.join(timeout=30)
        time.sleep(max(0.0, stopped_at + LEASE_S + 0.5 - time.monotonic()))
        answers["a cached answer once the lease lapsed"] = _get(base + DATA_PATH, key)
    assert reader.last is not None and not reader.is_alive()
    return {**answers, "the request in flight at SIGSTOP": reader.last}


class TestAStalledServer:
    @pytest.mark.slow
    @pytest.mark.parametrize("transport", ["tcp", "unix socket"])
    def test_gives_503_within_seconds_never_a_hang_then_200_again(
        self, own_server, own_database, own_key, transport, tmp_path
    ):
        with _gunicorn(own_database[transport], tmp_path / "gunicorn.log", own_key) as base:
            answers = _answers_during_a_stall(own_server, base, own_key)
            recovered_in = _seconds_until_ready(base, own_key, within=10)
        print(f"\n{transport}, during the stall:")
        for what, answer in answers.items():
            print(f"  {what}: {answer.status} in {answer.seconds:.2f} s")
        recovery = "never" if recovered_in is None else f"in {recovered_in:.2f} s"
        print(f"  after SIGCONT, 200 again {recovery}")

        assert all(answer.seconds < NOT_A_HANG_S for answer in answers.values())
        assert answers["/health/live"].status == 200
        assert answers["/health/ready"].status == 503
        assert answers["/health/ready"].body["checks"]["database"] == "unreachable"
        for what in (UNCACHED_PATH, "the request in flight at SIGSTOP",
                     "a cached answer once the lease lapsed"):  # fmt: skip
            assert answers[what].status == 503
            assert set(answers[what].body) == {"code", "status", "message", "errors"}
        assert recovered_in is not None, (tmp_path / "gunicorn.log").read_text()[-3000:]


SHOW_TIMEOUTS = "SELECT current_setting('statement_timeout'), current_setting('lock_timeout')"


class TestConnectionOptions:
    @pytest.mark.parametrize("transport", ["tcp", "unix socket"])
    def test_every_connection_carries_the_timeouts_on_either_transport(
        self, own_database, transport
    ):
        engine = build_engine(
            own_database[transport], lock_timeout_ms=1_500, tcp_user_timeout_ms=7_000
        )
        try:
            with engine.connect() as connection:
                settings = connection.execute(text(SHOW_TIMEOUTS)).one()
                libpq = connection.connection.driver_connection.info.get_parameters()
        finally:
            engine.dispose()
        assert tuple(settings) == ("30s", "1500ms")
        # libpq takes them on either transport and uses them on TCP only.
        assert libpq["connect_timeout"] == "2" and libpq["tcp_user_timeout"] == "7000"
        assert (libpq["keepalives_idle"], libpq["keepalives_interval"]) == ("5", "2")


class TestAServerThatAnswers:
    def test_a_slow_query_is_not_cut_while_the_server_answers_probes(self, database_url):
        # pg_sleep(1) outlasts four stall timeouts: the guard probes, gets answers, waits on.
        engine = build_engine(database_url, stall_timeout_s=0.25)
        try:
            with engine.connect() as connection:
                assert connection.execute(text("SELECT 1 FROM pg_sleep(1)")).scalar_one() == 1
        finally:
            engine.dispose()

    def test_a_slow_probe_is_no_stall_while_the_pool_s_connections_get_answers(self, database_url):
        # Issue 17: under load a probe's fresh connection outlasted the stall timeout and
        # the guard refused 2,033 requests the server would have answered.
        engine, busy = _engine_with_slow_probe(database_url), threading.Event()

        def keep_reading() -> None:
            while not busy.is_set():
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))

        reader = threading.Thread(target=keep_reading)
        reader.start()
        try:
            probe(engine)  # no DatabaseStalled
            _guards[engine].refuse_if_stalled()
        finally:
            busy.set()
            reader.join()
            engine.dispose()

    def test_the_same_slow_probe_with_nothing_answered_meanwhile_is_a_stall(self, database_url):
        engine = _engine_with_slow_probe(database_url)
        try:
            with pytest.raises(DatabaseStalled):
                probe(engine)
            with pytest.raises(DatabaseStalled):
                _guards[engine].refuse_if_stalled()
        finally:
            engine.dispose()

    def test_a_read_waiting_on_a_lock_answers_503_after_the_lock_timeout(
        self, database_url, client
    ):
        with psycopg.connect(libpq_url(database_url)) as locker:
            locker.execute("LOCK TABLE insights.customers IN ACCESS EXCLUSIVE MODE")
            response = client.get("/api/v1/stats/customers")
        assert_error_shape(response, 503)

    def test_liveness_never_touches_the_database(self, app, client):
        engine = app.extensions["insights"]["repositories"].engine
        touched: list[str] = []
        event.listen(engine, "do_connect", lambda *_: touched.append("connect"))
        event.listen(engine.pool, "checkout", lambda *_: touched.append("checkout"))
        assert client.get("/health/live").status_code == 200
        assert touched == []


def _engine_with_slow_probe(database_url: str):
    """Return an engine whose stall probe, on the real server, takes 4 stall timeouts."""
    engine = build_engine(database_url, stall_timeout_s=0.25)

    def slow_probe() -> None:
        with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
            connection.execute("SELECT pg_sleep(1)")

    _guards[engine]._probe = slow_probe  # the guard's own probe answers at once here
    return engine
