"""Statistics endpoints for analysts."""

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.product_interactions import build_filter, product_interactions_report, rows_as_csv
from api.schemas import ErrorSchema
from api.services import repositories
from api.statistics_schemas import ProductInteractionsArgs, ProductInteractionsSchema

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
    @blp.alt_response(200, content_type="text/csv", description="The same rows as CSV.")
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
