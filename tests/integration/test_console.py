"""The web console through Flask's client: sign-in, session, CSRF, scopes, and its pages."""

import re
from http.cookies import SimpleCookie

import pytest

from tests.console_support import csrf_of, signed_in, token
from tests.support import create_api_key, ingest_bundled_sample, query
from tests.workers import run_to_completion


@pytest.fixture
def sample(database_url):
    ingest_bundled_sample(database_url)
    return database_url


def _cookie(response) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookie.load(header)
    return cookie


def _sign_in_response(app, key: str, base_url: str = "http://localhost"):
    browser = app.test_client()
    page = browser.get("/console/sign-in", base_url=base_url).get_data(as_text=True)
    data = {"api_key": key, "csrf_token": csrf_of(page)}
    return browser.post("/console/sign-in", data=data, base_url=base_url)


class TestSignIn:
    def test_a_page_without_a_session_sends_the_browser_to_sign_in(self, app):
        response = app.test_client().get("/console/customers/1")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/console/sign-in?next=")

    def test_the_key_header_alone_opens_no_console_page(self, app):
        browser = app.test_client()
        browser.environ_base["HTTP_X_API_KEY"] = create_api_key(app, "header-only", "admin")
        response = browser.get("/console")
        assert response.status_code == 302  # not 401 (the API's rule), not the page
        assert "/console/sign-in" in response.headers["Location"]

    def test_the_session_cookie_is_httponly_strict_and_scoped_to_the_console(self, app):
        key = create_api_key(app, "cookie", "stats:read")
        response = _sign_in_response(app, key)
        assert response.status_code == 302
        morsel = _cookie(response)["insights_console"]
        assert morsel["httponly"] and morsel["samesite"] == "Strict"
        assert morsel["path"] == "/console"
        assert not morsel["secure"]  # plain HTTP: a Secure cookie would never come back
        assert key not in response.headers["Set-Cookie"]
        assert key.split("_")[-1] not in response.headers["Set-Cookie"]

    def test_over_tls_the_cookie_is_secure(self, app):
        key = create_api_key(app, "tls", "stats:read")
        response = _sign_in_response(app, key, base_url="https://localhost")
        assert _cookie(response)["insights_console"]["secure"]

    def test_an_unknown_key_is_refused_and_starts_no_session(self, app):
        response = _sign_in_response(app, "ci_12345678_" + "A" * 43)
        assert response.status_code == 401
        assert "unknown, revoked or expired" in response.get_data(as_text=True)
        assert "key_prefix" not in response.headers.get("Set-Cookie", "")

    def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(self, app):
        key = create_api_key(app, "next", "stats:read")
        browser = app.test_client()
        page = browser.get("/console/sign-in").get_data(as_text=True)
        form = {"api_key": key, "csrf_token": csrf_of(page)}
        response = browser.post("/console/sign-in", data={**form, "next": "/console/research"})
        assert response.headers["Location"] == "/console/research"
        page = browser.get("/console/sign-in").get_data(as_text=True)
        form["csrf_token"] = csrf_of(page)
        response = browser.post("/console/sign-in", data={**form, "next": "https://evil.test/"})
        assert response.headers["Location"] == "/console"

    def test_sign_out_ends_the_session(self, app):
        browser = signed_in(app, create_api_key(app, "out", "stats:read"))
        response = browser.post("/console/sign-out", data={"csrf_token": token(browser)})
        assert response.status_code == 302
        assert browser.get("/console").status_code == 302

    def test_a_revoked_key_signs_its_session_out_on_the_next_page(self, app, insights):
        browser = signed_in(app, create_api_key(app, "soon-revoked", "stats:read"))
        assert browser.get("/console").status_code == 200
        assert insights("keys", "revoke", "soon-revoked").exit_code == 0
        response = browser.get("/console")
        assert response.status_code == 302
        assert "/console/sign-in" in response.headers["Location"]


class TestCsrf:
    def test_a_post_without_the_token_is_refused_and_changes_nothing(self, app, database_url):
        browser = signed_in(app, create_api_key(app, "csrf", "stats:read"))
        response = browser.post("/console/research", data={"question": "How many interactions?"})
        assert response.status_code == 400
        assert query(database_url, "SELECT count(*) FROM insights.research_log")[0][0] == 0

    def test_a_token_of_another_session_is_refused(self, app):
        first = signed_in(app, create_api_key(app, "first", "stats:read"))
        second = signed_in(app, create_api_key(app, "second", "stats:read"))
        response = second.post("/console/sign-out", data={"csrf_token": token(first)})
        assert response.status_code == 400
        assert second.get("/console").status_code == 200  # still signed in

    def test_sign_in_needs_the_token_too(self, app):
        key = create_api_key(app, "login-csrf", "stats:read")
        response = app.test_client().post("/console/sign-in", data={"api_key": key})
        assert response.status_code == 400

    def test_every_form_of_every_page_carries_the_token(self, app, sample):
        browser = signed_in(app, create_api_key(app, "forms", "admin"))
        for path in ("/console", "/console/customers/1", "/console/research", "/console/campaigns"):
            page = browser.get(path).get_data(as_text=True)
            posts = re.findall(r'<form[^>]*method="post".*?</form>', page, re.DOTALL)
            assert posts, path
            assert all('name="csrf_token"' in form for form in posts), path


class TestScopes:
    def test_a_stats_key_sees_statistics_but_no_campaign_page_or_link(self, app, sample):
        browser = signed_in(app, create_api_key(app, "reader", "stats:read"))
        page = browser.get("/console").get_data(as_text=True)
        assert "/console/campaigns" not in page
        assert browser.get("/console/campaigns").status_code == 403
        assert browser.get("/console/campaigns/1").status_code == 403
        response = browser.post("/console/campaigns", data={"csrf_token": token(browser)})
        assert response.status_code == 403
        assert query(sample, "SELECT count(*) FROM insights.campaigns")[0][0] == 0

    def test_a_stats_key_cannot_draft(self, app, sample):
        browser = signed_in(app, create_api_key(app, "no-drafts", "stats:read"))
        page = browser.get("/console/customers/1").get_data(as_text=True)
        assert "Draft an email" not in page
        response = browser.post("/console/customers/1/draft", data={"csrf_token": token(browser)})
        assert response.status_code == 403

    def test_a_campaigns_key_sees_no_statistics(self, app):
        browser = signed_in(app, create_api_key(app, "manager", "campaigns:manage"))
        assert browser.get("/console").status_code == 403
        assert browser.get("/console/campaigns").status_code == 200


class TestHeaders:
    def test_pages_run_only_our_own_scripts_and_are_not_cached(self, app, sample):
        browser = signed_in(app, create_api_key(app, "headers", "stats:read"))
        response = browser.get("/console")
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy
        assert "form-action 'self'" in policy
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script>" not in response.get_data(as_text=True)  # no inline script at all

    def test_the_chart_library_is_served_from_the_package(self, app):
        path = "/console/static/console/chart-4.5.1.umd.min.js"
        with app.test_client().get(path) as response:  # closes the file it streams
            assert response.status_code == 200
            assert b"Chart.js v4.5.1" in response.data[:200]
