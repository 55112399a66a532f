"""Marshmallow schemas shared by the foundation endpoints."""

from marshmallow import Schema, ValidationError, fields


def no_control_characters(value: str) -> None:
    """Refuse control characters in stored text (PostgreSQL text cannot even hold NUL)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationError("must not hold control characters")


class LocalDateTime(fields.NaiveDateTime):
    """A wall-clock time as the export records it, e.g. "2020-02-11T16:10:00".

    The Excel export carries no time zone, so no offset is sent: adding one (say Z) would
    claim a zone nobody recorded. Documented as a pattern, not as RFC 3339 ``date-time``
    (which requires an offset); ``create_app`` maps the class to a plain string.
    """

    PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$"

    def __init__(self, **kwargs) -> None:
        metadata = {"pattern": self.PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)


class ErrorSchema(Schema):
    """The body of every 4xx and 5xx response."""

    code = fields.Integer(required=True, metadata={"example": 404})
    status = fields.String(required=True, metadata={"example": "Not Found"})
    message = fields.String(required=True, metadata={"example": "unknown table 'orders'"})
    errors = fields.Dict(metadata={"description": "Per-location details, when there are any."})


class RowCountSchema(Schema):
    """The legacy row-count response."""

    message = fields.String(required=True, metadata={"example": "Number of Rows"})
    rows = fields.Integer(
        required=True,
        metadata={
            "description": "Clean rows of the table: for customers, the customers on the "
            "customers sheet (not those known only from interactions, which "
            "GET /api/v1/customers also counts).",
            "example": 4,
        },
    )


class LivenessSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class ReadinessSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"example": {"database": "ok", "migrations": "ok"}},
    )
    data_version = fields.Integer(
        allow_none=True,
        metadata={"description": "The data version served (None if unknown).", "example": 3},
    )
