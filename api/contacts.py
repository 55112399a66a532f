"""Contacts: a customer's email address, which the export does not have."""

from flask.views import MethodView

from api.bounds import Blueprint
from api.customers import CUSTOMER_ID
from api.extensions import repositories
from api.outreach_schemas import ContactInputSchema, CustomerContactSchema
from api.schemas import ErrorSchema
from pipelines.outreach.contacts import customer_contact, set_customer_contact
from repository.contacts import Contact

blp = Blueprint(
    "contacts",
    __name__,
    url_prefix="/api/v1/customers",
    description="Customers' contact addresses (personal data: campaigns:manage only).",
)

_UNKNOWN_CUSTOMER = "No customer row and no interaction has this id in the current data."


@blp.route(f"/{CUSTOMER_ID}/contact")
class ContactResource(MethodView):
    @blp.response(200, CustomerContactSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_UNKNOWN_CUSTOMER)
    @blp.alt_response(422, schema=ErrorSchema, description="An unknown query parameter.")
    def get(self, customer_id: int):
        """Return a customer's address, or status no_address when none is stored."""
        repos = repositories()
        return customer_contact(repos.customers, repos.contacts, customer_id)

    @blp.arguments(ContactInputSchema)
    @blp.response(200, CustomerContactSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_UNKNOWN_CUSTOMER)
    @blp.alt_response(422, schema=ErrorSchema, description="An invalid email or display_name.")
    def put(self, body: dict, customer_id: int):
        """Set a customer's address (stored normalised), replacing any earlier one."""
        repos = repositories()
        contact = Contact(customer_id, body["email"], body["display_name"], "api")
        return set_customer_contact(repos.customers, repos.contacts, contact)
