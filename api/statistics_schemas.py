"""Schemas of the statistics endpoints."""

from marshmallow import Schema, fields, validate

from api.bounds import BoundedDate
from repository.model import SENTIMENTS, UNKNOWN
from repository.statistics import GRANULARITIES, GROUP_DIMENSIONS

# A filter value names a value of the data, so it cannot be empty.
_VALUE = fields.String(validate=validate.Length(min=1))
_ANY = (
    f'any value the statistics overview shows, in any case, "{UNKNOWN}" included (matches '
    "interactions without one)."
)


class FilterArgs(Schema):
    """The filters every statistics endpoint accepts."""

    date_from = BoundedDate(data_key="from", metadata={"description": "First day, inclusive."})
    date_to = BoundedDate(data_key="to", metadata={"description": "Last day, inclusive."})
    channel = fields.List(_VALUE, metadata={"description": f"Repeatable, e.g. Email; {_ANY}"})
    sentiment = fields.List(
        _VALUE, metadata={"description": f"Repeatable: {', '.join(SENTIMENTS)} or {UNKNOWN}."}
    )
    topic = fields.List(_VALUE, metadata={"description": f"Repeatable; {_ANY}"})
    customer_type = fields.List(
        _VALUE, metadata={"description": f"Repeatable, e.g. Red; {_ANY}", "example": ["Red"]}
    )


class CsvArgs(Schema):
    """The choice of representation, for endpoints that also answer in CSV."""

    format = fields.String(
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "csv returns the rows as CSV (as does Accept: text/csv)."},
    )


class OverviewArgs(FilterArgs, CsvArgs):
    """Query parameters of /statistics/overview."""


class ProductInteractionsArgs(FilterArgs, CsvArgs):
    """Query parameters of /statistics/product-interactions."""

    granularity = fields.String(
        validate=validate.OneOf(GRANULARITIES),
        metadata={"description": "Adds a period column: month, quarter or year."},
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


class TimeseriesArgs(FilterArgs, CsvArgs):
    """Query parameters of /statistics/timeseries."""

    granularity = fields.String(
        load_default="month", validate=validate.OneOf(GRANULARITIES), metadata={"example": "month"}
    )
    group_by = fields.String(
        required=True, validate=validate.OneOf(GROUP_DIMENSIONS), metadata={"example": "channel"}
    )


class CountsField(fields.Dict):
    def __init__(self, example: dict) -> None:
        super().__init__(
            keys=fields.String(), values=fields.Integer(), metadata={"example": example}
        )


class OverviewTotals(Schema):
    """The overview's totals; the README's "Three customer counts" compares them."""

    interactions = fields.Integer(
        required=True,
        metadata={"description": "Interactions that match the filters.", "example": 388},
    )
    customers = fields.Integer(
        required=True,
        metadata={
            "description": "Customers seen in interactions: distinct customers with at least "
            "one interaction that matches the filters, whether or not the customers sheet "
            "lists them. Customers of the sheet without interactions are not counted "
            "(GET /api/v1/customers counts every customer, /api/v1/stats/customers the "
            "sheet's rows).",
            "example": 41,
        },
    )


class OverviewSchema(Schema):
    """Totals, counts per dimension and the span of the interactions."""

    totals = fields.Nested(OverviewTotals, required=True)
    by_channel = CountsField({"Email": 150, "Call": 120, "Bird": 20})
    by_sentiment = CountsField({"Positive": 200, "Negative": 90, UNKNOWN: 8})
    by_topic = CountsField({"Drug Efficacy": 70})
    by_customer_type = CountsField({"Red": 120, UNKNOWN: 4})
    first_interaction = fields.String(allow_none=True, metadata={"example": "2019-01-02T09:15"})
    last_interaction = fields.String(allow_none=True, metadata={"example": "2024-12-30T16:40"})
    filters = fields.Dict()


class TimeseriesSchema(Schema):
    """Counts per period and value of one dimension, in long format."""

    data = fields.List(
        fields.Dict(),
        required=True,
        metadata={"example": [{"period": "2024-01", "channel": "Email", "interactions": 31}]},
    )
    filters = fields.Dict()
