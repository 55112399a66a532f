"""The data-version read every request makes, on connections outside the pool (issue 17)."""

import threading
import time

import pytest

from repository.engine import build_engine
from repository.errors import Unavailable
from repository.health import PostgresHealthRepository
from tests.support import ingest_bundled_sample, query

OTHER_SESSIONS = (
    "SELECT pid FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def sessions_on(url: str) -> list[int]:
    """Return the backends connected to ``url``'s database, other than the asking one."""
    return [pid for (pid,) in query(url, OTHER_SESSIONS)]


def settle(url: str, at_most: int) -> list[int]:
    """Wait (up to 5 s) for closed sessions to leave pg_stat_activity; return those left."""
    deadline = time.monotonic() + 5
    while len(left := sessions_on(url)) > at_most and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def health(database_url):
    ingest_bundled_sample(database_url)
    engine = build_engine(database_url, pool_size=2)
    yield PostgresHealthRepository(engine)
    engine.dispose()


def test_it_reads_the_version_the_database_serves(health, database_url):
    (expected,) = query(database_url, "SELECT version FROM insights.data_version")[0]
    assert health.data_version() == expected


def test_a_connection_the_server_ended_while_idle_is_replaced_without_an_error(
    health, database_url
):
    version = health.data_version()
    (idle,) = sessions_on(database_url)
    query(database_url, "SELECT pg_terminate_backend(%s)", (idle,))
    settle(database_url, at_most=0)

    assert health.data_version() == version
    assert idle not in sessions_on(database_url)


def test_many_threads_leave_no_more_idle_connections_than_the_pool_size(health, database_url):
    start = threading.Barrier(12)
    errors: list[BaseException] = []

    def read() -> None:
        start.wait()
        try:
            for _ in range(20):
                health.data_version()
        except BaseException as error:  # noqa: BLE001 # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(settle(database_url, at_most=2)) <= 2


def test_disposing_of_the_engine_closes_them(database_url):
    engine = build_engine(database_url)
    PostgresHealthRepository(engine).data_version()
    assert len(sessions_on(database_url)) == 1
    engine.dispose()
    assert settle(database_url, at_most=0) == []


def test_a_database_that_cannot_answer_is_unavailable_not_an_internal_error(database_url):
    engine = build_engine(database_url.rsplit("/", 1)[0] + "/no_such_database_here")
    try:
        with pytest.raises(Unavailable):
            PostgresHealthRepository(engine).data_version()
    finally:
        engine.dispose()
