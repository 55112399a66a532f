"""The `insights` command as a real process on the embedded PostgreSQL of a temporary folder.

It must start no database for --help, name --port when the port is taken, and leave no
PostgreSQL process behind when it is stopped.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

INSIGHTS = str(Path(sys.executable).parent / "insights")
START_TIMEOUT_S = 40


@pytest.fixture
def local_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a fresh clone: no DATABASE_URL, data folders in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(EMBEDDED_PG_DIR=str(tmp_path / "pg"), LOCAL_DATA_DIR=str(tmp_path / "data"))
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_of(data_dir: Path) -> list[psutil.Process]:
    """Running postgres processes started on ``data_dir`` (named in their command line)."""
    found = []
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(data_dir) in (proc.info["cmdline"] or []):
            found.append(proc)
    return found


def _wait_until_live(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("the server did not answer /health/live in time")


@pytest.fixture
def served(local_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """`insights run` serving a migrated embedded database; yields it and its postmaster."""
    upgrade = subprocess.run(
        [INSIGHTS, "db", "upgrade"], env=local_env, capture_output=True, text=True, timeout=60
    )
    assert upgrade.returncode == 0, upgrade.stderr
    port, log = _free_port(), tmp_path / "server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [INSIGHTS, "run", "--port", str(port)],
            env=local_env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_until_live(server, port, log)
        yield server, tmp_path / "pg"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for leftover in _postgres_of(tmp_path / "pg"):
            leftover.kill()


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_stopping_the_server_stops_the_embedded_postgres_it_started(served, stop_signal):
    server, data_dir = served
    postmasters = _postgres_of(data_dir.resolve())
    assert len(postmasters) == 1  # the server we are about to check for really runs
    server.send_signal(stop_signal)
    server.wait(timeout=20)
    _, still_running = psutil.wait_procs(postmasters, timeout=10)
    assert still_running == []
    assert _postgres_of(data_dir.resolve()) == []


@pytest.mark.slow
def test_help_starts_no_database(local_env, tmp_path):
    result = subprocess.run(
        [INSIGHTS, "--help"], env=local_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "Commands:" in result.stdout
    assert not (tmp_path / "pg").exists()
    assert _postgres_of((tmp_path / "pg").resolve()) == []


@pytest.mark.slow
def test_version_prints_the_installed_version(local_env, tmp_path):
    from importlib.metadata import version

    result = subprocess.run(
        [INSIGHTS, "--version"], env=local_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.split() == ["insights", version("customer-insights")]
    assert not (tmp_path / "pg").exists()


@pytest.mark.slow
def test_a_taken_port_is_one_line_naming_the_setting(local_env, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [INSIGHTS, "run", "--port", str(port)],
            env=local_env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"port {port}" in lines[0] and "--port" in lines[0] and "PORT=" in lines[0]
    assert not (tmp_path / "pg").exists()  # refused before starting the database


@pytest.mark.slow
def test_a_killed_user_does_not_keep_the_server_up_after_the_last_live_one(local_env, tmp_path):
    data_dir = (tmp_path / "pg").resolve()
    killed = (
        "import os, sys; from repository.embedded import start_embedded_postgres; "
        "start_embedded_postgres(sys.argv[1]); os._exit(0)"  # no exit handlers: like SIGKILL
    )
    subprocess.run([sys.executable, "-c", killed, str(data_dir)], env=local_env, timeout=60)
    assert len(_postgres_of(data_dir)) == 1  # left running, its pid still listed as a user
    try:
        status = subprocess.run(
            [INSIGHTS, "db", "status"], env=local_env, capture_output=True, text=True, timeout=60
        )
        assert status.returncode == 0, status.stderr
        assert _postgres_of(data_dir) == []
    finally:
        for leftover in _postgres_of(data_dir):
            leftover.kill()
