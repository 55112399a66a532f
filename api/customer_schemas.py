"""Marshmallow schemas of the customers endpoints."""

from marshmallow import EXCLUDE, Schema, fields, validate

from api.schemas import LocalDateTime
from repository.model import UNKNOWN


class CustomerQuerySchema(Schema):
    """Filters of the customer list (pagination arguments are flask-smorest's)."""

    class Meta:
        unknown = EXCLUDE

    customer_type = fields.String(
        data_key="type",
        validate=validate.Length(min=1),
        metadata={
            "description": f'A customer type, any case; "{UNKNOWN}" for customers without one.',
            "example": "Red",
        },
    )


class CustomerSchema(Schema):
    """One customer."""

    customer_id = fields.Integer(required=True, metadata={"example": 1})
    occupation = fields.String(allow_none=True, metadata={"example": "Jedi"})
    customer_type = fields.String(
        required=True,
        metadata={"description": f'"{UNKNOWN}" when the export has none.', "example": "Red"},
    )


class InteractionSchema(Schema):
    """One interaction of a customer, with the product of its month."""

    id = fields.Integer(required=True, metadata={"example": 42})
    occurred_at = LocalDateTime(
        required=True,
        metadata={
            "description": "Local time as the export records it; the export has no time zone.",
            "example": "2020-02-11T16:10:00",
        },
    )
    channel = fields.String(allow_none=True, metadata={"example": "Call"})
    topic = fields.String(allow_none=True, metadata={"example": "Side Effects Discussion"})
    sentiment = fields.String(allow_none=True, metadata={"example": "Positive"})
    product = fields.String(
        required=True,
        metadata={"description": f'"{UNKNOWN}" for a month without one.', "example": "Sand"},
    )
