"""`insights worker`: run campaign jobs; `insights run` starts workers beside the API."""

import atexit
import os
import subprocess
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from api.commands.errors import one_line_errors


def batch_runner(app: Any):
    """Build the batch runner of a worker process from the app's configuration."""
    from api.extensions import EXTENSION_KEY
    from pipelines.campaigns.runner import BatchRunner
    from repository.campaigns_postgres import PostgresCampaignRepository
    from repository.provider_budget import PostgresProviderBudget

    engine = app.extensions[EXTENSION_KEY]["repositories"].engine
    pipeline = app.extensions[EXTENSION_KEY]["content"]
    campaigns = PostgresCampaignRepository(engine)
    return BatchRunner(app.config, pipeline, campaigns, PostgresProviderBudget(engine))


def delivery_runner(app: Any):
    """Build the delivery runner of a worker process from the app's configuration."""
    from api.extensions import EXTENSION_KEY
    from pipelines.delivery.sender import DeliveryRunner
    from pipelines.delivery.transport import build_transport
    from repository.factory import unsubscribe_secret
    from repository.provider_budget import PostgresProviderBudget

    repos = app.extensions[EXTENSION_KEY]["repositories"]
    config = app.config
    return DeliveryRunner(
        config, repos.deliveries, PostgresProviderBudget(repos.engine),
        lambda: build_transport(config["MAIL_URL"], config["MAIL_TIMEOUT_S"]),
        lambda: unsubscribe_secret(config),
    )  # fmt: skip


@click.command("worker")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=None,
    help="Jobs run at once (default WORKER_CONCURRENCY).",
)
@with_appcontext
@one_line_errors
def worker_command(concurrency: int | None) -> None:
    """Run campaign batch jobs from the queue until SIGINT or SIGTERM."""
    import asyncio

    from api.extensions import EXTENSION_KEY
    from pipelines.campaigns.queue import build_queue_app, run_worker
    from repository.engine import libpq_url

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions[EXTENSION_KEY]["repositories"].engine
    url = libpq_url(engine.url.render_as_string(hide_password=False))
    queue_app = build_queue_app(url, batch_runner(app).run, delivery_runner(app).run)
    click.echo(f"worker: running campaign jobs (concurrency {concurrency or 'default'})")
    asyncio.run(run_worker(queue_app, app.config, concurrency or app.config["WORKER_CONCURRENCY"]))


def start_workers(count: int, database_url: str) -> list[subprocess.Popen]:
    """Start ``count`` worker processes on ``database_url``, stopped when this process exits.

    They get the resolved URL, so with the embedded server they join the one this process
    started instead of managing it themselves.
    """
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-c", "from api.commands import cli; cli()", "worker"]
    workers = [subprocess.Popen(command, env=env) for _ in range(count)]  # nosec B603 # our own command

    def stop() -> None:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()

    atexit.register(stop)
    return workers
