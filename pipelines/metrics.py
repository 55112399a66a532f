"""The Prometheus families the pipelines record: model calls, output checks, ingestion runs.

Recording is cheap and needs no server: prometheus-client keeps the values in this
process, or in files under PROMETHEUS_MULTIPROC_DIR when gunicorn runs several workers,
and ``GET /metrics`` (api/metrics.py) reads them. Label values come from small fixed
sets (providers, models, prompt versions, sheet names, step names), never from ids.
"""

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from time import perf_counter

from prometheus_client import Counter, Histogram

from pipelines.content.errors import ModelTimeout
from repository.errors import Unavailable

# Model calls take from tens of milliseconds (the mock) to tens of seconds (a slow host).
_MODEL_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60)
# Ingestion steps take from milliseconds (a sample sheet) to minutes (millions of rows).
_STEP_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

MODEL_CALLS = Counter(
    "insights_model_calls",
    "Calls to the language model, by provider, model, prompt version and outcome.",
    ["provider", "model", "prompt_version", "outcome"],
)
MODEL_CALL_SECONDS = Histogram(
    "insights_model_call_seconds",
    "How long one call to the language model took, retries inside the client included.",
    ["provider", "model", "prompt_version"],
    buckets=_MODEL_BUCKETS,
)
MODEL_TOKENS = Counter(
    "insights_model_tokens",
    "Tokens sent to and received from the language model (the mock's are estimated).",
    ["provider", "model", "direction"],
)
MODEL_COST = Counter(
    "insights_model_cost",
    "What the model calls cost, in the currency of MODEL_PRICES (unpriced calls add 0).",
    ["provider", "model"],
)
CHECK_FAILURES = Counter(
    "insights_output_check_failures",
    "Problems the output checks found in generated texts, by kind.",
    ["kind"],
)
GENERATIONS = Counter(
    "insights_generations",
    "Texts stored, by content type, model calls it took (2: regenerated) and review status.",
    ["content_type", "attempts", "review"],
)
INGESTION_RUNS = Counter(
    "insights_ingestion_runs",
    "Ingestion runs by outcome: succeeded, unchanged (same source again) or failed.",
    ["status"],
)
INGESTION_ROWS = Counter(
    "insights_ingestion_rows",
    "Rows ingestion read, loaded clean and quarantined, by sheet.",
    ["sheet", "outcome"],
)
INGESTION_STEP_SECONDS = Histogram(
    "insights_ingestion_step_seconds",
    "How long each ingestion step took (read, clean, check and each load stage).",
    ["step"],
    buckets=_STEP_BUCKETS,
)

# The first words of each sentence pipelines/content/checks.py and attempts.py write, and
# the kind it is counted under; tests/unit/test_metrics_families.py feeds real sentences.
_CHECK_KINDS = (
    (re.compile(r"the text is empty"), "empty"),
    (re.compile(r"the text has \d+ words"), "length"),
    (re.compile(r"the text is not addressed"), "salutation"),
    (re.compile(r"the text quotes the prompt"), "data_block"),
    (re.compile(r"the text contains markup"), "markup"),
    (re.compile(r"the text names what its data did not contain"), "invented_name"),
    (re.compile(r"the text states what its data does not back"), "unbacked_claim"),
    (re.compile(r"the text refers to past contact"), "past_contact"),
    (re.compile(r"the text uses the restricted phrase"), "restricted_phrase"),
)


def check_kind(problem: str) -> str:
    """Return the kind of one problem sentence, or ``other`` for a sentence not known here."""
    return next((kind for pattern, kind in _CHECK_KINDS if pattern.match(problem)), "other")


def count_check_failures(problems: Iterable[str]) -> None:
    """Count each problem the checks found under its kind."""
    for problem in problems:
        CHECK_FAILURES.labels(check_kind(problem)).inc()


class ModelCall:
    """What one model call used, filled in by the caller once the answer is in."""

    def __init__(self, provider: str, model: str) -> None:
        self._provider, self._model = provider, model

    def used(self, input_tokens: int | None, output_tokens: int | None, cost: float | None) -> None:
        """Count the call's tokens (where known) and cost (where priced)."""
        for direction, tokens in (("input", input_tokens), ("output", output_tokens)):
            if tokens:
                MODEL_TOKENS.labels(self._provider, self._model, direction).inc(tokens)
        MODEL_COST.labels(self._provider, self._model).inc(cost or 0.0)


@contextmanager
def record_model_call(provider: str, model: str, prompt_version: str) -> Iterator[ModelCall]:
    """Time one model call and count it by outcome: ok, timeout, unavailable or error."""
    started, outcome = perf_counter(), "error"
    try:
        yield ModelCall(provider, model)
        outcome = "ok"
    except ModelTimeout:
        outcome = "timeout"
        raise
    except Unavailable:
        outcome = "unavailable"
        raise
    finally:
        MODEL_CALLS.labels(provider, model, prompt_version, outcome).inc()
        MODEL_CALL_SECONDS.labels(provider, model, prompt_version).observe(perf_counter() - started)
