"""Security headers on every response.

JSON answers get a policy that allows nothing (they are data, never a page). The one HTML
page, Swagger UI at /docs, loads its scripts and styles from this server (the bundled
swagger-ui-bundle package) and starts them with one inline script, which its policy allows
by hash, computed from the page as served, so no 'unsafe-inline' script is ever allowed.
"""

import base64
import hashlib
import re

from flask import Flask, Response, request

_COMMON = "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
API_POLICY = f"default-src 'none'; {_COMMON}"
# Swagger UI sets inline styles and uses data: images for its icons.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    f"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; {_COMMON}"
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# Customer data must not linger in browser or proxy caches.
PRIVATE_PREFIXES = ("/api/", "/health/")


def script_hashes(html: str) -> str:
    """Return the CSP sources ('sha256-...') allowing each inline script of ``html``."""
    digests = (hashlib.sha256(body.encode()).digest() for body in _INLINE_SCRIPT.findall(html))
    return " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)


def _add_headers(response: Response) -> Response:
    # One pass over the headers a view set, not one per header (every request pays it).
    present = {name.lower() for name, _ in response.headers}
    missing = [(name, value) for name, value in HEADERS.items() if name.lower() not in present]
    if "content-security-policy" not in present:
        hashes = ""
        if response.mimetype == "text/html" and not response.direct_passthrough:
            hashes = script_hashes(response.get_data(as_text=True))
        # Only a page with scripts to run (Swagger UI) gets more than the empty policy.
        missing.append(
            ("Content-Security-Policy", DOCS_POLICY.format(hashes=hashes) if hashes else API_POLICY)
        )
    if "cache-control" not in present and request.path.startswith(PRIVATE_PREFIXES):
        missing.append(("Cache-Control", "no-store"))
    response.headers.extend(missing)
    return response


def init_app(app: Flask) -> None:
    """Add the security headers to every response of ``app``."""
    app.after_request(_add_headers)
