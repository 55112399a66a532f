"""Campaign metrics: rates with 95% Wilson intervals, and a two-proportion test on replies.

The counts come from SQL (repository/feedback.py); this module only does the arithmetic.
The A/B test is the pooled two-proportion z-test, two-sided. Below MIN_SAMPLE_PER_ARM
messages in an arm, or fewer than 5 expected replies or non-replies in an arm (the usual
condition for the normal approximation), it answers "not enough data" instead of a p-value.
"""

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any

EVENT_COUNTS = ("delivered", "opened", "clicked", "replied", "unsubscribed", "bounced",
                "complained")  # fmt: skip
Z_95 = NormalDist().inv_cdf(0.975)
MIN_SAMPLE_PER_ARM = 30
MIN_EXPECTED = 5


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """Return the Wilson score interval of successes/trials, or None without trials."""
    if trials == 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_test(k1: int, n1: int, k2: int, n2: int) -> dict[str, Any]:
    """Compare two reply rates: z and two-sided p-value, or why there is not enough data."""
    if min(n1, n2) < MIN_SAMPLE_PER_ARM:
        return {"enough_data": False, "reason": f"fewer than {MIN_SAMPLE_PER_ARM} sent in an arm"}
    pooled = (k1 + k2) / (n1 + n2)
    expected = [n * share for n in (n1, n2) for share in (pooled, 1 - pooled)]
    if min(expected) < MIN_EXPECTED:
        reason = f"fewer than {MIN_EXPECTED} expected replies or non-replies in an arm"
        return {"enough_data": False, "reason": reason}
    z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return {"enough_data": True, "z": z, "p_value": 2 * (1 - NormalDist().cdf(abs(z)))}


def group_metrics(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return one group's counts, and each rate over sent with its interval."""
    sent = int(row["sent"])
    rates = {}
    for name in EVENT_COUNTS:
        interval = wilson_interval(int(row[name]), sent)
        rates[name] = {
            "rate": row[name] / sent if sent else None,
            "ci_low": interval[0] if interval else None,
            "ci_high": interval[1] if interval else None,
        }
    return {"group": row["grp"], "sent": sent,
            "counts": {name: int(row[name]) for name in EVENT_COUNTS}, "rates": rates}  # fmt: skip


def campaign_metrics(rows: Sequence[Mapping[str, Any]], by: str) -> dict[str, Any]:
    """Return the groups' metrics and, for exactly two prompt versions, the reply test."""
    groups = [group_metrics(row) for row in rows]
    result: dict[str, Any] = {"by": by, "groups": groups, "reply_test": None}
    if by == "prompt_version" and len(rows) == 2:
        a, b = rows
        test = two_proportion_test(a["replied"], a["sent"], b["replied"], b["sent"])
        result["reply_test"] = {"a": a["grp"], "b": b["grp"], **test}
    return result
