"""Statistics endpoints for analysts."""

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.extensions import repositories
from api.schemas import ErrorSchema
from api.statistics_reports import (
    build_filter,
    overview_report,
    product_interactions_report,
    rows_as_csv,
    timeseries_report,
)
from api.statistics_schemas import (
    FilterArgs,
    OverviewSchema,
    ProductInteractionsArgs,
    ProductInteractionsSchema,
    TimeseriesArgs,
    TimeseriesSchema,
)

# The CSV variant of a 200 (format=csv or Accept: text/csv), beside the JSON one.
CSV_CONTENT = {
    "content": {"text/csv": {"schema": {"type": "string", "description": "The rows as CSV."}}}
}

blp = Blueprint(
    "statistics", __name__, url_prefix="/api/v1/statistics", description="Statistics for analysts."
)


def _wants_csv(args: dict) -> bool:
    if args.get("format"):
        return args["format"] == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


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
            return Response(body, mimetype="text/csv")
        return report


@blp.route("/overview")
class Overview(MethodView):
    @blp.arguments(FilterArgs, location="query")
    @blp.response(200, OverviewSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="A filter is invalid.")
    def get(self, args):
        """Summarise the interactions: totals, counts per dimension, first and last."""
        statistics = repositories().statistics
        return overview_report(statistics, build_filter(statistics, args))


@blp.route("/timeseries")
class Timeseries(MethodView):
    @blp.arguments(TimeseriesArgs, location="query")
    @blp.response(200, TimeseriesSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="A parameter is invalid.")
    def get(self, args):
        """Count interactions per period and value of one dimension."""
        statistics = repositories().statistics
        filters = build_filter(statistics, args)
        return timeseries_report(statistics, filters, args["granularity"], args["group_by"])
