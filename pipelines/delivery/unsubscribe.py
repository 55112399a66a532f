"""Unsubscribe tokens: which (campaign, customer) a link is for, signed with an HMAC.

A token is ``<campaign>.<customer>.<signature>``; the signature is HMAC-SHA256 of the two
ids under UNSUBSCRIBE_SECRET, so a link can be neither guessed nor turned into another
customer's (the ids alone would let anyone opt anyone out).
"""

import hashlib
import hmac
import re

_TOKEN = re.compile(r"^(\d{1,18})\.(\d{1,10})\.([0-9a-f]{32})$")


def _signature(secret: bytes, campaign_id: int, customer_id: int) -> str:
    message = f"unsubscribe:{campaign_id}:{customer_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def unsubscribe_token(secret: bytes, campaign_id: int, customer_id: int) -> str:
    """Return the signed token of one message's unsubscribe link."""
    return f"{campaign_id}.{customer_id}.{_signature(secret, campaign_id, customer_id)}"


def read_token(secret: bytes, token: str) -> tuple[int, int] | None:
    """Return (campaign id, customer id) of a genuine token, else None."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    campaign_id, customer_id = int(match[1]), int(match[2])
    expected = _signature(secret, campaign_id, customer_id)
    if not hmac.compare_digest(expected, match[3]) or customer_id < 1:
        return None
    return campaign_id, customer_id
