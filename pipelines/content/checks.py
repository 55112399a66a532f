"""Checks every generated text must pass before it is returned or stored.

A text fails when it is empty, too short or too long, not addressed to the customer it was
written for, quotes the prompt's data blocks, or names a topic or product that the data
given to the model did not contain (a sign the model invented history).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from repository.customer_history import Vocabulary

_BLOCK_TAG = re.compile(r"</?(task|customer_record|interaction_history|summary_facts)>")


@dataclass(frozen=True)
class Expectations:
    """What a text for one customer and one task must look like."""

    content_type: str  # email, call_script or summary
    customer_id: int
    salutation: str
    min_words: int
    max_words: int
    # Names the model was shown; every other name of the vocabulary is off limits.
    allowed_names: frozenset[str]


def _mentions(text: str, names: Iterable[str]) -> list[str]:
    """Return the names that occur in ``text`` as whole words, ignoring case."""
    found = []
    for name in sorted(names, key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
        if pattern.search(text):
            found.append(name)
            # Blank it out so a shorter name inside it ("Efficacy" in "Drug Efficacy")
            # is not counted as a mention of its own.
            text = pattern.sub(" ", text)
    return found


def _addressed_correctly(text: str, expected: Expectations) -> bool:
    first_line = text.strip().splitlines()[0].casefold()
    if expected.content_type == "email":
        return first_line.startswith(f"dear {expected.salutation}".casefold())
    if expected.content_type == "call_script":
        return expected.salutation.casefold() in first_line
    return re.search(rf"\bcustomer {expected.customer_id}\b", text, re.IGNORECASE) is not None


def check_text(text: str, expected: Expectations, vocabulary: Vocabulary) -> list[str]:
    """Return what is wrong with ``text``, one sentence per problem; empty when it passes."""
    if not text.strip():
        return ["the text is empty"]
    problems = []
    word_count = len(text.split())
    if not expected.min_words <= word_count <= expected.max_words:
        problems.append(
            f"the text has {word_count} words, outside {expected.min_words}-{expected.max_words}"
        )
    if not _addressed_correctly(text, expected):
        target = expected.salutation
        if expected.content_type == "summary":
            target = f"Customer {expected.customer_id}"
        problems.append(f"the text is not addressed to {target!r}")
    if _BLOCK_TAG.search(text):
        problems.append("the text quotes the prompt's data blocks")
    known = {name for name in vocabulary.topics | vocabulary.products}
    allowed = {name.casefold() for name in expected.allowed_names}
    invented = [
        n for n in _mentions(text, known | expected.allowed_names) if n.casefold() not in allowed
    ]
    if invented:
        problems.append(f"the text names what its data did not contain: {', '.join(invented)}")
    return problems
