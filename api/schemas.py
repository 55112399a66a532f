"""Marshmallow schemas shared by the foundation endpoints."""

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    """The body of every 4xx and 5xx response."""

    code = fields.Integer(required=True, metadata={"example": 404})
    status = fields.String(required=True, metadata={"example": "Not Found"})
    message = fields.String(required=True, metadata={"example": "unknown table 'orders'"})
    errors = fields.Dict(metadata={"description": "Per-location details, when there are any."})


class RowCountSchema(Schema):
    """The legacy row-count response."""

    message = fields.String(required=True, metadata={"example": "Number of Rows"})
    rows = fields.Integer(required=True, metadata={"example": 4})


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
