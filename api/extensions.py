"""Accessors for what ``create_app`` built, so handlers never reach into app internals."""

from typing import TYPE_CHECKING

from flask import current_app, g

if TYPE_CHECKING:  # importing them costs the CLI's --help a second (pandas, SQLAlchemy)
    from pipelines.content.pipeline import ContentPipeline
    from repository.factory import Repositories

EXTENSION_KEY = "insights"


def repositories() -> "Repositories":
    """Return the repositories of the current app (of this request, if it set its own)."""
    # A request whose client has seen a newer data version than the replica serves sets
    # the primary's (api/data_version.py).
    return g.get("repositories") or current_app.extensions[EXTENSION_KEY]["repositories"]


def known_migrations() -> list[str]:
    """Return the ids of the migrations this build of the service expects."""
    return current_app.extensions[EXTENSION_KEY]["migrations"]


def content_pipeline() -> "ContentPipeline":
    """Return the pipeline that writes generated content."""
    return current_app.extensions[EXTENSION_KEY]["content"]
