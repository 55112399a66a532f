"""Answer repeated reads once per data version: ETags, 304s and a shared response cache.

A read endpoint's answer depends only on the data version readers are served and on the
request (its path, query and the representation it accepts), so both name the answer:
they make its ETag and its cache key. A load that commits moves the data version, which
makes every earlier key unreachable at once; no entry is ever invalidated by hand.

The hooks run after the app's own (API key, rate limit, unknown parameters, data
version), so a cached answer is only ever given to a request that may have it.
Adopt it for a blueprint with ``cache_responses(blp)`` where the blueprint is defined.
"""

import hashlib
import json
from collections.abc import Collection
from functools import partial

from flask import Blueprint, Flask, Response, current_app, g, request

from api.cache_store import CacheStore, build_store
from api.extensions import EXTENSION_KEY

_STORE = "response_cache"
# Representations an endpoint may answer in (statistics/*: CSV); the one the Accept
# header picks is part of the request's identity.
_REPRESENTATIONS = ["application/json", "text/csv"]
# Headers the response of a view sets itself; everything else is added per request
# (request id, data version, security headers) by the app's after-request hooks.
_DROPPED_HEADERS = {"content-length", "set-cookie"}
CACHE_CONTROL = "no-cache"


def normalised_request() -> str:
    """Return the parts of the request that decide its answer, in a canonical order.

    A POST that reads (the semantic query) is named by its JSON body too, keys sorted.
    """
    query = sorted(request.args.items(multi=True))
    accepts = (
        request.accept_mimetypes.best_match(_REPRESENTATIONS) if request.accept_mimetypes else ""
    )
    body = request.get_json(silent=True) if request.method == "POST" else None
    parts = [request.path, query, accepts or "", body]
    return json.dumps(parts, separators=(",", ":"), sort_keys=True)


def request_key(version: int) -> str:
    """Return the digest naming this request's answer under data ``version``."""
    digest = hashlib.sha256(f"{version}|{normalised_request()}".encode()).hexdigest()
    return f"v{version}:{digest[:40]}"


def _store() -> CacheStore:
    return current_app.extensions[EXTENSION_KEY][_STORE]


def _serve_cached(methods: Collection[str]) -> Response | None:
    """Answer 304 to a matching If-None-Match, or the cached answer; else let the view run."""
    g.pop("response_key", None)
    g.pop("response_cached", None)
    version = g.get("data_version")
    if request.method not in methods or version is None:
        return None
    key = g.response_key = request_key(version)
    etag = key.partition(":")[2][:32]
    if request.if_none_match.contains_weak(etag):
        g.response_cached = True
        response = Response(status=304)
        response.set_etag(etag)
        return response
    entry = _store().get(key) if request.method != "HEAD" else None
    if entry is None:
        return None
    g.response_cached = True
    return _decoded(entry)


def _remember(response: Response) -> Response:
    """Tag a fresh answer with its ETag and store it; tag a cached one likewise."""
    key = g.get("response_key")
    if key is None or (g.get("response_cached") and response.status_code == 200):
        return response  # none of ours, or a stored answer: it carries its headers already
    if response.status_code in (200, 304):
        response.set_etag(key.partition(":")[2][:32])
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.vary.add("Accept")
    fresh = not g.get("response_cached")
    storable = response.status_code == 200 and not response.is_streamed
    if fresh and storable and request.method != "HEAD":
        _store().set(key, _encoded(response))
    return response


def _encoded(response: Response) -> bytes:
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS]
    head = json.dumps([response.status_code, headers], separators=(",", ":")).encode()
    return head + b"\n" + response.get_data()


def _decoded(entry: bytes) -> Response:
    head, _, body = entry.partition(b"\n")
    status, headers = json.loads(head)
    return Response(body, status=status, headers=[tuple(header) for header in headers])


def cache_responses(blueprint: Blueprint, methods: Collection[str] = ("GET", "HEAD")) -> None:
    """Give the reads of ``blueprint`` an ETag, 304s and the response cache.

    ``methods`` are the ones that only read there: add POST for an endpoint that takes its
    question as a JSON body and writes nothing (the semantic query).
    """
    blueprint.before_request(partial(_serve_cached, frozenset(methods)))
    blueprint.after_request(_remember)


def init_app(app: Flask) -> None:
    """Build the store CACHE_URL names (memory when unset) for ``app``'s cached blueprints."""
    app.extensions[EXTENSION_KEY][_STORE] = build_store(app.config)
