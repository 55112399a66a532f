"""AI-written content: personalised emails and call scripts, interaction summaries."""

from typing import Any
from uuid import UUID

from flask.views import MethodView
from flask_smorest import Blueprint

from api.content_schemas import (
    GenerateContentArgs,
    GeneratedContentSchema,
    StoredContentSchema,
    SummaryArgs,
    SummarySchema,
)
from api.customers import parse_customer_id
from api.errors import invalid_parameter
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
    404: "No customer row and no interaction has this id.",
    422: "A malformed id or query parameter.",
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
        "input_tokens": stored.input_tokens,
        "output_tokens": stored.output_tokens,
        "tokens_estimated": stored.tokens_estimated,
        "cost": stored.cost,
    }


@blp.route("/generate-content/<customer_id>")
class GenerateContent(MethodView):
    @blp.arguments(GenerateContentArgs, location="query", as_kwargs=True)
    @blp.response(200, GeneratedContentSchema)
    @_document_failures
    def get(self, customer_id: str, **arguments):
        """Write a personalised email (or call script) from the customer's interactions.

        Every call writes and stores a new generation; read it again by its content_id.
        """
        request = ContentRequest(**arguments)
        stored = content_pipeline().generate(parse_customer_id(customer_id), request)
        body = {"Content_type": stored.content_type, "Content": stored.content}
        return {**provenance(stored), "generated_content": body, "parameters": stored.parameters}


@blp.route("/summarized_interactions/<customer_id>")
class SummarizedInteractions(MethodView):
    @blp.arguments(SummaryArgs, location="query", as_kwargs=True)
    @blp.response(200, SummarySchema)
    @_document_failures
    def get(self, customer_id: str, refresh: bool):
        """Summarise a customer's interactions: numbers from SQL, the text from the model.

        The summary is stored and answered again (``cached``: true, no model call) until
        the customer's interactions, the prompt version, the provider or the model change;
        ``refresh=true`` writes a new one.
        """
        stored = content_pipeline().summarize(parse_customer_id(customer_id), refresh)
        return {
            **provenance(stored),
            "cached": stored.cached,
            "summary": {**(stored.facts or {}), "summary_text": stored.content},
        }


@blp.route("/generated-content/<content_id>")
class GeneratedContent(MethodView):
    @blp.response(200, StoredContentSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Nothing is stored under this id.")
    @blp.alt_response(422, schema=ErrorSchema, description="The id is not a UUID.")
    def get(self, content_id: str):
        """Return one stored generation, as it was produced."""
        return content_pipeline().generated.get(_parse_content_id(content_id))


def _parse_content_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise invalid_parameter("path", "content_id", f"must be a UUID, got {raw!r}") from None
