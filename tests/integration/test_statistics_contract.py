"""One contract, two implementations: the in-memory repository must behave like PostgreSQL's."""

import pytest

from repository.engine import build_engine
from repository.errors import NotFound
from repository.statistics import LEGACY_TABLES, PostgresStatisticsRepository
from tests.fakes import InMemoryStatisticsRepository
from tests.support import seed_brief_rows

# Clean rows per name from tests/data/legacy_rows.sql (no row of it is defective).
SEEDED = {"customers": 4, "interactions": 4, "products": 5}


@pytest.fixture(params=["memory", "postgres"])
def seeded_statistics(request):
    if request.param == "memory":
        yield InMemoryStatisticsRepository({t: [object()] * n for t, n in SEEDED.items()})
        return
    url = request.getfixturevalue("database_url")
    seed_brief_rows(url)
    engine = build_engine(url)
    yield PostgresStatisticsRepository(engine)
    engine.dispose()


class TestStatisticsContract:
    @pytest.mark.parametrize("table", LEGACY_TABLES)
    def test_count_rows_counts_every_row(self, seeded_statistics, table):
        assert seeded_statistics.count_rows(table) == SEEDED[table]

    @pytest.mark.parametrize("table", ["orders", "", "pg_class", "customers "])
    def test_an_unknown_table_raises_not_found(self, seeded_statistics, table):
        with pytest.raises(NotFound, match="unknown table"):
            seeded_statistics.count_rows(table)
