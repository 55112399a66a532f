"""What the model is shown about a customer: the data blocks of the prompt, from SQL facts.

Data values reach customer-facing text only through the prompt, so they are vetted here:
the salutation is built only from a plain-text occupation, and a name that is not plain
text (markup, a prompt tag, a formula, instruction-like wording) is withheld from the
prompt. What is left is exactly what the checks accept as backed (``facts.ground``).
"""

import re
from typing import Any

from langchain_core.documents import Document

from pipelines.content.facts import Grounding, ground
from pipelines.content.prompts import data_block
from repository.customer_history import CustomerProfile

# Products shown in the customer record; more would crowd the prompt for little gain.
MAX_PRODUCTS = 10
NEUTRAL_SALUTATION = "Customer"
MAX_SALUTATION_CHARS = 40
MAX_SALUTATION_WORDS = 4
MAX_NAME_CHARS = 80
# Letters (accented too) in words joined by one space, hyphen or apostrophe: "Jean-Luc",
# "O'Brien", "Médecin Généraliste".
_PLAIN_OCCUPATION = re.compile(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)*")
# A topic or product may also hold digits and light punctuation ("Drug 5", "R&D (EU)").
_PLAIN_NAME = re.compile(r"[^\W_][\w .,'’&/()+%-]*")
# Wording addressed to a model rather than a customer.
_INSTRUCTION_LIKE = re.compile(
    r"\b(?:system|assistant|developer)\s*:|\byou\s+are\s+now\b|\bact\s+as\b|\bjailbreak|"
    r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|rules|prompt|above|previous)\b",
    re.IGNORECASE,
)
_FACT_NAMES = ("channel", "topic", "product", "sentiment")


def plain_name(value: str | None) -> str | None:
    """Return the name when it is plain text a customer may read, else None (withheld)."""
    if value is None or len(value) > MAX_NAME_CHARS or not _PLAIN_NAME.fullmatch(value):
        return None
    return None if _INSTRUCTION_LIKE.search(value) else value


def salutation(profile: CustomerProfile) -> str:
    """How the text addresses the customer: a plain-text occupation, else a neutral word.

    No occupation gives "Customer <id>"; an occupation that is not plain text, too long or
    instruction-like gives "Customer", so no data value is echoed as the greeting.
    """
    occupation = " ".join((profile.customer.occupation or "").split())
    if not occupation:
        return f"Customer {profile.customer.customer_id}"
    plain = (
        len(occupation) <= MAX_SALUTATION_CHARS
        and len(occupation.split()) <= MAX_SALUTATION_WORDS
        and _PLAIN_OCCUPATION.fullmatch(occupation)
        and not _INSTRUCTION_LIKE.search(occupation)
    )
    return occupation if plain else NEUTRAL_SALUTATION


def summary_facts(profile: CustomerProfile) -> dict[str, Any]:
    """The summary's numbers and lists as JSON-ready values, in the brief's shape."""
    summary, last = profile.summary, profile.summary.last_interaction
    last_interaction = None
    if last is not None:
        date = last.occurred_at.date().isoformat()
        last_interaction = {"date": date, "channel": last.channel, "topic": last.topic}
    return {
        "total_interactions": summary.total_interactions,
        "most_frequent_channel": summary.most_frequent_channel,
        "last_interaction": last_interaction,
        "key_topics": list(summary.key_topics),
    }


def _plain_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Return the summary facts with every name that is not plain text withheld."""
    last = facts["last_interaction"]
    if last is not None:
        last = {**last, "channel": plain_name(last["channel"]), "topic": plain_name(last["topic"])}
    return {
        **facts,
        "most_frequent_channel": plain_name(facts["most_frequent_channel"]),
        "last_interaction": last,
        "key_topics": [t for t in facts["key_topics"] if plain_name(t)],
    }


def context_blocks(
    profile: CustomerProfile,
    documents: list[Document],
    facts: dict[str, Any] | None = None,
    history_block: bool = True,
) -> tuple[dict[str, str], frozenset[str], Grounding]:
    """Return the prompt's data blocks, the topic and product names they contain, and
    what they back (read from the same values that were rendered).

    ``history_block=False`` leaves the interaction history out (an introduction prompt).
    """
    products = [p for p in profile.products[:MAX_PRODUCTS] if plain_name(p)]
    customer_type = plain_name(profile.customer.customer_type)
    record = {
        "customer_id": profile.customer.customer_id,
        "salutation": salutation(profile),
        "customer_type": customer_type,
        "products_discussed": products,
    }
    # Newest first reads as a timeline; the retriever's ranking only chose what to keep.
    metadata = sorted((d.metadata for d in documents), key=lambda m: (m["date"], m["id"]))
    history: list[dict[str, Any]] = [
        {k: plain_name(v) if k in _FACT_NAMES else v for k, v in m.items() if k != "customer_id"}
        for m in reversed(metadata)
    ]
    named: set[str] = {item[key] for item in history for key in ("topic", "product") if item[key]}
    blocks = {"customer_record": data_block(record)}
    shown: list[Any] = [record]
    if history_block:
        blocks["interaction_history"] = data_block(history)
        shown.append(history)
    if facts is not None:
        facts = _plain_facts(facts)
        blocks["summary_facts"] = data_block(facts)
        shown.append(facts)
        named.update(facts["key_topics"])
        if facts["last_interaction"] and facts["last_interaction"]["topic"]:
            named.add(facts["last_interaction"]["topic"])
    return blocks, frozenset(named | set(products)), ground(shown)
