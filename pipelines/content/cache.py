"""Name what a summary was written from, so an identical request can reuse it."""

import hashlib
import json

from repository.customer_history import CustomerProfile


def summary_cache_key(
    profile: CustomerProfile, prompt_version: str | None, provider: str, model: str | None
) -> str:
    """Return the key of a summary of ``profile`` by this prompt, provider and model.

    The profile's fingerprint covers the customer's record and every one of their
    interactions, so a load that leaves this customer alone keeps the key (and the stored
    summary), and any change to what their prompt could carry gives a new one.
    """
    parts = [profile.customer.customer_id, profile.fingerprint, prompt_version, provider, model]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
