"""``insights content usage``: tokens and cost of generated content, in a terminal table."""

from datetime import date, datetime

import click
from flask.cli import with_appcontext

from api.commands.errors import CommandError, one_line_errors
from api.extensions import content_pipeline
from api.usage import usage_report
from repository.generated_content import USAGE_GROUPS

_COLUMNS = ("generations", "input_tokens", "output_tokens", "without_tokens", "cost", "unpriced")


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


@click.command("usage")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC).")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC).")
@click.option("--group-by", type=click.Choice(USAGE_GROUPS), default="model", show_default=True)
@with_appcontext
@one_line_errors
def usage_command(date_from: datetime | None, date_to: datetime | None, group_by: str) -> None:
    """Print generations, tokens and cost per group over a period of days."""
    first, last = _day(date_from), _day(date_to)
    if first and last and first > last:
        raise CommandError(f"--from ({first}) must not be after --to ({last})")
    report = usage_report(content_pipeline().generated, first, last, group_by)
    click.echo("\t".join((group_by, *_COLUMNS, "estimated")))
    rows = [(group["key"], group) for group in report["groups"]]
    for key, totals in [*rows, ("TOTAL", report["total"])]:
        cells = [str(totals[column]) for column in _COLUMNS]
        estimated = "yes" if totals["tokens_estimated"] else "no"
        click.echo("\t".join((key or "-", *cells, estimated)))


def attach(cli: click.Group) -> None:
    """Add ``usage`` to ``cli``'s ``content`` group, creating the group if there is none."""
    group = cli.commands.get("content")
    if not isinstance(group, click.Group):
        group = click.Group("content", help="Inspect generated content.")
        cli.add_command(group)
    group.add_command(usage_command)
