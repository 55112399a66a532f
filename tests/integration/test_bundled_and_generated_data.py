"""The bundled sample export and a generated 100,000-row workbook ingest completely."""

from pathlib import Path

import pytest

from pipelines.ingestion import synthetic
from tests.support import query

DATA = Path(__file__).resolve().parents[2] / "artifacts" / "data"
CLEAN_TABLES = ("customers", "interactions", "product_months")


def accounted_rows(url: str) -> dict[str, int]:
    """Clean + quarantined rows per sheet of the latest run, counted straight from the tables."""
    clean = [query(url, f"SELECT count(*) FROM insights.{t}")[0][0] for t in CLEAN_TABLES]
    held = dict(
        query(
            url,
            "SELECT sheet, count(*) FROM insights.quarantine WHERE run_id = "
            "(SELECT max(id) FROM insights.ingestion_runs) GROUP BY sheet",
        )
    )
    sheets = ("customers", "interactions", "products")
    return {sheet: n + held.get(sheet, 0) for sheet, n in zip(sheets, clean, strict=True)}


def clean_content(url: str) -> dict[str, list[tuple]]:
    return {
        "customers": query(
            url, "SELECT customer_id, occupation, customer_type FROM insights.customers ORDER BY 1"
        ),
        "interactions": query(
            url,
            "SELECT occurred_at, customer_id, channel, topic, sentiment FROM insights.interactions "
            "ORDER BY 1, 2, 3, 4, 5",
        ),
        "products": query(
            url,
            "SELECT pm.month, p.name FROM insights.product_months pm "
            "JOIN insights.products p ON p.id = pm.product_id ORDER BY 1",
        ),
        "quarantine": query(
            url,
            "SELECT sheet, source_row, reason FROM insights.quarantine WHERE run_id = "
            "(SELECT max(id) FROM insights.ingestion_runs) ORDER BY 1, 2",
        ),
    }


class TestBundledSample:
    def test_the_workbook_ingests_with_every_row_accounted_for(self, insights, database_url):
        result = insights("ingest", str(DATA / "sample_export.xlsx"))
        assert result.exit_code == 0, result.output
        frames = synthetic.generate_dataset(40, 400, 2019, include_brief_examples=True)
        assert accounted_rows(database_url) == {
            "customers": len(frames["customers"]),
            "interactions": len(frames["interactions"]),
            "products": len(frames["products"]),
        }

    def test_the_briefs_example_rows_are_there(self, insights, database_url):
        insights("ingest", str(DATA / "sample_export.xlsx"))
        assert query(
            database_url,
            "SELECT occupation FROM insights.customers WHERE customer_id <= 4 ORDER BY 1",
        ) == [("Batman",), ("Jedi",), ("Mover",), ("Santa Claus",)]
        assert query(
            database_url,
            "SELECT channel FROM insights.interactions WHERE customer_id = 4 ORDER BY occurred_at",
        )[:2] == [("Call",), ("Bird",)]

    def test_its_csv_form_gives_the_same_clean_data(self, insights, database_url, database_server):
        insights("ingest", str(DATA / "sample_export.xlsx"))
        from_workbook = clean_content(database_url)
        insights("ingest", str(DATA / "sample_export_csv"))
        assert clean_content(database_url) == from_workbook


@pytest.mark.slow
def test_a_generated_100000_row_workbook_ingests(tmp_path, insights, database_url):
    frames = synthetic.generate_dataset(10_000, 100_000, seed=11)
    (path,) = synthetic.write_dataset(frames, tmp_path / "generated.xlsx", "xlsx")
    result = insights("ingest", str(path))
    assert result.exit_code == 0, result.output
    assert accounted_rows(database_url) == {sheet: len(frame) for sheet, frame in frames.items()}
    rollup_total = query(
        database_url, "SELECT sum(interactions) FROM insights.interaction_monthly_rollup"
    )
    assert rollup_total == query(database_url, "SELECT count(*) FROM insights.interactions")
