"""Consent: opt a customer out of outreach, back in, and read the history."""

from flask.views import MethodView

from api.auth import current_key
from api.bounds import Blueprint
from api.customers import CUSTOMER_ID
from api.extensions import repositories
from api.outreach_schemas import ConsentOutcomeSchema, ConsentRecordSchema, OptOutSchema
from api.schemas import ErrorSchema
from pipelines.outreach.consent import (
    change_customer_consent,
    consent_change_of,
    customer_consent,
)
from repository.consent import OPT_IN, OPT_OUT

blp = Blueprint(
    "consent",
    __name__,
    url_prefix="/api/v1/customers",
    description="Customers' consent to outreach: opt-outs, opt-ins and their history.",
)

_UNKNOWN_CUSTOMER = "No customer row and no interaction has this id in the current data."


def _actor() -> str | None:
    key = current_key()
    return key.name if key else None


def _change(customer_id: int, action: str, reason: str | None, source: str):
    repos = repositories()
    change = consent_change_of(customer_id, action, reason, source, _actor())
    cancel = repos.campaigns.cancel_pending_items if repos.campaigns else None
    return change_customer_consent(repos.customers, repos.consent, change, cancel)


@blp.route(f"/{CUSTOMER_ID}/opt-out")
class OptOut(MethodView):
    @blp.arguments(OptOutSchema)
    @blp.response(200, ConsentOutcomeSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_UNKNOWN_CUSTOMER)
    @blp.alt_response(422, schema=ErrorSchema, description="A reason or source that breaks a rule.")
    def post(self, body: dict, customer_id: int):
        """Opt a customer out of outreach (again: no change, no new history entry)."""
        return _change(customer_id, OPT_OUT, body["reason"], body["source"])

    @blp.response(200, ConsentOutcomeSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_UNKNOWN_CUSTOMER)
    def delete(self, customer_id: int):
        """Opt a customer back in (recorded with source "api")."""
        return _change(customer_id, OPT_IN, None, "api")


@blp.route(f"/{CUSTOMER_ID}/consent")
class Consent(MethodView):
    @blp.response(200, ConsentRecordSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_UNKNOWN_CUSTOMER)
    @blp.alt_response(422, schema=ErrorSchema, description="An unknown query parameter.")
    def get(self, customer_id: int):
        """Return a customer's consent now and every change, newest first."""
        repos = repositories()
        return customer_consent(repos.customers, repos.consent, customer_id)
