"""The procrastinate app the workers run: the campaign batch task and stalled-job recovery.

Jobs are enqueued by the campaign repository in the transactions that create or resume
campaigns (procrastinate_defer_jobs_v1); this module only runs them. A worker killed
with SIGKILL leaves its job in "doing" and stops writing heartbeats; every live worker
looks for such jobs every WORKER_RECOVER_EVERY_S and puts them back in the queue, where
the next free worker runs them again from what is still pending.
"""

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import procrastinate

from repository.campaigns import BATCH_TASK, QUEUE
from repository.deliveries_sql import SEND_TASK

log = logging.getLogger(__name__)


def build_queue_app(
    conninfo: str,
    run_batch: Callable[[int, int], None],
    send_batch: Callable[[int, int], None] | None = None,
) -> procrastinate.App:
    """Return a procrastinate app on ``conninfo`` whose batch task calls ``run_batch`` and
    whose delivery task calls ``send_batch``."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))

    # A batch that raises (the database restarting, a lock timeout) runs again: 2, 4, 8...
    # seconds later; it writes only what is still pending.
    retry = procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2)

    @app.task(name=BATCH_TASK, queue=QUEUE, retry=retry)
    def write_batch(campaign_id: int, batch: int) -> None:
        run_batch(campaign_id, batch)

    if send_batch is not None:
        # A delivery job that raises (the server is down before anything was claimed)
        # runs again later; rows it claimed have their outcome recorded, never resent.
        @app.task(name=SEND_TASK, queue=QUEUE, retry=retry)
        def send_delivery_batch(campaign_id: int, batch: int) -> None:
            send_batch(campaign_id, batch)

    return app


async def recover_stalled_jobs(app: procrastinate.App, stalled_after_s: float) -> int:
    """Requeue the jobs of workers silent for ``stalled_after_s``; return how many."""
    stalled = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=stalled_after_s
    )
    requeued = 0
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
            requeued += 1
        except Exception:  # another worker requeued it first
            log.info("stalled job already requeued", extra={"job_id": job.id})
    if requeued:
        log.warning("requeued stalled jobs", extra={"event": "jobs_requeued", "count": requeued})
    return requeued


async def run_worker(app: procrastinate.App, config: Mapping[str, Any], concurrency: int) -> None:
    """Run a worker until SIGINT/SIGTERM, recovering stalled jobs beside it."""
    async with app.open_async():
        recovery = asyncio.create_task(_recover_forever(app, config))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                update_heartbeat_interval=config["WORKER_HEARTBEAT_S"],
                stalled_worker_timeout=config["WORKER_STALLED_AFTER_S"],
                delete_jobs="successful",
            )
        finally:
            recovery.cancel()


async def _recover_forever(app: procrastinate.App, config: Mapping[str, Any]) -> None:
    while True:
        try:
            await recover_stalled_jobs(app, config["WORKER_STALLED_AFTER_S"])
        except Exception:  # a database hiccup must not stop the worker
            log.exception("stalled-job recovery failed")
        await asyncio.sleep(config["WORKER_RECOVER_EVERY_S"])
