"""Delivery: send a campaign's approved drafts by email, once each, and see where they are."""

from dataclasses import asdict

from flask import current_app
from flask.views import MethodView

from api.bounds import Blueprint
from api.campaigns import CAMPAIGN
from api.delivery_schemas import (
    CampaignMetricsSchema,
    DeliveryCountsSchema,
    MetricsArgs,
    SendOutcomeSchema,
)
from api.extensions import repositories
from api.schemas import ErrorSchema
from pipelines.delivery.message import domain_of
from pipelines.delivery.metrics import campaign_metrics

blp = Blueprint(
    "deliveries",
    __name__,
    url_prefix="/api/v1/campaigns",
    description="Send a campaign's approved drafts by email through the job queue, each "
    "message at most once.",
)
_NOT_FOUND = "No campaign has this id."


def send_campaign(campaign_id: int):
    """Queue a message for every approved item not queued before (the API and console)."""
    config = current_app.config
    return repositories().deliveries.enqueue(
        campaign_id, config["DELIVERY_BATCH_SIZE"], domain_of(config["MAIL_FROM"])
    )


@blp.route(f"/{CAMPAIGN}/send")
class SendCampaign(MethodView):
    @blp.response(202, SendOutcomeSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_NOT_FOUND)
    def post(self, campaign_id: int):
        """Queue a message for every approved item not queued before; workers send them.

        Opted-out, suppressed and address-less customers are skipped and counted; a
        second request queues only items approved since (nothing is sent twice).
        """
        return asdict(send_campaign(campaign_id))


@blp.route(f"/{CAMPAIGN}/deliveries")
class CampaignDeliveries(MethodView):
    @blp.response(200, DeliveryCountsSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_NOT_FOUND)
    def get(self, campaign_id: int):
        """Count a campaign's deliveries per status (queued, sending, sent, failed, skipped,
        unknown)."""
        repositories().campaigns.get(campaign_id)  # 404 for an unknown campaign
        return {"campaign_id": campaign_id, "counts": repositories().deliveries.counts(campaign_id)}


@blp.route(f"/{CAMPAIGN}/metrics")
class CampaignMetrics(MethodView):
    @blp.arguments(MetricsArgs, location="query", as_kwargs=True)
    @blp.response(200, CampaignMetricsSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_NOT_FOUND)
    @blp.alt_response(422, schema=ErrorSchema, description="An unknown grouping.")
    def get(self, campaign_id: int, by: str):
        """Count sent messages and their events per group, with rates and 95% Wilson
        intervals; for two prompt versions, a two-proportion test on the reply rate."""
        rows = repositories().feedback.counts(campaign_id, by)
        return {"campaign_id": campaign_id, **campaign_metrics(rows, by)}
