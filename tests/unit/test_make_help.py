"""`make` with no target lists every target with a one-line description."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout


def phony_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return {name for line in re.findall(r"^\.PHONY:(.*)$", text, re.M) for name in line.split()}


def test_every_phony_target_is_listed_with_a_description():
    described = {}
    for line in make("help").splitlines():
        name, _, description = line.strip().partition(" ")
        described[name] = description.strip()
    assert {"run", "test", "help"} <= phony_targets()
    for target in phony_targets():
        assert described.get(target), f"make help: no description for {target}"


def test_make_without_a_target_shows_the_help():
    assert make() == make("help")
