"""Drive Debian's headless Chromium against a real server process for the console's tests.

Nothing here downloads a browser: the tests need the ``chromium`` and ``chromium-driver``
packages (``apt-get install -y chromium chromium-driver``) and Selenium
(``pip install -e '.[browser]'``), and skip with a message naming what is missing.
"""

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import SERVER_ENV

BIN = Path(sys.executable).parent
CHROMEDRIVER = "/usr/bin/chromedriver"
# Set to a folder (e.g. docs/console) to keep a screenshot of each page the tests open.
SCREENSHOTS_ENV = "CONSOLE_SCREENSHOTS_DIR"


def missing_browser() -> str | None:
    """Say what the browser tests lack on this machine, or None when they can run."""
    if importlib.util.find_spec("selenium") is None:
        return "Selenium is not installed (pip install -e '.[browser]')"
    if shutil.which("chromium") is None or not Path(CHROMEDRIVER).exists():
        return "no Chromium (apt-get install -y chromium chromium-driver)"
    return None


def start_driver(width: int = 1280, height: int = 900):
    """Return a headless Chromium WebDriver using the system's chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", f"--window-size={width},{height}"):  # fmt: skip
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def free_port() -> int:
    """Return a port nobody listens on at 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int) -> subprocess.Popen:
    """Start gunicorn with the service's settings on ``port`` and wait until it answers."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DATABASE_URL": database_url, "LOG_FORMAT": "json", **SERVER_ENV})
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "python:api.gunicorn_conf", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "api.wsgi:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    give_up = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=5):
                return server
        except OSError:
            if server.poll() is not None or time.monotonic() > give_up:
                kill_server(server)
                raise
            time.sleep(0.2)


def kill_server(server: subprocess.Popen) -> None:
    """SIGKILL gunicorn and its workers (its own process group) and reap it."""
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def api_json(base: str, path: str, key: str, method: str = "GET", body=None):
    """Call the API as a client does and return the decoded JSON."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def screenshot(driver, name: str) -> None:
    """Save the page as ``<name>.png`` when CONSOLE_SCREENSHOTS_DIR names a folder."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        size = driver.get_window_size()
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(size["width"], min(max(height + 140, 600), 4000))
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))
        driver.set_window_size(size["width"], size["height"])


def skip_without_browser() -> None:
    """Skip the calling test with the reason the browser cannot run here."""
    reason = missing_browser()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")
