"""Checks every generated text must pass before it is returned or stored.

A text fails when it is empty, too short or too long, not addressed to the customer it was
written for, quotes the prompt's data blocks or contains any other markup, names a topic or
product that the data given to the model did not contain (a sign the model invented
history), states a number, date or channel that data does not back (``facts.py``), or, for
a customer with no interactions, refers to past contact.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.content.facts import Grounding, ground, unbacked, words
from pipelines.content.subjects import header_problems
from repository.customer_history import Vocabulary

_BLOCK_TAG = re.compile(r"</?(task|customer_record|interaction_history|summary_facts)>")
# Markup a mail client or web page would act on: a tag, a script URL, an entity.
_MARKUP = re.compile(r"</?[a-z!?]|\b(?:javascript|vbscript)\s*:|\bdata:text/|&#?\w+;", re.I)
# Wording that presumes an earlier contact; a first-contact text must use none of it.
PAST_CONTACT_PHRASES = (
    "again", "continued", "continuing", "ongoing", "as discussed", "as we discussed",
    "we discussed", "you discussed", "our last", "our previous", "our recent", "last spoke",
    "last time", "last in touch", "previous", "previously", "recent interaction",
    "recent conversation", "our conversation", "our conversations", "we spoke", "we talked",
    "you told us", "you mentioned", "you asked", "your questions", "your question",
    "keeping in touch", "staying in touch", "hearing from you", "welcome back",
    "as always", "once more", "follow up on", "following up", "we noted", "enjoyed our",
    "since we", "you often", "your recent", "thank you for your time",
    "time you have given", "remind you",
)  # fmt: skip
_PAST_CONTACT = re.compile(
    r"\b(?:" + "|".join(r"\s+".join(p.split()) for p in PAST_CONTACT_PHRASES) + r")\b",
    re.IGNORECASE,
)


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
    # The numbers, dates, channels and names of the prompt's data (context.context_blocks);
    # None: only what these expectations know (customer id, salutation, allowed names).
    grounding: Grounding | None = None
    # The customer has no interactions: the text must not pretend to past contact.
    first_contact: bool = False

    def facts(self) -> Grounding:
        """Return the grounding, or one built from the expectations' own values."""
        if self.grounding is not None:
            return self.grounding
        return ground([self.customer_id, self.salutation, *sorted(self.allowed_names)])


@lru_cache(maxsize=8)
def _name_index(vocabulary: Vocabulary) -> tuple[dict[tuple[str, ...], str], tuple[int, ...]]:
    """Return topic and product names by their words, and their word counts, longest first.

    Cached per vocabulary: the PostgreSQL repository hands out one object per data load.
    """
    index = {words(name): name for name in vocabulary.topics | vocabulary.products if words(name)}
    return index, tuple(sorted({len(key) for key in index}, reverse=True))


def _covered(tokens: tuple[str, ...], grounding: Grounding) -> list[bool]:
    """Mark the words of ``tokens`` that are part of a value the data carried."""
    covered = [False] * len(tokens)
    for start, token in enumerate(tokens):
        for phrase in grounding.phrases.get(token, ()):
            if tokens[start : start + len(phrase)] == phrase:
                covered[start : start + len(phrase)] = [True] * len(phrase)
    return covered


def _invented(text: str, vocabulary: Vocabulary, grounding: Grounding) -> list[str]:
    """Return the names of ``vocabulary`` the text mentions outside the values its data carried.

    The longest name wins where names overlap, so "Efficacy" inside "Drug Efficacy" is no
    mention of its own; a name inside a carried value ("Sand" in the salutation "Sand")
    is no invention.
    """
    index, lengths = _name_index(vocabulary)
    tokens = words(text)
    covered = _covered(tokens, grounding)
    found, start = [], 0
    while start < len(tokens):
        for length in lengths:
            name = index.get(tokens[start : start + length])
            if name is not None:
                if not all(covered[start : start + length]) and name not in found:
                    found.append(name)
                start += length - 1
                break
        start += 1
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
    elif markup := _MARKUP.search(text):
        problems.append(f"the text contains markup: {markup.group(0)!r}")
    grounding = expected.facts()
    invented = _invented(text, vocabulary, grounding)
    if invented:
        problems.append(f"the text names what its data did not contain: {', '.join(invented)}")
    if claims := unbacked(text, grounding, vocabulary.channels):
        problems.append(f"the text states what its data does not back: {', '.join(claims)}")
    if expected.first_contact and (past := _PAST_CONTACT.search(text)):
        problems.append(
            f"the text refers to past contact ({past.group(0)!r}) but the customer has none"
        )
    return problems


def check_subject_line(subject: str, expected: Expectations, vocabulary: Vocabulary) -> list[str]:
    """Return what is wrong with an email's subject line; empty when it passes.

    The subject answers to the body's grounding (what the prompt's data carried) and to
    the header rules of ``subjects.header_problems``.
    """
    problems = [f"{problem} ({subject!r})" for problem in header_problems(subject)]
    if _BLOCK_TAG.search(subject) or _MARKUP.search(subject):
        problems.append("the subject contains markup")
    grounding = expected.facts()
    if invented := _invented(subject, vocabulary, grounding):
        problems.append(f"the subject names what its data did not contain: {', '.join(invented)}")
    if claims := unbacked(subject, grounding, vocabulary.channels):
        problems.append(f"the subject states what its data does not back: {', '.join(claims)}")
    if expected.first_contact and (past := _PAST_CONTACT.search(subject)):
        problems.append(f"the subject refers to past contact ({past.group(0)!r})")
    return problems
