"""The inherited row-count endpoint, kept for existing callers."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.extensions import repositories
from api.response_cache import cache_responses
from api.schemas import ErrorSchema, RowCountSchema

blp = Blueprint(
    "legacy_stats", __name__, url_prefix="/api/v1/stats", description="Legacy row counts."
)
cache_responses(blp)


@blp.route("/<string:table_name>")
class RowCount(MethodView):
    @blp.response(200, RowCountSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Not one of the known tables.")
    @blp.alt_response(422, schema=ErrorSchema, description="An unknown query parameter.")
    def get(self, table_name: str):
        """Count the rows of customers, interactions or products.

        customers counts the customers sheet's clean rows; interactions every clean
        interaction; products the months that have a product.
        """
        rows = repositories().statistics.count_rows(table_name)
        return {"message": "Number of Rows", "rows": rows}
