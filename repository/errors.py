"""Domain errors shared by every layer.

They live in the bottom layer so that api/ and pipelines/ can raise and catch
them without anything importing upwards. api/errors.py turns them into JSON.
"""


class InsightsError(Exception):
    """Root of every error the service raises on purpose."""

    status_code = 500

    def __init__(self, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(InsightsError):
    """A requested resource does not exist."""

    status_code = 404


class InvalidInput(InsightsError):
    """Input was understood but breaks a rule."""

    status_code = 422


class Unavailable(InsightsError):
    """A dependency (database, model provider) cannot serve the request now."""

    status_code = 503


class ConfigurationError(InsightsError):
    """The service is configured in a way it cannot run with."""


class ModelTimeout(InsightsError):
    """The language model provider did not answer in time, retries included."""

    status_code = 504


class ModelOutputRejected(InsightsError):
    """The language model's text failed the output checks, regeneration included."""

    status_code = 502
