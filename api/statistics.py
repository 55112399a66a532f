"""Statistics endpoints for analysts."""

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.extensions import repositories
from api.response_cache import cache_responses
from api.schemas import ErrorSchema
from api.statistics_reports import (
    build_filter,
    overview_as_csv,
    overview_report,
    product_interactions_report,
    rows_as_csv,
    timeseries_as_csv,
    timeseries_report,
)
from api.statistics_schemas import (
    OverviewArgs,
    OverviewSchema,
    ProductInteractionsArgs,
    ProductInteractionsSchema,
    TimeseriesArgs,
    TimeseriesSchema,
)

# The CSV variant of a 200 (format=csv or Accept: text/csv), beside the JSON one, and
# the header that makes a browser save it as a file.
CSV_CONTENT = {
    "content": {"text/csv": {"schema": {"type": "string", "description": "The rows as CSV."}}},
    "headers": {
        "Content-Disposition": {
            "description": 'CSV answers only: attachment; filename="<report>.csv".',
            "schema": {"type": "string"},
        }
    },
}

blp = Blueprint(
    "statistics", __name__, url_prefix="/api/v1/statistics", description="Statistics for analysts."
)
cache_responses(blp)


def _wants_csv(args: dict) -> bool:
    if args.get("format"):
        return args["format"] == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def csv_response(body: str, filename: str) -> Response:
    """Return CSV text as a download named ``filename`` (a name of our own, never input)."""
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blp.route("/product-interactions")
class ProductInteractions(MethodView):
    @blp.arguments(ProductInteractionsArgs, location="query")
    @blp.response(200, ProductInteractionsSchema)
    @blp.doc(responses={200: CSV_CONTENT})
    @blp.alt_response(422, schema=ErrorSchema, description="A filter is invalid.")
    def get(self, args):
        """Count interactions per product for each customer type."""
        statistics = repositories().statistics
        filters = build_filter(statistics, args)
        report = product_interactions_report(statistics, filters, args.get("granularity"))
        if _wants_csv(args):
            body = rows_as_csv(report["data"], args.get("granularity"))
            return csv_response(body, "product-interactions.csv")
        return report


@blp.route("/overview")
class Overview(MethodView):
    @blp.arguments(OverviewArgs, location="query")
    @blp.response(200, OverviewSchema)
    @blp.doc(responses={200: CSV_CONTENT})
    @blp.alt_response(422, schema=ErrorSchema, description="A filter is invalid.")
    def get(self, args):
        """Summarise the interactions: totals, counts per dimension, first and last."""
        statistics = repositories().statistics
        report = overview_report(statistics, build_filter(statistics, args))
        if _wants_csv(args):
            return csv_response(overview_as_csv(report), "overview.csv")
        return report


@blp.route("/timeseries")
class Timeseries(MethodView):
    @blp.arguments(TimeseriesArgs, location="query")
    @blp.response(200, TimeseriesSchema)
    @blp.doc(responses={200: CSV_CONTENT})
    @blp.alt_response(422, schema=ErrorSchema, description="A parameter is invalid.")
    def get(self, args):
        """Count interactions per period and value of one dimension."""
        statistics = repositories().statistics
        filters = build_filter(statistics, args)
        granularity, group_by = args["granularity"], args["group_by"]
        report = timeseries_report(statistics, filters, granularity, group_by)
        if _wants_csv(args):
            name = f"timeseries-{group_by}-{granularity}.csv"  # both from a fixed list
            return csv_response(timeseries_as_csv(report), name)
        return report
