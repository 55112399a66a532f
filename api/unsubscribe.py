"""The public unsubscribe link every message carries: no login, idempotent, rate limited."""

from flask import current_app
from flask.views import MethodView

from api.bounds import Blueprint
from api.delivery_schemas import UnsubscribedSchema
from api.extensions import repositories
from api.schemas import ErrorSchema
from pipelines.delivery.unsubscribe import read_token
from pipelines.outreach.consent import consent_change_of, record_consent
from repository.consent import OPT_OUT
from repository.errors import NotFound
from repository.factory import unsubscribe_secret

blp = Blueprint(
    "unsubscribe",
    __name__,
    url_prefix="/api/v1/unsubscribe",
    description="The link in every email's footer and List-Unsubscribe header.",
)
_BAD_TOKEN = "This unsubscribe link is not valid (mistyped or cut short?)."


def _unsubscribe(token: str) -> dict:
    ids = read_token(unsubscribe_secret(current_app.config), token)
    if ids is None:
        raise NotFound(_BAD_TOKEN)
    repos = repositories()
    change = consent_change_of(ids[1], OPT_OUT, f"unsubscribe link, campaign {ids[0]}",
                               "email", None)  # fmt: skip
    cancel = repos.campaigns.cancel_pending_items if repos.campaigns else None
    record_consent(repos.consent, [change], cancel)
    return {"unsubscribed": True, "message": "You will receive no more emails from us."}


@blp.route("/<string(maxlength=100):token>")
class Unsubscribe(MethodView):
    @blp.response(200, UnsubscribedSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_BAD_TOKEN)
    def get(self, token: str):
        """Opt the link's customer out (source "email"); opening it again changes nothing."""
        return _unsubscribe(token)

    @blp.response(200, UnsubscribedSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_BAD_TOKEN)
    def post(self, token: str):
        """The same, for mail clients' one-click unsubscribe (RFC 8058)."""
        return _unsubscribe(token)
