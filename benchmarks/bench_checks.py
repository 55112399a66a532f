"""Micro-benchmark the output checks: how long check_text takes on one mock text.

    python -m benchmarks.bench_checks [--products 300] [--repeat 2000]

Builds one customer with 60 interactions and a vocabulary of ``--products`` names, renders
the email, call script and summary prompts, has the mock model write each text, and
times check_text and the policy's restricted-phrase scan on it (the median of five runs
of ``--repeat`` calls each).
"""

import argparse
import random
import statistics
import time
from datetime import datetime
from pathlib import Path

from pipelines.content.checks import Expectations, check_text
from pipelines.content.context import context_blocks, salutation, summary_facts
from pipelines.content.mock.model import GroundedMockChatModel
from pipelines.content.policy import load_policy
from pipelines.content.prompts import data_block, load_prompts
from pipelines.content.retrieval import to_document
from repository.customer_history import (
    CustomerProfile,
    InteractionSummary,
    LastInteraction,
    Vocabulary,
)
from repository.model import Customer, Interaction

TOPICS = ("Drug Efficacy", "Side Effects Discussion", "Dosage Recommendations", "Pricing")


def _customer(products: list[str]) -> tuple[CustomerProfile, list[Interaction]]:
    rng = random.Random(1)
    history = [
        Interaction(i, 1, datetime(2024, 1 + i % 12, 1 + i % 28, 9),
                    rng.choice(["Email", "Call", "Chatbot"]), rng.choice(TOPICS),
                    rng.choice(["Positive", "Negative", None]), rng.choice(products[:20]))
        for i in range(60)
    ]  # fmt: skip
    last = max(history, key=lambda i: i.occurred_at)
    summary = InteractionSummary(
        60, "Email", LastInteraction(last.occurred_at, last.channel, last.topic), TOPICS[:3]
    )
    return CustomerProfile(Customer(1, "Jedi", "Red"), summary, tuple(products[:20])), history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    products = [f"Product {i}" for i in range(args.products)]
    profile, history = _customer(products)
    vocabulary = Vocabulary(frozenset(TOPICS), frozenset(products), frozenset({"Email", "Call"}))
    prompts = load_prompts(Path("artifacts/prompts"))
    policy = load_policy(Path("artifacts/policy"))
    documents = [to_document(item) for item in history[:12]]
    for task in ("email", "call_script", "summary"):
        facts = summary_facts(profile) if task == "summary" else None
        blocks, named, grounding = context_blocks(profile, documents, facts)
        params = {"content_type": task, "tone": "formal", "max_words": 180, "focus": None}
        messages = prompts[task].template.format_messages(task=data_block(params), **blocks)
        text = GroundedMockChatModel().invoke(messages).text
        expected = Expectations(task, 1, salutation(profile), 5, 180, named, grounding)
        assert check_text(text, expected, vocabulary) == [], check_text(text, expected, vocabulary)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(args.repeat):
                check_text(text, expected, vocabulary)
            runs.append((time.perf_counter() - started) / args.repeat * 1000)
        phrase_runs = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(args.repeat):
                policy.restricted_phrases(text)
            phrase_runs.append((time.perf_counter() - started) / args.repeat * 1000)
        words = len(text.split())
        print(  # noqa: T201
            f"{task}: {words} words, check_text {statistics.median(runs):.3f} ms, "
            f"restricted phrases {statistics.median(phrase_runs):.3f} ms"
        )


if __name__ == "__main__":
    main()
