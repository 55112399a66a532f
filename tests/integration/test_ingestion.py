"""Ingestion end to end: workbook or CSV in, clean tables and quarantine out, nothing lost."""

import json
import threading

import pandas as pd
import psycopg
import pytest

from pipelines.ingestion import ingest
from pipelines.ingestion.sources import read_source
from repository.engine import build_engine, libpq_url
from repository.ingestion import (
    INGESTION_LOCK_KEY,
    IngestionBusy,
    PostgresIngestionRepository,
    interactions_fill,
)
from tests.support import TEST_DATA, query, run_sql_file
from tests.unit.test_sources import write_csv_folder, write_workbook

# A small export with one defect of each kind; the expected outcome of every row is
# written out by hand from the cleaning policy, not taken from the code.
CUSTOMERS = pd.DataFrame(
    [
        [" 1 ", "Jedi", "RED"],  # row 2: kept, type Red
        ["2", "Batman", "Orange"],  # row 3
        ["3.0", "Santa Claus", "blue"],  # row 4: kept as 3, type Blue
        ["12in", "Mover", "Orange"],  # row 5: invalid_customer_id
        ["2", "Batman", "Orange"],  # row 6: duplicate_row
        ["2", "Robin", "Orange"],  # row 7: conflicting_duplicate
    ],
    columns=["Customer Id", "Occupation", "Type"],
)
INTERACTIONS = pd.DataFrame(
    [
        ["04/10/2019 09:00", "Email", "1", "Drug Interaction Concerns", "Negative"],  # 2
        ["11/02/2020 16:10", "phone", "2", "side effects  discussion", "positive"],  # 3: Call
        ["05/03/2020 11:23", "bird", "4", "Drug Efficacy", "Mixed"],  # 4: customer 4 unknown
        ["31/02/2020 10:00", "Call", "1", "Drug Efficacy", "Neutral"],  # 5: invalid_date
        ["11/02/2020 16:24", "Call", "abc", "Prescription Guidelines", "Positive"],  # 6: bad id
        ["04/10/2019 09:00", "e-mail", "1", "drug interaction concerns", "NEGATIVE"],  # 7: dup of 2
        ["2019-01-15 08:00", "Post", "3", "", ""],  # 8: ISO date, no topic/sentiment
    ],
    columns=["Date Start", "Interaction", "Customers", "Topic", "Sentiment"],
)
PRODUCTS = pd.DataFrame(
    [
        ["01-2019", "sand"],  # 2: Sand
        ["10-2019", "Glass"],  # 3
        ["2020-02", "Sand"],  # 4
        ["13-2021", "Sand"],  # 5: invalid_month
        ["10-2019", "Glass"],  # 6: duplicate_row
    ],
    columns=["Date", "Product"],
)
EXPECTED_QUARANTINE = {
    ("customers", 5, "invalid_customer_id"),
    ("customers", 6, "duplicate_row"),
    ("customers", 7, "conflicting_duplicate"),
    ("interactions", 5, "invalid_date"),
    ("interactions", 6, "invalid_customer_id"),
    ("interactions", 7, "duplicate_row"),
    ("products", 5, "invalid_month"),
    ("products", 6, "duplicate_row"),
}
SOURCE_ROWS = {"customers": 6, "interactions": 7, "products": 5}
DATA_TABLES = (
    "customers",
    "interactions",
    "products",
    "product_months",
    "interaction_monthly_rollup",
    "interaction_daily_product_type",
)


def export(tmp_path, name="export.xlsx", customers=CUSTOMERS, interactions=INTERACTIONS):
    sheets = {
        "Customers": customers,
        "External interactions": interactions,
        "Products of discussion": PRODUCTS,
    }
    return write_workbook(tmp_path / name, sheets)


def snapshot(url: str) -> dict[str, list[tuple]]:
    return {t: sorted(query(url, f"SELECT * FROM insights.{t}"), key=repr) for t in DATA_TABLES}


@pytest.fixture(params=["direct", "staged"])
def reload_path(request, monkeypatch):
    """A reload COPYs its rows straight in, ids looked up in pandas (kept_ids.py), or, with
    too many label combinations for that, stages them and joins on the server."""
    if request.param == "staged":
        monkeypatch.setattr(interactions_fill, "_MAX_DIRECT_COMBINATIONS", 0)
    return request.param


@pytest.fixture
def ingestion_repository(database_url):
    engine = build_engine(database_url)
    yield PostgresIngestionRepository(engine, lock_timeout_s=1)
    engine.dispose()


class TestIngestingAWorkbook:
    def test_every_source_row_is_clean_or_quarantined_with_its_reason(
        self, tmp_path, insights, database_url
    ):
        result = insights("ingest", str(export(tmp_path)))
        assert result.exit_code == 0, result.output

        quarantined = set(
            query(database_url, "SELECT sheet, source_row, reason FROM insights.quarantine")
        )
        assert quarantined == EXPECTED_QUARANTINE
        clean = {
            "customers": query(database_url, "SELECT count(*) FROM insights.customers")[0][0],
            "interactions": query(database_url, "SELECT count(*) FROM insights.interactions")[0][0],
            "products": query(database_url, "SELECT count(*) FROM insights.product_months")[0][0],
        }
        for sheet, source_rows in SOURCE_ROWS.items():
            held = sum(1 for q in quarantined if q[0] == sheet)
            assert clean[sheet] + held == source_rows, sheet

    def test_clean_values_follow_the_policy(self, tmp_path, insights, database_url):
        insights("ingest", str(export(tmp_path)))
        assert query(
            database_url,
            "SELECT customer_id, occupation, customer_type FROM insights.customers ORDER BY 1",
        ) == [(1, "Jedi", "Red"), (2, "Batman", "Orange"), (3, "Santa Claus", "Blue")]
        rows = query(
            database_url,
            "SELECT to_char(occurred_at, 'YYYY-MM-DD HH24:MI'), customer_id, channel, topic, "
            "sentiment "
            "FROM insights.interactions ORDER BY occurred_at",
        )
        assert rows == [
            ("2019-01-15 08:00", 3, "Post", None, None),
            ("2019-10-04 09:00", 1, "Email", "Drug Interaction Concerns", "Negative"),
            ("2020-02-11 16:10", 2, "Call", "Side Effects Discussion", "Positive"),
            ("2020-03-05 11:23", 4, "Bird", "Drug Efficacy", None),
        ]

    def test_each_interaction_gets_its_months_product_or_unknown(
        self, tmp_path, insights, database_url
    ):
        insights("ingest", str(export(tmp_path)))
        products = query(
            database_url,
            "SELECT customer_id, product FROM insights.interaction_facts ORDER BY occurred_at",
        )
        assert products == [(3, "Sand"), (1, "Glass"), (2, "Sand"), (4, "Unknown")]

    def test_the_rollup_counts_every_clean_interaction(self, tmp_path, insights, database_url):
        insights("ingest", str(export(tmp_path)))
        rollup = query(
            database_url,
            "SELECT product, customer_type, sum(interactions)::int "
            "FROM insights.interaction_monthly_rollup "
            "GROUP BY 1, 2 ORDER BY 1, 2",
        )
        # Customer 4 is not in the customers sheet: type Unknown.
        assert rollup == [
            ("Glass", "Red", 1),
            ("Sand", "Blue", 1),
            ("Sand", "Orange", 1),
            ("Unknown", "Unknown", 1),
        ]

    def test_quarantine_keeps_the_original_values(self, tmp_path, insights, database_url):
        insights("ingest", str(export(tmp_path)))
        (original,) = query(
            database_url,
            "SELECT original FROM insights.quarantine "
            "WHERE sheet = 'interactions' AND source_row = 5",
        )[0]
        assert original["date_start"] == "31/02/2020 10:00"
        assert original["customer_id"] == "1"

    def test_repairs_are_logged_with_the_original_value(self, tmp_path, insights, database_url):
        insights("ingest", str(export(tmp_path)))
        repairs = query(
            database_url,
            "SELECT column_name, original_value, cleaned_value, rule "
            "FROM insights.data_quality_log",
        )
        assert ("sentiment", "Mixed", None, "unrecognised_sentiment") in repairs
        assert ("channel", "phone", "Call", "synonym") in repairs

    def test_the_report_is_printed_and_written_as_json(self, tmp_path, insights, database_url):
        report_path = tmp_path / "report.json"
        result = insights("ingest", str(export(tmp_path)), "--report-json", str(report_path))
        report = json.loads(report_path.read_text())
        (run_id,) = query(database_url, "SELECT id FROM insights.ingestion_runs")[0]
        assert report["status"] == "succeeded" and report["run_id"] == run_id
        assert report["sheets"]["interactions"] == {
            "source_rows": 7,
            "clean_rows": 4,
            "quarantined_rows": 3,
            "quarantined_share": round(3 / 7, 4),
            "quarantined_by_reason": {
                "duplicate_row": 1,
                "invalid_customer_id": 1,
                "invalid_date": 1,
            },
        }
        assert f"ingestion run {run_id}" in result.output
        assert "interactions" in result.output and "invalid_date 1" in result.output

    def test_the_run_is_recorded_with_its_lineage(self, tmp_path, insights, database_url):
        path = export(tmp_path)
        insights("ingest", str(path))
        (run_id, name, kind, status, sheets) = query(
            database_url,
            "SELECT id, source_name, source_kind, status, counts->'sheets' "
            "FROM insights.ingestion_runs",
        )[0]
        assert (name, kind, status) == (str(path), "xlsx", "succeeded")
        assert sheets["customers"]["source_rows"] == 6
        lineage = query(
            database_url, "SELECT DISTINCT run_id, source_sheet FROM insights.interactions"
        )
        assert lineage == [(run_id, "interactions")]
        rows = query(database_url, "SELECT source_row FROM insights.interactions ORDER BY 1")
        assert [r[0] for r in rows] == [2, 3, 4, 8]


class TestReingesting:
    def test_the_same_file_again_changes_nothing(self, tmp_path, insights, database_url):
        path = export(tmp_path)
        insights("ingest", str(path))
        before = snapshot(database_url)
        again = insights("ingest", str(path))
        assert again.exit_code == 0 and "unchanged" in again.output
        assert snapshot(database_url) == before
        assert query(database_url, "SELECT count(*) FROM insights.ingestion_runs")[0][0] == 1

    def test_forcing_the_same_file_keeps_ids_and_duplicates_nothing(
        self, tmp_path, insights, database_url, reload_path
    ):
        path = export(tmp_path)
        insights("ingest", str(path))
        ids = query(database_url, "SELECT id, occurred_at FROM insights.interactions ORDER BY 1")
        assert insights("ingest", str(path), "--force").exit_code == 0
        assert (
            query(database_url, "SELECT id, occurred_at FROM insights.interactions ORDER BY 1")
            == ids
        )

    def test_a_first_load_numbers_the_interactions_in_source_row_order(
        self, tmp_path, insights, database_url
    ):
        # A first load COPYs its rows straight into the new version, grouped by labels.
        insights("ingest", str(export(tmp_path)))
        rows = query(database_url, "SELECT id FROM insights.interactions ORDER BY source_row")
        ids = [i for (i,) in rows]
        assert len(ids) == 4 and ids == list(range(ids[0], ids[0] + 4))

    def test_a_newer_export_replaces_the_data_and_keeps_ids_stable(
        self, tmp_path, insights, database_url, reload_path
    ):
        insights("ingest", str(export(tmp_path)))
        old = dict(query(database_url, "SELECT source_row, id FROM insights.interactions"))
        newer_interactions = INTERACTIONS.drop(index=[1]).reset_index(drop=True)  # drop row 3
        newer_customers = CUSTOMERS.copy()
        newer_customers.loc[0, "Occupation"] = "Jedi Master"
        newer = export(tmp_path, "newer.xlsx", newer_customers, newer_interactions)
        # One interaction of four goes: past the default shrink guard, on purpose.
        result = insights("ingest", str(newer), "--allow-shrink")
        assert result.exit_code == 0, result.output

        kept = query(
            database_url,
            "SELECT id, customer_id FROM insights.interactions ORDER BY occurred_at",
        )
        assert [c for _, c in kept] == [3, 1, 4]
        assert {i for i, _ in kept} == {old[8], old[2], old[4]}
        assert query(
            database_url, "SELECT occupation FROM insights.customers WHERE customer_id = 1"
        ) == [("Jedi Master",)]
        total = query(
            database_url, "SELECT sum(interactions) FROM insights.interaction_monthly_rollup"
        )
        assert total == [(3,)]

    def test_only_an_identical_natural_key_keeps_its_id(
        self, tmp_path, insights, database_url, reload_path
    ):
        insights("ingest", str(export(tmp_path)))
        old = dict(query(database_url, "SELECT source_row, id FROM insights.interactions"))
        newer = INTERACTIONS.copy()
        newer.loc[1, "Topic"] = "Drug Efficacy"  # row 3: another topic, so another key
        newer.loc[[0, 5], "Sentiment"] = ""  # row 2 (and 7, its duplicate): NULL sentiment
        newer.loc[6, "Interaction"] = "Email"  # row 8: another channel
        path = export(tmp_path, "newer.xlsx", interactions=newer)
        assert insights("ingest", str(path)).exit_code == 0
        new = dict(query(database_url, "SELECT source_row, id FROM insights.interactions"))
        assert set(new) == set(old) == {2, 3, 4, 8}
        assert new[4] == old[4]  # the same key (its sentiment NULL both times): kept
        changed = [new[row] for row in (2, 3, 8)]
        assert not set(changed) & set(old.values())  # fresh ids, none reused
        assert len(set(new.values())) == 4

    def test_rows_with_labels_no_longer_used_let_go_of_their_ids(
        self, tmp_path, insights, database_url, reload_path
    ):
        # Two stored rows alike but for channels the newer export no longer uses.
        gone = pd.DataFrame(
            [["01/01/2021 10:00", channel, "1", "Drug Efficacy", "Neutral"]
             for channel in ("Fax", "Telex")],
            columns=INTERACTIONS.columns,
        )  # fmt: skip
        insights("ingest", str(export(tmp_path, interactions=pd.concat([INTERACTIONS, gone]))))
        old = dict(query(database_url, "SELECT source_row, id FROM insights.interactions"))
        result = insights("ingest", str(export(tmp_path, "newer.xlsx")), "--allow-shrink")
        assert result.exit_code == 0, result.output
        new = dict(query(database_url, "SELECT source_row, id FROM insights.interactions"))
        assert new == {row: old[row] for row in (2, 3, 4, 8)}


# The indexes of a loaded version's partitions, whatever step builds them ({n}: partition).
SERVED_INDEXES = {
    "customers": {
        "{n}_pkey": "UNIQUE INDEX {n}_pkey ON insights.{n} USING btree (customer_id)",
        "{n}_type": "INDEX {n}_type ON insights.{n} USING btree (customer_type)",
    },
    "interactions": {
        "{n}_id": "UNIQUE INDEX {n}_id ON insights.{n} USING btree (id)",
        "{n}_natural_key": "UNIQUE INDEX {n}_natural_key ON insights.{n} USING btree "
        "(occurred_at, customer_id, COALESCE(channel, ''::text), COALESCE(topic, ''::text), "
        "COALESCE(sentiment, ''::text))",
        "{n}_customer_time": "INDEX {n}_customer_time ON insights.{n} USING btree "
        "(customer_id, occurred_at)",
    },
}


def served_indexes(url: str, table: str) -> dict[str, str]:
    """Return the served version's partition indexes of ``table``, named as {n}."""
    (version,) = query(url, "SELECT version FROM insights.data_version")[0]
    partition = f"{table}_v{version}"
    rows = query(
        url, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'insights' "
        "AND tablename = %s", (partition,),
    )  # fmt: skip
    return {
        name.replace(partition, "{n}"): definition.replace("CREATE ", "").replace(partition, "{n}")
        for name, definition in rows
    }


class TestServedIndexes:
    @pytest.mark.parametrize("loads", [1, 2])  # a first load COPYs straight in, a reload stages
    def test_every_loaded_partition_has_its_indexes(
        self, tmp_path, insights, database_url, loads, reload_path
    ):
        path = export(tmp_path)
        for _ in range(loads):
            assert insights("ingest", str(path), "--force").exit_code == 0
        for table, expected in SERVED_INDEXES.items():
            assert served_indexes(database_url, table) == expected, table


class FailingRollup(PostgresIngestionRepository):
    def _replace_rollups(self, connection, rollups, version):
        raise RuntimeError("injected failure after the merges")


class TestAtomicity:
    def test_a_failure_midway_leaves_the_data_as_it_was(self, tmp_path, database_url, insights):
        insights("ingest", str(export(tmp_path)))
        before = snapshot(database_url)
        engine = build_engine(database_url)
        newer = export(tmp_path, "newer.xlsx", interactions=INTERACTIONS.iloc[:2])
        with pytest.raises(RuntimeError, match="injected"):
            ingest(read_source(newer), FailingRollup(engine), max_shrink=None)
        engine.dispose()
        assert snapshot(database_url) == before
        runs = query(database_url, "SELECT status, error FROM insights.ingestion_runs ORDER BY id")
        assert [r[0] for r in runs] == ["succeeded", "failed"]
        assert "injected failure" in runs[1][1]

    def test_a_second_run_waits_for_the_lock_then_gives_up_clearly(
        self, tmp_path, database_url, ingestion_repository
    ):
        source = read_source(export(tmp_path))
        with psycopg.connect(libpq_url(database_url)) as holder:
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (INGESTION_LOCK_KEY,))
            with pytest.raises(IngestionBusy, match="another ingestion is running"):
                ingest(source, ingestion_repository)
        assert query(database_url, "SELECT count(*) FROM insights.interactions") == [(0,)]

    def test_concurrent_runs_do_not_interleave(self, tmp_path, database_url):
        sources = [read_source(export(tmp_path, f"e{i}.xlsx")) for i in range(2)]
        engine = build_engine(database_url)
        repository = PostgresIngestionRepository(engine, lock_timeout_s=60)
        errors = []

        def run(source):
            try:
                ingest(source, repository, force=True)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=run, args=(s,)) for s in sources]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        engine.dispose()
        assert errors == []
        assert query(database_url, "SELECT count(*) FROM insights.interactions") == [(4,)]
        assert query(
            database_url, "SELECT count(*) FROM insights.ingestion_runs WHERE status = 'succeeded'"
        ) == [(2,)]


class TestOtherSources:
    def test_a_csv_folder_ingests_like_the_workbook(self, tmp_path, insights, database_url):
        folder = write_csv_folder(
            tmp_path / "csv",
            {
                "customers.csv": CUSTOMERS,
                "interactions.csv": INTERACTIONS,
                "products.csv": PRODUCTS,
            },
            bom=True,
        )
        assert insights("ingest", str(folder)).exit_code == 0
        quarantined = set(
            query(database_url, "SELECT sheet, source_row, reason FROM insights.quarantine")
        )
        assert quarantined == EXPECTED_QUARANTINE

    def test_the_legacy_tables_are_cleaned_in_place(self, insights, database_url):
        run_sql_file(database_url, TEST_DATA / "legacy_rows.sql")
        result = insights("ingest", "--from-legacy-tables")
        assert result.exit_code == 0, result.output
        assert query(database_url, "SELECT count(*) FROM insights.customers") == [(4,)]
        # Customer 5 has interactions but no customer row: kept, counted as Unknown.
        assert query(
            database_url,
            "SELECT customer_type, sum(interactions)::int FROM insights.interaction_monthly_rollup "
            "GROUP BY 1 ORDER BY 1",
        ) == [("Orange", 2), ("Red", 1), ("Unknown", 1)]
        assert query(database_url, "SELECT source_kind FROM insights.ingestion_runs") == [
            ("legacy_tables",)
        ]


class TestBadInputChangesNothing:
    @pytest.mark.parametrize(
        ("make_path", "message"),
        [
            (lambda tmp: tmp / "missing.xlsx", "no such file or folder"),
            (
                lambda tmp: (tmp / "text.xlsx", (tmp / "text.xlsx").write_text("hello"))[0],
                "not an Excel workbook",
            ),
            (
                lambda tmp: write_workbook(
                    tmp / "two.xlsx", {"Customers": CUSTOMERS, "Products": PRODUCTS}
                ),
                "no sheet 'External interactions'",
            ),
            (
                lambda tmp: export(tmp, interactions=INTERACTIONS.drop(columns=["Customers"])),
                "missing column customer_id",
            ),
            (lambda tmp: export(tmp, customers=CUSTOMERS.iloc[:0]), "no data rows"),
        ],
    )
    def test_one_line_exit_2_and_no_run(self, tmp_path, insights, database_url, make_path, message):
        result = insights("ingest", str(make_path(tmp_path)))
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1
        assert message in result.output
        assert query(database_url, "SELECT count(*) FROM insights.ingestion_runs") == [(0,)]

    def test_path_and_legacy_flag_together_are_refused(self, tmp_path, insights):
        result = insights("ingest", str(export(tmp_path)), "--from-legacy-tables")
        assert result.exit_code == 2 and "not both" in result.output
