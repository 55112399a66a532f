"""Domain errors shared by every layer: what went wrong and, when known, which input.

They live in the bottom layer so that api/ and pipelines/ can raise and catch them
without anything importing upwards. They carry no HTTP status: api/errors.py decides
how each class is answered.
"""


class InsightsError(Exception):
    """Root of every error the service raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The input that was wrong, in the domain's own name (``customer_type``), if any.
        self.field = field


class NotFound(InsightsError):
    """A requested thing does not exist."""


class InvalidInput(InsightsError):
    """Input was understood but breaks a rule."""


class Conflict(InsightsError):
    """The operation collides with another one already under way."""


class Unavailable(InsightsError):
    """A dependency (database, model provider) cannot serve the request now."""


class ConfigurationError(InsightsError):
    """The service is configured in a way it cannot run with."""
