"""Customers and their interactions, a page at a time."""

from flask.views import MethodView

from api.bounds import MAX_ID, Blueprint
from api.customer_schemas import CustomerQuerySchema, CustomerSchema, InteractionSchema
from api.extensions import repositories
from api.response_cache import cache_responses
from api.schemas import ErrorSchema

blp = Blueprint(
    "customers",
    __name__,
    url_prefix="/api/v1/customers",
    description="Customers and their interactions.",
)
cache_responses(blp)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_UNKNOWN_CUSTOMER = "No customer row and no interaction has this id (or it is not 1 to 2147483647)."
_BAD_ARGUMENTS = (
    "A page outside 1 to 1,000,000, a page size outside 1 to 500, an unknown type, or an "
    "unknown query parameter."
)


# Ids outside 1..MAX_ID do not match these routes: a 404 like any id nobody has.
CUSTOMER_ID = f"<int(min=1, max={MAX_ID}):customer_id>"


@blp.route("")
class Customers(MethodView):
    @blp.arguments(CustomerQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, CustomerSchema(many=True))
    @blp.alt_response(422, schema=ErrorSchema, description=_BAD_ARGUMENTS)
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, pagination_parameters, customer_type: str | None = None):
        """List customers by id, optionally of one type.

        Every customer: those on the customers sheet and those seen only in interactions
        (type Unknown), so X-Pagination's total can exceed /api/v1/stats/customers (the
        sheet's rows) and the overview's totals.customers (customers with interactions).
        """
        customers, total = repositories().customers.list_customers(
            customer_type, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return customers


@blp.route(f"/{CUSTOMER_ID}")
class CustomerDetail(MethodView):
    @blp.response(200, CustomerSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_UNKNOWN_CUSTOMER)
    @blp.alt_response(422, schema=ErrorSchema, description="An unknown query parameter.")
    def get(self, customer_id: int):
        """Return one customer."""
        return repositories().customers.get_customer(customer_id)


@blp.route(f"/{CUSTOMER_ID}/interactions")
class CustomerInteractions(MethodView):
    @blp.response(200, InteractionSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description=_UNKNOWN_CUSTOMER)
    @blp.alt_response(422, schema=ErrorSchema, description=_BAD_ARGUMENTS)
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, customer_id: int, pagination_parameters):
        """List a customer's interactions, newest first."""
        interactions, total = repositories().customer_history.page(
            customer_id,
            pagination_parameters.page,
            pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return interactions
