"""Count the tokens of a generation and price them: what each text cost.

Hosted providers report tokens in the answer's ``usage_metadata`` (langchain-core's
standard field). The mock reports none, so its counts are estimated here and marked as
such; a real provider that reports none leaves them unknown (None), never guessed.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import ceil

from langchain_core.messages import AIMessage, BaseMessage

# About four characters a token in English text: the usual rule of thumb for GPT-style
# tokenizers, close enough for a mock whose tokens cost nothing.
CHARS_PER_TOKEN = 4
TOKENS_PER_MILLION = 1_000_000


@dataclass(frozen=True)
class Usage:
    """Tokens of one or more model calls; None where the provider did not say."""

    input_tokens: int | None
    output_tokens: int | None
    estimated: bool = False


NO_CALL = Usage(0, 0)


@dataclass(frozen=True)
class Price:
    """What a model charges per million input and output tokens."""

    input_per_million: float
    output_per_million: float


def estimate_tokens(text: str) -> int:
    """Estimate the tokens of ``text``: one per four characters, rounded up."""
    return ceil(len(text) / CHARS_PER_TOKEN)


def usage_of(messages: Sequence[BaseMessage], answer: BaseMessage, *, estimate: bool) -> Usage:
    """Return the tokens of one call: estimated when ``estimate``, else as reported."""
    if estimate:
        sent = sum(estimate_tokens(message.text) for message in messages)
        return Usage(sent, estimate_tokens(answer.text), estimated=True)
    reported = answer.usage_metadata if isinstance(answer, AIMessage) else None
    if not reported:
        return Usage(None, None)
    return Usage(reported.get("input_tokens"), reported.get("output_tokens"))


def total(calls: Iterable[Usage]) -> Usage:
    """Sum the calls of one generation; a count unknown for any call is unknown in total."""
    calls = list(calls)
    if not calls:
        return NO_CALL

    def summed(counts: list[int | None]) -> int | None:
        return None if any(count is None for count in counts) else sum(counts)  # type: ignore[arg-type]

    return Usage(
        summed([call.input_tokens for call in calls]),
        summed([call.output_tokens for call in calls]),
        any(call.estimated for call in calls),
    )


def cost(usage: Usage, model: str | None, prices: Mapping[str, Price]) -> float | None:
    """Price ``usage`` at ``model``'s rates; None for an unpriced model or unknown tokens."""
    price = prices.get(model) if model is not None else None
    if price is None or usage.input_tokens is None or usage.output_tokens is None:
        return None
    amount = (
        usage.input_tokens * price.input_per_million
        + usage.output_tokens * price.output_per_million
    )
    return round(amount / TOKENS_PER_MILLION, 6)
