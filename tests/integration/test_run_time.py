"""The run report's time covers the whole run, reading the source included."""

from dataclasses import replace

from pipelines.ingestion import ingest
from pipelines.ingestion.sources import read_source
from repository.engine import build_engine
from repository.ingestion import PostgresIngestionRepository
from tests.support import BUNDLED_CSV


def test_the_reported_time_includes_the_time_spent_reading(database_url):
    source = read_source(BUNDLED_CSV)
    assert source.read_seconds > 0
    # An hour of reading, as a huge workbook might take: the report must count all of it.
    slow_read = replace(source, read_seconds=3600.0)
    engine = build_engine(database_url)
    try:
        report = ingest(slow_read, PostgresIngestionRepository(engine))
    finally:
        engine.dispose()
    assert report.status == "succeeded"
    assert report.seconds >= 3600.0
