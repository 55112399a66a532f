"""What the model is shown about a customer: the data blocks of the prompt, from SQL facts."""

from typing import Any

from langchain_core.documents import Document

from pipelines.content.prompts import data_block
from repository.customer_history import CustomerProfile

# Products shown in the customer record; more would crowd the prompt for little gain.
MAX_PRODUCTS = 10


def salutation(profile: CustomerProfile) -> str:
    """How the text addresses the customer: their occupation, else "Customer <id>"."""
    return profile.customer.occupation or f"Customer {profile.customer.customer_id}"


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


def context_blocks(
    profile: CustomerProfile, documents: list[Document], facts: dict[str, Any] | None = None
) -> tuple[dict[str, str], frozenset[str]]:
    """Return the prompt's data blocks, and every topic and product name they contain."""
    products = list(profile.products[:MAX_PRODUCTS])
    record = {
        "customer_id": profile.customer.customer_id,
        "salutation": salutation(profile),
        "customer_type": profile.customer.customer_type,
        "products_discussed": products,
    }
    # Newest first reads as a timeline; the retriever's ranking only chose what to keep.
    metadata = sorted((d.metadata for d in documents), key=lambda m: (m["date"], m["id"]))
    history = [{k: v for k, v in m.items() if k != "customer_id"} for m in reversed(metadata)]
    named = {item[key] for item in history for key in ("topic", "product") if item[key]}
    blocks = {"customer_record": data_block(record), "interaction_history": data_block(history)}
    if facts is not None:
        blocks["summary_facts"] = data_block(facts)
        named.update(facts["key_topics"])
        if facts["last_interaction"] and facts["last_interaction"]["topic"]:
            named.add(facts["last_interaction"]["topic"])
    return blocks, frozenset(named | set(products))
