from pathlib import Path

from repository.migrations import migration_ids, pending_ids

MIGRATIONS = Path(__file__).resolve().parents[2] / "artifacts" / "migrations"


class TestMigrationFiles:
    def test_history_starts_with_the_legacy_schema(self):
        assert migration_ids(MIGRATIONS)[0] == "0001_legacy_schema"

    def test_every_migration_has_a_rollback(self):
        forward = [p for p in MIGRATIONS.glob("*.sql") if not p.name.endswith(".rollback.sql")]
        assert forward
        for path in forward:
            assert path.with_name(path.stem + ".rollback.sql").is_file(), path.name

    def test_migration_ids_are_numbered_in_apply_order(self):
        ids = migration_ids(MIGRATIONS)
        assert ids == sorted(ids)


class TestPendingIds:
    def test_keeps_disk_order_and_drops_applied(self):
        assert pending_ids(["0001_a", "0002_b", "0003_c"], {"0002_b"}) == ["0001_a", "0003_c"]

    def test_nothing_pending_when_all_applied(self):
        assert pending_ids(["0001_a"], {"0001_a", "0000_old"}) == []
