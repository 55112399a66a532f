"""``insights keys ...``: create, list and revoke API keys; the first-start admin key."""

import getpass
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from api.commands.errors import CommandError, one_line_errors
from api.extensions import repositories
from repository.api_keys import ADMIN, AbstractApiKeyRepository, ApiKey, parse_scopes
from repository.errors import Conflict
from repository.local_secrets import read_secret, write_secret

_DURATION = re.compile(r"(\d{1,5})([mhdw])")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
LOCAL_ADMIN = "local-admin"
LOCAL_ADMIN_FILE = "admin_api_key"


def parse_duration(raw: str) -> timedelta:
    """Return the span of ``90d``, ``12h``, ``30m`` or ``2w``.

    Raises:
        CommandError: anything else, or a span of zero.
    """
    match = _DURATION.fullmatch(raw.strip().lower())
    if not match or int(match[1]) == 0:
        raise CommandError(f"--expires-in must look like 90d, 12h, 30m or 2w, got {raw!r}")
    return timedelta(**{_UNIT[match[2]]: int(match[1])})


def _actor() -> str | None:
    """Return who runs the command, for the audit table (None where the OS cannot say)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _keys() -> AbstractApiKeyRepository:
    return repositories().api_keys


def _when(moment: datetime | None, never: str = "-") -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else never


def _state(key: ApiKey, now: datetime) -> str:
    if key.revoked_at:
        return "revoked"
    return "active" if key.usable_at(now) else "expired"


def _row(*cells: str) -> str:
    widths = (24, 11, 28, 16, 16, 16, 0)
    return "  ".join(f"{cell:{width}}" for cell, width in zip(cells, widths, strict=True)).rstrip()


@click.group("keys")
def keys_group() -> None:
    """Create, list and revoke API keys."""


@keys_group.command("create")
@click.option("--name", required=True, help="A unique name: letters, digits, '.', '_', '-'.")
@click.option("--scopes", required=True, help="Comma-separated: stats:read,content:write,...")
@click.option("--expires-in", help="e.g. 90d, 12h, 2w; default: never.")
@with_appcontext
@one_line_errors
def keys_create(name: str, scopes: str, expires_in: str | None) -> None:
    """Create a key; it is printed once, alone on the last line."""
    wanted = parse_scopes(scopes)
    expires_at = datetime.now(UTC) + parse_duration(expires_in) if expires_in else None
    issued = _keys().create(name, wanted, expires_at, _actor())
    key = issued.key
    expiry = f"expires {_when(key.expires_at)} UTC" if key.expires_at else "does not expire"
    scope_list = ",".join(key.scopes)
    click.echo(f"created API key {key.name!r} ({key.prefix}), scopes {scope_list}, {expiry}.")
    click.echo("It is shown only now; store it:")
    click.echo(issued.secret)


@keys_group.command("list")
@with_appcontext
@one_line_errors
def keys_list() -> None:
    """List keys (never their secrets)."""
    keys = _keys().list_keys()
    if not keys:
        click.echo("no API keys")
        return
    now = datetime.now(UTC)
    header = ("NAME", "PREFIX", "SCOPES", "CREATED", "LAST USED", "EXPIRES", "STATE")
    click.echo(_row(*header))
    for key in keys:
        click.echo(
            _row(
                key.name,
                key.prefix,
                ",".join(key.scopes),
                _when(key.created_at),
                _when(key.last_used_at, "never"),
                _when(key.expires_at, "never"),
                _state(key, now),
            )
        )


@keys_group.command("revoke")
@click.argument("name")
@with_appcontext
@one_line_errors
def keys_revoke(name: str) -> None:
    """Revoke the key called NAME: it stops working at once."""
    key = _keys().revoke(name, _actor())
    click.echo(f"revoked API key {key.name!r} ({key.prefix})")


def ensure_local_admin_key(base_url: str) -> None:
    """Give a local install an admin key on its first start, printed once, kept in .data/.

    Later starts reuse the stored key and only say where it is; a stored key that no
    longer works (a new database, another pepper) is replaced.
    """
    path = Path(current_app.config["LOCAL_DATA_DIR"]) / LOCAL_ADMIN_FILE
    try:
        stored = read_secret(path)
    except OSError as error:
        raise CommandError(f"cannot read the admin API key in {path}: {error.strerror}") from None
    if stored and (key := _keys().verify(stored, datetime.now(UTC))) and key.grants(ADMIN):
        click.echo(f"admin API key ({key.prefix}) is in {path}; send it as X-API-Key")
        return
    issued = _create_local_admin()
    try:
        write_secret(path, issued.secret)
    except OSError as error:
        _keys().revoke(issued.key.name, _actor())  # a key nobody can read again is useless
        raise CommandError(f"cannot keep the admin API key in {path}: {error.strerror}") from None
    click.echo(
        f"Created the local admin API key {issued.key.name!r}, saved in {path} (mode 0600);"
        " it is shown only now:\n"
        f"  {issued.secret}\n"
        f"Try: curl -H 'X-API-Key: {issued.secret}' {base_url}/api/v1/statistics/overview\n"
        "Narrower keys: insights keys create --name NAME --scopes stats:read"
    )


def _create_local_admin():
    try:
        return _keys().create(LOCAL_ADMIN, (ADMIN,), None, _actor())
    except Conflict:
        # The first one's file is gone or stale: a second, dated name.
        suffix = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        return _keys().create(f"{LOCAL_ADMIN}-{suffix}", (ADMIN,), None, _actor())
