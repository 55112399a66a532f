"""Run one campaign batch job: read its pending items, write drafts, store them, retry.

This is what a queue worker executes for a job; it is safe to run twice for the same
batch (a retried job): only pending items are written, each in the transaction that
moves it to written, so a batch killed half-way leaves no item written twice and none lost.
"""

import logging
import random
from collections.abc import Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from pipelines.campaigns.drafts import DraftLimits, waiting, write_drafts
from pipelines.content.pipeline import ContentPipeline
from pipelines.content.prompts import PromptTemplate, load_prompt
from repository.campaigns_postgres import PostgresCampaignRepository
from repository.provider_budget import PostgresProviderBudget

log = logging.getLogger(__name__)


class BatchRunner:
    """Everything a worker process needs to run batch jobs, built once per process."""

    def __init__(
        self,
        config: Mapping[str, Any],
        pipeline: ContentPipeline,
        campaigns: PostgresCampaignRepository,
        budget: PostgresProviderBudget,
    ) -> None:
        self.config = config
        self.pipeline = pipeline
        self.campaigns = campaigns
        self.budget = budget
        self._arms: dict[str, PromptTemplate] = {}

    def run(self, campaign_id: int, batch: int) -> None:
        """Write what is pending in one batch, then requeue it if items are left."""
        work = self.campaigns.start_batch(campaign_id, batch)
        if work is None:
            return
        provider = self.pipeline.provider.name
        limit = int(self.config["LLM_MAX_CONCURRENCY"])
        with self.budget.slot(provider, limit) if limit else nullcontext(True) as got_slot:
            if not got_slot:  # every slot is busy: try again shortly, nothing was done
                self.campaigns.defer_batch(campaign_id, batch, self._delay(1))
                return
            written, failed = write_drafts(
                self.pipeline, work, self._arms_of(work.campaign.prompt_versions),
                DraftLimits(int(self.config["CAMPAIGN_MAX_CONSECUTIVE_FAILURES"])),
                self._budget_hook(provider),
            )  # fmt: skip
        limits = {
            "max_attempts": self.config["CAMPAIGN_ITEM_MAX_ATTEMPTS"],
            "max_consecutive_failures": self.config["CAMPAIGN_MAX_CONSECUTIVE_FAILURES"],
        }
        outcome = self.campaigns.write_batch(campaign_id, batch, written, failed, limits)
        log.info(
            "campaign batch written",
            extra={"event": "campaign_batch", "campaign_id": campaign_id, "batch": batch,
                   "written": len(written), "failed": len(failed), "pending": outcome.pending,
                   "status": outcome.status},
        )  # fmt: skip
        if outcome.pending and outcome.status == "running":
            streak = sum(1 for item in failed if item.retry)
            self.campaigns.defer_batch(campaign_id, batch, self._delay(max(1, streak)))

    def _delay(self, streak: int) -> float:
        """Exponential backoff with jitter (0.5x to 1.5x), capped."""
        base, cap = self.config["CAMPAIGN_RETRY_BASE_S"], self.config["CAMPAIGN_RETRY_MAX_S"]
        # Not a secret: spreading retries needs no cryptographic randomness.
        return min(cap, base * 2 ** min(streak - 1, 30)) * random.uniform(0.5, 1.5)  # nosec B311

    def _budget_hook(self, provider: str):
        per_minute = int(self.config["LLM_REQUESTS_PER_MINUTE"])
        if not per_minute:
            return lambda: None
        return waiting(lambda: self.budget.take(provider, per_minute))

    def _arms_of(self, versions: list[str]) -> dict[str, PromptTemplate]:
        for version in versions:
            if version not in self._arms:
                self._arms[version] = load_prompt(Path(self.config["PROMPTS_DIR"]), version)
        return self._arms
