"""``insights consent import`` and ``insights contacts import``: outreach data from files."""

import getpass
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from api.commands.errors import one_line_errors
from api.extensions import repositories

if TYPE_CHECKING:
    from pipelines.outreach.rows import BadRow

# Bad rows beyond this many are counted, not listed: a wrong file should not flood a terminal.
MAX_LISTED_BAD_ROWS = 50


def _actor() -> str | None:
    """Return who runs the command, for the consent history (None where the OS cannot say)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _report_bad_rows(path: Path, bad: Sequence["BadRow"]) -> None:
    for row in bad[:MAX_LISTED_BAD_ROWS]:
        click.echo(f"{path}:{row.line}: {row.problem}", err=True)
    if len(bad) > MAX_LISTED_BAD_ROWS:
        click.echo(f"... and {len(bad) - MAX_LISTED_BAD_ROWS} more bad rows", err=True)


@click.group("consent")
def consent_group() -> None:
    """Record customers' opt-outs and opt-ins."""


@consent_group.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
@one_line_errors
def consent_import(path: Path) -> None:
    """Load opt-outs and opt-ins from PATH, a CSV file.

    Columns: customer_id, action (opt_out or opt_in; default opt_out), reason, source
    (default "import"). Bad rows are listed with their line and left out; the good ones
    load together or not at all.
    """
    from pipelines.outreach.consent import consent_changes_from_csv, record_consent

    changes, bad = consent_changes_from_csv(path, _actor())
    _report_bad_rows(path, bad)
    repos = repositories()
    cancel = repos.campaigns.cancel_pending_items if repos.campaigns else None
    counts = record_consent(repos.consent, changes, cancel)
    click.echo(
        f"{len(changes)} rows loaded: {counts.opted_out} opted out, {counts.opted_in} opted "
        f"in, {counts.unchanged} unchanged; {len(bad)} bad rows left out"
    )


@click.group("contacts")
def contacts_group() -> None:
    """Store customers' email addresses."""


@contacts_group.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
@one_line_errors
def contacts_import(path: Path) -> None:
    """Load addresses from PATH, a CSV file: customer_id, email, optional display_name.

    Addresses are validated (syntax only, no network) and stored normalised, replacing a
    customer's earlier address. Bad rows are listed with their line and left out.
    """
    from pipelines.outreach.contacts import contacts_from_csv

    contacts, bad = contacts_from_csv(path)
    _report_bad_rows(path, bad)
    counts = repositories().contacts.upsert(contacts)
    click.echo(
        f"{len(contacts)} rows loaded: {counts.added} added, {counts.updated} updated, "
        f"{counts.unchanged} unchanged; {len(bad)} bad rows left out"
    )


outreach_commands = (consent_group, contacts_group)
