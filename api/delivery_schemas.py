"""Schemas of the delivery endpoints."""

from marshmallow import Schema, fields

from repository.deliveries import DELIVERY_STATUSES, SKIP_REASONS


class SkippedSchema(Schema):
    opted_out = fields.Integer()
    suppressed = fields.Integer()
    no_address = fields.Integer()


class SendOutcomeSchema(Schema):
    """What POST /campaigns/<id>/send queued and skipped."""

    campaign_id = fields.Integer()
    queued = fields.Integer(metadata={"description": "Deliveries queued by this request."})
    already_queued_or_sent = fields.Integer(
        metadata={"description": "Deliveries an earlier request made (never sent twice)."}
    )
    skipped = fields.Nested(
        SkippedSchema,
        metadata={"description": f"Not queued, by reason: {', '.join(SKIP_REASONS)}."},
    )
    batches = fields.Integer()


class DeliveryCountsSchema(Schema):
    """Deliveries of a campaign per status."""

    campaign_id = fields.Integer()
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(),
        metadata={"description": f"Per status: {', '.join(DELIVERY_STATUSES)}."},
    )  # fmt: skip


class UnsubscribedSchema(Schema):
    unsubscribed = fields.Boolean()
    message = fields.String()
