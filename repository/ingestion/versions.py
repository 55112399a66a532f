"""Build a load's data version beside the served one, switch readers to it, drop old ones.

Every lock taken here is compatible with the ACCESS SHARE lock of readers: ATTACH and
DETACH ... CONCURRENTLY take SHARE UPDATE EXCLUSIVE on a parent, and the stronger locks
fall only on partitions that no reader's plan includes (a new one, or one detached).
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)

TABLES = (
    "customers",
    "product_months",
    "interactions",
    "interaction_monthly_rollup",
    "interaction_daily_product_type",
    # The monthly rollup per pair of dimensions (migration 0019), for the semantic layer.
    "interaction_monthly_pairs",
    # Per-load figures (migration 0017): one row, written by the load before it publishes.
    "load_figures",
)

# Indexes built on a new partition while it is empty: these tables are small, and today's
# loads kept theirs too. The interactions' are built after their rows are in.
_EARLY_INDEXES = {
    "customers": ("ALTER TABLE insights.{n} ADD CONSTRAINT {n}_pkey PRIMARY KEY (customer_id)",),
    "product_months": ("ALTER TABLE insights.{n} ADD CONSTRAINT {n}_pkey PRIMARY KEY (month)",),
    "interaction_monthly_rollup": ("CREATE INDEX {n}_month ON insights.{n} (month)",),
    "interaction_daily_product_type": (
        "ALTER TABLE insights.{n} ADD CONSTRAINT {n}_pkey "
        "PRIMARY KEY (day, product, customer_type)",
    ),
    "interaction_monthly_pairs": ("CREATE INDEX {n}_pair_month ON insights.{n} (pair, month)",),
}
# Built once the customers are in, as the interactions' below: 100,000 rows COPY 0.1 s
# faster without it, and the build takes 0.04 s. Its name and definition are as before.
CUSTOMER_INDEXES = ("CREATE INDEX {n}_type ON insights.{n} (customer_type)",)
# Unique indexes, no constraints: ALTER TABLE ... ADD PRIMARY KEY would take an ACCESS
# EXCLUSIVE lock on the partition until commit, and readers, whose plans include every
# attached partition, queued behind it (history reads of 1.1-1.6 s in the load test).
# The first is built on its own while the others are built together (interactions_fill.py):
# it takes about as long as they do.
INTERACTION_INDEXES = (
    # The natural key: ids stay stable across loads because a load looks them up by it.
    "CREATE UNIQUE INDEX {n}_natural_key ON insights.{n} (occurred_at, customer_id, "
    "COALESCE(channel, ''), COALESCE(topic, ''), COALESCE(sentiment, ''))",
    "CREATE UNIQUE INDEX {n}_id ON insights.{n} (id)",
    "CREATE INDEX {n}_customer_time ON insights.{n} (customer_id, occurred_at)",
)

_CURRENT = text("SELECT version FROM insights.data_version")
# Every version table but the served one, with its parent if attached.
_SUPERSEDED = text(r"""
    SELECT c.relname, parent.relname, i.inhdetachpending
    FROM pg_class AS c
    JOIN pg_namespace AS ns ON ns.oid = c.relnamespace AND ns.nspname = 'insights'
    LEFT JOIN pg_inherits AS i ON i.inhrelid = c.oid
    LEFT JOIN pg_class AS parent ON parent.oid = i.inhparent
    WHERE c.relkind = 'r'
      AND substring(c.relname from '^(.*)_v\d+$') = ANY(:tables)
      AND c.relname NOT LIKE '%\_v' || (SELECT version FROM insights.data_version)
""")
_LOCKERS = text("""
    SELECT DISTINCT virtualtransaction FROM pg_locks
    WHERE relation = ANY(CAST(:parents AS regclass[])) AND pid <> pg_backend_pid()
""")


@dataclass(frozen=True)
class NewVersion:
    """A version whose empty partitions are attached, and who might have planned without."""

    number: int
    earlier_readers: frozenset[str]


def name(table: str, version: int) -> str:
    """Return the name of ``table``'s partition for ``version`` (in schema insights)."""
    return f"{table}_v{version}"


def current(connection: Connection) -> int:
    """Return the version readers are served."""
    return int(connection.execute(_CURRENT).scalar_one())


@contextmanager
def superseded_dropped(connection: Connection) -> Iterator[None]:
    """Drop superseded versions before and after the block (the caller holds the load lock).

    The connection is left in autocommit mode: DETACH ... CONCURRENTLY cannot run in a
    transaction block.
    """
    # Left by a load that crashed or failed. Their partitions are never the served version,
    # so a drop that fails (a reader outlasting the lock timeout) only postpones it.
    _drop_superseded_logged(connection)
    try:
        yield
    finally:
        _drop_superseded_logged(connection)


def prepare(connection: Connection) -> NewVersion:
    """Create and attach the empty partitions of a new version, in a committed transaction.

    The connection is left in READ COMMITTED mode, for the load's transaction.
    """
    connection.commit()
    connection.execution_options(isolation_level="READ COMMITTED")
    with connection.begin():
        next_version = text("SELECT nextval('insights.data_versions')")
        version = int(connection.execute(next_version).scalar_one())
        for table in TABLES:
            _attach_empty(connection, table, version)
    parents = [f"insights.{table}" for table in TABLES]
    readers = frozenset(connection.execute(_LOCKERS, {"parents": parents}).scalars())
    connection.commit()
    return NewVersion(version, readers)


def publish(
    connection: Connection,
    version: NewVersion,
    before_switch: Callable[[], None] = lambda: None,
    timeout_s: float = 60.0,
) -> None:
    """Name ``version`` the served one when this transaction commits.

    A reader's plan lists the partitions attached when it was made, and its snapshot may
    be taken later; so first wait for every transaction that held a lock on a parent when
    the new partitions were attached, lest one plan without them and read the new pointer.
    ``before_switch`` runs last, just before the switch (the lease fence closes there).
    """
    parents = [f"insights.{table}" for table in TABLES]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        still = set(connection.execute(_LOCKERS, {"parents": parents}).scalars())
        if not still & version.earlier_readers:
            break
        time.sleep(0.05)
    before_switch()
    connection.execute(
        text("UPDATE insights.data_version SET version = :v, switched_at = now()"),
        {"v": version.number},
    )


def drop_superseded(connection: Connection) -> None:
    """Detach (CONCURRENTLY: waiting for readers that may use them) and drop old versions."""
    rows = connection.execute(_SUPERSEDED, {"tables": list(TABLES)}).all()
    for partition, parent, pending in rows:
        if parent is not None:
            # FINALIZE completes a detach interrupted (by a crash or a timeout) midway.
            how = "FINALIZE" if pending else "CONCURRENTLY"
            connection.exec_driver_sql(
                f'ALTER TABLE insights."{parent}" DETACH PARTITION insights."{partition}" {how}'
            )
        connection.exec_driver_sql(f'DROP TABLE insights."{partition}"')
        connection.commit()


def _drop_superseded_logged(connection: Connection) -> None:
    """Drop superseded versions; a failure is logged, the next load retries it."""
    try:
        connection.rollback()
        connection.execution_options(isolation_level="AUTOCOMMIT")
        drop_superseded(connection)
    except Exception as error:  # old versions only cost space; never fail a load for them
        log.warning("could not drop superseded data versions: %s", error)


def _attach_empty(connection: Connection, table: str, version: int) -> None:
    """Create ``table``'s empty partition for ``version`` and attach it."""
    n = name(table, version)
    statements = (
        f"CREATE TABLE insights.{n} "
        f"(LIKE insights.{table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
        f"ALTER TABLE insights.{n} ALTER version SET DEFAULT {version}, "
        f"ADD CONSTRAINT {n}_version_check CHECK (version = {version})",
        *(statement.format(n=n) for statement in _EARLY_INDEXES.get(table, ())),
        # SHARE UPDATE EXCLUSIVE on the parent: readers go on; the CHECK spares a scan.
        f"ALTER TABLE insights.{table} ATTACH PARTITION insights.{n} FOR VALUES IN ({version})",
    )
    for statement in statements:
        connection.exec_driver_sql(statement)
