"""Read the per-load figures (migration 0017): what unfiltered reads need, without a scan.

Each read falls back to counting the rows when the served version has no figures row
(a database whose rows were written by hand, without a load or the refresh function).
"""

from sqlalchemy import text

from repository.model import CURRENT_VERSION_SQL

_FIGURES = f"(SELECT {{column}} FROM insights.load_figures WHERE version = {CURRENT_VERSION_SQL})"  # nosec B608 # built from constants; values are bound

# An uncorrelated subquery in COALESCE runs only if the figure before it is NULL.
_ROW_COUNT = "SELECT COALESCE({figure}, (SELECT count(*) FROM {table} WHERE version = {version}))"
_COUNTED = {
    "customers": ("customers", "insights.customers"),
    "interactions": ("interactions", "insights.interactions"),
    "products": ("product_months", "insights.product_months"),
}
ROW_COUNTS = {
    name: text(
        _ROW_COUNT.format(
            figure=_FIGURES.format(column=column), table=table, version=CURRENT_VERSION_SQL
        )
    )
    for name, (column, table) in _COUNTED.items()
}

REACH = text(
    "SELECT reach AS customers, first_interaction, last_interaction FROM insights.load_figures "
    f"WHERE version = {CURRENT_VERSION_SQL}"  # nosec B608 # built from constants; values are bound
)

# Every customer (:customer_type NULL), or those of one type; NULL when no figures row.
CUSTOMER_TOTAL = text(
    "SELECT CASE WHEN CAST(:customer_type AS text) IS NULL THEN every_customer "
    "ELSE COALESCE((customers_by_type ->> CAST(:customer_type AS text))::bigint, 0) END "
    f"FROM insights.load_figures WHERE version = {CURRENT_VERSION_SQL}"  # nosec B608 # built from constants; values are bound
)

# Interactions per value of one dimension over the whole version: {"Email": n, ...}.
INTERACTIONS_BY = text(
    "SELECT interactions_by -> CAST(:dimension AS text) FROM insights.load_figures "
    f"WHERE version = {CURRENT_VERSION_SQL}"  # nosec B608 # built from constants; values are bound
)

# The values the statistics filters offer, as the load counted them (UNKNOWN stands for none).
FILTER_CHOICES = text(
    "SELECT interactions_by, customers_by_type FROM insights.load_figures "
    f"WHERE version = {CURRENT_VERSION_SQL}"  # nosec B608 # built from constants; values are bound
)
