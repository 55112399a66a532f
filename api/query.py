"""The semantic query layer over HTTP: count interactions or customers by any dimension."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.data_version import request_data_version
from api.errors import InvalidParameter
from api.extensions import repositories
from api.query_schemas import QueryMetaSchema, QueryRequestSchema, QueryResponseSchema
from api.response_cache import cache_responses
from api.schemas import ErrorSchema
from pipelines.research.queries import InvalidQuery, build_query, describe_layer

blp = Blueprint(
    "query", __name__, url_prefix="/api/v1/query",
    description="Semantic queries: measures by dimensions, served from the rollups when they can.",
)  # fmt: skip
# Both operations only read: a query is answered once per data version (issue 17).
cache_responses(blp, methods=("GET", "HEAD", "POST"))


@blp.route("")
class Query(MethodView):
    @blp.arguments(QueryRequestSchema)
    @blp.response(200, QueryResponseSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="A name or value is unknown.")
    def post(self, body):
        """Run a semantic query and return its rows, the query as understood and its source."""
        semantic = repositories().semantic
        vocabulary = semantic.vocabulary(request_data_version())
        try:
            query = build_query(body, vocabulary, semantic.customer_exists)
        except InvalidQuery as error:
            raise InvalidParameter({"json": error.problems}) from None
        result = semantic.run(query)
        return {"query": query.as_dict(), "source": result.source, "rows": result.rows}


@blp.route("/meta")
class QueryMeta(MethodView):
    @blp.response(200, QueryMetaSchema)
    def get(self):
        """List the measures, dimensions (with their values), granularities and operators."""
        return describe_layer(repositories().semantic.vocabulary(request_data_version()))
