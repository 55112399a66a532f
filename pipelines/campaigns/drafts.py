"""Write one batch of campaign drafts through the content pipeline.

Profiles, latest interactions and safety flags of the whole batch are read in three
queries; each draft then goes through the same steps as a single generation (prompt,
model, checks, one regeneration, compliance review) in ContentPipeline.compose. Nothing
is stored here: the caller writes the batch's rows in one transaction.
"""

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipelines.campaigns.focus import choose_focus
from pipelines.content.errors import ModelOutputRejected
from pipelines.content.pipeline import ContentPipeline, ContentRequest
from pipelines.content.prompts import PromptTemplate
from repository.campaigns import BatchWork, FailedItem, WrittenItem
from repository.errors import Unavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DraftLimits:
    """How far a batch goes when the provider fails: it stops asking after ``streak``
    failures in a row (the rest stay pending for the retry)."""

    streak: int


def write_drafts(
    pipeline: ContentPipeline,
    work: BatchWork,
    arms: Mapping[str, PromptTemplate],
    limits: DraftLimits,
    before_call: Callable[[], None] = lambda: None,
) -> tuple[list[WrittenItem], list[FailedItem]]:
    """Return the drafts written for ``work``'s items and the items that failed."""
    ids = [item.customer_id for item in work.items]
    history = pipeline.history
    found = history.profiles_and_recent(ids, pipeline.candidate_limit())
    flagged = history.flagged_for_many(ids, pipeline.policy.triggers, pipeline.policy.window_months)
    campaign = work.campaign
    written: list[WrittenItem] = []
    failed: list[FailedItem] = []
    streak = 0
    for item in work.items:
        if item.customer_id not in found:
            failed.append(
                FailedItem(item.customer_id, "the customer is no longer in the data", False)
            )
            continue
        profile, recent = found[item.customer_id]
        focus = choose_focus(recent, profile.customer.customer_type, work.cold_start)
        request = ContentRequest(
            campaign.content_type, campaign.tone, campaign.max_words, focus.topic
        )
        draft = pipeline.draft_for(profile, recent, request, arms.get(item.prompt_version))
        try:
            before_call()
            content = pipeline.compose(draft, flagged.get(item.customer_id, []))
        except Unavailable as error:
            failed.append(FailedItem(item.customer_id, error.message, True))
            streak += 1
            if streak >= limits.streak:
                break
            continue
        except ModelOutputRejected as error:
            failed.append(FailedItem(item.customer_id, error.message, False))
            continue
        streak = 0
        written.append(WrittenItem(item.customer_id, focus.topic, focus.reason, content))
    return written, failed


def waiting(
    take: Callable[[], float], sleep: Callable[[float], None] = time.sleep
) -> Callable[[], None]:
    """Return a before-call hook that waits until ``take`` grants a request."""

    def wait_for_budget() -> None:
        while (delay := take()) > 0:
            sleep(delay)

    return wait_for_budget
