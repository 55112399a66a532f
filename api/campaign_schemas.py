"""Schemas of the campaign endpoints."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.bounds import MAX_ID
from api.schemas import no_control_characters
from pipelines.content.policy import REVIEW_STATUSES
from repository.campaigns import ITEM_STATUSES

_NAME = [validate.Length(min=1, max=200), no_control_characters]
_LABEL = fields.String(validate=_NAME)


class SegmentSchema(Schema):
    """Which customers a campaign writes to; every field is optional."""

    customer_types = fields.List(_LABEL, validate=validate.Length(max=50))
    topics = fields.List(
        _LABEL, validate=validate.Length(max=50), metadata={"description": "Discussed ever."}
    )
    last_contact_from = fields.Date()
    last_contact_to = fields.Date(metadata={"description": "Inclusive."})
    min_interactions = fields.Integer(validate=validate.Range(min=0, max=1_000_000))
    customer_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        validate=validate.Length(max=100_000),
    )

    @validates_schema
    def _ordered(self, data, **_kwargs):
        start, end = data.get("last_contact_from"), data.get("last_contact_to")
        if start and end and start > end:
            raise ValidationError("must not be after last_contact_to", "last_contact_from")


class NewCampaignSchema(Schema):
    """POST /campaigns."""

    name = fields.String(required=True, validate=_NAME, metadata={"example": "Spring follow-up"})
    content_type = fields.String(
        load_default="email", validate=validate.OneOf(["email", "call_script"])
    )
    tone = fields.String(load_default="formal", validate=validate.OneOf(["formal", "friendly"]))
    max_words = fields.Integer(load_default=180, validate=validate.Range(min=50, max=400))
    segment = fields.Nested(SegmentSchema, load_default=dict)
    prompt_versions = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z_]+/v\d{1,4}$")),
        validate=validate.Length(min=1, max=10),
        metadata={
            "description": "A/B split: each customer gets one, deterministically; default "
            "the content type's latest version.",
            "example": ["email/v1"],
        },
    )


class SegmentPreviewSchema(Schema):
    """POST /campaigns/preview: the segment a campaign would be created with."""

    segment = fields.Nested(SegmentSchema, load_default=dict)


class ExclusionsSchema(Schema):
    opted_out = fields.Integer(metadata={"description": "Matched, but opted out."})
    not_matched = fields.Integer(
        metadata={"description": "Listed in customer_ids, but not matched (only then)."}
    )


class SegmentCountSchema(Schema):
    """Who a campaign of this segment would write to, and who it would leave out."""

    recipients = fields.Integer(metadata={"example": 1520})
    excluded = fields.Nested(ExclusionsSchema, metadata={"example": {"opted_out": 2}})


class ProgressSchema(Schema):
    done = fields.Integer()
    total = fields.Integer()
    fraction = fields.Float()
    drafts_per_second = fields.Float(allow_none=True)
    eta_seconds = fields.Float(allow_none=True)


class CampaignSchema(Schema):
    """A campaign with its state, item counts and progress."""

    campaign_id = fields.Integer(attribute="id")
    name = fields.String()
    content_type = fields.String()
    tone = fields.String()
    max_words = fields.Integer()
    segment = fields.Dict()
    prompt_versions = fields.List(fields.String())
    status = fields.String(
        metadata={"description": "queued, running, paused, completed, cancelled or failed."}
    )
    status_reason = fields.String(allow_none=True)
    recipients = fields.Integer()
    excluded = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"example": {"opted_out": 2}}
    )
    batches = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    progress = fields.Nested(ProgressSchema)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class ItemArgs(Schema):
    """Filters of the item list."""

    status = fields.String(validate=validate.OneOf(ITEM_STATUSES))
    review = fields.String(validate=validate.OneOf(REVIEW_STATUSES))
    customer_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class ItemSchema(Schema):
    """One campaign item."""

    campaign_id = fields.Integer()
    customer_id = fields.Integer()
    customer_type = fields.String()
    prompt_version = fields.String()
    focus = fields.String(allow_none=True)
    focus_reason = fields.String(
        allow_none=True,
        metadata={"description": "follow_up, most_discussed, cold_start_type, "
                  "cold_start_overall or none (README, Campaigns)."},
    )  # fmt: skip
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    review_status = fields.String(allow_none=True)
    review_reasons = fields.Raw(allow_none=True)
    generation_id = fields.UUID(allow_none=True)
    content = fields.String(allow_none=True)
    subject = fields.String(
        allow_none=True,
        metadata={"description": "The email's checked subject line; null before it is "
                  "written, for call scripts, and for items written before subjects were "
                  "stored (delivery then derives one from the focus)."},
    )  # fmt: skip
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    written_at = fields.DateTime(allow_none=True)


class ReviewNoteSchema(Schema):
    """The body of approve and reject (optional)."""

    note = fields.String(validate=[validate.Length(max=1000), no_control_characters])


class ApprovedCountSchema(Schema):
    approved = fields.Integer()


class ExportArgs(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "jsonl"]))
