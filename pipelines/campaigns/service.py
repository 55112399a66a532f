"""Create campaigns and describe their progress: the rules between the API/CLI and storage."""

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from pipelines.campaigns.focus import FOLLOW_UP_WINDOW, OVERALL, most_discussed_of
from pipelines.campaigns.split import assign_version
from pipelines.content.prompts import prompt_versions
from repository.campaigns import Campaign, NewCampaign, Segment, SegmentCount
from repository.campaigns_postgres import PostgresCampaignRepository
from repository.errors import InvalidInput

# Item statuses that are done (nothing left for a worker to do).
DONE = ("written", "approved", "rejected", "failed", "cancelled")


def create_campaign(
    config: Mapping[str, Any], campaigns: PostgresCampaignRepository, new: NewCampaign
) -> Campaign:
    """Check the prompt versions, fix the cold-start topics, store the campaign and its jobs.

    Raises:
        InvalidInput: a prompt version that does not exist or is for another content type.
    """
    versions = new.prompt_versions or (_latest(config, new.content_type),)
    known = prompt_versions(Path(config["PROMPTS_DIR"]), new.content_type)
    for version in versions:
        if version not in known:
            raise InvalidInput(
                f"unknown prompt version {version!r} for {new.content_type}; "
                f"known: {', '.join(known)}",
                field="prompt_versions",
            )
    new = NewCampaign(**{**vars(new), "prompt_versions": tuple(dict.fromkeys(versions))})
    cold_start = cold_start_topics(campaigns.recent_topics(FOLLOW_UP_WINDOW.days))
    return campaigns.create(
        new,
        int(config["CAMPAIGN_BATCH_SIZE"]),
        partial(_arm, versions=new.prompt_versions),
        cold_start,
    )


def preview_segment(campaigns: PostgresCampaignRepository, segment: Segment) -> SegmentCount:
    """Count who a campaign of ``segment`` would write to and who it would leave out.

    The repository selects them exactly as ``create_campaign`` stores them, writing nothing.
    """
    return campaigns.preview(segment)


def _arm(campaign_id: int, customer_id: int, versions: tuple[str, ...]) -> str:
    return assign_version(campaign_id, customer_id, versions)


def _latest(config: Mapping[str, Any], content_type: str) -> str:
    return prompt_versions(Path(config["PROMPTS_DIR"]), content_type)[-1]


def cold_start_topics(rows: list[tuple[str | None, str, int, datetime]]) -> dict[str, str]:
    """Return the most discussed topic per customer type and overall (key OVERALL) from
    (type or None for overall, topic, uses, last use) rows."""
    by_type: dict[str, list[tuple[str, int, datetime]]] = {}
    for customer_type, topic, uses, last_used in rows:
        by_type.setdefault(customer_type or OVERALL, []).append((topic, uses, last_used))
    return {key: most_discussed_of(counts) for key, counts in by_type.items()}


def progress(campaign: Campaign) -> dict[str, Any]:
    """Return done/total, the share done, drafts per second so far and an ETA."""
    done = sum(campaign.counts.get(status, 0) for status in DONE)
    total = campaign.recipients
    written = sum(campaign.counts.get(s, 0) for s in ("written", "approved", "rejected"))
    # End to end since the campaign was created: queueing and batch reads included.
    last = campaign.last_written_at
    rate = None
    if last is not None and written and last > campaign.created_at:
        rate = round(written / (last - campaign.created_at).total_seconds(), 2)
    eta = None
    if rate and done < total and campaign.status in ("queued", "running"):
        eta = round((total - done) / rate, 1)
    return {
        "done": done,
        "total": total,
        "fraction": round(done / total, 4) if total else 1.0,
        "drafts_per_second": rate,
        "eta_seconds": eta,
    }
