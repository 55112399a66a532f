"""Progress of long commands: a bar on a terminal, a line every few seconds otherwise."""

import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import click

# Without a terminal (a log file, CI, a container), silence longer than this looks hung.
HEARTBEAT_S = 5.0


@contextmanager
def stage_progress(
    label: str, stages: Sequence[str], heartbeat_s: float = HEARTBEAT_S
) -> Iterator[Callable[[str], None]]:
    """Yield a callback told each stage's name as it starts.

    On a terminal: a bar that counts finished stages and names the running one. Otherwise
    (logs, CI): a stderr line naming the stage every ``heartbeat_s`` seconds, so work
    shorter than that (and its one-line errors) stays as quiet as before.
    """
    if sys.stderr.isatty():
        with _bar(label, stages) as on_stage:
            yield on_stage
        return
    with _heartbeat(label, heartbeat_s) as on_stage:
        yield on_stage


@contextmanager
def _bar(label: str, stages: Sequence[str]) -> Iterator[Callable[[str], None]]:
    started: list[str] = []
    with click.progressbar(
        length=len(stages), label=label, file=sys.stderr, show_eta=False,
        item_show_func=lambda stage: stage,
    ) as bar:  # fmt: skip

        def on_stage(stage: str) -> None:
            # The bar moves when a stage ends, so a long last stage is not shown as 100%.
            bar.update(1 if started else 0, stage)
            started.append(stage)

        yield on_stage
        bar.update(1, "done")


@contextmanager
def _heartbeat(label: str, every_s: float) -> Iterator[Callable[[str], None]]:
    state = {"stage": "starting", "since": time.monotonic()}
    begun = time.monotonic()
    stop = threading.Event()

    def on_stage(stage: str) -> None:
        state.update(stage=stage, since=time.monotonic())

    def beat() -> None:
        while not stop.wait(every_s):
            total, in_stage = time.monotonic() - begun, time.monotonic() - float(state["since"])
            click.echo(
                f"{label}: {state['stage']} ({in_stage:.0f} s in it, {total:.0f} s in all)",
                err=True,
            )

    thread = threading.Thread(target=beat, name="progress-heartbeat", daemon=True)
    thread.start()
    try:
        yield on_stage
    finally:
        stop.set()
        thread.join()
