"""Versioned prompt templates kept as files, and the data blocks they carry.

Each task has a folder under ``artifacts/prompts`` (``email/``, ``call_script/``,
``summary/``, and ``email_introduction/`` and ``call_script_introduction/`` for customers
with no interactions yet) holding one TOML file per version (``v1.toml``, ``v2.toml``, ...). The
highest version is used; its name ("email/v1") goes into every response, stored
generation and log line, so any text can be traced to the exact wording that asked for it.

Retrieved data never enters the system message. It travels in the human message inside
tagged blocks of JSON in which ``<``, ``>`` and ``&`` are escaped, so no value, however it
reads, can close its block or pass for an instruction of the template.
"""

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.prompts import ChatPromptTemplate

from repository.errors import ConfigurationError

TASKS = ("email", "call_script", "summary", "email_introduction", "call_script_introduction")
_VERSION_FILE = re.compile(r"^v(\d+)\.toml$")
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


@dataclass(frozen=True)
class PromptTemplate:
    """One task's template at one version."""

    version: str  # "email/v1"
    template: ChatPromptTemplate
    # What the retriever ranks interactions against when the caller names no focus.
    retrieval_query: str


def _load_version(path: Path, task: str) -> PromptTemplate:
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        template = ChatPromptTemplate.from_messages(
            [("system", spec["system"].strip()), ("human", spec["human"].strip())]
        )
        return PromptTemplate(f"{task}/{path.stem}", template, spec["retrieval_query"])
    except (OSError, KeyError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"prompt file {path} is unusable: {error!r}") from None


def load_prompts(prompts_dir: Path) -> dict[str, PromptTemplate]:
    """Return the latest version of every task's template.

    Raises:
        ConfigurationError: a task has no template file, or one cannot be parsed.
    """
    prompts = {}
    for task in TASKS:
        versions = [
            (int(match.group(1)), path)
            for path in (prompts_dir / task).glob("v*.toml")
            if (match := _VERSION_FILE.match(path.name))
        ]
        if not versions:
            raise ConfigurationError(f"no prompt template for {task!r} in {prompts_dir / task}")
        prompts[task] = _load_version(max(versions)[1], task)
    return prompts


def data_block(value: Any) -> str:
    """Render data as JSON that cannot contain a tag: one value, or one line per list item."""
    items = value if isinstance(value, list) else [value]
    lines = (json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items)
    return "\n".join(_escape_markup(line) for line in lines)


def _escape_markup(line: str) -> str:
    for character, escape in _ESCAPES.items():
        line = line.replace(character, escape)
    return line


def read_block(text: str, tag: str) -> list[Any] | None:
    """Return the JSON values inside ``<tag>...</tag>``, or None when the block is absent."""
    match = re.search(rf"<{tag}>\n?(.*?)\n?</{tag}>", text, flags=re.DOTALL)
    if match is None:
        return None
    return [json.loads(line) for line in match.group(1).splitlines() if line.strip()]


def load_prompt(prompts_dir: Path, version: str) -> PromptTemplate:
    """Return one named version ("email/v2") of a task's template (an A/B arm).

    Raises:
        ConfigurationError: no such task or version file, or it cannot be parsed.
    """
    task, _, number = version.partition("/")
    path = prompts_dir / task / f"{number}.toml"
    if task not in TASKS or not _VERSION_FILE.match(path.name) or not path.is_file():
        raise ConfigurationError(f"no prompt template {version!r} in {prompts_dir}")
    return _load_version(path, task)


def prompt_versions(prompts_dir: Path, task: str) -> list[str]:
    """Return every version name of ``task`` on disk ("email/v1", ...), oldest first."""
    numbers = sorted(
        int(match.group(1))
        for path in (prompts_dir / task).glob("v*.toml")
        if (match := _VERSION_FILE.match(path.name))
    )
    return [f"{task}/v{number}" for number in numbers]
