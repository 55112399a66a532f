"""Feedback: events about sent messages come in; per-group metrics go out."""

from dataclasses import asdict

from flask.views import MethodView

from api.bounds import Blueprint
from api.delivery_schemas import EventBatchSchema, EventOutcomeSchema
from api.extensions import repositories
from api.schemas import ErrorSchema
from pipelines.delivery.feedback import receive_events
from repository.feedback import Event

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/api/v1/events",
    description="Feedback from the mail provider: delivered, opened, clicked, replied, "
    "bounced, complained, unsubscribed.",
)


@blp.route("")
class Events(MethodView):
    @blp.arguments(EventBatchSchema)
    @blp.response(200, EventOutcomeSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="An event is malformed (it is named).")
    def post(self, body):
        """Store a batch of events once each (by event_id); report unknown message ids.

        Bounces and complaints put the address on the suppression list; an unsubscribe
        opts the customer out (source "email").
        """
        repos = repositories()
        events = [Event(**event) for event in body["events"]]
        cancel = repos.campaigns.cancel_pending_items if repos.campaigns else None
        outcome = receive_events(repos.feedback, repos.consent, events, cancel)
        return asdict(outcome)
