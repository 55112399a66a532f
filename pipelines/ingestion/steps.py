"""Time each ingestion step and log it, with the rule counts, as JSON lines under the run id.

``StepLog`` is the ``on_stage`` callback ``ingest`` already calls at every step boundary
(read, clean, check, each load stage): it ends the previous step, logs its duration and
records it in the metrics (pipelines/metrics.py), then passes the step on to the callback
it wraps (the CLI's progress line). Steps that end before the run has an id (reading the
source) are held back and logged as soon as it has one, so every line names its run.
"""

import logging
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any

from pipelines.ingestion.report import SheetCounts
from pipelines.metrics import INGESTION_ROWS, INGESTION_RUNS, INGESTION_STEP_SECONDS

log = logging.getLogger("pipelines.ingestion.steps")


class StepLog:
    """Callable as ``on_stage(step)``: ends the running step and starts ``step``."""

    def __init__(self, forward: Callable[[str], None] = lambda step: None) -> None:
        self._forward = forward
        self._step: str | None = None
        self._started = 0.0
        self._held: list[tuple[str, dict[str, Any]]] = []
        self.run_id: int | None = None

    def __call__(self, step: str) -> None:
        self.end()
        self._step, self._started = step, perf_counter()
        self._forward(step)

    def bind(self, run_id: int) -> None:
        """Name the run every line belongs to, and log the lines held back until now."""
        self.run_id = run_id
        held, self._held = self._held, []
        for message, fields in held:
            self._emit(message, fields)

    def counts(self, sheets: Mapping[str, SheetCounts], repaired: Mapping[str, int]) -> None:
        """Log what each cleaning rule did: cells repaired, rows quarantined per sheet."""
        for rule, cells in repaired.items():
            self._line("cleaning rule", event="ingestion_rule", rule=rule, repaired_cells=cells)
        for sheet, counts in sheets.items():
            for reason, rows in counts.quarantined_by_reason.items():
                self._line(
                    "cleaning rule", event="ingestion_rule", rule=reason, sheet=sheet,
                    quarantined_rows=rows,
                )  # fmt: skip
            self._line(
                "sheet accounted for", event="ingestion_sheet", sheet=sheet,
                source_rows=counts.source_rows, clean_rows=counts.clean_rows,
                quarantined_rows=counts.quarantined_rows,
            )  # fmt: skip
            for outcome, rows in (
                ("read", counts.source_rows),
                ("clean", counts.clean_rows),
                ("quarantined", counts.quarantined_rows),
            ):
                INGESTION_ROWS.labels(sheet, outcome).inc(rows)

    def finish(self, status: str) -> None:
        """End the last step and count the run as succeeded, unchanged or failed.

        A run that never got an id (unchanged, or refused before it started) logs its
        held lines without one rather than not at all.
        """
        self.end()
        INGESTION_RUNS.labels(status).inc()
        self._line("ingestion finished", event="ingestion_finished", status=status)
        held, self._held = self._held, []
        for message, fields in held:
            self._emit(message, fields)

    def end(self) -> None:
        """End the running step, if any, without starting another (waiting is no step)."""
        if self._step is None:
            return
        seconds = perf_counter() - self._started
        INGESTION_STEP_SECONDS.labels(self._step).observe(seconds)
        self._line("ingestion step", event="ingestion_step", step=self._step,
                   seconds=round(seconds, 4))  # fmt: skip
        self._step = None

    def _line(self, message: str, **fields: Any) -> None:
        if self.run_id is None:
            self._held.append((message, fields))
        else:
            self._emit(message, fields)

    def _emit(self, message: str, fields: dict[str, Any]) -> None:
        log.info(message, extra={"run_id": self.run_id, **fields})


def step_log(on_stage: Callable[[str], None]) -> StepLog:
    """Return ``on_stage`` if it already is a StepLog, else one wrapping it."""
    return on_stage if isinstance(on_stage, StepLog) else StepLog(on_stage)
