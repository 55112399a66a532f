"""Refuse query parameters an endpoint does not document, with a 422 naming them.

flask-smorest parses an endpoint's arguments and its pagination with separate schemas,
so ``unknown=RAISE`` on either would refuse the other's parameters. Instead, the names
each endpoint documents (from the same schemas the OpenAPI document is built from) are
collected once, and a request carrying any other name is refused before its handler runs.
"""

from collections.abc import Iterable

from flask import Flask, current_app, request
from marshmallow import Schema

from api.errors import InvalidParameter
from api.extensions import EXTENSION_KEY

# Probes and the API's own documents: a load balancer may add a cache-busting parameter.
LENIENT_BLUEPRINTS = {"health", "api-docs"}
_KEY = "documented_query_parameters"


def query_names(schema: type[Schema] | Schema) -> set[str]:
    """Return the query parameter names a schema reads (its fields' data keys)."""
    instance = schema() if isinstance(schema, type) else schema
    return {f.data_key or name for name, f in instance.fields.items() if not f.dump_only}


def _documented(view_method) -> set[str]:
    doc = getattr(view_method, "_apidoc", {})
    schemas = [p["schema"] for p in doc.get("arguments", {}).get("parameters", [])
               if p.get("in") == "query"]  # fmt: skip
    if "pagination" in doc:
        schemas.append(doc["pagination"]["parameters"]["schema"])
    return set().union(*(query_names(schema) for schema in schemas))


def documented_parameters(app: Flask) -> dict[tuple[str, str], set[str]]:
    """Return the documented query names per (endpoint, method) of the strict endpoints."""
    found: dict[tuple[str, str], set[str]] = {}
    for endpoint, view in app.view_functions.items():
        view_class = getattr(view, "view_class", None)
        if view_class is None or endpoint.partition(".")[0] in LENIENT_BLUEPRINTS:
            continue
        for method in view_class.methods or ():
            found[(endpoint, method)] = _documented(getattr(view_class, method.lower()))
    return found


def unknown_parameters(given: Iterable[str], documented: set[str]) -> list[str]:
    """Return the given names that are not documented, in the order given, once each."""
    return list(dict.fromkeys(name for name in given if name not in documented))


def _refuse_unknown() -> None:
    method = "GET" if request.method == "HEAD" else request.method
    documented = current_app.extensions[EXTENSION_KEY][_KEY].get((request.endpoint, method))
    if documented is None:
        return
    unknown = unknown_parameters(request.args.keys(), documented)
    if unknown:
        takes = ", ".join(sorted(documented)) or "no query parameters"
        problem = f"unknown parameter; this endpoint takes: {takes}"
        raise InvalidParameter({"query": {name: [problem] for name in unknown}})


def init_app(app: Flask) -> None:
    """Collect the documented names; register the check (after authentication's hooks)."""
    app.extensions[EXTENSION_KEY][_KEY] = documented_parameters(app)
    app.before_request(_refuse_unknown)
