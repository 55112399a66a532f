"""``insights deliveries``: list the deliveries of unknown outcome and decide each one."""

import click
from flask.cli import with_appcontext

from api.commands.errors import CommandError, one_line_errors


@click.group("deliveries")
def deliveries_group() -> None:
    """Email deliveries: the ones whose outcome nobody knows."""


@deliveries_group.command("unknown")
@click.option("--campaign", "campaign_id", type=click.IntRange(1), default=None)
@click.option("--customer", "customer_ids", type=click.IntRange(1), multiple=True,
              help="Only this customer (repeatable).")  # fmt: skip
@click.option("--resend", is_flag=True, help="Queue them again (the customer may get two).")
@click.option("--mark-sent", is_flag=True, help="Record them as sent (the server has them).")
@with_appcontext
@one_line_errors
def unknown_command(campaign_id, customer_ids, resend: bool, mark_sent: bool) -> None:
    """List deliveries in `unknown`; with --resend or --mark-sent, decide them."""
    from api.extensions import repositories

    if resend and mark_sent:
        raise CommandError("choose one of --resend and --mark-sent")
    if (resend or mark_sent) and campaign_id is None:
        raise CommandError("--resend and --mark-sent need --campaign")
    deliveries = repositories().deliveries
    rows = deliveries.unknown(campaign_id, customer_ids)
    if not (resend or mark_sent):
        for row in rows:
            when = f"{row.updated_at:%Y-%m-%d %H:%M:%S}"
            fields = (row.campaign_id, row.customer_id, row.email, row.message_id, when)
            click.echo("\t".join(map(str, fields)) + f"\t{row.status_reason or ''}")
        click.echo(f"{len(rows)} deliveries of unknown outcome", err=True)
        return
    action = "resend" if resend else "mark_sent"
    changed = deliveries.resolve(campaign_id, [row.customer_id for row in rows], action)
    verb = "queued again" if resend else "marked sent"
    click.echo(f"{changed} deliveries {verb}")
