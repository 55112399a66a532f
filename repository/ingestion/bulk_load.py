"""The load transaction's own steps: customers, product months, audit, rollups.

The interactions go in on a session of their own meanwhile (interactions_fill.py).
"""

from sqlalchemy import Connection, text

from repository.ingestion import sql, versions
from repository.ingestion.copying import copy_csv, raw_cursor
from repository.ingestion.interface import CleanFrames, RollupFrames

_PAIRS = "interaction_monthly_pairs"
_RECORD_PAIRS = text("SELECT insights.record_monthly_pairs(:version)")


def stage(connection: Connection, run_id: int, data: CleanFrames, version: int) -> None:
    """COPY the customers into ``version`` (their id is their natural key), stage the months."""
    sql.execute_all(connection, sql.STAGING_DDL)
    with raw_cursor(connection) as cursor:
        customers = data.customers.assign(run_id=run_id, source_sheet="customers")
        copy_csv(cursor, f"insights.{versions.name('customers', version)}", customers)
        copy_csv(cursor, "stg_product_months", data.product_months)
    sql.execute_all(connection, sql.ANALYZE_STAGED_MONTHS)


def copy_audit(connection: Connection, run_id: int, data: CleanFrames) -> None:
    """COPY the quarantined rows and the repair log of run ``run_id``."""
    with raw_cursor(connection) as cursor:
        copy_csv(cursor, "insights.quarantine", data.quarantine.assign(run_id=run_id))
        repairs = data.repairs.rename(columns={"column": "column_name"})
        copy_csv(cursor, "insights.data_quality_log", repairs.assign(run_id=run_id))


def merge(connection: Connection, run_id: int, version: int) -> None:
    """Fill ``version``'s product months from staging; index and analyze its customers."""
    sql.execute_all(connection, sql.MERGE_PRODUCTS, {"run_id": run_id}, {"new": version})
    customers = versions.name("customers", version)
    for statement in versions.CUSTOMER_INDEXES:
        connection.exec_driver_sql(statement.format(n=customers))
    # Without statistics the first minutes after a load (until autovacuum runs) planned
    # the citations' customer-type semi-join badly: 100-230 ms instead of 10 at 1M rows.
    for name in ("customers", "product_months"):
        connection.exec_driver_sql(f"ANALYZE insights.{versions.name(name, version)}")


def replace_rollups(connection: Connection, rollups: RollupFrames, version: int) -> None:
    """COPY the freshly computed rollups into ``version``'s rollup tables."""
    monthly = versions.name("interaction_monthly_rollup", version)
    daily = versions.name("interaction_daily_product_type", version)
    with raw_cursor(connection) as cursor:
        copy_csv(cursor, f"insights.{monthly}", rollups.monthly)
        copy_csv(cursor, f"insights.{daily}", rollups.daily)
    connection.exec_driver_sql(f"ANALYZE insights.{monthly}")
    connection.exec_driver_sql(f"ANALYZE insights.{daily}")
    # Grouped from the monthly rollup just written: ~60,000 rows at 1M interactions.
    connection.execute(_RECORD_PAIRS, {"version": version})
    connection.exec_driver_sql(f"ANALYZE insights.{versions.name(_PAIRS, version)}")
