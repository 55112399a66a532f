"""The inspection and generation commands: runs list, quarantine list, generate-data."""

import hashlib

import pytest

from pipelines.ingestion import synthetic
from tests.integration.test_ingestion import export
from tests.support import BUNDLED_CSV, CommandLine, make_app, query


def _digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


class TestRunsList:
    def test_says_when_there_are_none(self, insights):
        result = insights("runs", "list")
        assert result.exit_code == 0 and "no ingestion runs yet" in result.output

    def test_lists_runs_newest_first_with_their_counts(self, tmp_path, insights, database_url):
        insights("ingest", str(export(tmp_path)))
        insights("ingest", str(export(tmp_path)), "--force")
        lines = insights("runs", "list").output.strip().splitlines()
        ids = [
            row[0]
            for row in query(
                database_url, "SELECT id FROM insights.ingestion_runs ORDER BY id DESC"
            )
        ]
        assert [int(line.split()[0]) for line in lines] == ids
        assert "succeeded" in lines[0] and "interactions=4+3q" in lines[0]


class TestQuarantineList:
    def test_shows_reason_and_original_values_of_the_latest_run(self, tmp_path, insights):
        insights("ingest", str(export(tmp_path)))
        output = insights("quarantine", "list").output
        assert "interactions:5  invalid_date" in output
        assert '"date_start": "31/02/2020 10:00"' in output
        assert len(output.strip().splitlines()) == 8

    def test_a_run_without_quarantine_says_so(self, insights):
        assert "no quarantined rows" in insights("quarantine", "list", "--run", "999").output

    def test_a_bad_run_id_is_a_usage_error(self, insights):
        assert insights("quarantine", "list", "--run", "zero").exit_code == 2


class TestGenerateData:
    def test_the_same_seed_writes_the_same_files(self, tmp_path, insights):
        for name in ("a", "b"):
            result = insights(
                "generate-data", "--customers", "30", "--interactions", "200", "--seed", "5",
                "--out", str(tmp_path / name), "--format", "csv",
            )  # fmt: skip
            assert result.exit_code == 0, result.output
        assert _digest(tmp_path / "a") == _digest(tmp_path / "b")

    def test_generated_data_ingests(self, tmp_path, insights, database_url):
        out = tmp_path / "generated.xlsx"
        insights("generate-data", "--customers", "30", "--interactions", "200", "--out", str(out))
        assert insights("ingest", str(out)).exit_code == 0
        assert query(database_url, "SELECT count(*) > 0 FROM insights.interactions") == [(True,)]

    def test_too_small_for_the_brief_examples_is_one_line_and_exit_2(self, tmp_path, insights):
        result = insights(
            "generate-data", "--customers", "2", "--interactions", "2", "--brief-examples",
            "--out", str(tmp_path / "x.xlsx"),
        )  # fmt: skip
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1


def _generate(insights, out, *extra: str):
    return insights(
        "generate-data", "--customers", "20", "--interactions", "50", "--out", str(out), *extra
    )


class TestGenerateDataKeepsExistingFiles:
    def test_an_existing_workbook_is_refused_in_one_line_and_left_as_it_was(
        self, tmp_path, insights
    ):
        out = tmp_path / "mine.xlsx"
        out.write_bytes(b"my own export")
        result = _generate(insights, out)
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1
        assert "already exists" in result.output and "--force" in result.output
        assert out.read_bytes() == b"my own export"

    def test_existing_csv_files_in_the_folder_are_refused(self, tmp_path, insights):
        (tmp_path / "set").mkdir()
        kept = tmp_path / "set" / synthetic.CSV_NAMES["customers"]
        kept.write_text("mine\n")
        result = _generate(insights, tmp_path / "set", "--format", "csv")
        assert result.exit_code == 2 and str(kept) in result.output
        assert kept.read_text() == "mine\n"

    def test_a_missing_parent_folder_is_refused_and_not_created(self, tmp_path, insights):
        result = _generate(insights, tmp_path / "typo" / "data.xlsx")
        assert result.exit_code == 2 and "does not exist" in result.output
        assert not (tmp_path / "typo").exists()

    def test_force_overwrites_and_creates_folders(self, tmp_path, insights):
        existing = tmp_path / "mine.xlsx"
        existing.write_bytes(b"old")
        assert _generate(insights, existing, "--force").exit_code == 0
        assert existing.read_bytes()[:2] == b"PK"  # an xlsx is a zip archive
        nested = tmp_path / "new" / "deeper" / "data.xlsx"
        assert _generate(insights, nested, "--force").exit_code == 0
        assert nested.is_file()


class TestIngestIfEmpty:
    def test_loads_into_an_empty_database(self, insights, database_url):
        result = insights("ingest", "--if-empty", str(BUNDLED_CSV))
        assert result.exit_code == 0, result.output
        assert query(database_url, "SELECT count(*) FROM insights.customers") != [(0,)]

    def test_leaves_data_already_loaded_alone(self, tmp_path, insights, database_url):
        other = tmp_path / "other"
        synthetic.write_dataset(synthetic.generate_dataset(60, 500, seed=4), other, "csv")
        assert insights("ingest", str(other)).exit_code == 0
        result = insights("ingest", "--if-empty", str(BUNDLED_CSV))
        assert result.exit_code == 0 and "data already loaded (run 1" in result.output
        assert [row[0] for row in query(
            database_url, "SELECT source_name FROM insights.ingestion_runs"
        )] == [str(other)]  # fmt: skip


class TestCommandsOnADatabaseWithoutMigrations:
    @pytest.fixture
    def bare_insights(self, empty_database_url):
        app = make_app(empty_database_url)
        yield CommandLine(app)
        app.extensions["insights"]["repositories"].close()

    @pytest.mark.parametrize(
        "args",
        [("ingest", str(BUNDLED_CSV)), ("ingest", "--if-empty", str(BUNDLED_CSV)),
         ("runs", "list"), ("quarantine", "list")],
    )  # fmt: skip
    def test_say_in_one_line_to_run_db_upgrade(self, bare_insights, args):
        result = bare_insights(*args)
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1
        assert "run `insights db upgrade` first" in result.output
