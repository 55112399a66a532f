"""Choose what each campaign item talks about (its focus), and say why.

The rule, first match wins:

1. ``follow_up``: the topic of the customer's most recent Negative interaction within
   90 days of their own last contact (anchored on their history, not on today).
2. ``most_discussed``: the customer's most discussed topic.
3. ``cold_start_type``: a customer with no topic in their history gets the topic most
   discussed by customers of their type in the last 90 days of data.
4. ``cold_start_overall``: else the topic most discussed by everyone in those 90 days.
5. ``none``: no topic anywhere (an empty database); the email is written without a focus.

Ties: the most recent Negative interaction is the latest by time, then by the higher
interaction id. Among equally discussed topics, the one discussed most recently wins, then
the first by code point (Python's string order, SQL's COLLATE "C"): the same tie-break as
the customer summary's key topics. Interactions without a topic never count.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from repository.model import Interaction

FOLLOW_UP_WINDOW = timedelta(days=90)
OVERALL = "*"  # the cold-start key of the topic most discussed by every customer type


@dataclass(frozen=True)
class Focus:
    """The topic an item favours and the rule that chose it."""

    topic: str | None
    reason: str  # follow_up, most_discussed, cold_start_type, cold_start_overall, none


def choose_focus(
    history: Iterable[Interaction], customer_type: str, cold_start: Mapping[str, str]
) -> Focus:
    """Return the focus of one customer's item from their history (any order).

    ``cold_start`` maps a customer type (and OVERALL) to its most discussed recent topic.
    """
    with_topic = [item for item in history if item.topic is not None]
    if not with_topic:
        return _cold_start(customer_type, cold_start)
    last_contact = max(item.occurred_at for item in with_topic)
    negative = [
        item
        for item in with_topic
        if item.sentiment == "Negative" and item.occurred_at >= last_contact - FOLLOW_UP_WINDOW
    ]
    if negative:
        latest = max(negative, key=lambda item: (item.occurred_at, item.id))
        return Focus(latest.topic, "follow_up")
    topic = most_discussed((item.topic, item.occurred_at) for item in with_topic)
    return Focus(topic, "most_discussed")


def most_discussed(uses: Iterable[tuple[str | None, datetime]]) -> str:
    """Return the topic used most often: ties by latest use, then by code point."""
    counts: dict[str, int] = {}
    latest: dict[str, datetime] = {}
    for topic, when in uses:
        if topic is None:
            continue
        counts[topic] = counts.get(topic, 0) + 1
        latest[topic] = max(when, latest.get(topic, when))
    return most_discussed_of([(topic, counts[topic], latest[topic]) for topic in counts])


def most_discussed_of(counted: Iterable[tuple[str, int, datetime]]) -> str:
    """Return the topic of the most uses from (topic, uses, last use): the same tie-break."""
    # max() keeps the first of equal keys: walking names in code-point order, the smallest
    # name wins a tie on uses and latest use.
    ordered = sorted(counted)
    return max(ordered, key=lambda row: (row[1], row[2]))[0]


def _cold_start(customer_type: str, cold_start: Mapping[str, str]) -> Focus:
    if customer_type in cold_start:
        return Focus(cold_start[customer_type], "cold_start_type")
    if OVERALL in cold_start:
        return Focus(cold_start[OVERALL], "cold_start_overall")
    return Focus(None, "none")
