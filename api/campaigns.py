"""Campaigns: an email (or call script) for every customer of a segment, reviewed before use."""

import json
from dataclasses import asdict
from typing import Any

from flask import Response, url_for
from flask.views import MethodView

from api.auth import current_key
from api.bounds import MAX_ID, Blueprint
from api.campaign_schemas import (
    ApprovedCountSchema,
    CampaignSchema,
    ExportArgs,
    ItemArgs,
    ItemSchema,
    NewCampaignSchema,
    ReviewNoteSchema,
    SegmentCountSchema,
    SegmentPreviewSchema,
)
from api.customers import CUSTOMER_ID
from api.errors import invalid_parameter
from api.extensions import repositories
from api.schemas import ErrorSchema
from api.statistics import csv_response
from api.statistics_reports import table_as_csv
from pipelines.campaigns.service import create_campaign, preview_segment, progress
from repository.campaigns import Campaign, ItemFilter, NewCampaign, Segment
from repository.errors import InvalidInput

blp = Blueprint(
    "campaigns",
    __name__,
    url_prefix="/api/v1/campaigns",
    description="Write a checked draft for every customer of a segment on the job queue, "
    "review the drafts, export the approved ones.",
)
CAMPAIGN = f"<int(min=1, max={MAX_ID}):campaign_id>"
EXPORT_COLUMNS = ["customer_id", "customer_type", "prompt_version", "focus", "focus_reason",
                  "generation_id", "content", "note", "subject"]  # fmt: skip
_NOT_FOUND = "No campaign has this id."
_EXPORT_CONTENT = {
    "content": {
        "text/csv": {"schema": {"type": "string", "description": "format=csv"}},
        "application/x-ndjson": {"schema": {"type": "string", "description": "format=jsonl"}},
    },
    "headers": {
        "Content-Disposition": {
            "description": 'attachment; filename="campaign-<id>.csv" (or .jsonl)',
            "schema": {"type": "string"},
        }
    },
}
_REVIEW_CONFLICT = (
    "The item cannot be reviewed so: blocked, not written, customer opted out, or the "
    "campaign is cancelled."
)


def _campaigns():
    return repositories().campaigns


def _view(campaign: Campaign) -> dict[str, Any]:
    return {**asdict(campaign), "progress": progress(campaign)}


def _actor() -> str | None:
    key = current_key()
    return key.name if key is not None else None


def _segment(fields: dict[str, Any]) -> Segment:
    return Segment(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})


def start_campaign(body: dict[str, Any], actor: str | None) -> Campaign:
    """Create a campaign from a validated NewCampaignSchema body (the API's and the console's)."""
    segment = _segment(body.pop("segment"))
    new = NewCampaign(**{**body, "prompt_versions": tuple(body.get("prompt_versions", ()))},
                      segment=segment, created_by=actor)  # fmt: skip
    return create_campaign(_config(), _campaigns(), new)


def count_segment(body: dict[str, Any]) -> dict[str, Any]:
    """Count a validated SegmentPreviewSchema body's recipients (the API's and the console's)."""
    return asdict(preview_segment(_campaigns(), _segment(body["segment"])))


def export_rows(campaign_id: int) -> list[dict[str, Any]]:
    """Return the approved items of a campaign as export rows (the API's and the console's)."""
    return [
        {column: _plain(getattr(item, column)) for column in EXPORT_COLUMNS}
        for item in _campaigns().approved(campaign_id)
    ]


@blp.route("")
class Campaigns(MethodView):
    @blp.arguments(NewCampaignSchema)
    @blp.response(202, CampaignSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="A field is invalid (it is named).")
    def post(self, body):
        """Create a campaign: its items and queue jobs commit together; workers write them.

        Opted-out customers are left out and counted in ``excluded``.
        """
        try:
            campaign = start_campaign(body, _actor())
        except InvalidInput as error:  # a body field: name it where the request carries it
            raise invalid_parameter("json", error.field or "body", error.message) from None
        location = url_for("campaigns.CampaignById", campaign_id=campaign.id)
        return _view(campaign), 202, {"Location": location}

    @blp.response(200, CampaignSchema(many=True))
    def get(self):
        """List every campaign, newest first."""
        return [_view(campaign) for campaign in _campaigns().all()]


@blp.route("/preview")
class CampaignPreview(MethodView):
    @blp.arguments(SegmentPreviewSchema)
    @blp.response(200, SegmentCountSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="A field is invalid (it is named).")
    def post(self, body):
        """Count a segment's recipients and exclusions as creating its campaign would, without
        creating anything (the console's live count)."""
        return count_segment(body)


@blp.route(f"/{CAMPAIGN}")
class CampaignById(MethodView):
    @blp.response(200, CampaignSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_NOT_FOUND)
    def get(self, campaign_id: int):
        """Return a campaign: status, counts per item status, progress, throughput, ETA."""
        return _view(_campaigns().get(campaign_id))


def _action_view(action: str):
    class Action(MethodView):
        @blp.response(200, CampaignSchema)
        @blp.alt_response(404, schema=ErrorSchema, description=_NOT_FOUND)
        @blp.alt_response(409, schema=ErrorSchema, description="Not possible in its status.")
        def post(self, campaign_id: int):
            return _view(_campaigns().set_status(campaign_id, action))

    Action.post.__doc__ = {
        "pause": "Pause a campaign: running jobs finish their batch, no new batch starts.",
        "resume": "Resume a paused campaign: its pending batches go back in the queue.",
        "cancel": "Cancel a campaign: its pending items end cancelled.",
    }[action]
    Action.__name__ = f"Campaign{action.title()}"
    return Action


for _action in ("pause", "resume", "cancel"):
    blp.route(f"/{CAMPAIGN}/{_action}")(_action_view(_action))


@blp.route(f"/{CAMPAIGN}/items")
class CampaignItems(MethodView):
    @blp.arguments(ItemArgs, location="query", as_kwargs=True)
    @blp.response(200, ItemSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description=_NOT_FOUND)
    @blp.alt_response(422, schema=ErrorSchema, description="A malformed query parameter.")
    @blp.paginate(page_size=20, max_page_size=100)
    def get(self, pagination_parameters, campaign_id: int, review: str | None = None, **where):
        """List a campaign's items by customer id: text, prompt version, focus and why,
        review state and generation id."""
        items, total = _campaigns().items(
            campaign_id,
            ItemFilter(review_status=review, **where),
            pagination_parameters.page,
            pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return [asdict(item) for item in items]


def _review_view(verdict: str):
    class Review(MethodView):
        @blp.arguments(ReviewNoteSchema, required=False)
        @blp.response(200, ItemSchema)
        @blp.alt_response(404, schema=ErrorSchema, description="No such campaign or item.")
        @blp.alt_response(409, schema=ErrorSchema, description=_REVIEW_CONFLICT)
        def post(self, body, campaign_id: int, customer_id: int):
            item = _campaigns().review_item(
                campaign_id, customer_id, verdict, (body or {}).get("note"), _actor()
            )
            return asdict(item)

    Review.post.__doc__ = (
        "Approve one written item (needs_review items are approved only this way; blocked "
        "ones never)." if verdict == "approved" else "Reject one written item."
    )  # fmt: skip
    Review.__name__ = f"Item{verdict.title()}"
    return Review


blp.route(f"/{CAMPAIGN}/items/{CUSTOMER_ID}/approve")(_review_view("approved"))
blp.route(f"/{CAMPAIGN}/items/{CUSTOMER_ID}/reject")(_review_view("rejected"))


@blp.route(f"/{CAMPAIGN}/approve")
class ApproveClear(MethodView):
    @blp.response(200, ApprovedCountSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=_NOT_FOUND)
    @blp.alt_response(409, schema=ErrorSchema, description="The campaign is cancelled.")
    def post(self, campaign_id: int):
        """Approve every written item whose review is clear (not needs_review or blocked)."""
        return {"approved": _campaigns().approve_clear(campaign_id, _actor())}


@blp.route(f"/{CAMPAIGN}/export")
class Export(MethodView):
    @blp.arguments(ExportArgs, location="query", as_kwargs=True)
    @blp.response(200, description="The approved items as CSV or JSON lines.")
    @blp.doc(responses={200: _EXPORT_CONTENT})
    @blp.alt_response(404, schema=ErrorSchema, description=_NOT_FOUND)
    @blp.alt_response(422, schema=ErrorSchema, description="A malformed query parameter.")
    def get(self, campaign_id: int, format: str):
        """Download the approved items (csv, text cells made inert; or jsonl)."""
        rows = export_rows(campaign_id)
        if format == "csv":
            return csv_response(table_as_csv(rows, EXPORT_COLUMNS), f"campaign-{campaign_id}.csv")
        body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        response = Response(body, mimetype="application/x-ndjson")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="campaign-{campaign_id}.jsonl"'
        )
        return response


def _plain(value: Any) -> Any:
    return str(value) if value is not None and not isinstance(value, str | int) else value


def _config():
    from flask import current_app

    return current_app.config
