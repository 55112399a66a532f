"""How a generation can fail, beyond the domain errors every layer shares."""

from uuid import UUID

from repository.errors import InsightsError, Unavailable


class ModelTimeout(Unavailable):
    """The language model provider did not answer in time, retries included."""


class ModelOutputRejected(InsightsError):
    """The language model's text failed the output checks, regeneration included."""


class ContentBlocked(ModelOutputRejected):
    """The text still used a restricted phrase after regeneration: stored as blocked, for
    audit only, and never returned as content to send."""

    def __init__(self, content_id: UUID, phrases: list[str]) -> None:
        named = ", ".join(repr(phrase) for phrase in phrases)
        super().__init__(
            f"The language model's text used restricted phrases twice ({named}); it is stored "
            f"as blocked generated content {content_id} for review and must not be sent."
        )
        self.content_id = content_id
        self.phrases = phrases
