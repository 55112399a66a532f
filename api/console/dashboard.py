"""The dashboard: interactions per product and customer type, and over time, with filters."""

from flask import Response, current_app, render_template, request, url_for
from marshmallow import fields, validate

from api.console import blp
from api.console.forms import load, problems_of_error
from api.console.session import need
from api.data_version import current_data_version
from api.extensions import EXTENSION_KEY, repositories
from api.statistics import csv_response
from api.statistics_reports import (
    build_filter,
    product_interactions_report,
    rows_as_csv,
    timeseries_as_csv,
    timeseries_report,
)
from api.statistics_schemas import FilterArgs
from repository.errors import InvalidInput
from repository.statistics import GRANULARITIES, GROUP_DIMENSIONS


class DashboardArgs(FilterArgs):
    """The dashboard's query string: the API's filters plus the time chart's choices."""

    granularity = fields.String(load_default="month", validate=validate.OneOf(GRANULARITIES))
    group_by = fields.String(load_default="channel", validate=validate.OneOf(GROUP_DIMENSIONS))


class DashboardCsvArgs(DashboardArgs):
    """The same view, and which of its two tables to download."""

    table = fields.String(required=True, validate=validate.OneOf(["products", "timeseries"]))


def _reports(args: dict) -> tuple[dict, dict]:
    statistics = repositories().statistics
    filters = build_filter(statistics, args)
    products = product_interactions_report(statistics, filters, None)
    series = timeseries_report(statistics, filters, args["granularity"], args["group_by"])
    return products, series


def product_chart(report: dict) -> dict:
    """Return the bar chart's data: one bar group per product, one series per type."""
    products = list(report["totals"]["by_product"])
    types = list(report["totals"]["by_customer_type"])
    counts = {(r["product"], r["customer_type"]): r["interactions"] for r in report["data"]}
    series = [{"label": t, "data": [counts.get((p, t), 0) for p in products]} for t in types]
    return {"type": "bar", "labels": products, "series": series}


def timeseries_chart(report: dict) -> dict:
    """Return the line chart's data: one line per value of the grouped dimension."""
    group_by = report["filters"]["group_by"]
    periods = sorted({row["period"] for row in report["data"]})
    values = sorted({str(row[group_by]) for row in report["data"]})
    counts = {(r["period"], str(r[group_by])): r["interactions"] for r in report["data"]}
    series = [{"label": v, "data": [counts.get((p, v), 0) for p in periods]} for v in values]
    return {"type": "line", "labels": periods, "series": series}


def filter_values(version: int | None) -> dict[str, set[str]]:
    """Return the values each filter offers, read once per data version and process.

    Reading them scans the data (about as long as the charts at a million rows), and
    they only change with a load, which always moves the data version on.
    """
    remembered = current_app.extensions[EXTENSION_KEY].get("console_filter_values")
    if version is not None and remembered and remembered[0] == version:
        return remembered[1]
    values = repositories().statistics.filter_values()
    current_app.extensions[EXTENSION_KEY]["console_filter_values"] = (version, values)
    return values


def _latest_run() -> dict | None:
    ingestion = repositories().ingestion
    run = ingestion.latest_succeeded_run() if ingestion is not None else None
    if run is None:
        return None
    sheets = (run.counts or {}).get("sheets", run.counts or {})
    per_sheet = {name: c for name, c in sheets.items() if isinstance(c, dict)}
    return {"run": run, "sheets": per_sheet}


@blp.get("")
def dashboard():
    """Show the filtered tables and charts, the data version and the latest ingestion."""
    need("stats:read")
    args, problems = load(DashboardArgs())
    version = current_data_version()
    products = series = None
    if not problems:
        try:
            products, series = _reports(args)
        except InvalidInput as error:
            problems = problems_of_error(error)
    page = render_template(
        "console/dashboard.html",
        args=args or {"granularity": "month", "group_by": "channel"},
        problems=problems,
        products=products,
        series=series,
        product_chart=product_chart(products) if products else None,
        timeseries_chart=timeseries_chart(series) if series else None,
        values=filter_values(version),
        granularities=GRANULARITIES,
        dimensions=GROUP_DIMENSIONS,
        csv_url=lambda table: url_for("console.dashboard_csv", table=table, **_query()),
        data_version=version,
        latest=_latest_run(),
    )
    return page, 422 if problems else 200


def _query() -> dict:
    """Return the page's own query string, repeated parameters kept, as url_for takes it."""
    return {name: request.args.getlist(name) for name in request.args if name != "table"}


@blp.get("/dashboard.csv")
def dashboard_csv() -> Response:
    """Download the table the dashboard shows for the same filters."""
    need("stats:read")
    args, problems = load(DashboardCsvArgs())
    if problems:
        return Response("\n".join(problems) + "\n", status=422, mimetype="text/plain")
    products, series = _reports(args)
    if args["table"] == "products":
        return csv_response(rows_as_csv(products["data"], None), "product-interactions.csv")
    name = f"timeseries-{args['group_by']}-{args['granularity']}.csv"  # both from fixed lists
    return csv_response(timeseries_as_csv(series), name)
