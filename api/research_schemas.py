"""Schemas of the research assistant endpoint (issue 16)."""

from marshmallow import Schema, ValidationError, fields, validate

MAX_QUESTION = 500


def _words_without_control_characters(question: str) -> None:
    """Refuse a blank question, or one holding control characters (tabs and newlines aside)."""
    control = any(ord(c) < 32 and c not in "\t\n\r" or ord(c) == 127 for c in question)
    if control or not question.strip():
        raise ValidationError("must hold words and no control characters")


class ResearchQuestionSchema(Schema):
    question = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=MAX_QUESTION),
            # Stored for audit: PostgreSQL text holds no NUL, and no other control character
            # belongs in a question. A function, not a pattern: OpenAPI patterns are ECMA
            # regexes without the flags this needs.
            _words_without_control_characters,
        ],
        metadata={"example": "Which product was discussed most with Blue customers in Q1 2021?"},
    )


class FigureSchema(Schema):
    label = fields.String(required=True, metadata={"example": "Sand"})
    value = fields.Raw(required=True, metadata={"type": "number", "example": 42})


class CitationSchema(Schema):
    id = fields.Integer(required=True, metadata={"example": 1234})
    date = fields.String(required=True, metadata={"example": "2021-03-30"})
    customer = fields.Integer(required=True, metadata={"example": 17})
    channel = fields.String(allow_none=True, metadata={"example": "Email"})
    topic = fields.String(allow_none=True, metadata={"example": "Drug Efficacy"})


class ResearchAnswerSchema(Schema):
    """An answer whose every number comes from the semantic queries it lists."""

    id = fields.Integer(required=True, metadata={"description": "The stored audit entry."})
    question = fields.String(required=True)
    answered = fields.Boolean(required=True)
    answer = fields.String(required=True)
    figures = fields.List(fields.Nested(FigureSchema), required=True)
    queries = fields.List(
        fields.Dict(), required=True,
        metadata={"description": "Each query run: label, query (normalised), source."},
    )  # fmt: skip
    data = fields.List(fields.Dict(), required=True, metadata={"description": "Their rows."})
    citations = fields.List(fields.Nested(CitationSchema), required=True)
    model = fields.String(required=True, metadata={"example": "grounded-mock-1"})
    mock = fields.Boolean(required=True)
    prompt_version = fields.String(required=True, metadata={"example": "research/v1"})
