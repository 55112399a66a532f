"""Build the content pipeline from configuration: provider, prompts, policy and prices."""

from collections.abc import Mapping
from typing import Any

from pipelines.content.pipeline import ContentPipeline
from pipelines.content.policy import load_policy
from pipelines.content.prompts import load_prompts
from pipelines.content.providers import build_chat_provider
from pipelines.content.usage import Price
from repository.customer_history import AbstractCustomerHistoryRepository
from repository.generated_content import AbstractGeneratedContentRepository


def build_content_pipeline(
    config: Mapping[str, Any],
    history: AbstractCustomerHistoryRepository,
    generated: AbstractGeneratedContentRepository,
) -> ContentPipeline:
    """Build the pipeline with the provider and prompts that ``config`` names."""
    prices = {
        model: Price(rates["input"], rates["output"])
        for model, rates in config.get("MODEL_PRICES", {}).items()
    }
    return ContentPipeline(
        build_chat_provider(config),
        load_prompts(config["PROMPTS_DIR"]),
        history,
        generated,
        policy=load_policy(config["POLICY_DIR"]),
        prices=prices,
    )
