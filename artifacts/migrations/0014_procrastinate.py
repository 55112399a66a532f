"""Create procrastinate's job-queue schema (tables, types, functions) from the pinned package.

The SQL is not copied into this repository: it is read from the procrastinate package that
requirements.txt pins, so the schema always matches the code that uses it. Its objects go
where procrastinate looks for them (the connection's default search_path, ``public`` on a
stock server), all named ``procrastinate_*``.

Upgrading procrastinate: its release notes list new files under
``procrastinate/sql/migrations/`` (e.g. ``03.05.00_01_pre_....sql``). Add a yoyo migration
that depends on the latest one and applies exactly those files from the installed package
(``procrastinate.schema.migrations_path / name``), "pre" files before deploying the new
code and "post" files after, as procrastinate's docs describe; never edit this one, which
a database that already has it will not run again.
"""

from procrastinate.schema import SchemaManager
from yoyo import step

__depends__ = {"0013_contacts"}

_OBJECTS = """
    SELECT kind, name FROM (
        SELECT 1 AS rank, 'TABLE' AS kind, quote_ident(n.nspname) || '.' || quote_ident(c.relname)
               AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND c.relname LIKE 'procrastinate\\_%'
          AND n.nspname = current_schema()
        UNION ALL
        SELECT 2, 'FUNCTION', p.oid::regprocedure::text
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname LIKE 'procrastinate\\_%' AND n.nspname = current_schema()
          AND p.prokind = 'f'
        UNION ALL
        SELECT 3, 'PROCEDURE', p.oid::regprocedure::text
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname LIKE 'procrastinate\\_%' AND n.nspname = current_schema()
          AND p.prokind = 'p'
        UNION ALL
        SELECT 4, 'TYPE', quote_ident(n.nspname) || '.' || quote_ident(t.typname)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_class c ON c.oid = t.typrelid
        WHERE t.typname LIKE 'procrastinate\\_%' AND n.nspname = current_schema()
          AND (t.typtype = 'e' OR c.relkind = 'c')
    ) AS objects ORDER BY rank, name
"""


def upgrade(connection) -> None:
    """Run procrastinate's schema.sql: no parameters, so psycopg sends it as one script."""
    connection.cursor().execute(SchemaManager.get_schema())


def downgrade(connection) -> None:
    """Drop every procrastinate object: tables first (with their triggers), then code, types."""
    cursor = connection.cursor()
    cursor.execute(_OBJECTS)
    for kind, name in cursor.fetchall():
        cursor.execute(f"DROP {kind} IF EXISTS {name} CASCADE")  # nosec B608 # catalog names


# Named upgrade/downgrade: the Alembic baseline (artifacts/alembic) replays a Python
# migration by calling these two on its own connection.
steps = [step(upgrade, downgrade)]
