"""How a generation can fail, beyond the domain errors every layer shares."""

from repository.errors import InsightsError, Unavailable


class ModelTimeout(Unavailable):
    """The language model provider did not answer in time, retries included."""


class ModelOutputRejected(InsightsError):
    """The language model's text failed the output checks, regeneration included."""
