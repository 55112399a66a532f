"""AI-written content: personalised emails and call scripts, interaction summaries."""

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.bounds import Blueprint
from api.content_schemas import (
    ContentListArgs,
    GenerateContentArgs,
    GeneratedContentSchema,
    StoredContentSchema,
    SummaryArgs,
    SummarySchema,
)
from api.customers import CUSTOMER_ID
from api.extensions import content_pipeline
from api.schemas import ErrorSchema
from pipelines.content.pipeline import ContentRequest
from repository.generated_content import ContentFilter, StoredContent

blp = Blueprint(
    "content",
    __name__,
    url_prefix="/api/v1",
    description="Emails, call scripts and summaries written by the configured language model "
    "from each customer's own interactions.",
)

LIST_PAGE_SIZE = 20
LIST_MAX_PAGE_SIZE = 100
_FAILURES = {
    404: "No customer row and no interaction has this id (or it is not 1 to 2147483647).",
    422: "A malformed query parameter.",
    502: "The model's text failed its checks twice, or still used a restricted phrase: "
    "then it is stored as blocked under the content id the message names, and not returned.",
    503: "The model provider is unavailable.",
    504: "The model provider did not answer in time.",
}


def _document_failures(view):
    for status, description in _FAILURES.items():
        view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
    return view


def provenance(stored: StoredContent) -> dict[str, Any]:
    """The audit fields every generated-content response carries."""
    return {
        "customer_id": stored.customer_id,
        "content_id": stored.content_id,
        "provider": stored.provider,
        "model": stored.model,
        "mock": stored.mock,
        "prompt_version": stored.prompt_version,
        "sources": list(stored.sources),
        "attempts": stored.attempts,
        "created_at": stored.created_at,
        "review": {"status": stored.review_status, "reasons": stored.review_reasons},
        "policy_version": stored.policy_version,
        "input_tokens": stored.input_tokens,
        "output_tokens": stored.output_tokens,
        "tokens_estimated": stored.tokens_estimated,
        "cost": stored.cost,
    }


def stored_view(stored: StoredContent) -> dict[str, Any]:
    """One stored generation as the generated-content endpoints show it."""
    return {
        **provenance(stored),
        "content_type": stored.content_type,
        "content": stored.content,
        "subject": stored.subject,
        "latency_ms": stored.latency_ms,
        "parameters": stored.parameters,
        "facts": stored.facts,
    }


@blp.route(f"/generate-content/{CUSTOMER_ID}")
class GenerateContent(MethodView):
    @blp.arguments(GenerateContentArgs, location="query", as_kwargs=True)
    @blp.response(200, GeneratedContentSchema)
    @_document_failures
    def get(self, customer_id: int, **arguments):
        """Write a personalised email (or call script) from the customer's interactions.

        Every call writes and stores a new generation; read it again by its content_id.
        """
        request = ContentRequest(**arguments)
        stored = content_pipeline().generate(customer_id, request)
        body = {"Content_type": stored.content_type, "Content": stored.content,
                "Subject": stored.subject}  # fmt: skip
        return {**provenance(stored), "generated_content": body, "parameters": stored.parameters}


@blp.route(f"/summarized_interactions/{CUSTOMER_ID}")
class SummarizedInteractions(MethodView):
    @blp.arguments(SummaryArgs, location="query", as_kwargs=True)
    @blp.response(200, SummarySchema)
    @_document_failures
    def get(self, customer_id: int, refresh: bool):
        """Summarise a customer's interactions: numbers from SQL, the text from the model.

        The summary is stored and answered again (``cached``: true, no model call) until
        the customer's interactions, the prompt version, the provider or the model change;
        ``refresh=true`` writes a new one.
        """
        stored = content_pipeline().summarize(customer_id, refresh)
        return {
            **provenance(stored),
            "cached": stored.cached,
            "summary": {**(stored.facts or {}), "summary_text": stored.content},
        }


@blp.route("/generated-content")
class GeneratedContentList(MethodView):
    @blp.arguments(ContentListArgs, location="query", as_kwargs=True)
    @blp.response(200, StoredContentSchema(many=True))
    @blp.alt_response(422, schema=ErrorSchema, description="A malformed query parameter.")
    @blp.paginate(page_size=LIST_PAGE_SIZE, max_page_size=LIST_MAX_PAGE_SIZE)
    def get(self, pagination_parameters, review: str | None = None, **filters):
        """List stored generations, newest first: e.g. ?review=needs_review for a reviewer.

        Blocked texts are listed for audit with their review; they are never to be sent.
        """
        found, total = content_pipeline().generated.matching(
            ContentFilter(review_status=review, **filters),
            pagination_parameters.page,
            pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return [stored_view(stored) for stored in found]


@blp.route("/generated-content/<uuid:content_id>")
class GeneratedContent(MethodView):
    @blp.response(200, StoredContentSchema)
    @blp.alt_response(
        404,
        schema=ErrorSchema,
        description="Nothing is stored under this id (or it is not a UUID).",
    )
    @blp.alt_response(422, schema=ErrorSchema, description="An unknown query parameter.")
    def get(self, content_id: UUID):
        """Return one stored generation, as it was produced."""
        return stored_view(content_pipeline().generated.get(content_id))
