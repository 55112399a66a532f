"""Schemas of the generated-content endpoints: the brief's shapes plus audit metadata."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from api.bounds import MAX_ID, BoundedDate
from pipelines.content.pipeline import ContentRequest
from pipelines.content.policy import REVIEW_STATUSES
from repository.generated_content import CONTENT_TYPES

_DEFAULTS = ContentRequest()


class GenerateContentArgs(Schema):
    """Query parameters of /generate-content."""

    class Meta:
        unknown = EXCLUDE

    content_type = fields.String(
        load_default=_DEFAULTS.content_type,
        validate=validate.OneOf(["email", "call_script"]),
        metadata={"description": "email (default) or call_script."},
    )
    tone = fields.String(
        load_default=_DEFAULTS.tone,
        validate=validate.OneOf(["formal", "friendly"]),
        metadata={"description": "formal (default) or friendly."},
    )
    max_words = fields.Integer(
        load_default=_DEFAULTS.max_words,
        validate=validate.Range(min=50, max=400),
        metadata={"description": "Upper bound on the text's length in words, 50 to 400."},
    )
    focus = fields.String(
        # Letters, digits and light punctuation only: it travels into the prompt.
        validate=validate.Regexp(
            r"^[A-Za-z0-9][A-Za-z0-9 ,.'-]{0,79}$",
            error="must be 1 to 80 letters, digits, spaces or , . ' -",
        ),
        metadata={
            "description": "Words to favour when choosing interactions.",
            "example": "side effects",
        },
    )


class ReviewSchema(Schema):
    """The compliance review of a generation (see docs/ai-content.md)."""

    status = fields.String(
        required=True,
        validate=validate.OneOf(REVIEW_STATUSES),
        metadata={
            "description": "clear: may be used; needs_review: wait for a reviewer (the "
            "customer's history holds a safety trigger); blocked: uses a restricted phrase, "
            "never to be sent.",
            "example": "clear",
        },
    )
    reasons = fields.List(
        fields.Dict(),
        required=True,
        metadata={
            "description": "Why, one object per reason with a code (restricted_phrase, "
            "safety_trigger with its interaction_ids, not_reviewed) and a message.",
            "example": [],
        },
    )


class _Provenance(Schema):
    """Who wrote a text, from what, and when: kept for audit."""

    content_id = fields.UUID(required=True)
    provider = fields.String(required=True, metadata={"example": "mock"})
    model = fields.String(allow_none=True, metadata={"example": "grounded-mock-1"})
    mock = fields.Boolean(required=True, metadata={"description": "True for mock-written text."})
    prompt_version = fields.String(allow_none=True, metadata={"example": "email/v1"})
    sources = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "Ids of the interactions the text was grounded on."},
    )
    attempts = fields.Integer(required=True, metadata={"description": "Model calls it took."})
    created_at = fields.DateTime(required=True)
    review = fields.Nested(ReviewSchema, required=True)
    policy_version = fields.String(allow_none=True, metadata={"example": "policy/v1"})
    input_tokens = fields.Integer(
        allow_none=True,
        metadata={"description": "Tokens sent, all attempts; null if the provider did not say."},
    )
    output_tokens = fields.Integer(allow_none=True, metadata={"description": "Tokens written."})
    tokens_estimated = fields.Boolean(
        metadata={"description": "True when the service estimated the counts (the mock)."}
    )
    cost = fields.Float(
        allow_none=True, metadata={"description": "From the price table; null if unpriced."}
    )


class GeneratedText(Schema):
    Content_type = fields.String(required=True, metadata={"example": "email"})
    Content = fields.String(required=True, metadata={"example": "Dear Jedi,\n\nThank you..."})
    Subject = fields.String(
        allow_none=True,
        metadata={"example": "Your questions about Product Inquiry",
                  "description": "An email's checked subject line; null for a call script."},
    )  # fmt: skip


class GeneratedContentSchema(_Provenance):
    """A generated email or call script and where it came from."""

    customer_id = fields.Integer(required=True, metadata={"example": 1})
    generated_content = fields.Nested(GeneratedText, required=True)
    parameters = fields.Dict(metadata={"example": {"tone": "formal", "max_words": 180}})


class LastInteractionSchema(Schema):
    date = fields.String(required=True, metadata={"format": "date", "example": "2024-01-25"})
    channel = fields.String(allow_none=True, metadata={"example": "Call"})
    topic = fields.String(allow_none=True, metadata={"example": "Product Inquiry"})


class SummaryBody(Schema):
    total_interactions = fields.Integer(required=True, metadata={"example": 5})
    most_frequent_channel = fields.String(allow_none=True, metadata={"example": "Email"})
    last_interaction = fields.Nested(LastInteractionSchema, allow_none=True)
    key_topics = fields.List(fields.String(), required=True)
    summary_text = fields.String(required=True)


class SummaryArgs(Schema):
    """Query parameters of /summarized_interactions."""

    class Meta:
        unknown = EXCLUDE

    refresh = fields.Boolean(
        load_default=False,
        metadata={"description": "Write a new summary even if a stored one is still valid."},
    )


class SummarySchema(_Provenance):
    """The brief's summary: numbers from SQL, only summary_text from the model."""

    customer_id = fields.Integer(required=True, metadata={"example": 1})
    cached = fields.Boolean(
        required=True, metadata={"description": "True when answered with a stored summary."}
    )
    summary = fields.Nested(SummaryBody, required=True)


class StoredContentSchema(_Provenance):
    """One stored generation, as it was produced."""

    customer_id = fields.Integer(required=True)
    content_type = fields.String(required=True, metadata={"example": "email"})
    content = fields.String(required=True)
    subject = fields.String(
        allow_none=True,
        metadata={"description": "An email's checked subject line; null for other types "
                  "and for emails stored before subjects were (delivery derives one)."},
    )  # fmt: skip
    latency_ms = fields.Float(required=True)
    parameters = fields.Dict()
    facts = fields.Dict(allow_none=True)


class ContentListArgs(Schema):
    """Query parameters of the generated-content listing (page and page_size aside)."""

    class Meta:
        unknown = EXCLUDE

    review = fields.String(
        validate=validate.OneOf(REVIEW_STATUSES),
        metadata={"description": "Only this review status, e.g. needs_review."},
    )
    customer_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only this customer's."},
    )
    content_type = fields.String(
        validate=validate.OneOf(CONTENT_TYPES),
        metadata={"description": "Only this kind: email, call_script or summary."},
    )
    created_from = BoundedDate(
        data_key="from", metadata={"description": "Created on or after this day (UTC)."}
    )
    created_to = BoundedDate(
        data_key="to", metadata={"description": "Created on or before this day (UTC)."}
    )

    @validates_schema
    def _ordered_days(self, data, **kwargs):
        start, end = data.get("created_from"), data.get("created_to")
        if start is not None and end is not None and start > end:
            raise ValidationError(f"must not be before 'from' ({start})", field_name="to")
