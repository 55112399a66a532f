"""Assign each customer of a campaign one of its prompt versions: the A/B split.

The assignment is a pure function of (campaign id, customer id, versions): the same
customer lands in the same arm however often a batch is retried or on whichever worker,
and different campaigns shuffle customers differently. It uses SHA-256, never Python's
``hash()``, which is salted per process.
"""

import hashlib
from collections.abc import Sequence


def assign_version(campaign_id: int, customer_id: int, versions: Sequence[str]) -> str:
    """Return the prompt version of one customer; the arms are about equally sized."""
    if len(versions) == 1:
        return versions[0]
    digest = hashlib.sha256(f"campaign:{campaign_id}:customer:{customer_id}".encode()).digest()
    return versions[int.from_bytes(digest[:8], "big") % len(versions)]
