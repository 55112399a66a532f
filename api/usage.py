"""Tokens and cost of generated content over a period: GET /generated-content/usage."""

from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields, validate

from api.bounds import BoundedDate
from api.errors import invalid_parameter
from api.extensions import content_pipeline
from api.schemas import ErrorSchema
from repository.generated_content import USAGE_GROUPS, AbstractGeneratedContentRepository

blp = Blueprint(
    "usage",
    __name__,
    url_prefix="/api/v1",
    description="Tokens and cost of the generated content, summed per model, prompt version "
    "or content type.",
)


class UsageArgs(Schema):
    """Query parameters of /generated-content/usage."""

    class Meta:
        unknown = EXCLUDE

    date_from = BoundedDate(
        data_key="from", metadata={"description": "First day (UTC), inclusive."}
    )
    date_to = BoundedDate(data_key="to", metadata={"description": "Last day (UTC), inclusive."})
    group_by = fields.String(
        load_default="model",
        validate=validate.OneOf(USAGE_GROUPS),
        metadata={"description": "model (default), prompt_version or content_type."},
    )


class UsageTotals(Schema):
    generations = fields.Integer(required=True, metadata={"description": "Texts generated."})
    input_tokens = fields.Integer(required=True, metadata={"description": "Known input tokens."})
    output_tokens = fields.Integer(required=True)
    without_tokens = fields.Integer(
        required=True, metadata={"description": "Generations whose provider reported no usage."}
    )
    tokens_estimated = fields.Boolean(
        required=True, metadata={"description": "Some counts were estimated (the mock)."}
    )
    cost = fields.Float(required=True, metadata={"description": "Sum of the known costs."})
    unpriced = fields.Integer(
        required=True, metadata={"description": "Generations of a model without a price."}
    )


class UsageGroup(UsageTotals):
    key = fields.String(allow_none=True, metadata={"example": "grounded-mock-1"})


class UsageSchema(Schema):
    """Usage totals of a period, per group and overall."""

    date_from = fields.Date(data_key="from", allow_none=True)
    date_to = BoundedDate(data_key="to", allow_none=True)
    group_by = fields.String(required=True)
    groups = fields.List(fields.Nested(UsageGroup), required=True)
    total = fields.Nested(UsageTotals, required=True)


def usage_report(
    repository: AbstractGeneratedContentRepository,
    date_from: date | None,
    date_to: date | None,
    group_by: str,
) -> dict[str, Any]:
    """Return the usage of generations created from ``date_from`` to ``date_to`` (UTC days)."""
    since = None if date_from is None else datetime.combine(date_from, time(), UTC)
    until = None if date_to is None else datetime.combine(date_to + timedelta(days=1), time(), UTC)
    groups = [asdict(row) for row in repository.usage(since, until, group_by)]
    total: dict[str, Any] = {
        name: sum(group[name] for group in groups)
        for name in ("generations", "input_tokens", "output_tokens", "without_tokens", "unpriced")
    }
    total["tokens_estimated"] = any(group["tokens_estimated"] for group in groups)
    total["cost"] = round(sum(group["cost"] for group in groups), 6)
    return {"date_from": date_from, "date_to": date_to, "group_by": group_by,
            "groups": groups, "total": total}  # fmt: skip


@blp.route("/generated-content/usage")
class GeneratedContentUsage(MethodView):
    @blp.arguments(UsageArgs, location="query", as_kwargs=True)
    @blp.response(200, UsageSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="A malformed query parameter.")
    def get(self, group_by: str, date_from: date | None = None, date_to: date | None = None):
        """Sum the tokens and cost of the texts generated in a period, per group.

        Cached summaries answered again are not generations and count once.
        """
        if date_from and date_to and date_from > date_to:
            raise invalid_parameter("query", "from", f"must not be after 'to' ({date_to})")
        return usage_report(content_pipeline().generated, date_from, date_to, group_by)
