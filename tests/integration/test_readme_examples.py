"""The README's curl line for every endpoint works against the bundled sample as written."""

import re
import shlex
from pathlib import Path

import pytest

from tests.support import client_with_key, ingest_bundled_sample
from tests.workers import run_to_completion

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "### Every endpoint with curl"


def unsubscribe_link_token(app, campaign_id: int, customer_id: int) -> str:
    """Return the token of a message's unsubscribe link, signed with the app's secret."""
    from pipelines.delivery.unsubscribe import unsubscribe_token
    from repository.factory import unsubscribe_secret

    return unsubscribe_token(unsubscribe_secret(app.config), campaign_id, customer_id)


def readme_curl_lines() -> list[str]:
    """Return the curl commands of the README's endpoint section, in order."""
    text = README.read_text(encoding="utf-8")
    block = text.split(SECTION, 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("curl ")]


def request_of(line: str) -> tuple[str, bool]:
    """Return (path and query, whether a key is sent) of one curl line."""
    words = shlex.split(line.split("#", 1)[0].replace("$BASE", ""))
    urls = [word for word in words if word.startswith("/")]
    assert len(urls) == 1, line
    return urls[0], '"$KEY"' in line


def method_and_body(line: str) -> tuple[str, str | None]:
    """Return the HTTP method and the ``-d`` body of one curl line, as curl chooses them.

    ``-X`` names the method; without it, a line with a body POSTs and any other GETs.
    """
    words = shlex.split(line.split("#", 1)[0])
    flags = dict(zip(words, [*words[1:], None], strict=True))
    body = flags.get("-d")
    return flags.get("-X") or ("POST" if body else "GET"), body


@pytest.fixture
def sample_client(app, database_url):
    ingest_bundled_sample(database_url)
    return client_with_key(app)


def test_the_section_covers_every_documented_operation(app):
    templates = app.test_client().get("/openapi.json").get_json()["paths"]
    shown = {request_of(line)[0].split("?", 1)[0] for line in readme_curl_lines()}
    for template in templates:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        # A literal path of its own (generated-content/usage) does not stand for a template.
        matches = {path for path in shown - set(templates) if re.fullmatch(pattern, path)}
        assert matches or template in shown, f"README has no curl line for {template}"


def test_every_line_answers_without_an_error(app, sample_client, database_url):
    anonymous = app.test_client()
    content_id = None
    campaign_written = False
    for line in readme_curl_lines():
        url, keyed = request_of(line)
        if "UNSUBSCRIBE_TOKEN" in url:  # issue 15: the link a message to customer 1 carries
            url = url.replace("UNSUBSCRIBE_TOKEN", unsubscribe_link_token(app, 1, 1))
        if "CONTENT_ID" in url:
            assert content_id, "a generation must come before the line that reads one back"
            url = url.replace("CONTENT_ID", content_id)
        method, body = method_and_body(line)
        response = (sample_client if keyed else anonymous).open(
            url, method=method, data=body, content_type="application/json" if body else None
        )
        assert response.status_code < 400, (line, response.status_code, response.data[:300])
        if method == "POST" and url == "/api/v1/campaigns" and not campaign_written:
            # The first campaign's drafts are written by a real worker before the lines
            # that review them; later campaigns stay queued (pause, resume, cancel).
            run_to_completion(database_url, response.get_json()["campaign_id"])
            campaign_written = True
        body = response.get_json(silent=True)
        if isinstance(body, dict) and "generated_content" in body:
            content_id = body["content_id"]
