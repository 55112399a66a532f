"""The interactions' side session: a failure on either side fails the whole load."""

import time

import pytest

from pipelines.ingestion import ingest
from pipelines.ingestion.sources import read_source
from repository.engine import build_engine
from repository.ingestion import PostgresIngestionRepository
from repository.ingestion.side_session import SideSession, side_session
from tests.integration.test_ingestion import INTERACTIONS, export, snapshot
from tests.support import query

# Long enough that a load waiting for it to end would plainly hang (the engine's statement
# timeout, 30 s, would end it first); a cancelled one ends within a second or so.
SIDE_SLEEP_S = 60
CANCELLED_WITHIN_S = 10


class FailingInteractions(PostgresIngestionRepository):
    """Fills the interactions, then fails before its side session commits."""

    def _fill_interactions(self, connection, run_id, data, numbers):
        super()._fill_interactions(connection, run_id, data, numbers)
        raise RuntimeError("injected failure in the interactions' session")


class SlowInteractionsFailingStaging(PostgresIngestionRepository):
    """The side session sleeps in the server while the load's transaction fails."""

    def _fill_interactions(self, connection, run_id, data, numbers):
        sleep(connection)

    def _copy_staging(self, connection, run_id, data, version):
        time.sleep(0.5)  # the side session's sleep has started by now
        raise RuntimeError("injected failure in the load's transaction")


def sleeping_sessions(url):
    return query(
        url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%%' "
        "AND state = 'active' AND pid <> pg_backend_pid()",
    )[0][0]  # fmt: skip


def sleep(connection):
    connection.exec_driver_sql(f"SELECT pg_sleep({SIDE_SLEEP_S})")


def partitions(url, table):
    rows = query(url, "SELECT relname FROM pg_class WHERE relname ~ %s AND relkind = 'r'",
                 (f"^{table}_v[0-9]+$",))  # fmt: skip
    return sorted(name for (name,) in rows)


def failed_load(tmp_path, url, repository_class):
    """Load a newer export with ``repository_class``; return the error it raised."""
    engine = build_engine(url)
    newer = export(tmp_path, "newer.xlsx", interactions=INTERACTIONS.iloc[:2])
    try:
        with pytest.raises(RuntimeError, match="injected") as raised:
            ingest(read_source(newer), repository_class(engine), max_shrink=None)
    finally:
        engine.dispose()
    return raised.value


class TestSideSession:
    def test_a_failure_on_the_side_session_fails_the_load_and_changes_nothing(
        self, tmp_path, database_url, insights
    ):
        insights("ingest", str(export(tmp_path)))
        before, served = snapshot(database_url), partitions(database_url, "interactions")
        failed_load(tmp_path, database_url, FailingInteractions)
        assert snapshot(database_url) == before
        # The new version's partitions were dropped with the failed load.
        assert partitions(database_url, "interactions") == served
        runs = query(database_url, "SELECT status, error FROM insights.ingestion_runs ORDER BY id")
        assert [status for status, _ in runs] == ["succeeded", "failed"]
        assert "injected failure in the interactions' session" in runs[1][1]

    def test_a_failed_load_transaction_cancels_the_side_session(
        self, tmp_path, database_url, insights
    ):
        insights("ingest", str(export(tmp_path)))
        before = snapshot(database_url)
        started = time.monotonic()
        failed_load(tmp_path, database_url, SlowInteractionsFailingStaging)
        # Cancelled, not waited for: the load ends long before the side's sleep would.
        assert time.monotonic() - started < CANCELLED_WITHIN_S
        assert sleeping_sessions(database_url) == 0
        assert snapshot(database_url) == before
        (status,) = query(database_url, "SELECT status FROM insights.ingestion_runs "
                          "ORDER BY id DESC LIMIT 1")[0]  # fmt: skip
        assert status == "failed"


# While the parent runs a statement of its own, or only waits for the child it started.
@pytest.mark.parametrize("parent_sleeps", [True, False])
def test_cancelling_a_side_session_cancels_the_sessions_it_started(database_url, parent_sleeps):
    engine = build_engine(database_url)

    def parent_work(connection):
        with side_session(engine, sleep):  # the child, on a connection of its own
            if parent_sleeps:
                sleep(connection)

    parent = SideSession(engine, parent_work)
    parent.start()
    try:
        deadline = time.monotonic() + 10
        expected = 2 if parent_sleeps else 1
        while sleeping_sessions(database_url) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sleeping_sessions(database_url) == expected
        started = time.monotonic()
        parent.cancel()
        assert time.monotonic() - started < CANCELLED_WITHIN_S
        assert sleeping_sessions(database_url) == 0
        with pytest.raises(Exception, match="cancel"):
            parent.wait()
    finally:
        engine.dispose()


def test_a_load_takes_no_more_than_two_connections_from_the_pool(tmp_path, database_url):
    # A pool of one plus one overflow: the run's and the load's connections. The side
    # sessions (the interactions' COPY and index builds) must open their own.
    engine = build_engine(database_url, pool_size=1)
    try:
        report = ingest(read_source(export(tmp_path)), PostgresIngestionRepository(engine))
    finally:
        engine.dispose()
    assert report.status == "succeeded"
    assert query(database_url, "SELECT count(*) FROM insights.interactions") == [(4,)]
