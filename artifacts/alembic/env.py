"""Run Alembic revisions against the service's database (online mode only).

The URL comes from, in order: ``config.attributes["url"]`` (a caller in Python),
``-x url=...`` on the command line, else the service's own configuration (DATABASE_URL,
or the embedded server when it is unset).
"""

import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine, pool

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for tables.py beside this file

from tables import SCHEMA, metadata  # noqa: E402


def _url() -> str:
    from api.config import load_config
    from repository.engine import driver_url
    from repository.factory import resolve_database_url

    given = context.config.attributes.get("url") or context.get_x_argument(True).get("url")
    return driver_url(given or resolve_database_url(load_config()))


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Compare only our schema, and in it only the tables metadata describes."""
    if type_ == "schema":
        return name == SCHEMA
    if type_ == "table":
        return f"{parent_names.get('schema_name')}.{name}" in metadata.tables
    return True


def run_migrations_online() -> None:
    """Run the revisions in one transaction: all of them apply, or none."""
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_schemas=True,
            include_name=include_name,
            compare_server_default=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


# A caller in Python (the tests) keeps its own logging; the command line gets alembic.ini's.
if context.config.config_file_name and context.config.attributes.get("configure_logger", True):
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)
if context.is_offline_mode():
    raise SystemExit("alembic: offline (--sql) mode is not set up for this project")
run_migrations_online()
