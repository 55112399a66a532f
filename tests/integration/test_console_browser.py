"""The console in a real browser: headless Chromium against gunicorn on 127.0.0.1.

Skipped, with the reason, where Chromium, chromedriver or Selenium is missing (README
"Web console" says how to run them). One server and one browser serve the module; each
test signs in with its own key.
"""

import re

import pytest

from tests.browser_support import (
    api_json,
    free_port,
    kill_server,
    missing_browser,
    screenshot,
    start_driver,
    start_server,
)
from tests.support import create_key_in, query
from tests.workers import run_to_completion

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        missing_browser() is not None, reason=f"browser tests skipped: {missing_browser()}"
    ),  # fmt: skip
]


@pytest.fixture(scope="module")
def base(sample_url):
    port = free_port()
    server = start_server(sample_url, port)
    yield f"http://127.0.0.1:{port}"
    kill_server(server)


@pytest.fixture(scope="module")
def driver():
    browser = start_driver()
    yield browser
    browser.quit()


def sign_in(driver, base: str, key: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base + "/console/sign-in")
    driver.find_element(By.ID, "api_key").send_keys(key)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def click_and_wait(driver, element) -> None:
    """Click ``element`` and wait until the page it was on has been replaced."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element("tag name", "html")
    element.click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(page))


def text_of(driver, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id).text


def charts_drawn(driver) -> int:
    """Return how many canvases Chart.js drew (0 if its script was blocked)."""
    return driver.execute_script(
        "return window.Chart ? [...document.querySelectorAll('canvas[data-chart]')]"
        ".filter(c => window.Chart.getChart(c)).length : 0"
    )


class TestConsoleInChromium:
    def test_the_dashboard_shows_the_api_s_numbers_for_a_filtered_url(
        self, driver, base, sample_url
    ):
        key = create_key_in(sample_url, "browser-dash", "stats:read")
        sign_in(driver, base, key)
        filters = "channel=Email&customer_type=Red&from=2020-01-01"
        driver.get(f"{base}/console?{filters}&group_by=sentiment&granularity=quarter")
        api = api_json(base, f"/api/v1/statistics/product-interactions?{filters}", key)
        assert int(text_of(driver, "total-interactions")) == api["totals"]["interactions"] > 0
        cells = driver.execute_script(
            "return [...document.querySelectorAll('td[data-product]')]"
            ".map(td => [td.dataset.product, td.dataset.type, +td.textContent])"
        )
        shown = {(p, t): n for p, t, n in cells if n}
        assert shown == {(r["product"], r["customer_type"]): r["interactions"] for r in api["data"]}
        assert charts_drawn(driver) == 2  # the vendored Chart.js ran under the CSP
        assert driver.find_element("id", "granularity").get_attribute("value") == "quarter"
        screenshot(driver, "dashboard")

    def test_the_dashboard_fits_a_phone_screen(self, base, sample_url):
        phone = start_driver(width=390, height=844)
        try:
            sign_in(phone, base, create_key_in(sample_url, "browser-phone", "admin"))
            phone.get(base + "/console")
            overflow = phone.execute_script(
                "return document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0
            screenshot(phone, "dashboard-phone")
        finally:
            phone.quit()

    def test_a_customer_page_drafts_an_email_with_its_provenance(self, driver, base, sample_url):
        from selenium.webdriver.common.by import By

        sign_in(driver, base, create_key_in(sample_url, "browser-drafter", "admin"))
        driver.get(base + "/console/customers/5")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "#draft-title ~ form button"))
        prompt, sources = query(
            sample_url, "SELECT prompt_version, sources FROM insights.generated_content "
            "WHERE customer_id = 5 AND content_type = 'email'")[0]  # fmt: skip
        assert text_of(driver, "draft-prompt") == prompt
        assert text_of(driver, "draft-sources") == ", ".join(map(str, sources))
        assert text_of(driver, "draft-text").strip()
        screenshot(driver, "customer")

    def test_the_research_box_shows_an_answer_with_its_query(self, driver, base, sample_url):
        from selenium.webdriver.common.by import By

        sign_in(driver, base, create_key_in(sample_url, "browser-analyst", "stats:read"))
        driver.get(base + "/console/research")
        box = driver.find_element(By.ID, "question")
        box.send_keys("Which product was discussed most with Blue customers in 2021?")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main form button"))
        stored = query(sample_url, "SELECT answer FROM insights.research_log ORDER BY id DESC")
        assert text_of(driver, "answer-text") == stored[0][0]
        assert driver.find_elements(By.CSS_SELECTOR, "pre.query")
        screenshot(driver, "research")

    def test_a_reviewer_approves_one_rejects_another_and_bulk_skips_flagged(
        self, driver, base, sample_url
    ):
        from selenium.webdriver.common.by import By

        key = create_key_in(sample_url, "browser-reviewer", "campaigns:manage")
        campaign = api_json(base, "/api/v1/campaigns", key, "POST", {"name": "browser"})
        campaign_id = campaign["campaign_id"]
        run_to_completion(sample_url, campaign_id)
        items = api_json(base, f"/api/v1/campaigns/{campaign_id}/items?page_size=100", key)
        clear = sorted(i["customer_id"] for i in items if i["review_status"] == "clear")
        flagged = {i["customer_id"] for i in items if i["review_status"] == "needs_review"}
        sign_in(driver, base, key)
        page = f"{base}/console/campaigns/{campaign_id}"
        driver.get(page + "?review=clear")
        screenshot(driver, "campaign")
        driver.find_element(By.ID, f"listed-note-{clear[0]}").send_keys("reads well")
        click_and_wait(
            driver, driver.find_element(By.CSS_SELECTOR, f"#listed-item-{clear[0]} button")
        )
        driver.find_element(By.ID, f"listed-note-{clear[1]}").send_keys("off topic")
        click_and_wait(
            driver,
            driver.find_element(By.CSS_SELECTOR, f"#listed-item-{clear[1]} button.secondary"),
        )
        click_and_wait(
            driver, driver.find_element(By.XPATH, "//button[contains(., 'Approve every clear')]")
        )
        after = api_json(base, f"/api/v1/campaigns/{campaign_id}/items?page_size=100", key)
        by_id = {i["customer_id"]: i for i in after}
        assert (by_id[clear[0]]["status"], by_id[clear[0]]["note"]) == ("approved", "reads well")
        assert (by_id[clear[1]]["status"], by_id[clear[1]]["note"]) == ("rejected", "off topic")
        assert all(by_id[c]["status"] == "written" for c in flagged)
        assert all(by_id[c]["status"] == "approved" for c in clear if c != clear[1])

    def test_the_campaign_form_counts_recipients_as_its_fields_change(
        self, driver, base, sample_url
    ):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select, WebDriverWait

        everyone = query(sample_url, "SELECT count(*) FROM (SELECT customer_id FROM "
                         "insights.customers UNION SELECT customer_id FROM "
                         "insights.interactions) AS c")[0][0]  # fmt: skip
        opted = query(sample_url, "SELECT count(*) FROM insights.opt_outs")[0][0]
        reds = query(
            sample_url,
            "SELECT count(*) FROM (SELECT customer_id FROM insights.interaction_facts "
            "WHERE customer_type = 'Red' GROUP BY 1 HAVING count(*) >= 5) AS r",
        )[0][0]
        assert opted == 0 and 0 < reds < everyone
        sign_in(driver, base, create_key_in(sample_url, "browser-planner", "campaigns:manage"))
        driver.get(base + "/console/campaigns")
        wait = WebDriverWait(driver, 30)
        wait.until(lambda d: text_of(d, "segment-count") == f"{everyone} recipients, 0 opted out")
        Select(driver.find_element(By.ID, "customer_types")).select_by_value("Red")
        driver.find_element(By.ID, "min_interactions").send_keys("5")
        wait.until(lambda d: text_of(d, "segment-count") == f"{reds} recipients, 0 opted out")
        assert query(sample_url, "SELECT count(*) FROM insights.campaigns "
                     "WHERE created_by = 'browser-planner'")[0][0] == 0  # fmt: skip
        screenshot(driver, "campaign-form")

    def test_a_key_without_the_scope_sees_no_campaign_pages(self, driver, base, sample_url):
        from selenium.webdriver.common.by import By

        sign_in(driver, base, create_key_in(sample_url, "browser-reader", "stats:read"))
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "nav a")]
        assert links and not any("/console/campaigns" in link for link in links)
        driver.get(base + "/console/campaigns")
        assert "lacks the campaigns:manage scope" in driver.page_source

    def test_a_form_without_its_csrf_token_is_refused(self, driver, base, sample_url):
        from selenium.webdriver.common.by import By

        sign_in(driver, base, create_key_in(sample_url, "browser-csrf", "stats:read"))
        driver.get(base + "/console/research")
        driver.execute_script("document.querySelector('main input[name=csrf_token]').remove()")
        driver.find_element(By.ID, "question").send_keys("How many interactions?")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "main form button"))
        assert "did not come from the console" in driver.page_source
        assert not query(sample_url, "SELECT 1 FROM insights.research_log "
                         "WHERE question = 'How many interactions?'")  # fmt: skip

    def test_sign_out_returns_to_the_sign_in_page(self, driver, base, sample_url):
        from selenium.webdriver.common.by import By

        sign_in(driver, base, create_key_in(sample_url, "browser-leaver", "stats:read"))
        click_and_wait(driver, driver.find_element(By.XPATH, "//button[contains(., 'Sign out')]"))
        assert re.search(r"/console/sign-in$", driver.current_url)
        driver.get(base + "/console")
        assert "/console/sign-in" in driver.current_url
