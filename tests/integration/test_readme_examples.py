"""The README's curl line for every endpoint works against the bundled sample as written."""

import json
import re
import shlex
from pathlib import Path

import pytest

from tests.support import client_with_key, ingest_bundled_sample

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "### Every endpoint with curl"


def readme_curl_lines() -> list[str]:
    """Return the curl commands of the README's endpoint section, in order."""
    text = README.read_text(encoding="utf-8")
    block = text.split(SECTION, 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("curl ")]


def payload_of(line: str) -> dict | None:
    """Return the JSON body a curl line posts with -d, if any (issue 16's POST endpoints)."""
    words = shlex.split(line.split(" #", 1)[0])
    return json.loads(words[words.index("-d") + 1]) if "-d" in words else None


def request_of(line: str) -> tuple[str, bool]:
    """Return (path and query, whether a key is sent) of one curl line."""
    words = shlex.split(line.split("#", 1)[0].replace("$BASE", ""))
    urls = [word for word in words if word.startswith("/")]
    assert len(urls) == 1, line
    return urls[0], '"$KEY"' in line


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


def test_every_line_answers_without_an_error(app, sample_client):
    anonymous = app.test_client()
    content_id = None
    for line in readme_curl_lines():
        url, keyed = request_of(line)
        if "CONTENT_ID" in url:
            assert content_id, "a generation must come before the line that reads one back"
            url = url.replace("CONTENT_ID", content_id)
        caller, payload = (sample_client if keyed else anonymous), payload_of(line)
        response = caller.post(url, json=payload) if payload else caller.get(url)
        assert response.status_code < 400, (line, response.status_code, response.data[:300])
        body = response.get_json(silent=True)
        if isinstance(body, dict) and "generated_content" in body:
            content_id = body["content_id"]
