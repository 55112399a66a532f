"""Helpers for the console's tests: sign in as a browser does, read a form's CSRF token."""

import re

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: str) -> str:
    """Return the CSRF token of the first form of ``page``."""
    found = _TOKEN.search(page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def signed_in(app, key: str, base_url: str = "http://localhost"):
    """Return a test client signed in to the console with ``key`` (and no key header)."""
    browser = app.test_client()
    browser.environ_base.pop("HTTP_X_API_KEY", None)
    page = browser.get("/console/sign-in", base_url=base_url).get_data(as_text=True)
    response = browser.post(
        "/console/sign-in",
        data={"api_key": key, "csrf_token": csrf_of(page)},
        base_url=base_url,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def token(browser, path: str = "/console") -> str:
    """Return the CSRF token a signed-in page at ``path`` carries."""
    return csrf_of(browser.get(path).get_data(as_text=True))
