"""Console sign-in: an API key exchanged for a session cookie, re-checked on every request.

The cookie (signed, HttpOnly, SameSite=Strict, Secure over TLS, path /console) holds the
key's prefix and its peppered hash, never the key: a copied cookie is not an API key. Each
request re-reads the key's row, so a revoked or expired key signs the session out. Every
POST carries the session's CSRF token.
"""

import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from api.console import blp
from api.extensions import repositories
from repository.api_keys import ApiKey
from repository.errors import NotFound

# A sign-in lasts a working day at most, whatever the browser keeps.
SESSION_SECONDS = 8 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Pages a visitor without a session may open.
OPEN_ENDPOINTS = {"console.static", "console.sign_in"}


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, scoped to the console and Secure whenever served over TLS."""

    def __init__(self, secret_key: Callable[[Flask], bytes | str]) -> None:
        self._secret_key = secret_key

    def open_session(self, app, request):
        # The cookie is only ever sent to /console: elsewhere (every API request) there is
        # no session to read, and building the signer showed in a cached answer's profile.
        if not request.path.startswith(self.get_cookie_path(app)):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def get_signing_serializer(self, app):
        if not app.secret_key:
            app.secret_key = self._secret_key(app)
        return super().get_signing_serializer(app)

    def get_cookie_name(self, app) -> str:
        return "insights_console"

    def get_cookie_path(self, app) -> str:
        return "/console"

    def get_cookie_httponly(self, app) -> bool:
        return True

    def get_cookie_samesite(self, app) -> str:
        return "Strict"

    def get_cookie_secure(self, app) -> bool:
        return request.is_secure


def csrf_token() -> str:
    """Return the session's CSRF token, creating it on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get("csrf") or ""
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def console_key() -> ApiKey | None:
    """Return the key the current console session is signed in with, if any."""
    return g.get("console_key")


def can(scope: str) -> bool:
    """Return whether the signed-in key grants ``scope`` (templates hide what it does not)."""
    key = console_key()
    return key is not None and key.grants(scope)


def need(scope: str) -> None:
    """Refuse the page (403) unless the signed-in key grants ``scope``."""
    if not can(scope):
        abort(403, description=f"Your API key lacks the {scope} scope this page needs.")


def _session_key(now: datetime) -> ApiKey | None:
    prefix, proof = session.get("key_prefix"), session.get("proof")
    signed_in_at = session.get("signed_in_at", 0)
    if not prefix or not proof or now.timestamp() - signed_in_at > SESSION_SECONDS:
        return None
    return repositories().api_keys.verify_proof(prefix, proof, now)


@blp.before_request
def _authenticate():
    g.console_key = None
    if request.method == "POST" and not _csrf_ok():
        abort(400, description="This form has expired or did not come from the console.")
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    g.console_key = _session_key(datetime.now(UTC))
    if g.console_key is None:
        session.clear()
        return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
    return None


@blp.app_template_global()
def csrf_field() -> Markup:
    """Return the hidden field carrying the CSRF token (every form includes it)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf_token())


@blp.context_processor
def _signed_in():
    return {"key": console_key(), "can": can}


def _safe_next(target: str | None) -> str:
    """Return ``target`` when it is a console page of this site, else the dashboard."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/console"):
        return url_for("console.dashboard")
    return target or url_for("console.dashboard")


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Show the sign-in form; exchange a valid key for a fresh session."""
    if request.method == "GET":
        return render_template("console/sign_in.html", next=request.args.get("next", ""))
    presented = request.form.get("api_key", "").strip()
    keys = repositories().api_keys
    now = datetime.now(UTC)
    key = keys.verify(presented, now) if presented else None
    if key is None:
        error = "That API key is unknown, revoked or expired."
        page = render_template("console/sign_in.html", error=error, next=request.form.get("next"))
        return page, 401
    session.clear()  # a new session id and CSRF token: no fixation of an earlier one
    session.update(key_prefix=key.prefix, proof=keys.session_proof(presented),
                   signed_in_at=now.timestamp(), csrf=secrets.token_urlsafe(32))  # fmt: skip
    return redirect(_safe_next(request.form.get("next")))


@blp.post("/sign-out")
def sign_out():
    """End the session."""
    session.clear()
    return redirect(url_for("console.sign_in"))


@blp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """Answer a refused or malformed console request with a page, not the API's JSON."""
    return render_template("console/error.html", message=error.description), error.code


@blp.errorhandler(NotFound)
def _not_found(error: NotFound):
    return render_template("console/error.html", message=error.message), 404
