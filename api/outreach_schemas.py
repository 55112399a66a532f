"""Marshmallow schemas of the consent and contact endpoints."""

from collections.abc import Callable

from marshmallow import Schema, ValidationError, fields, validate

from pipelines.outreach.contacts import MAX_EMAIL_CHARS, normalised_email
from pipelines.outreach.fields import (
    MAX_DISPLAY_NAME_CHARS,
    MAX_REASON_CHARS,
    checked_source,
    optional_text,
)
from repository.errors import InvalidInput


def _checked_by(check: Callable[[str], object]) -> Callable[[str], None]:
    """Return a marshmallow validator applying the domain's own check of a field."""

    def validator(value: str) -> None:
        try:
            check(value)
        except InvalidInput as error:
            raise ValidationError(error.message) from None

    return validator


# The same checks as the import commands', so that both refuse exactly the same values.
_valid_email = _checked_by(normalised_email)
_valid_source = _checked_by(checked_source)
_valid_reason = _checked_by(lambda text: optional_text(text, "reason", MAX_REASON_CHARS))
_valid_name = _checked_by(lambda text: optional_text(text, "display_name", MAX_DISPLAY_NAME_CHARS))


class OptOutSchema(Schema):
    """What a client says when opting a customer out."""

    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=MAX_REASON_CHARS), _valid_reason],
        metadata={"example": "asked by phone not to be emailed"},
    )
    source = fields.String(
        load_default="api",
        validate=_valid_source,
        metadata={
            "description": "Where the request came from: 1 to 32 lower-case letters, digits, "
            '"_" or "-", starting with a letter; default "api".',
            "example": "call",
        },
    )


class ConsentStateSchema(Schema):
    """A customer's current consent."""

    customer_id = fields.Integer(attribute="state.customer_id", required=True)
    opted_out = fields.Boolean(attribute="state.opted_out", required=True)
    reason = fields.String(attribute="state.reason", allow_none=True)
    source = fields.String(attribute="state.source", allow_none=True)
    opted_out_at = fields.DateTime(attribute="state.opted_out_at", allow_none=True)


class ConsentOutcomeSchema(ConsentStateSchema):
    """The state after a change."""

    changed = fields.Boolean(
        required=True,
        metadata={"description": "False when the customer was already in this state."},
    )


class ConsentEventSchema(Schema):
    """One recorded change."""

    action = fields.String(required=True, metadata={"example": "opt_out"})
    reason = fields.String(allow_none=True)
    source = fields.String(required=True, metadata={"example": "api"})
    actor = fields.String(allow_none=True, metadata={"description": "API key or user name."})
    recorded_at = fields.DateTime(required=True)


class ConsentRecordSchema(ConsentStateSchema):
    """The current state and every change, newest first."""

    history = fields.List(fields.Nested(ConsentEventSchema), required=True)


class ContactInputSchema(Schema):
    """A customer's address as a client sets it."""

    email = fields.String(
        required=True,
        validate=[validate.Length(max=MAX_EMAIL_CHARS), _valid_email],
        metadata={"example": "jedi@example.com"},
    )
    display_name = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=MAX_DISPLAY_NAME_CHARS), _valid_name],
        metadata={"example": "Jedi"},
    )


class CustomerContactSchema(Schema):
    """A customer's stored address, or none."""

    customer_id = fields.Integer(required=True)
    status = fields.String(
        required=True,
        metadata={"description": '"ok", or "no_address" when none is stored.'},
    )
    email = fields.Method("_email", allow_none=True, metadata={"type": "string"})
    display_name = fields.Method("_display_name", allow_none=True, metadata={"type": "string"})
    source = fields.Method("_source", allow_none=True, metadata={"type": "string"})
    updated_at = fields.Method(
        "_updated_at", allow_none=True, metadata={"type": "string", "format": "date-time"}
    )

    # Null, not absent, when there is no address: a client reads one shape either way.
    def _email(self, found) -> str | None:
        return found.contact.email if found.contact else None

    def _display_name(self, found) -> str | None:
        return found.contact.display_name if found.contact else None

    def _source(self, found) -> str | None:
        return found.contact.source if found.contact else None

    def _updated_at(self, found) -> str | None:
        updated = found.contact.updated_at if found.contact else None
        return updated.isoformat() if updated else None
