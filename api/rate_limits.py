"""Rate limits per API key (per address without one), answered as a JSON 429 with Retry-After."""

import math
import time
from functools import partial

from flask import Flask, g
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from api.errors import error_response
from api.limiter_storage import SweptMemoryStorage

# Endpoints that write content with the model: each call stores a row and, with a real
# provider, spends tokens, so they get RATE_LIMIT_CONTENT on top of the default.
CONTENT_GENERATION_ENDPOINTS = ("content.GenerateContent", "content.SummarizedInteractions")

UNSUBSCRIBE_ENDPOINTS = ("unsubscribe.Unsubscribe",)


def rate_limit_key() -> str:
    """Count a verified key's requests together, anyone else's by remote address."""
    key = g.get("api_key")
    return f"key:{key.prefix}" if key is not None else f"address:{get_remote_address()}"


def _too_many_requests(limiter: Limiter, error: RateLimitExceeded):
    """Answer in the JSON error shape, saying when the window that was hit resets."""
    current = limiter.current_limit
    wait = math.ceil(current.reset_at - time.time()) if current else 60
    response, status = error_response(
        429, f"Rate limit exceeded ({error.description}); retry after {max(wait, 1)} seconds."
    )
    response.headers["Retry-After"] = str(max(wait, 1))
    return response, status


def init_app(app: Flask) -> Limiter:
    """Register the limiter's check as the next before-request hook and return it."""
    limiter = Limiter(
        key_func=rate_limit_key,
        app=app,
        # One budget per key across every endpoint (a default limit would be per endpoint).
        application_limits=[app.config["RATE_LIMIT_DEFAULT"]],
        # The swept memory store: limits' own starts a timer thread on most requests.
        storage_uri=app.config["RATE_LIMIT_STORAGE_URL"]
        or f"{SweptMemoryStorage.STORAGE_SCHEME[0]}://",
        # A broken Redis must not take the API down with it: count in memory meanwhile.
        in_memory_fallback_enabled=True,
        key_prefix="insights",
    )
    content_limit = limiter.limit(app.config["RATE_LIMIT_CONTENT"], override_defaults=False)
    for endpoint in CONTENT_GENERATION_ENDPOINTS:
        # As if decorated: the wrapped view checks this limit when it is called.
        app.view_functions[endpoint] = content_limit(app.view_functions[endpoint])
    # Issue 15: the public unsubscribe link, per address (nobody presents a key there).
    unsubscribe_limit = limiter.limit(app.config["RATE_LIMIT_UNSUBSCRIBE"], override_defaults=False)
    for endpoint in UNSUBSCRIBE_ENDPOINTS:
        app.view_functions[endpoint] = unsubscribe_limit(app.view_functions[endpoint])
    app.register_error_handler(RateLimitExceeded, partial(_too_many_requests, limiter))
    return limiter
