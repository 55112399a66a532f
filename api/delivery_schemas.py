"""Schemas of the delivery endpoints."""

from marshmallow import Schema, fields, validate

from api.schemas import no_control_characters
from repository.deliveries import DELIVERY_STATUSES, SKIP_REASONS
from repository.feedback import EVENT_TYPES, GROUP_COLUMNS


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


class EventSchema(Schema):
    """One feedback event about a sent message."""

    event_id = fields.String(
        required=True, validate=[validate.Length(min=1, max=200), no_control_characters]
    )
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    message_id = fields.String(
        required=True, validate=[validate.Length(min=1, max=500), no_control_characters],
        metadata={"example": "<campaign-1.customer-7@example.com>"},
    )  # fmt: skip
    occurred_at = fields.AwareDateTime(required=True, metadata={"example": "2026-11-30T08:00:00Z"})


class EventBatchSchema(Schema):
    """POST /events: a batch of at most 1,000 events."""

    events = fields.List(
        fields.Nested(EventSchema), required=True, validate=validate.Length(min=1, max=1000)
    )


class EventOutcomeSchema(Schema):
    stored = fields.Integer(metadata={"description": "New events stored."})
    duplicates = fields.Integer(metadata={"description": "Events whose event_id was seen before."})
    unknown_message_ids = fields.List(
        fields.String(), metadata={"description": "Not stored: no message has these ids."}
    )
    suppressed = fields.Integer(
        metadata={"description": "Addresses put on the suppression list (bounced, complained)."}
    )


class MetricsArgs(Schema):
    by = fields.String(load_default="prompt_version", validate=validate.OneOf(list(GROUP_COLUMNS)))


class RateSchema(Schema):
    rate = fields.Float(allow_none=True)
    ci_low = fields.Float(allow_none=True, metadata={"description": "95% Wilson interval."})
    ci_high = fields.Float(allow_none=True)


class GroupMetricsSchema(Schema):
    group = fields.String(allow_none=True)
    sent = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    rates = fields.Dict(keys=fields.String(), values=fields.Nested(RateSchema))


class ReplyTestSchema(Schema):
    a = fields.String()
    b = fields.String()
    enough_data = fields.Boolean()
    reason = fields.String()
    z = fields.Float()
    p_value = fields.Float(metadata={"description": "Two-sided, pooled two-proportion z-test."})


class CampaignMetricsSchema(Schema):
    """Counts and rates of a campaign's sent messages, per group."""

    campaign_id = fields.Integer()
    by = fields.String()
    groups = fields.List(fields.Nested(GroupMetricsSchema))
    reply_test = fields.Nested(ReplyTestSchema, allow_none=True)
