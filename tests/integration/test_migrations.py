"""Migrations against a real server: legacy adoption, status, round trips, refusal to serve."""

import pytest

from repository.migrations import migration_ids
from tests.support import (
    MIGRATIONS_DIR,
    TEST_DATA,
    CommandLine,
    client_with_key,
    make_app,
    query,
    run_sql_file,
)

LEGACY_TABLES = ("customers", "interactions", "products")
# The job queue's tables (migration 0014, procrastinate's own schema), beside the legacy ones.
QUEUE_TABLES = ("procrastinate_events", "procrastinate_jobs", "procrastinate_periodic_defers",
                "procrastinate_workers")  # fmt: skip
ALL_MIGRATIONS = migration_ids(MIGRATIONS_DIR)


def _all_rows(url: str) -> dict[str, list[tuple]]:
    return {t: sorted(query(url, f"SELECT * FROM {t}"), key=repr) for t in LEGACY_TABLES}


def _columns(url: str) -> list[tuple]:
    return query(
        url,
        "SELECT table_schema, table_name, column_name, data_type, character_maximum_length, "
        "is_nullable FROM information_schema.columns "
        "WHERE table_schema IN ('public', 'insights') AND table_name NOT LIKE '%%yoyo%%' "
        "ORDER BY 1, 2, 3",
    )


def _schema(url: str) -> tuple[list[tuple], list[tuple]]:
    """Return the columns and the constraints of our schemas: what a migration changes."""
    constraints = query(
        url,
        "SELECT n.nspname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint AS c "
        "JOIN pg_namespace AS n ON n.oid = c.connamespace "
        "WHERE n.nspname IN ('public', 'insights') ORDER BY 1, 2",
    )
    return _columns(url), constraints


def _tables(url: str, schema: str = "public") -> set[str]:
    return {row[1] for row in _columns(url) if row[0] == schema} - {"yoyo_lock"}


@pytest.fixture
def legacy_database_url(empty_database_url: str) -> str:
    run_sql_file(empty_database_url, TEST_DATA / "legacy_schema.sql")
    run_sql_file(empty_database_url, TEST_DATA / "legacy_rows.sql")
    return empty_database_url


@pytest.fixture
def insights_on(request):
    """Return a CLI runner bound to a database URL; apps are closed after the test."""
    apps = []

    def bind(url: str) -> CommandLine:
        app = make_app(url)
        apps.append(app)
        return CommandLine(app)

    yield bind
    for app in apps:
        app.extensions["insights"]["repositories"].close()


class TestUpgradingALegacyDatabase:
    def test_every_legacy_row_survives_the_upgrade(self, legacy_database_url, insights_on):
        before = _all_rows(legacy_database_url)
        assert sum(len(rows) for rows in before.values()) == 13

        result = insights_on(legacy_database_url)("db", "upgrade")

        assert result.exit_code == 0, result.output
        assert "applied 0001_legacy_schema" in result.output
        assert _all_rows(legacy_database_url) == before

    def test_the_adopted_rows_clean_into_the_served_counts(self, legacy_database_url, insights_on):
        insights = insights_on(legacy_database_url)
        insights("db", "upgrade")
        assert insights("ingest", "--from-legacy-tables").exit_code == 0
        client = client_with_key(insights.app)
        assert client.get("/api/v1/stats/interactions").get_json()["rows"] == 4
        assert client.get("/api/v1/stats/customers").get_json()["rows"] == 4


class TestStatusUpgradeDowngrade:
    def test_status_lists_pending_then_applied(self, empty_database_url, insights_on):
        insights = insights_on(empty_database_url)
        before = insights("db", "status")
        assert before.exit_code == 0
        assert "pending  0001_legacy_schema" in before.output
        assert "0 applied" in before.output

        assert insights("db", "upgrade").exit_code == 0
        after = insights("db", "status")
        assert "applied  0001_legacy_schema" in after.output
        assert ", 0 pending" in after.output

    def test_upgrading_twice_applies_nothing_the_second_time(self, empty_database_url, insights_on):
        insights = insights_on(empty_database_url)
        insights("db", "upgrade")
        second = insights("db", "upgrade")
        assert second.exit_code == 0
        assert "(0 applied now)" in second.output

    def test_downgrade_then_upgrade_round_trips_the_schema(self, empty_database_url, insights_on):
        insights = insights_on(empty_database_url)
        insights("db", "upgrade")
        schema = _schema(empty_database_url)

        down = insights("db", "downgrade", "--yes")
        assert down.exit_code == 0, down.output
        assert f"rolled back {ALL_MIGRATIONS[-1]}" in down.output
        assert _schema(empty_database_url) != schema

        assert insights("db", "upgrade").exit_code == 0
        assert _schema(empty_database_url) == schema

    def test_downgrading_every_migration_leaves_no_tables(self, empty_database_url, insights_on):
        insights = insights_on(empty_database_url)
        insights("db", "upgrade")
        assert _tables(empty_database_url) == {*LEGACY_TABLES, *QUEUE_TABLES}
        for migration_id in reversed(ALL_MIGRATIONS):
            assert f"rolled back {migration_id}" in insights("db", "downgrade", "--yes").output
        assert _columns(empty_database_url) == []
        leftovers = query(empty_database_url, "SELECT proname FROM pg_proc WHERE proname LIKE "
                          "'procrastinate%%' UNION ALL SELECT typname FROM pg_type "
                          "WHERE typname LIKE '%%procrastinate%%'")  # fmt: skip
        assert leftovers == []

    def test_downgrade_with_nothing_applied_says_so(self, empty_database_url, insights_on):
        result = insights_on(empty_database_url)("db", "downgrade", "--yes")
        assert result.exit_code == 0
        assert "nothing to roll back" in result.output

    def test_downgrade_without_yes_off_a_terminal_changes_nothing(self, database_url, insights_on):
        result = insights_on(database_url)("db", "downgrade")
        assert result.exit_code == 2
        assert result.output.strip().count("\n") == 0
        assert "--yes" in result.output
        assert _tables(database_url) == {*LEGACY_TABLES, *QUEUE_TABLES}
        assert "applied  " + ALL_MIGRATIONS[-1] in insights_on(database_url)("db", "status").output


class TestRefusingToServeWithPendingMigrations:
    def test_ready_is_503_naming_the_pending_migration(self, empty_database_url, insights_on):
        response = insights_on(empty_database_url).app.test_client().get("/health/ready")
        assert response.status_code == 503
        assert response.get_json()["checks"] == {
            "database": "ok",
            "migrations": f"{len(ALL_MIGRATIONS)} pending ({', '.join(ALL_MIGRATIONS)})",
        }

    def test_insights_run_refuses_with_one_line_and_exit_2(self, empty_database_url, insights_on):
        result = insights_on(empty_database_url)("run", "--port", "0")
        assert result.exit_code == 2
        assert "insights db upgrade" in result.output
        assert result.output.strip().count("\n") == 0
