"""Campaign pages: create from a segment, follow progress, review the drafts, export."""

from flask import jsonify, redirect, render_template, request, url_for
from marshmallow import ValidationError

from api.campaign_schemas import NewCampaignSchema, SegmentPreviewSchema
from api.campaigns import CAMPAIGN, EXPORT_COLUMNS, count_segment, export_rows, start_campaign
from api.console import blp
from api.console.dashboard import filter_values
from api.console.forms import problems_of, problems_of_error
from api.console.session import console_key, need
from api.customers import CUSTOMER_ID
from api.data_version import current_data_version
from api.deliveries import send_campaign
from api.extensions import content_pipeline, repositories
from api.statistics import csv_response
from api.statistics_reports import table_as_csv
from pipelines.campaigns.service import progress
from pipelines.delivery.metrics import campaign_metrics
from repository.campaigns import ItemFilter
from repository.errors import Conflict, InvalidInput

QUEUE_PAGE_SIZE = 20
MANAGE = "campaigns:manage"


def _campaigns():
    return repositories().campaigns


def _actor() -> str | None:
    key = console_key()
    return key.name if key is not None else None


@blp.get("/campaigns")
def campaigns():
    """List every campaign with its progress, and the form for a new one."""
    need(MANAGE)
    return _list_page([], {}), 200


def _list_page(problems: list[str], form, count: dict | None = None) -> str:
    found = [(c, progress(c)) for c in _campaigns().all()]
    types = filter_values(current_data_version()).get("customer_type", set())
    return render_template("console/campaigns.html", campaigns=found, problems=problems,
                           form=form, customer_types=types, count=count)  # fmt: skip


def count_summary(count: dict) -> str:
    """Say a segment's count in words, as the form shows it (with or without JavaScript)."""
    excluded = count["excluded"]
    words = f"{count['recipients']} recipients, {excluded['opted_out']} opted out"
    if "not_matched" in excluded:
        words += f", {excluded['not_matched']} listed but not matched"
    return words


def _new_campaign_body(form) -> dict:
    """Shape the form's fields as the API's NewCampaignSchema body."""
    segment = {
        "customer_types": [v for v in form.getlist("customer_types") if v.strip()],
        "topics": [v.strip() for v in form.get("topics", "").split(",") if v.strip()],
        "last_contact_from": form.get("last_contact_from") or None,
        "last_contact_to": form.get("last_contact_to") or None,
        "min_interactions": form.get("min_interactions") or None,
    }
    body = {k: form.get(k) for k in ("name", "content_type", "tone", "max_words") if form.get(k)}
    return {**body, "segment": {k: v for k, v in segment.items() if v not in (None, [])}}


@blp.post("/campaigns")
def create_campaign():
    """Create a campaign from the form, then show it."""
    need(MANAGE)
    try:
        campaign = start_campaign(NewCampaignSchema().load(_new_campaign_body(request.form)),
                                  _actor())  # fmt: skip
    except (ValidationError, InvalidInput) as error:
        problems = (problems_of(error.messages) if isinstance(error, ValidationError)
                    else problems_of_error(error))  # fmt: skip
        return _list_page(problems, request.form), 422
    return redirect(url_for("console.campaign", campaign_id=campaign.id), code=303)


@blp.post("/campaigns/preview")
def preview_campaign():
    """Count the form's segment: JSON for the live count, else the page with the count."""
    need(MANAGE)
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        body = SegmentPreviewSchema().load({"segment": _new_campaign_body(request.form)["segment"]})
    except ValidationError as error:
        if wants_json:
            return jsonify(problems=problems_of(error.messages)), 422
        return _list_page(problems_of(error.messages), request.form), 422
    count = count_segment(body)
    count["summary"] = count_summary(count)
    if wants_json:
        return jsonify(count)
    return _list_page([], request.form, count), 200


@blp.get(f"/campaigns/{CAMPAIGN}")
def campaign(campaign_id: int):
    """Show progress and the review queue, needs_review items first."""
    need(MANAGE)
    found = _campaigns().get(campaign_id)
    page = max(1, request.args.get("page", 1, type=int))
    review = request.args.get("review") or None
    flagged, flagged_total = _campaigns().items(
        campaign_id, ItemFilter(status="written", review_status="needs_review"), 1, QUEUE_PAGE_SIZE
    )
    listed, total = _campaigns().items(
        campaign_id, ItemFilter(review_status=review), page, QUEUE_PAGE_SIZE
    )
    return render_template(
        "console/campaign.html", sources=_sources(flagged + listed),
        campaign=found, progress=progress(found), flagged=flagged,
        flagged_total=flagged_total, items=listed, total=total, page=page, review=review,
        pages=max(1, -(-total // QUEUE_PAGE_SIZE)), **_delivery(campaign_id),
    )  # fmt: skip


def _delivery(campaign_id: int) -> dict:
    """Return the campaign's delivery counts and its feedback per prompt version."""
    rows = repositories().feedback.counts(campaign_id, "prompt_version")
    return {
        "deliveries": repositories().deliveries.counts(campaign_id),
        "metrics": campaign_metrics(rows, "prompt_version"),
    }


@blp.post(f"/campaigns/{CAMPAIGN}/send")
def send(campaign_id: int):
    """Queue the approved items for sending, as POST /api/v1/campaigns/<id>/send does."""
    need(MANAGE)
    _campaigns().get(campaign_id)  # 404 for an unknown campaign
    send_campaign(campaign_id)
    return redirect(url_for("console.campaign", campaign_id=campaign_id), code=303)


def _sources(items) -> dict[int, list[int]]:
    """Return the interactions each shown draft was written from, by customer id."""
    generated = content_pipeline().generated
    return {item.customer_id: list(generated.get(item.generation_id).sources)
            for item in items if item.generation_id is not None}  # fmt: skip


@blp.get(f"/campaigns/{CAMPAIGN}/progress")
def campaign_progress(campaign_id: int):
    """Return the status, counts and progress the campaign page polls."""
    need(MANAGE)
    found = _campaigns().get(campaign_id)
    return jsonify(status=found.status, counts=found.counts, progress=progress(found))


def _review(campaign_id: int, customer_id: int, status: str):
    need(MANAGE)
    note = request.form.get("note", "").strip()[:2000] or None
    try:
        _campaigns().review_item(campaign_id, customer_id, status, note, _actor())
    except Conflict as error:
        return render_template("console/error.html", message=error.message), 409
    return redirect(url_for("console.campaign", campaign_id=campaign_id, **_kept()), code=303)


@blp.post(f"/campaigns/{CAMPAIGN}/items/{CUSTOMER_ID}/approve")
def approve_item(campaign_id: int, customer_id: int):
    """Approve one item, with an optional note."""
    return _review(campaign_id, customer_id, "approved")


@blp.post(f"/campaigns/{CAMPAIGN}/items/{CUSTOMER_ID}/reject")
def reject_item(campaign_id: int, customer_id: int):
    """Reject one item, with an optional note."""
    return _review(campaign_id, customer_id, "rejected")


@blp.post(f"/campaigns/{CAMPAIGN}/approve-clear")
def approve_clear(campaign_id: int):
    """Approve every written item whose review is clear."""
    need(MANAGE)
    try:
        _campaigns().approve_clear(campaign_id, _actor())
    except Conflict as error:
        return render_template("console/error.html", message=error.message), 409
    return redirect(url_for("console.campaign", campaign_id=campaign_id), code=303)


@blp.get(f"/campaigns/{CAMPAIGN}/export.csv")
def export(campaign_id: int):
    """Download the approved items as CSV, as the API's export does."""
    need(MANAGE)
    _campaigns().get(campaign_id)  # 404 for an unknown campaign, as the API answers
    body = table_as_csv(export_rows(campaign_id), EXPORT_COLUMNS)
    return csv_response(body, f"campaign-{campaign_id}.csv")


def _kept() -> dict:
    """Return the queue's filter and page from the posted form, to return to the same view."""
    kept = {k: request.form.get(k) for k in ("review", "page") if request.form.get(k)}
    return kept
