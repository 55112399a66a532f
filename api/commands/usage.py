"""``insights content usage``: tokens and cost of generated content, in a terminal table."""

from datetime import date

import click
from flask.cli import with_appcontext

from api.commands.errors import CommandError, one_line_errors
from api.extensions import content_pipeline
from repository.generated_content import USAGE_GROUPS

_COLUMNS = ("generations", "input_tokens", "output_tokens", "without_tokens", "cost", "unpriced")


def _day(option: str, raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"{option} must be a date like 2026-01-31, got {raw!r}") from None


# Values are checked here rather than by click's types: a mistake prints one line.
@click.command("usage")
@click.option("--from", "date_from", help="First day (UTC), e.g. 2026-01-01.")
@click.option("--to", "date_to", help="Last day (UTC), inclusive.")
@click.option("--group-by", default="model", show_default=True, help=" | ".join(USAGE_GROUPS))
@with_appcontext
@one_line_errors
def usage_command(date_from: str | None, date_to: str | None, group_by: str) -> None:
    """Print generations, tokens and cost per group over a period of days."""
    first, last = _day("--from", date_from), _day("--to", date_to)
    if first and last and first > last:
        raise CommandError(f"--from ({first}) must not be after --to ({last})")
    if group_by not in USAGE_GROUPS:
        raise CommandError(f"--group-by must be one of {', '.join(USAGE_GROUPS)}, got {group_by!r}")
    from api.usage import usage_report  # the HTTP module's imports: only when used

    report = usage_report(content_pipeline().generated, first, last, group_by)
    click.echo("\t".join((group_by, *_COLUMNS, "estimated")))
    rows = [(group["key"], group) for group in report["groups"]]
    for key, totals in [*rows, ("TOTAL", report["total"])]:
        cells = [str(totals[column]) for column in _COLUMNS]
        estimated = "yes" if totals["tokens_estimated"] else "no"
        click.echo("\t".join((key or "-", *cells, estimated)))
