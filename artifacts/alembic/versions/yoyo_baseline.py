"""Baseline: the whole yoyo history (artifacts/migrations), run file by file.

Revision ID: yoyo_baseline
Revises:
Create Date: 2026-11-30

Runs each yoyo migration's SQL in yoyo's own order, so the schema has one source of
truth until the switch: a yoyo migration added before then is picked up with no edit
here. At the switch, set ``LAST_YOYO_MIGRATION`` to the newest id, so that this revision
never changes again (docs/migrations.md, "Switching over").
"""

from collections.abc import Sequence
from pathlib import Path

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
    python_steps = sorted(p.name for p in YOYO_DIR.glob("*.py"))
    if python_steps:  # only SQL files can be replayed here
        raise RuntimeError(f"yoyo Python migrations need porting by hand: {python_steps}")
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


def upgrade() -> None:
    """Apply the yoyo migrations in order."""
    for migration_id in _history():
        _run_file(YOYO_DIR / f"{migration_id}.sql")


def downgrade() -> None:
    """Apply their rollbacks, newest first."""
    for migration_id in reversed(_history()):
        _run_file(YOYO_DIR / f"{migration_id}.rollback.sql")
