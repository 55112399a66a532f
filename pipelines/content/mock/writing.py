"""The mock model's writing: plausible text built only from the facts in its prompt.

Pure functions of the parsed prompt and a seeded ``random.Random``, so the same prompt
always gives the same text while different customers get differently worded texts.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SIGN_OFF = "The Customer Engagement Team"
_OPENINGS = {
    "formal": (
        "Thank you for the time you have given our team.",
        "Thank you for staying in touch with our team.",
        "We appreciate your continued engagement with us.",
    ),
    "friendly": (
        "It has been a real pleasure hearing from you.",
        "Thanks so much for keeping in touch with us.",
        "We have really enjoyed our conversations with you.",
    ),
}
# A customer with no interactions is met for the first time: nothing may presume a past.
_INTRODUCTIONS = {
    "formal": "Allow us to introduce ourselves: we are the customer engagement team.",
    "friendly": "We would love to introduce ourselves: we are the customer engagement team.",
}
_INTRODUCTION_BODY = [
    "We are here to answer questions about our products and their use.",
    "If you would like information or a conversation with a specialist, "
    "simply reply to this email.",
]
_TOPIC_SUBJECTS = ("Your questions about {}", "More on {}", "{}: what our specialists can share")
_CLOSINGS = {
    "formal": "Please let us know if we can be of further help.\n\nKind regards,",
    "friendly": "Just reply whenever it suits you.\n\nBest wishes,",
}


@dataclass(frozen=True)
class PromptFacts:
    """What the mock reads out of its prompt's task and data blocks."""

    task: dict[str, Any]
    customer: dict[str, Any]
    interactions: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    subject_line: bool = False  # the prompt asks for a "Subject: " first line

    @property
    def tone(self) -> str:
        tone = self.task.get("tone")
        return tone if isinstance(tone, str) and tone in _OPENINGS else "formal"

    def topics(self) -> list[str]:
        """Topics of the interactions, the focus's first, then most frequent, then latest."""
        counts = Counter(i["topic"] for i in self.interactions if i.get("topic"))
        latest: dict[str, str] = {}
        for interaction in self.interactions:
            if interaction.get("topic"):
                latest.setdefault(interaction["topic"], interaction["date"])
                latest[interaction["topic"]] = max(
                    latest[interaction["topic"]], interaction["date"]
                )
        focus = set((self.task.get("focus") or "").lower().split())
        return sorted(
            counts,
            key=lambda t: (bool(focus & set(t.lower().split())), counts[t], latest[t], t),
            reverse=True,
        )

    def latest(self) -> dict[str, Any] | None:
        return max(self.interactions, key=lambda i: (i["date"], i["id"]), default=None)


def _date(value: str) -> str:
    return datetime.fromisoformat(value).strftime("%d %B %Y").lstrip("0")


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _within(words_allowed: int, fixed: list[str], optional: list[str]) -> list[str]:
    """Keep the optional sentences, in order, that fit beside the fixed ones."""
    used = sum(len(text.split()) for text in fixed)
    kept = []
    for sentence in optional:
        if used + len(sentence.split()) <= words_allowed:
            kept.append(sentence)
            used += len(sentence.split())
    return kept


def _history_sentences(facts: PromptFacts, lead: str) -> list[str]:
    sentences = []
    latest = facts.latest()
    if latest is not None:
        about = f" about {latest['topic']}" if latest.get("topic") else ""
        by = f" by {latest['channel'].lower()}" if latest.get("channel") else ""
        sentences.append(f"{lead}{by} on {_date(latest['date'])}{about}.")
    topics = facts.topics()[:3]
    if topics:
        sentences.append(f"Your questions about {_listing(topics)} matter to us.")
    # The history block lists the newest first: the latest unhappy conversation leads.
    unhappy = [
        i["topic"]
        for i in facts.interactions
        if i.get("sentiment") == "Negative" and i.get("topic")
    ]
    if unhappy:
        sentences.append(
            f"We noted that our conversation about {unhappy[0]} left you with concerns, "
            "and we want to address them."
        )
    products = facts.customer.get("products_discussed") or []
    if products:
        sentences.append(
            f"Our specialists can share the latest information on {_listing(products[:3])}."
        )
    channels = Counter(i["channel"] for i in facts.interactions if i.get("channel"))
    if channels and channels.most_common(1)[0][1] > 1:
        favourite = channels.most_common(1)[0][0]
        sentences.append(f"As you often reach us by {favourite.lower()}, we will keep using it.")
    return sentences


def write_email(facts: PromptFacts, rng: random.Random) -> str:
    """Write an email that opens with the customer's salutation and cites their history."""
    greeting = f"Dear {facts.customer['salutation']},"
    opening = rng.choice(_OPENINGS[facts.tone])
    closing = f"{_CLOSINGS[facts.tone]}\n{SIGN_OFF}"
    history = _history_sentences(facts, "We last spoke")
    if not facts.interactions:
        opening, history = _INTRODUCTIONS[facts.tone], _INTRODUCTION_BODY
    body = _within(int(facts.task.get("max_words", 200)), [greeting, opening, closing], history)
    email = f"{greeting}\n\n{' '.join([opening, *body])}\n\n{closing}"
    return f"Subject: {write_subject(facts, rng)}\n\n{email}" if facts.subject_line else email


def write_subject(facts: PromptFacts, rng: random.Random) -> str:
    """Write a subject from the prompt's data: the leading topic, else a product, else a
    plain introduction; the first wording that fits in 78 characters."""
    topics = facts.topics()
    products = facts.customer.get("products_discussed") or []
    if topics:
        wordings = [rng.choice(_TOPIC_SUBJECTS).format(topics[0]), f"About {topics[0]}"]
    elif products:
        wordings = [f"Information on {products[0]}"]
    else:
        wordings = []
    fitting = [wording for wording in wordings if len(wording) <= 78]
    return fitting[0] if fitting else "An introduction from our team"


def write_call_script(facts: PromptFacts, rng: random.Random) -> str:
    """Write a call script greeting the customer and talking through their history."""
    greeting = f"Hello, am I speaking with {facts.customer['salutation']}?"
    opening = "Opening: " + rng.choice(_OPENINGS[facts.tone])
    closing = "Closing question: Is there anything else we can help you with today?"
    points = [
        f"Talking point: {sentence}"
        for sentence in _history_sentences(facts, "We were last in touch")
    ]
    if not facts.interactions:
        opening = "Opening: " + _INTRODUCTIONS[facts.tone]
        points = ["Talking point: Introduce our team and ask how we can help."]
        closing = "Closing question: How could our team be of help to you?"
    body = _within(int(facts.task.get("max_words", 200)), [greeting, opening, closing], points)
    return "\n".join([greeting, opening, *body, closing])


def write_summary(facts: PromptFacts, rng: random.Random) -> str:
    """Put the summary facts into words, restating them exactly as given."""
    summary = facts.summary or {}
    total = summary.get("total_interactions", 0)
    customer_id = facts.customer["customer_id"]
    noun = "interaction" if total == 1 else "interactions"
    sentences = [f"Customer {customer_id} has {total} recorded {noun} with us."]
    if summary.get("most_frequent_channel"):
        verb = rng.choice(("mostly reaches us", "most often contacts us"))
        sentences.append(f"The customer {verb} by {summary['most_frequent_channel']}.")
    topics = summary.get("key_topics") or []
    if topics:
        phrase = "The key topic is" if len(topics) == 1 else "The key topics are"
        sentences.append(f"{phrase} {_listing(topics)}.")
    last = summary.get("last_interaction")
    if last:
        about = f" about {last['topic']}" if last.get("topic") else ""
        by = f" by {last['channel']}" if last.get("channel") else ""
        sentences.append(f"The most recent interaction was{by} on {_date(last['date'])}{about}.")
    kept = _within(int(facts.task.get("max_words", 120)), sentences[:1], sentences[1:])
    return " ".join([sentences[0], *kept])


WRITERS = {"email": write_email, "call_script": write_call_script, "summary": write_summary}
