"""Schemas of the semantic query endpoints (issue 16)."""

from marshmallow import Schema, fields, validate

from api.bounds import BoundedDate
from repository.semantic import DIMENSIONS, GRANULARITIES, MAX_LIMIT, MEASURES, OPERATORS

# Names are checked by pipelines/research/queries.py, which answers every unknown name
# and value at once with what it expected; the schema checks only shapes and sizes.
_NAME = fields.String(validate=validate.Length(min=1, max=64))
_VALUE = fields.String(validate=validate.Length(min=1, max=200))


class QueryTimeSchema(Schema):
    granularity = fields.String(
        allow_none=True, metadata={"description": f"One of {', '.join(GRANULARITIES)}."}
    )
    date_from = BoundedDate(data_key="from", allow_none=True, metadata={"example": "2020-01-01"})
    date_to = BoundedDate(data_key="to", allow_none=True, metadata={"example": "2020-12-31"})


class QueryFilterSchema(Schema):
    dimension = fields.String(required=True, metadata={"example": "customer_type"})
    op = fields.String(
        load_default="in", metadata={"description": f"One of {', '.join(OPERATORS)}."}
    )
    values = fields.List(
        _VALUE,
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"example": ["Red"]},
    )


class QueryOrderSchema(Schema):
    by = fields.String(required=True, metadata={"example": "interactions"})
    direction = fields.String(load_default="asc", metadata={"example": "desc"})


class QueryRequestSchema(Schema):
    """A semantic query: measures per dimensions (and period), filtered, ordered, limited."""

    measures = fields.List(
        _NAME,
        validate=validate.Length(max=len(MEASURES)),
        metadata={
            "description": f"Any of {', '.join(MEASURES)}; default interactions.",
            "example": ["interactions"],
        },
    )
    dimensions = fields.List(
        _NAME,
        validate=validate.Length(max=len(DIMENSIONS)),
        metadata={"description": f"Any of {', '.join(DIMENSIONS)}.", "example": ["product"]},
    )
    time = fields.Nested(QueryTimeSchema)
    filters = fields.List(fields.Nested(QueryFilterSchema), validate=validate.Length(max=20))
    order = fields.List(fields.Nested(QueryOrderSchema), validate=validate.Length(max=10))
    limit = fields.Integer(
        allow_none=True, metadata={"description": f"1 to {MAX_LIMIT}.", "example": 5}
    )


class QueryResponseSchema(Schema):
    """The rows of a semantic query, the query as understood, and what served it."""

    query = fields.Dict(required=True, metadata={"description": "The normalised query."})
    source = fields.String(
        required=True, metadata={"description": "rollup or rows.", "example": "rollup"}
    )
    rows = fields.List(
        fields.Dict(),
        required=True,
        metadata={"example": [{"product": "Sand", "interactions": 120}]},
    )


class DimensionMetaSchema(Schema):
    name = fields.String(required=True, metadata={"example": "channel"})
    values = fields.List(
        fields.String(),
        allow_none=True,
        metadata={"description": "Known values; null for customer (any customer id)."},
    )


class QueryMetaSchema(Schema):
    """What a semantic query may name."""

    measures = fields.List(fields.String(), required=True)
    dimensions = fields.List(fields.Nested(DimensionMetaSchema), required=True)
    granularities = fields.List(fields.String(), required=True)
    operators = fields.List(fields.String(), required=True)
    first_day = fields.Date(allow_none=True, required=True)
    last_day = fields.Date(allow_none=True, required=True)
