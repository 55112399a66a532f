"""A process trusts the data version it holds a lease on only until a load switches it."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from repository.engine import build_engine, connector_of, libpq_url
from repository.health import PostgresHealthRepository
from repository.ingestion.version_fence import fence_for
from repository.version_lease import LEASE_S, VersionLease
from tests.support import lease_holders, query
from tests.workers import wait_for

ROOT = Path(__file__).resolve().parents[2]
# A process that holds a lease and says, per line read, what it would serve.
HOLDER = """
import sys
from repository.engine import build_engine
from repository.health import PostgresHealthRepository
health = PostgresHealthRepository(build_engine(sys.argv[1]), lease=True)
for line in sys.stdin:
    held = health._lease.current()
    print(f"{held} {health.data_version()}", flush=True)
"""


def served_version(url: str) -> int:
    return query(url, "SELECT version FROM insights.data_version")[0][0]


def wait_until(predicate, timeout_s: float = 10.0) -> None:
    wait_for(predicate, timeout_s, poll_s=0.02)


def switch(engine, version: int) -> float:
    """Switch the served version as a load does, fence included; return the seconds taken."""
    started = time.monotonic()
    with fence_for(connector_of(engine)) as fence, engine.begin() as connection:
        fence.close()
        connection.exec_driver_sql(f"UPDATE insights.data_version SET version = {version}")
    return time.monotonic() - started


@pytest.fixture
def engine(database_url):
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def health(engine):
    health = PostgresHealthRepository(engine, lease=True)
    health.data_version()  # starts the lease
    wait_until(lambda: health._lease.current() is not None)
    return health


def test_a_held_version_is_served_without_asking_the_database(health, database_url):
    version = served_version(database_url)
    with psycopg.connect(libpq_url(database_url)) as locker:
        # A read of the version would now wait for this lock; the lease does not read.
        locker.execute("LOCK TABLE insights.data_version IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        seen = [health.data_version() for _ in range(3)]
        assert time.monotonic() - started < 0.5
        locker.rollback()
    assert seen == [version] * 3


def test_no_read_after_a_switch_commits_gets_the_old_version(health, engine, database_url):
    readings: list[tuple[float, int]] = []
    stop = threading.Event()

    def keep_reading() -> None:
        while not stop.is_set():
            started = time.monotonic()
            readings.append((started, health.data_version()))

    reader = threading.Thread(target=keep_reading)
    reader.start()
    committed: list[tuple[float, int]] = []
    try:
        first = served_version(database_url)
        for version in range(first + 1, first + 6):
            switch(engine, version)
            committed.append((time.monotonic(), version))
            assert health.data_version() == version
            wait_until(lambda v=version: health._lease.current() == v)  # held again
    finally:
        stop.set()
        reader.join()
    for committed_at, version in committed:
        assert all(seen >= version for started, seen in readings if started > committed_at)
    assert len(readings) > 100


def test_a_failed_load_gives_the_lease_back(health, engine, database_url):
    version = served_version(database_url)
    with pytest.raises(RuntimeError), fence_for(connector_of(engine)) as fence, engine.begin():
        fence.close()
        assert health._lease.current() is None
        raise RuntimeError("the load failed")
    wait_until(lambda: health._lease.current() == version)
    assert switch(engine, version + 1) < LEASE_S  # nobody kept the lock


def test_a_frozen_process_loses_its_lease_before_the_switch(engine, database_url):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, database_url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip

    def ask() -> tuple[str, str]:
        holder.stdin.write("?\n")
        holder.stdin.flush()
        held, read = holder.stdout.readline().split()
        return held, read

    with holder:
        version = served_version(database_url)
        wait_until(lambda: ask()[0] == str(version))
        holder.send_signal(signal.SIGSTOP)
        took = switch(engine, version + 1)
        holder.send_signal(signal.SIGCONT)
        # Its session was ended after 2 x LEASE_S, and the switch waited LEASE_S more.
        assert took >= 3 * LEASE_S
        held, read = ask()
        assert held in ("None", str(version + 1))
        assert read == str(version + 1)
        holder.kill()


def test_a_closed_engine_ends_the_lease(health, engine, database_url):
    assert lease_holders(database_url) == 1
    engine.dispose()
    wait_until(lambda: lease_holders(database_url) == 0, timeout_s=LEASE_S * 2)
    assert health._lease.current() is None


def test_an_idle_process_lets_the_lease_go_and_takes_it_again(engine, database_url):
    lease = VersionLease(connector_of(engine), idle_s=0.5)
    try:
        lease.current()
        wait_until(lambda: lease.current() is not None)
        assert lease_holders(database_url) == 1
        # Nobody asks: the thread lets its session (and the lock) go.
        wait_until(lambda: lease_holders(database_url) == 0, timeout_s=LEASE_S * 3)
        assert lease._lease is None
        wait_until(lambda: lease.current() is not None)  # asked again: held again
        assert lease_holders(database_url) == 1
    finally:
        lease.close()
