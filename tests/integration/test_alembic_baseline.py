"""The Alembic proposal (docs/migrations.md): its head builds the yoyo history's schema,
its autogenerate example changes exactly what it says, and a yoyo database switches over
by stamping, keeping its rows.

Schemas are compared as read from the catalog of two fresh databases: relations with
their kind and partitioning, columns, constraints, indexes, views, functions, sequences,
triggers and types, by name and definition (never by OID).
"""

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError

from repository.migrations import upgrade as yoyo_upgrade
from tests.support import MIGRATIONS_DIR, query

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "artifacts" / "alembic" / "alembic.ini"


def not_bookkeeping(name: str) -> str:
    """Return SQL true for a name that is not one of the tools' own tables, keys, sequences."""
    # Each tool's bookkeeping, which the other does not have.
    return f"{name} !~ '^(_?yoyo|alembic_version)'"


OURS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"

CATALOG = {
    "relations": f"""
        SELECT n.nspname, c.relname, c.relkind, c.relpersistence, c.relispartition,
               pg_get_partkeydef(c.oid), pg_get_expr(c.relpartbound, c.oid),
               (SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                WHERE i.inhrelid = c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {OURS} AND {not_bookkeeping("c.relname")}""",
    "columns": f"""
        SELECT n.nspname, c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
               a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
               a.attcollation
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE {OURS} AND a.attnum > 0 AND NOT a.attisdropped AND {not_bookkeeping("c.relname")}
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f')""",
    "constraints": f"""
        SELECT n.nspname, conrelid::regclass::text, conname, contype, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
        WHERE {OURS} AND {not_bookkeeping("conname")}""",
    "indexes": f"""
        SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes n_
        JOIN pg_namespace n ON n.nspname = n_.schemaname
        WHERE {OURS} AND {not_bookkeeping("tablename")}""",
    "views": f"""
        SELECT n.nspname, c.relname, pg_get_viewdef(c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {OURS} AND c.relkind IN ('v', 'm')""",
    "functions": f"""
        SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
               pg_get_functiondef(p.oid)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {OURS}""",
    "sequences": f"""
        SELECT schemaname, sequencename, data_type::text, start_value, increment_by,
               max_value, cycle
        FROM pg_sequences n_ JOIN pg_namespace n ON n.nspname = n_.schemaname
        WHERE {OURS} AND {not_bookkeeping("sequencename")}""",
    "triggers": f"""
        SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {OURS} AND NOT t.tgisinternal""",
    "types": f"""
        SELECT n.nspname, t.typname, t.typtype,
               (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
                WHERE e.enumtypid = t.oid)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE {OURS} AND {not_bookkeeping("t.typname")}
          AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0""",
    "schemas": f"SELECT n.nspname FROM pg_namespace n WHERE {OURS}",
    "extensions": "SELECT extname, extversion FROM pg_extension",
}


def catalog(url: str) -> dict[str, set[tuple]]:
    """Return the schema of the database at ``url`` as sets of catalog rows per kind."""
    return {kind: {_hashable(row) for row in query(url, sql)} for kind, sql in CATALOG.items()}


def _hashable(row: tuple) -> tuple:
    # Arrays (an enum's labels) come back as lists.
    return tuple(tuple(value) if isinstance(value, list) else value for value in row)


def alembic(url: str, section: str = "alembic") -> Config:
    """Return the Alembic configuration for ``url`` (``examples``: with the example)."""
    config = Config(str(ALEMBIC_INI), ini_section=section)
    config.attributes.update(url=url, configure_logger=False)
    return config


@pytest.fixture
def yoyo_database(empty_database_url):
    yoyo_upgrade(empty_database_url, MIGRATIONS_DIR)
    return empty_database_url


@pytest.fixture
def alembic_database(database_server):
    url = database_server.create()
    yield url
    database_server.drop(url)


def difference(left: dict[str, set[tuple]], right: dict[str, set[tuple]]) -> dict[str, set]:
    """Return, per kind, the rows in only one of the two catalogs."""
    return {kind: left[kind] ^ right[kind] for kind in left if left[kind] ^ right[kind]}


class TestTheBaseline:
    def test_upgrade_head_builds_the_yoyo_schema(self, yoyo_database, alembic_database):
        command.upgrade(alembic(alembic_database), "head")
        expected = catalog(yoyo_database)
        # Not vacuous: the yoyo schema has the partitioned clean tables and their views.
        assert len(expected["relations"]) > 40 and expected["functions"]
        assert ("insights", "interaction_facts") in {row[:2] for row in expected["views"]}
        assert difference(catalog(alembic_database), expected) == {}

    def test_downgrade_to_base_runs_the_yoyo_rollbacks(self, alembic_database):
        empty = catalog(alembic_database)
        command.upgrade(alembic(alembic_database), "head")
        assert difference(catalog(alembic_database), empty) != {}
        command.downgrade(alembic(alembic_database), "base")
        after = catalog(alembic_database)
        assert difference(after, empty) == {}


class TestTheAutogenerateExample:
    def test_it_adds_exactly_the_note_column(self, yoyo_database, alembic_database):
        command.upgrade(alembic(alembic_database, "examples"), "head")
        diff = difference(catalog(alembic_database), catalog(yoyo_database))
        assert set(diff) == {"columns"}
        ((schema, table, _, column, column_type, not_null, *_),) = diff["columns"]
        assert (schema, table, column, column_type, not_null) == (
            "insights", "api_keys", "note", "text", False
        )  # fmt: skip

    def test_the_metadata_matches_the_database_after_it(self, alembic_database):
        command.upgrade(alembic(alembic_database, "examples"), "head")
        command.check(alembic(alembic_database, "examples"))  # raises on any drift

    def test_check_finds_the_drift_when_it_is_not_applied(self, alembic_database):
        config = alembic(alembic_database, "examples")
        command.upgrade(config, "head")
        command.downgrade(config, "yoyo_baseline")
        command.stamp(config, "head")  # a database that claims a change it lacks
        with pytest.raises(CommandError, match="New upgrade operations detected"):
            command.check(config)


class TestSwitchingALiveDatabase:
    def test_stamping_a_yoyo_database_keeps_its_rows_and_applies_only_what_is_new(
        self, yoyo_database
    ):
        key = "VALUES ('kept', 'ci_0123abcd', repeat('a', 64), ARRAY['admin']) RETURNING 1"
        query(
            yoyo_database,
            f"INSERT INTO insights.api_keys (name, prefix, secret_hash, scopes) {key}",
        )
        config = alembic(yoyo_database, "examples")
        command.stamp(config, "yoyo_baseline")
        command.upgrade(config, "head")
        rows = query(yoyo_database, "SELECT name, note FROM insights.api_keys")
        assert rows == [("kept", None)]
        assert query(yoyo_database, "SELECT version_num FROM alembic_version") == [
            ("api_key_note",)
        ]
