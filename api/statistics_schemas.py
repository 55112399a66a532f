"""Schemas of the statistics endpoints."""

from marshmallow import Schema, fields, validate

from repository.statistics import GRANULARITIES


class ProductInteractionsArgs(Schema):
    """Query parameters of /statistics/product-interactions."""

    date_from = fields.Date(data_key="from", metadata={"description": "First day, inclusive."})
    date_to = fields.Date(data_key="to", metadata={"description": "Last day, inclusive."})
    channel = fields.List(fields.String(), metadata={"description": "Repeatable, e.g. Email."})
    sentiment = fields.List(fields.String(), metadata={"description": "Repeatable."})
    topic = fields.List(fields.String(), metadata={"description": "Repeatable."})
    granularity = fields.String(
        validate=validate.OneOf(GRANULARITIES),
        metadata={"description": "Adds a period column: month, quarter or year."},
    )
    format = fields.String(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "csv returns the rows as CSV (as does Accept: text/csv)."},
    )


class ProductInteractionsRow(Schema):
    product = fields.String(required=True, metadata={"example": "Sand"})
    customer_type = fields.String(required=True, metadata={"example": "Red"})
    interactions = fields.Integer(required=True, metadata={"example": 12})
    period = fields.String(metadata={"example": "2024-01"})


class ProductInteractionsTotals(Schema):
    interactions = fields.Integer(required=True, metadata={"example": 388})
    by_product = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"example": {"Sand": 120}}
    )
    by_customer_type = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"example": {"Red": 96}}
    )


class ProductInteractionsSchema(Schema):
    """Interactions per product per customer type, in long format."""

    data = fields.List(fields.Nested(ProductInteractionsRow), required=True)
    totals = fields.Nested(ProductInteractionsTotals, required=True)
    filters = fields.Dict(
        required=True,
        metadata={
            "example": {"from": "2024-01-01", "to": None, "channel": ["Email"], "sentiment": [],
                        "topic": [], "granularity": None}
        },
    )  # fmt: skip
