"""The research assistant over HTTP: a question in, an answer from SQL with its evidence out."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.extensions import EXTENSION_KEY
from api.research_schemas import ResearchAnswerSchema, ResearchQuestionSchema
from api.schemas import ErrorSchema
from repository.errors import Unavailable

blp = Blueprint(
    "research", __name__, url_prefix="/api/v1/research",
    description="Questions in plain language, answered from the data with queries and citations.",
)  # fmt: skip


def research_assistant():
    """Return the app's research assistant."""
    assistant = current_app.extensions[EXTENSION_KEY].get("research")
    if assistant is None:
        raise Unavailable("This service was built without the research assistant's data.")
    return assistant


@blp.route("")
class Research(MethodView):
    @blp.arguments(ResearchQuestionSchema)
    @blp.response(200, ResearchAnswerSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="The question is missing or too long.")
    @blp.alt_response(504, schema=ErrorSchema, description="A real model did not answer in time.")
    def post(self, body):
        """Answer a question about the interactions; answered is false when it cannot."""
        return research_assistant().ask(body["question"])
