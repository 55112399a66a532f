"""Customers and their interactions, a page at a time."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.customer_schemas import CustomerQuerySchema, CustomerSchema, InteractionSchema
from api.errors import invalid_parameter
from api.extensions import repositories
from api.schemas import ErrorSchema

blp = Blueprint(
    "customers",
    __name__,
    url_prefix="/api/v1/customers",
    description="Customers and their interactions.",
)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_UNKNOWN_CUSTOMER = "No customer row and no interaction has this id."
_BAD_ID = "The id is not a positive whole number."
_BAD_ARGUMENTS = "A page below 1, a page size above the maximum, or an unknown type."


def parse_customer_id(raw: str) -> int:
    """Return the path's customer id, or raise InvalidInput naming the parameter."""
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise invalid_parameter(
            "path", "customer_id", f"must be a positive whole number, got {raw!r}"
        )
    return int(raw)


@blp.route("")
class Customers(MethodView):
    @blp.arguments(CustomerQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, CustomerSchema(many=True))
    @blp.alt_response(422, schema=ErrorSchema, description=_BAD_ARGUMENTS)
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, pagination_parameters, customer_type: str | None = None):
        """List customers by id, optionally of one type."""
        customers, total = repositories().customers.list_customers(
            customer_type, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return customers


@blp.route("/<customer_id>")
class CustomerDetail(MethodView):
    @blp.response(200, CustomerSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_UNKNOWN_CUSTOMER)
    @blp.alt_response(422, schema=ErrorSchema, description=_BAD_ID)
    def get(self, customer_id: str):
        """Return one customer."""
        return repositories().customers.get_customer(parse_customer_id(customer_id))


@blp.route("/<customer_id>/interactions")
class CustomerInteractions(MethodView):
    @blp.response(200, InteractionSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description=_UNKNOWN_CUSTOMER)
    @blp.alt_response(422, schema=ErrorSchema, description=_BAD_ARGUMENTS)
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, customer_id: str, pagination_parameters):
        """List a customer's interactions, newest first."""
        interactions, total = repositories().customer_history.page(
            parse_customer_id(customer_id),
            pagination_parameters.page,
            pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return interactions
