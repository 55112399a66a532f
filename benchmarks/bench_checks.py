"""Time the output checks alone: ``check_text`` per text, on texts the mock model wrote.

    python -m benchmarks.bench_checks [--customers 200] [--rounds 20]

Builds customers with seeded random histories in memory, runs the content pipeline on
each (email, call script, summary) with the mock model, records every ``check_text``
call it makes, then replays those calls ``rounds`` times and reports the time per text.
No database: the checks are pure functions of the text, the expectations and the
vocabulary.
"""

import argparse
import contextlib
import json
import logging
import random
import statistics
import time
from datetime import datetime, timedelta
from typing import Any

import pipelines.content.pipeline as content_pipeline
from api.config import load_config
from pipelines.content.errors import ModelOutputRejected
from pipelines.content.pipeline import ContentPipeline, ContentRequest
from pipelines.content.prompts import load_prompts
from pipelines.content.providers import build_chat_provider
from repository.model import Customer, Interaction
from tests.fakes import InMemoryCustomerHistoryRepository, InMemoryGeneratedContentRepository

TOPICS = [
    "Dosage Recommendations", "Side Effects Discussion", "Pricing And Reimbursement",
    "Clinical Trial Results", "Drug Interaction Concerns", "Prescription Guidelines",
]  # fmt: skip
CHANNELS = ["Email", "Call", "Post", "Bird", "Boat", None]
PRODUCTS = ["Sand", "Glass", "Gold", "Silk", "Unknown"]
JOBS = ["Jedi", "Batman", "Santa Claus", "Sand", "Doctor", None]


def customers_and_histories(n: int, seed: int) -> tuple[list[Customer], list[Interaction]]:
    rng = random.Random(seed)
    customers, interactions, next_id = [], [], 1
    for customer_id in range(1, n + 1):
        customers.append(Customer(customer_id, rng.choice(JOBS), rng.choice(["Red", "Blue"])))
        start = datetime(2020, 1, 1) + timedelta(days=rng.randrange(1500))
        for _ in range(rng.randrange(1, 25)):
            at = start + timedelta(days=rng.randrange(900), minutes=rng.randrange(600))
            interactions.append(Interaction(
                next_id, customer_id, at, rng.choice(CHANNELS), rng.choice(TOPICS),
                rng.choice(["Positive", "Neutral", "Negative", None]), rng.choice(PRODUCTS),
            ))  # fmt: skip
            next_id += 1
    return customers, interactions


def recorded_checks(customers: int, seed: int) -> list[tuple[Any, ...]]:
    """Run the pipeline on every customer and return the arguments of each check it made."""
    config = load_config({})
    history = InMemoryCustomerHistoryRepository(*customers_and_histories(customers, seed))
    pipeline = ContentPipeline(
        build_chat_provider(config), load_prompts(config["PROMPTS_DIR"]), history,
        InMemoryGeneratedContentRepository(),
    )  # fmt: skip
    calls: list[tuple[Any, ...]] = []
    real = content_pipeline.check_text

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    content_pipeline.check_text = recording  # type: ignore[assignment]
    try:
        for customer_id in range(1, customers + 1):
            # A text the checks reject twice still had both checks timed: keep going.
            with contextlib.suppress(ModelOutputRejected):
                for kind in ("email", "call_script"):
                    pipeline.generate(customer_id, ContentRequest(content_type=kind))
                pipeline.summarize(customer_id, refresh=True)
    finally:
        content_pipeline.check_text = real  # type: ignore[assignment]
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.getLogger("pipelines").setLevel(logging.ERROR)  # regenerations are expected
    calls = recorded_checks(args.customers, args.seed)
    check = content_pipeline.check_text
    per_text_us = []
    for _ in range(args.rounds):
        for positional, named in calls:
            start = time.perf_counter()
            check(*positional, **named)
            per_text_us.append((time.perf_counter() - start) * 1e6)
    per_text_us.sort()
    print(json.dumps({
        "texts": len(calls),
        "timed_checks": len(per_text_us),
        "p50_us": round(statistics.median(per_text_us), 1),
        "p99_us": round(per_text_us[int(len(per_text_us) * 0.99)], 1),
        "max_us": round(per_text_us[-1], 1),
        "target_us": 1000,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
