"""Rate limits per API key (per address without one), answered as a JSON 429 with Retry-After.

Every request spends from one budget per key (RATE_LIMIT_DEFAULT); a few endpoints spend
from a stricter budget of their own as well. Counts live in fixed windows of the limits
library, in memory or in the storage RATE_LIMIT_STORAGE_URL names (Redis). Flask-Limiter
did this before and spent about 0.08 ms of CPU per request working out which limits apply
(issue 17: a fifth of a cached answer); here they are known when the app is built.
"""

import logging
import math
import time
from collections.abc import Iterable

from flask import Flask, Response, g, request
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from api.errors import error_response
from api.limiter_storage import SweptMemoryStorage

log = logging.getLogger(__name__)

# Endpoints that write content with the model: each call stores a row and, with a real
# provider, spends tokens, so they get RATE_LIMIT_CONTENT on top of the default.
CONTENT_GENERATION_ENDPOINTS = ("content.GenerateContent", "content.SummarizedInteractions")
# Issue 15: the public unsubscribe link, counted per address (nobody presents a key there).
UNSUBSCRIBE_ENDPOINTS = ("unsubscribe.Unsubscribe",)
_PREFIX = "insights"
_EVERY_ENDPOINT = "global"
# While the shared storage fails, counts are kept in this process's memory, and the
# storage is tried again after this long.
RETRY_STORAGE_AFTER_S = 10.0


def rate_limit_key() -> str:
    """Count a verified key's requests together, anyone else's by remote address."""
    key = g.get("api_key")
    return f"key:{key.prefix}" if key is not None else f"address:{request.remote_addr}"


class RateLimits:
    """The limits of one app, and where they are counted."""

    def __init__(self, default: str, per_endpoint: dict[str, str], storage_url: str | None):
        self._default = _limits(default, _EVERY_ENDPOINT)
        self._per_endpoint = {
            endpoint: self._default + _limits(limit, endpoint)
            for endpoint, limit in per_endpoint.items()
        }
        self._storage: Storage = storage_from_string(
            storage_url or f"{SweptMemoryStorage.STORAGE_SCHEME[0]}://"
        )
        self._shared = FixedWindowRateLimiter(self._storage)
        self._memory = FixedWindowRateLimiter(SweptMemoryStorage())
        self._storage_failed_at: float | None = None

    def check(self) -> tuple[Response, int] | None:
        """Count the request against its limits; answer 429 if one of them is spent."""
        endpoint = request.endpoint
        if endpoint is None or endpoint.rpartition(".")[2] == "static":
            return None  # the router's 404 or 405, or a file
        limits = self._per_endpoint.get(endpoint, self._default)
        key = rate_limit_key()
        try:
            spent = self._spent(self._counter(), limits, key)
        except Exception as error:  # a broken Redis must not take the API down with it
            log.warning("rate-limit storage failed, counting in memory meanwhile: %s", error)
            self._storage_failed_at = time.monotonic()
            spent = self._spent(self._memory, limits, key)
        return None if spent is None else _too_many_requests(*spent)

    def _counter(self) -> FixedWindowRateLimiter:
        failed_at = self._storage_failed_at
        if failed_at is None or time.monotonic() - failed_at >= RETRY_STORAGE_AFTER_S:
            return self._shared
        return self._memory

    @staticmethod
    def _spent(
        counter: FixedWindowRateLimiter, limits: Iterable[tuple[RateLimitItem, str]], key: str
    ) -> tuple[RateLimitItem, float] | None:
        """Count one hit on every limit; return the first spent one and when it resets."""
        spent = None
        for limit, scope in limits:
            if not counter.hit(limit, _PREFIX, scope, key) and spent is None:
                reset_at = counter.get_window_stats(limit, _PREFIX, scope, key).reset_time
                spent = (limit, reset_at)
        return spent


def _limits(text: str, scope: str) -> list[tuple[RateLimitItem, str]]:
    return [(limit, scope) for limit in parse_many(text)]


def _too_many_requests(limit: RateLimitItem, reset_at: float) -> tuple[Response, int]:
    """Answer in the JSON error shape, saying when the window that was hit resets."""
    wait = max(math.ceil(reset_at - time.time()), 1)
    response, status = error_response(
        429, f"Rate limit exceeded ({limit}); retry after {wait} seconds."
    )
    response.headers["Retry-After"] = str(wait)
    return response, status


def init_app(app: Flask) -> RateLimits:
    """Register the limits' check as the next before-request hook and return them."""
    content, unsubscribe = app.config["RATE_LIMIT_CONTENT"], app.config["RATE_LIMIT_UNSUBSCRIBE"]
    limits = RateLimits(
        app.config["RATE_LIMIT_DEFAULT"],
        {
            **dict.fromkeys(CONTENT_GENERATION_ENDPOINTS, content),
            **dict.fromkeys(UNSUBSCRIBE_ENDPOINTS, unsubscribe),
        },
        app.config["RATE_LIMIT_STORAGE_URL"],
    )
    app.before_request(limits.check)
    return limits
