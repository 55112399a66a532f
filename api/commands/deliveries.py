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


@click.command("metrics")
@click.argument("campaign_id", type=click.IntRange(1))
@click.option("--by", type=click.Choice(["prompt_version", "customer_type", "focus"]),
              default="prompt_version")  # fmt: skip
@with_appcontext
@one_line_errors
def campaign_metrics_command(campaign_id: int, by: str) -> None:
    """Print a campaign's delivery metrics per group (the table GET .../metrics returns)."""
    from api.extensions import repositories
    from pipelines.delivery.metrics import EVENT_COUNTS, campaign_metrics

    metrics = campaign_metrics(repositories().feedback.counts(campaign_id, by), by)
    click.echo("\t".join([by, "sent", *EVENT_COUNTS]))
    for group in metrics["groups"]:
        cells = [_cell(group["counts"][n], group["rates"][n]) for n in EVENT_COUNTS]
        click.echo("\t".join([str(group["group"]), str(group["sent"]), *cells]))
    test = metrics["reply_test"]
    if test is not None:
        outcome = f"p = {test['p_value']:.4f}" if test["enough_data"] else test["reason"]
        click.echo(f"reply rate, {test['a']} vs {test['b']}: {outcome}")


def _cell(count: int, rate: dict) -> str:
    if rate["rate"] is None:
        return str(count)
    return f"{count} ({rate['rate']:.1%}, {rate['ci_low']:.1%}-{rate['ci_high']:.1%})"
