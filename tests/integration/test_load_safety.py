"""A bad export never wipes good data, a crashed load leaves a trace, loads land in start order."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from api.extensions import known_migrations, repositories
from api.startup import prepare_to_serve
from pipelines.ingestion import ingest, synthetic
from pipelines.ingestion.sources import read_source
from repository.engine import build_engine
from repository.ingestion import NewRun, PostgresIngestionRepository
from tests.support import BUNDLED_CSV, ingest_bundled_sample, query

BIN = Path(sys.executable).parent
# Changes whenever any clean row changes: the tables must be byte-for-byte as they were.
CHECKSUM = """
    SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
        SELECT 'c' || c::text AS x FROM insights.customers AS c
        UNION ALL SELECT 'i' || i::text FROM insights.interactions AS i
        UNION ALL SELECT 'p' || p::text FROM insights.product_months AS p
    ) AS everything
"""


def run_statuses(url: str) -> list[str]:
    return [row[0] for row in query(url, "SELECT status FROM insights.ingestion_runs ORDER BY id")]


def altered_sample(folder: Path, sheet: str, change) -> Path:
    """Copy the bundled CSV export to ``folder`` with one sheet passed through ``change``."""
    shutil.copytree(BUNDLED_CSV, folder)
    path = folder / f"{sheet}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame).to_csv(path, index=False)
    return folder


def every_date_invalid(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{"Date Start": "not a date"})


def every_customer_id_invalid(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{"Customer Id": "x" + frame["Customer Id"]})


def first_row_repeated(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame.iloc[[0]]] * len(frame), ignore_index=True)


class TestTheShrinkGuard:
    @pytest.mark.parametrize(
        ("sheet", "change", "named"),
        [
            ("interactions", every_date_invalid, "interactions"),
            ("customers", every_customer_id_invalid, "customers"),
            ("interactions", first_row_repeated, "interactions"),
        ],
    )
    def test_a_bad_export_is_refused_in_one_line_and_changes_nothing(
        self, tmp_path, database_url, insights, sheet, change, named
    ):
        ingest_bundled_sample(database_url)
        before = query(database_url, CHECKSUM)
        result = insights("ingest", str(altered_sample(tmp_path / "bad", sheet, change)))
        assert result.exit_code == 2
        (line,) = [line for line in result.output.splitlines() if line.startswith("insights:")]
        assert line.startswith("insights: error: refusing to load") and named in line
        assert "--allow-shrink" in line
        assert query(database_url, CHECKSUM) == before
        assert run_statuses(database_url) == ["succeeded", "failed"]

    def test_allow_shrink_loads_it_anyway(self, tmp_path, database_url, insights):
        ingest_bundled_sample(database_url)
        folder = altered_sample(tmp_path / "bad", "interactions", first_row_repeated)
        result = insights("ingest", str(folder), "--allow-shrink")
        assert result.exit_code == 0, result.output
        assert query(database_url, "SELECT count(*) FROM insights.interactions") == [(1,)]

    def test_the_allowed_share_is_a_parameter(self, tmp_path, database_url):
        ingest_bundled_sample(database_url)
        (before,) = query(database_url, "SELECT count(*) FROM insights.customers")[0]
        keep_half = lambda frame: frame.iloc[: len(frame) // 2]  # noqa: E731
        folder = altered_sample(tmp_path / "half", "customers", keep_half)
        engine = build_engine(database_url)
        repository = PostgresIngestionRepository(engine)
        ingest(read_source(folder), repository, max_shrink=0.6)
        engine.dispose()
        (after,) = query(database_url, "SELECT count(*) FROM insights.customers")[0]
        # Past the default 20%, within the 60% asked for.
        assert before * 0.4 <= after < before * 0.8

    def test_a_quarantine_heavy_load_says_so(self, tmp_path, database_url, insights):
        def most_dates_invalid(frame):
            dates = ["bad"] * (len(frame) - 5) + ["01/01/2020 09:00"] * 5
            return frame.assign(**{"Date Start": dates})

        folder = altered_sample(tmp_path / "heavy", "interactions", most_dates_invalid)
        result = insights("ingest", str(folder))
        assert result.exit_code == 0, result.output
        assert "of the interactions rows were quarantined" in result.output


def _env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "LOG_FORMAT": "json"}


def _wait_for(condition, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
class TestACrashedLoad:
    @pytest.fixture
    def killed_mid_load(self, tmp_path, database_url) -> str:
        """Load the sample, then SIGKILL a second load while it copies rows; return the checksum."""
        ingest_bundled_sample(database_url)
        before = query(database_url, CHECKSUM)
        big = tmp_path / "big"
        synthetic.write_dataset(synthetic.generate_dataset(20_000, 200_000, seed=5), big, "csv")
        loader = subprocess.Popen(
            [str(BIN / "insights"), "ingest", str(big)],
            env=_env(database_url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        copying = (  # this test's database only: other databases on the server may load too
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'COPY%%'"
        )
        try:
            _wait_for(lambda: query(database_url, copying) != [(0,)])
            loader.send_signal(signal.SIGKILL)
        finally:
            loader.wait(timeout=30)
        # The server ends the orphaned session (and frees its locks) once it notices.
        _wait_for(lambda: query(database_url, copying) == [(0,)])
        return before

    def test_the_data_is_unchanged_and_the_run_is_left_running(self, database_url, killed_mid_load):
        assert query(database_url, CHECKSUM) == killed_mid_load
        assert run_statuses(database_url) == ["succeeded", "running"]

    def test_the_next_load_marks_it_abandoned(self, database_url, insights, killed_mid_load):
        result = insights("ingest", str(BUNDLED_CSV), "--force")
        assert result.exit_code == 0, result.output
        assert run_statuses(database_url) == ["succeeded", "abandoned", "succeeded"]
        (error,) = query(database_url, "SELECT error FROM insights.ingestion_runs WHERE id = 2")[0]
        assert "ended without finishing" in error

    def test_the_next_start_up_marks_it_abandoned(self, database_url, app, killed_mid_load):
        with app.app_context():
            prepare_to_serve(repositories(), known_migrations())
        assert run_statuses(database_url) == ["succeeded", "abandoned"]

    def test_a_running_run_whose_process_lives_is_not_abandoned(self, database_url, app):
        ingest_bundled_sample(database_url)
        repository = app.extensions["insights"]["repositories"].ingestion
        source = read_source(BUNDLED_CSV)
        started = NewRun(source.name, source.kind, source.checksum, datetime.now(UTC))
        with repository.begin_run(started) as run_id:
            assert repository.mark_abandoned_runs() == []
            assert query(
                database_url, "SELECT status FROM insights.ingestion_runs WHERE id = %s", (run_id,)
            ) == [("running",)]


@pytest.mark.slow
class TestConcurrentLoads:
    def test_the_last_started_load_wins_even_if_it_is_ready_first(self, tmp_path, database_url):
        first, second = tmp_path / "first", tmp_path / "second"
        # The first export takes seconds to clean; the second is ready almost at once.
        synthetic.write_dataset(synthetic.generate_dataset(5_000, 60_000, seed=1), first, "csv")
        synthetic.write_dataset(synthetic.generate_dataset(50, 400, seed=2), second, "csv")
        engine = build_engine(database_url)
        repository = PostgresIngestionRepository(engine, lock_timeout_s=120)
        errors: list[Exception] = []

        def load(source) -> None:
            try:
                ingest(source, repository, max_shrink=None)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=load, args=(read_source(first),))]
        threads[0].start()
        _wait_for(lambda: run_statuses(database_url) == ["running"])
        threads.append(threading.Thread(target=load, args=(read_source(second),)))
        threads[1].start()
        for thread in threads:
            thread.join()
        engine.dispose()
        assert errors == []
        finished = query(
            database_url, "SELECT id, status FROM insights.ingestion_runs ORDER BY finished_at"
        )
        assert finished == [(1, "succeeded"), (2, "succeeded")]
        second_count = len(read_source(second).sheets["interactions"])
        (stored,) = query(database_url, "SELECT count(*) FROM insights.interactions")[0]
        assert 0 < stored <= second_count
