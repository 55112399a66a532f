"""Secrets a local install keeps in its data folder (.data/): readable by its owner only."""

import os
import secrets
from pathlib import Path

from repository.errors import ConfigurationError


def read_secret(path: Path) -> str | None:
    """Return the secret stored at ``path``, or None when there is none."""
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        return None
    return value or None


def _write_private(path: Path, value: str) -> Path:
    """Write ``value`` to a new private file beside ``path``; return the file's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(value + "\n")
    return temporary


def write_secret(path: Path, value: str) -> None:
    """Store ``value`` at ``path`` with mode 0600, replacing what was there."""
    os.replace(_write_private(path, value), path)


def read_or_create_secret(path: Path) -> str:
    """Return the secret at ``path``, first creating a random one if there is none.

    The file appears complete and only once (a hard link fails if it exists), so two
    processes starting together agree on one secret.
    """
    existing = read_secret(path)
    if existing:
        return existing
    temporary = _write_private(path, secrets.token_urlsafe(32))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    secret = read_secret(path)
    if not secret:
        raise ConfigurationError(f"{path} is empty: delete it or put a secret in it")
    return secret
