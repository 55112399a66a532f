"""The web console: server-rendered pages over the same services as the API (issue 20).

Pages authenticate by a session cookie obtained with an API key (api/console/session.py),
not by the key header: api/auth.py lets the ``console`` blueprint through and every page
checks its scope here, against the key the session re-verifies on each request.
"""

import hmac
from hashlib import sha256

from flask import Blueprint, Flask, Response

CONSOLE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

blp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@blp.after_request
def _console_headers(response: Response) -> Response:
    # Set before the app-wide hook, which only fills headers still missing: pages run our
    # own scripts and post forms to us, and nothing from any other origin.
    response.headers["Content-Security-Policy"] = CONSOLE_POLICY
    if not response.headers.get("Cache-Control"):
        response.headers["Cache-Control"] = "no-store"  # customer data, per signed-in key
    response.vary.add("Cookie")
    return response


def _secret_key(app: Flask) -> bytes | str:
    """Return CONSOLE_SECRET_KEY, else a signing key derived from the API key pepper."""
    # Asked on the first session, not at start: commands that never serve the console
    # must not create the local pepper file (repository/factory.py).
    if app.config.get("CONSOLE_SECRET_KEY"):
        return app.config["CONSOLE_SECRET_KEY"]
    from repository.factory import api_key_pepper

    # Every worker derives the same key, so a cookie signed by one is read by the others.
    return hmac.new(api_key_pepper(app.config), b"insights console sessions", sha256).digest()


def init_app(app: Flask) -> None:
    """Register the console's pages and its session cookie on ``app``."""
    from api.console import campaigns, customers, dashboard, ingestion, research, session  # noqa: F401

    app.session_interface = session.ConsoleSessionInterface(_secret_key)
    app.register_blueprint(blp)
