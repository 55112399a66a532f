"""AI-written content: personalised emails and call scripts, interaction summaries."""

from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint

from api.content_schemas import (
    GenerateContentArgs,
    GeneratedContentSchema,
    StoredContentSchema,
    SummarySchema,
)
from api.customers import CUSTOMER_ID
from api.extensions import content_pipeline
from api.schemas import ErrorSchema
from pipelines.content.pipeline import ContentRequest
from repository.generated_content import StoredContent

blp = Blueprint(
    "content",
    __name__,
    url_prefix="/api/v1",
    description="Emails, call scripts and summaries written by the configured language model "
    "from each customer's own interactions.",
)

_FAILURES = {
    404: "No customer row and no interaction has this id (or it is not 1 to 2147483647).",
    422: "A malformed query parameter.",
    502: "The model's text failed its checks twice.",
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
        body = {"Content_type": stored.content_type, "Content": stored.content}
        return {**provenance(stored), "generated_content": body, "parameters": stored.parameters}


@blp.route(f"/summarized_interactions/{CUSTOMER_ID}")
class SummarizedInteractions(MethodView):
    @blp.response(200, SummarySchema)
    @_document_failures
    def get(self, customer_id: int):
        """Summarise a customer's interactions: numbers from SQL, the text from the model."""
        stored = content_pipeline().summarize(customer_id)
        return {
            **provenance(stored),
            "summary": {**(stored.facts or {}), "summary_text": stored.content},
        }


@blp.route("/generated-content/<uuid:content_id>")
class GeneratedContent(MethodView):
    @blp.response(200, StoredContentSchema)
    @blp.alt_response(
        404,
        schema=ErrorSchema,
        description="Nothing is stored under this id (or it is not a UUID).",
    )
    def get(self, content_id: UUID):
        """Return one stored generation, as it was produced."""
        return content_pipeline().generated.get(content_id)
