"""Baseline: the whole yoyo history (artifacts/migrations), run file by file.

Revision ID: yoyo_baseline
Revises:
Create Date: 2026-11-30

Runs each yoyo migration's SQL in yoyo's own order, so the schema has one source of
truth until the switch: a yoyo migration added before then is picked up with no edit
here. At the switch, set ``LAST_YOYO_MIGRATION`` to the newest id, so that this revision
never changes again (docs/migrations.md, "Switching over").
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

from alembic import op

from repository.migrations import migration_ids

revision: str = "yoyo_baseline"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

YOYO_DIR = Path(__file__).resolve().parents[2] / "migrations"
# None: every migration on disk. At the switch: the last one yoyo applied, e.g. "0018_...".
LAST_YOYO_MIGRATION: str | None = None


def _history() -> list[str]:
    ids = migration_ids(YOYO_DIR)
    if LAST_YOYO_MIGRATION is not None:
        ids = ids[: ids.index(LAST_YOYO_MIGRATION) + 1]
    return ids


def _run_file(path: Path) -> None:
    if "-- transactional: false" in path.read_text():
        # yoyo runs such a file outside a transaction (CREATE INDEX CONCURRENTLY, say);
        # here it would fail half-way, so say which file needs an autocommit block.
        raise RuntimeError(
            f"{path.name} is not transactional: give it op.get_context()"
            ".autocommit_block() in this revision before replaying it"
        )
    # The driver's own execute: one call runs a file of many statements, DO blocks and
    # all, in this revision's transaction, with no parameter parsing of '%' or ':'.
    op.get_bind().connection.driver_connection.execute(path.read_text())


def _run_python(path: Path, direction: str) -> None:
    """Call a yoyo Python migration's ``upgrade`` or ``downgrade`` on this connection.

    Python migrations here (0014_procrastinate) name their step functions so; one that
    does not must be ported by hand, and this says which.
    """
    spec = importlib.util.spec_from_file_location(f"yoyo_{path.stem}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    # yoyo's step() registers with the collector it finds in the module's globals; a
    # stand-in that ignores it lets the module load outside yoyo.
    module.__yoyo_collector__ = SimpleNamespace(add_step=lambda *args, **kwargs: None)
    spec.loader.exec_module(module)
    step_function = getattr(module, direction, None)
    if step_function is None:
        raise RuntimeError(f"{path.name} has no {direction}(connection): port it by hand")
    step_function(op.get_bind().connection.driver_connection)


def _apply(migration_id: str, direction: str) -> None:
    python = YOYO_DIR / f"{migration_id}.py"
    if python.exists():
        _run_python(python, direction)
    else:
        suffix = ".sql" if direction == "upgrade" else ".rollback.sql"
        _run_file(YOYO_DIR / f"{migration_id}{suffix}")


def upgrade() -> None:
    """Apply the yoyo migrations in order."""
    for migration_id in _history():
        _apply(migration_id, "upgrade")


def downgrade() -> None:
    """Apply their rollbacks, newest first."""
    for migration_id in reversed(_history()):
        _apply(migration_id, "downgrade")
