"""``insights campaigns``: create, follow, approve and export campaigns from the shell."""

import json
import sys
import time
from dataclasses import asdict

import click
from flask import current_app
from flask.cli import with_appcontext

from api.commands.errors import one_line_errors


def _repository():
    from api.extensions import repositories

    return repositories().campaigns


@click.group("campaigns")
def campaigns_group() -> None:
    """Create campaigns, follow them, approve and export their drafts."""


@campaigns_group.command("create")
@click.option("--name", required=True)
@click.option("--content-type", type=click.Choice(["email", "call_script"]), default="email")
@click.option("--tone", type=click.Choice(["formal", "friendly"]), default="formal")
@click.option("--max-words", type=click.IntRange(50, 400), default=180)
@click.option("--type", "customer_types", multiple=True, help="Customer type (repeatable).")
@click.option("--topic", "topics", multiple=True, help="Discussed ever (repeatable).")
@click.option("--min-interactions", type=click.IntRange(0), default=None)
@click.option("--customer", "customer_ids", type=click.IntRange(1), multiple=True)
@click.option("--prompt-version", "prompt_versions", multiple=True, help="A/B arm (repeatable).")
@click.option("--wait", is_flag=True, help="Show progress until the campaign is done.")
@with_appcontext
@one_line_errors
def create_command(wait: bool, customer_types, topics, min_interactions, customer_ids,
                   prompt_versions, **fields) -> None:  # fmt: skip
    """Create a campaign; its drafts are written by the workers."""
    from pipelines.campaigns.service import create_campaign
    from repository.campaigns import NewCampaign, Segment

    segment = Segment(tuple(customer_types), tuple(topics), None, None, min_interactions,
                      tuple(customer_ids))  # fmt: skip
    new = NewCampaign(segment=segment, prompt_versions=tuple(prompt_versions), **fields)
    campaign = create_campaign(current_app.config, _repository(), new)
    click.echo(f"campaign {campaign.id}: {campaign.recipients} recipients, excluded "
               f"{json.dumps(campaign.excluded)}")  # fmt: skip
    if wait:
        _wait(campaign.id)


def _wait(campaign_id: int) -> None:
    from pipelines.campaigns.service import progress

    campaign = _repository().get(campaign_id)
    with click.progressbar(length=max(campaign.recipients, 1), label="drafts",
                           file=sys.stderr) as bar:  # fmt: skip
        shown = 0
        while True:
            campaign = _repository().get(campaign_id)
            done = progress(campaign)["done"]
            bar.update(done - shown)
            shown = done
            if campaign.status not in ("queued", "running"):
                break
            time.sleep(0.5)
    click.echo(f"campaign {campaign_id}: {campaign.status} {json.dumps(campaign.counts)}")


@campaigns_group.command("list")
@with_appcontext
@one_line_errors
def list_command() -> None:
    """List campaigns, newest first."""
    for campaign in _repository().all():
        click.echo(f"{campaign.id}\t{campaign.status}\t{campaign.recipients}\t{campaign.name}")


@campaigns_group.command("show")
@click.argument("campaign_id", type=click.IntRange(1))
@with_appcontext
@one_line_errors
def show_command(campaign_id: int) -> None:
    """Print a campaign as JSON."""
    from pipelines.campaigns.service import progress

    campaign = _repository().get(campaign_id)
    click.echo(json.dumps({**asdict(campaign), "progress": progress(campaign)}, default=str))


@campaigns_group.command("approve")
@click.argument("campaign_id", type=click.IntRange(1))
@with_appcontext
@one_line_errors
def approve_command(campaign_id: int) -> None:
    """Approve every written item whose review is clear."""
    click.echo(f"approved {_repository().approve_clear(campaign_id, 'cli')}")


@campaigns_group.command("export")
@click.argument("campaign_id", type=click.IntRange(1))
@with_appcontext
@one_line_errors
def export_command(campaign_id: int) -> None:
    """Print the approved items as JSON lines."""
    for item in _repository().approved(campaign_id):
        click.echo(json.dumps(asdict(item), default=str))
