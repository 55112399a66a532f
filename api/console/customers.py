"""A customer's page: profile, history a page at a time, summary, and drafting an email."""

from flask import render_template, request
from marshmallow import Schema, fields, validate

from api.console import blp
from api.console.forms import load
from api.console.session import can, need
from api.content import stored_view
from api.content_schemas import GenerateContentArgs
from api.customers import CUSTOMER_ID
from api.extensions import content_pipeline, repositories
from pipelines.content.pipeline import ContentRequest
from repository.errors import InsightsError

HISTORY_PAGE_SIZE = 20


class HistoryArgs(Schema):
    """The customer page's query string."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))


def _summary(customer_id: int) -> tuple[object | None, str | None]:
    """Return the stored (or newly written) summary, or the reason there is none."""
    if not can("content:write"):
        return None, None
    try:
        return content_pipeline().summarize(customer_id, False), None
    except InsightsError as error:  # a provider failure must not take the page down
        return None, error.message


def _page(customer_id: int, draft=None, draft_error=None, status=200):
    need("stats:read")
    args, problems = load(HistoryArgs())
    page = args.get("page", 1)
    customer = repositories().customers.get_customer(customer_id)
    history, total = repositories().customer_history.page(customer_id, page, HISTORY_PAGE_SIZE)
    summary, summary_error = _summary(customer_id)
    pages = max(1, -(-total // HISTORY_PAGE_SIZE))
    return render_template(
        "console/customer.html", customer=customer, history=history, total=total, page=page,
        pages=pages, problems=problems, summary=summary, summary_error=summary_error,
        draft=draft, draft_error=draft_error,
    ), status  # fmt: skip


@blp.get(f"/customers/{CUSTOMER_ID}")
def customer(customer_id: int):
    """Show one customer."""
    return _page(customer_id)


@blp.post(f"/customers/{CUSTOMER_ID}/draft")
def draft_email(customer_id: int):
    """Write a draft with the content pipeline and show it with its provenance."""
    need("content:write")
    args, problems = load(GenerateContentArgs(), source="form")
    if problems:
        return _page(customer_id, draft_error="; ".join(problems), status=422)
    try:
        stored = content_pipeline().generate(customer_id, ContentRequest(**args))
    except InsightsError as error:
        return _page(customer_id, draft_error=error.message, status=502)
    return _page(customer_id, draft=stored_view(stored))


@blp.get("/customers")
def find_customer():
    """Open the customer whose id was typed in the navigation's search box."""
    from flask import redirect, url_for

    need("stats:read")
    raw = request.args.get("id", "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 2**31 - 1:
        return render_template("console/error.html", message="Type a customer id."), 422
    return redirect(url_for("console.customer", customer_id=int(raw)))
