"""The web console through Flask's client: sign-in, session, CSRF, scopes, and its pages."""

import re
from http.cookies import SimpleCookie

import pytest
from markupsafe import escape

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
        # The secret part after "ci_<8 hex>_" (it may itself hold "_").
        assert key[len("ci_12345678_") :] not in response.headers["Set-Cookie"]

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


def _cells(page: str) -> dict[tuple[str, str], int]:
    """Return the dashboard's product table as {(product, customer type): interactions}."""
    found = re.findall(r'data-product="([^"]*)" data-type="([^"]*)">(\d+)<', page)
    return {(product, kind): int(n) for product, kind, n in found}


class TestDashboard:
    def test_the_filtered_table_shows_what_the_data_and_the_api_say(self, app, client, sample):
        browser = signed_in(app, create_api_key(app, "dash", "stats:read"))
        url = "/console?channel=Email&from=2020-01-01&to=2023-12-31"
        page = browser.get(url).get_data(as_text=True)
        expected = {
            (product, kind): n
            for product, kind, n in query(
                sample,
                "SELECT product, customer_type, count(*) FROM insights.interaction_facts "
                "WHERE channel = 'Email' AND occurred_at >= '2020-01-01' "
                "AND occurred_at < '2024-01-01' GROUP BY 1, 2",
            )
        }
        shown = {cell: n for cell, n in _cells(page).items() if n}
        assert shown == expected and expected
        api = client.get("/api/v1/statistics/product-interactions?channel=Email"
                         "&from=2020-01-01&to=2023-12-31").get_json()  # fmt: skip
        assert shown == {(r["product"], r["customer_type"]): r["interactions"] for r in api["data"]}

    def test_the_csv_download_holds_the_rows_shown(self, app, sample):
        browser = signed_in(app, create_api_key(app, "csv", "stats:read"))
        response = browser.get("/console/dashboard.csv?table=products&channel=Email")
        assert response.headers["Content-Disposition"].endswith('"product-interactions.csv"')
        lines = response.get_data(as_text=True).splitlines()
        assert lines[0] == "product,customer_type,interactions"
        rows = {tuple(line.split(",")[:2]): int(line.split(",")[2]) for line in lines[1:]}
        shown = _cells(browser.get("/console?channel=Email").get_data(as_text=True))
        assert rows == {cell: n for cell, n in shown.items() if n}

    def test_an_unknown_filter_value_is_named_on_the_page(self, app, sample):
        browser = signed_in(app, create_api_key(app, "bad-filter", "stats:read"))
        response = browser.get("/console?channel=Pigeon&granularity=decade")
        assert response.status_code == 422
        assert "granularity" in response.get_data(as_text=True)

    def test_the_data_version_and_last_ingestion_are_shown(self, app, sample):
        browser = signed_in(app, create_api_key(app, "version", "stats:read"))
        page = browser.get("/console").get_data(as_text=True)
        version = query(sample, "SELECT version FROM insights.data_version")[0][0]
        assert f'id="data-version">{version}<' in page
        quarantined = query(sample, "SELECT count(*) FROM insights.quarantine")[0][0]
        shown = re.findall(r'<td class="num quarantined">(\d+)<', page)
        assert sum(map(int, shown)) == quarantined


class TestCustomerPage:
    def test_history_is_paginated_newest_first(self, app, sample):
        browser = signed_in(app, create_api_key(app, "history", "stats:read"))
        ids = [row[0] for row in query(
            sample, "SELECT id FROM insights.interactions WHERE customer_id = 1 "
            "ORDER BY occurred_at DESC, id DESC")]  # fmt: skip
        page = browser.get("/console/customers/1").get_data(as_text=True)
        shown = [int(n) for n in re.findall(r'<td class="num">(\d+)</td></tr>', page)]
        assert shown == ids[:20]

    def test_drafting_shows_the_stored_text_sources_review_and_prompt(self, app, sample):
        browser = signed_in(app, create_api_key(app, "drafter", "stats:read,content:write"))
        form = {"csrf_token": token(browser, "/console/customers/3"), "tone": "friendly"}
        page = browser.post("/console/customers/3/draft", data=form).get_data(as_text=True)
        stored = query(
            sample,
            "SELECT content, prompt_version, sources, review_status, subject FROM "
            "insights.generated_content WHERE customer_id = 3 AND content_type = 'email'",
        )
        content, prompt, sources, review, subject = stored[0]
        assert subject and f'id="draft-subject">Subject: <strong>{escape(subject)}</strong>' in page
        assert f'id="draft-prompt">{prompt}<' in page
        assert f'id="draft-review">{review}<' in page
        assert f'id="draft-sources">{", ".join(map(str, sources))}<' in page
        assert content.splitlines()[0] in page

    def test_an_unknown_customer_is_a_404_page(self, app, sample):
        browser = signed_in(app, create_api_key(app, "nobody", "stats:read"))
        assert browser.get("/console/customers/999999").status_code == 404


class TestResearch:
    def test_the_answer_comes_with_its_query_and_citations(self, app, sample):
        browser = signed_in(app, create_api_key(app, "analyst", "stats:read"))
        form = {
            "csrf_token": token(browser),
            "question": "How many interactions per month in 2021?",
        }
        page = browser.post("/console/research", data=form).get_data(as_text=True)
        answer = query(sample, "SELECT answer FROM insights.research_log")[0][0]
        assert answer in page.replace("&#39;", "'")
        assert 'class="text query"' in page


def _items(url: str, campaign_id: int) -> dict[int, tuple]:
    rows = query(url, "SELECT customer_id, status, review_status, note FROM "
                 "insights.campaign_items WHERE campaign_id = %s", (campaign_id,))  # fmt: skip
    return {row[0]: row[1:] for row in rows}


@pytest.mark.slow
class TestCampaignReview:
    def test_a_reviewer_approves_one_rejects_another_and_bulk_skips_flagged(
        self, app, client, sample
    ):
        browser = signed_in(app, create_api_key(app, "reviewer", "campaigns:manage"))
        form = {"csrf_token": token(browser, "/console/campaigns"), "name": "spring"}
        created = browser.post("/console/campaigns", data=form)
        assert created.status_code == 303
        campaign_id = int(created.headers["Location"].rsplit("/", 1)[1])
        run_to_completion(sample, campaign_id)
        items = _items(sample, campaign_id)
        clear = sorted(c for c, (s, review, _) in items.items() if review == "clear")
        flagged = sorted(c for c, (s, review, _) in items.items() if review == "needs_review")
        assert len(clear) >= 3 and flagged, "the sample should give clear and flagged drafts"
        page = f"/console/campaigns/{campaign_id}"
        html = browser.get(page).get_data(as_text=True)
        assert html.index("flagged-item-") < html.index("listed-item-")  # needs_review first
        sources, subject = query(
            sample,
            "SELECT g.sources, i.subject FROM insights.campaign_items i "
            "JOIN insights.generated_content g ON g.id = i.generation_id "
            "WHERE i.campaign_id = %s AND i.customer_id = %s",
            (campaign_id, flagged[0]),
        )[0]
        card = html[html.index(f'id="flagged-item-{flagged[0]}"') :]
        assert f'<span class="sources">{", ".join(map(str, sources))}</span>' in card
        assert subject and f"Subject: <strong>{escape(subject)}</strong>" in card
        csrf = token(browser, page)
        base = f"{page}/items"
        browser.post(f"{base}/{clear[0]}/approve", data={"csrf_token": csrf, "note": "fine"})
        browser.post(f"{base}/{clear[1]}/reject", data={"csrf_token": csrf, "note": "too long"})
        api = client.get(f"/api/v1/campaigns/{campaign_id}/items?page_size=100").get_json()
        by_id = {item["customer_id"]: item for item in api}
        assert (by_id[clear[0]]["status"], by_id[clear[0]]["note"]) == ("approved", "fine")
        assert (by_id[clear[1]]["status"], by_id[clear[1]]["note"]) == ("rejected", "too long")
        assert by_id[clear[0]]["reviewed_by"] == "reviewer"
        browser.post(f"{page}/approve-clear", data={"csrf_token": csrf})
        after = _items(sample, campaign_id)
        assert all(after[c][0] == "written" for c in flagged)  # needs_review: only one by one
        assert all(after[c][0] == "approved" for c in clear if c != clear[1])
        export = browser.get(f"{page}/export.csv").get_data(as_text=True).splitlines()
        exported = sorted(int(line.split(",")[0]) for line in export[1:] if line[:1].isdigit())
        assert exported == sorted(c for c in clear if c != clear[1])
        with_address = exported[:2]
        for customer_id in with_address:
            body = {"email": f"c{customer_id}@example.com"}
            assert (
                client.put(f"/api/v1/customers/{customer_id}/contact", json=body).status_code == 200
            )
        sent = browser.post(f"{page}/send", data={"csrf_token": token(browser, page)})
        assert sent.status_code == 303
        queued = query(
            sample,
            "SELECT customer_id FROM insights.deliveries WHERE campaign_id = %s",
            (campaign_id,),
        )
        assert sorted(row[0] for row in queued) == with_address
        shown = browser.get(page).get_data(as_text=True)
        assert f"queued {len(with_address)}" in shown
        refused = browser.post(f"{page}/send", data={})
        assert refused.status_code == 400  # no CSRF token: nothing queued twice either


class TestCampaignForm:
    def test_a_segment_from_the_form_makes_the_campaign_the_api_shows(self, app, client, sample):
        browser = signed_in(app, create_api_key(app, "planner", "campaigns:manage"))
        form = {"csrf_token": token(browser, "/console/campaigns"), "name": "reds",
                "customer_types": "Red", "min_interactions": "5"}  # fmt: skip
        response = browser.post("/console/campaigns", data=form)
        campaign_id = int(response.headers["Location"].rsplit("/", 1)[1])
        body = client.get(f"/api/v1/campaigns/{campaign_id}").get_json()
        expected = query(
            sample,
            "SELECT count(*) FROM (SELECT customer_id FROM insights.interaction_facts "
            "WHERE customer_type = 'Red' GROUP BY 1 HAVING count(*) >= 5) AS reds",
        )[0][0]
        assert body["segment"]["customer_types"] == ["Red"]
        assert body["recipients"] == expected > 0

    def test_an_invalid_form_is_shown_again_with_the_field_named(self, app, sample):
        browser = signed_in(app, create_api_key(app, "typo", "campaigns:manage"))
        form = {"csrf_token": token(browser, "/console/campaigns"), "name": "x",
                "max_words": "9000"}  # fmt: skip
        response = browser.post("/console/campaigns", data=form)
        assert response.status_code == 422
        assert "max_words" in response.get_data(as_text=True)
        assert query(sample, "SELECT count(*) FROM insights.campaigns")[0][0] == 0


class TestSegmentCount:
    def _expected(self, url: str) -> tuple[int, int]:
        """Red customers with 5 or more interactions, and the first of them opted out."""
        matched = query(
            url,
            "SELECT customer_id FROM insights.interaction_facts WHERE customer_type = 'Red' "
            "GROUP BY 1 HAVING count(*) >= 5 ORDER BY 1",
        )
        query(url, "INSERT INTO insights.opt_outs (customer_id, source) VALUES (%s, 'test') "
              "RETURNING 1", (matched[0][0],))  # fmt: skip
        return len(matched) - 1, 1

    def test_without_javascript_the_count_button_shows_the_page_with_the_count(self, app, sample):
        recipients, opted_out = self._expected(sample)
        browser = signed_in(app, create_api_key(app, "counter", "campaigns:manage"))
        form = {"csrf_token": token(browser, "/console/campaigns"), "name": "",
                "customer_types": "Red", "min_interactions": "5"}  # fmt: skip
        response = browser.post("/console/campaigns/preview", data=form)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert f"{recipients} recipients, {opted_out} opted out" in page
        assert re.search(r'<option value="Red"\s+selected', page)  # the form keeps its choices
        assert query(sample, "SELECT count(*) FROM insights.campaigns")[0][0] == 0

    def test_the_live_count_answers_json_to_the_page_s_script(self, app, sample):
        recipients, opted_out = self._expected(sample)
        browser = signed_in(app, create_api_key(app, "live", "campaigns:manage"))
        form = {"csrf_token": token(browser, "/console/campaigns"),
                "customer_types": "Red", "min_interactions": "5"}  # fmt: skip
        response = browser.post(
            "/console/campaigns/preview", data=form, headers={"Accept": "application/json"}
        )
        body = response.get_json()
        assert (body["recipients"], body["excluded"]) == (recipients, {"opted_out": opted_out})
        assert body["summary"] == f"{recipients} recipients, {opted_out} opted out"

    def test_a_bad_field_is_named_and_a_post_without_the_token_refused(self, app, sample):
        browser = signed_in(app, create_api_key(app, "bad", "campaigns:manage"))
        form = {"csrf_token": token(browser, "/console/campaigns"), "min_interactions": "-3"}
        response = browser.post("/console/campaigns/preview", data=form)
        assert response.status_code == 422
        assert "min_interactions" in response.get_data(as_text=True)
        del form["csrf_token"]
        assert browser.post("/console/campaigns/preview", data=form).status_code == 400

    def test_a_stats_key_cannot_count_a_segment(self, app, sample):
        browser = signed_in(app, create_api_key(app, "viewer", "stats:read"))
        form = {"csrf_token": token(browser, "/console")}
        assert browser.post("/console/campaigns/preview", data=form).status_code == 403


class TestIngestionPage:
    def test_an_admin_sees_each_quarantined_row_with_its_reason(self, app, sample):
        browser = signed_in(app, create_api_key(app, "ops", "admin"))
        assert "/console/ingestion" in browser.get("/console").get_data(as_text=True)
        page = browser.get("/console/ingestion").get_data(as_text=True)
        rows = query(sample, "SELECT sheet, source_row, reason FROM insights.quarantine")
        shown = re.findall(r'<tr><td>(\w+)</td><td class="num">(\d+)</td><td>([^<]+)</td>', page)
        assert sorted(shown) == sorted((s, str(n), r.replace("_", " ")) for s, n, r in rows)

    def test_a_stats_key_may_not_read_quarantined_rows(self, app, sample):
        browser = signed_in(app, create_api_key(app, "not-ops", "stats:read"))
        assert "/console/ingestion" not in browser.get("/console").get_data(as_text=True)
        assert browser.get("/console/ingestion").status_code == 403
