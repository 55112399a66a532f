"""Benchmark delivery: messages per second to a local SMTP server, connection reuse vs not.

    python -m benchmarks.bench_delivery [--messages 10000] [--workers 2]

In a fresh database (BENCH_DATABASE_URL or an embedded server), two campaigns of
approved items, every customer with an address; an aiosmtpd server in
this process counts what it receives. In the same run, for each campaign: start
``--workers`` `insights worker` processes, queue the campaign's deliveries as
POST /send does, and time until every row is sent:

- reuse: MAIL_URL=smtp://... (one connection per batch job, the default);
- one connection per message: MAIL_URL=smtp://...?reuse=false (the baseline), on the
  first ``--baseline-messages`` customers only (it is ten times slower).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from benchmarks.bench_api import SERVER_ENV, free_port
from repository.deliveries import PostgresDeliveryRepository
from repository.embedded import (
    released_at_end,
    start_embedded_postgres,
    stop_on_termination_signals,
)
from repository.engine import build_engine
from repository.migrations import upgrade
from repository.scratch import DatabaseServer

MIGRATIONS = Path(__file__).resolve().parents[1] / "artifacts" / "migrations"
SEED = """
    WITH c AS (
        INSERT INTO insights.campaigns (name, content_type, tone, max_words, segment,
            prompt_versions, status, recipients, batch_size, batches)
        VALUES (%(name)s, 'email', 'formal', 180, '{}', '{email/v2}', 'completed', %(n)s, 250, 1)
        RETURNING id
    )
    INSERT INTO insights.campaign_items (campaign_id, customer_id, batch, customer_type,
        prompt_version, focus, status, content, subject)
    SELECT c.id, g, 0, 'Pharmacy', 'email/v2', 'Product A', 'approved',
           'Dear customer,' || chr(10) || repeat('A line of a typical campaign email. ', 20),
           'Your questions about Product A'  -- stored with the draft, read at send time
    FROM c, generate_series(1, %(n)s) AS g
"""
CONTACTS = """
    INSERT INTO insights.contacts (customer_id, email, source)
    SELECT g, 'customer' || g || '@example.test', 'bench' FROM generate_series(1, %(n)s) AS g
"""


class Counting:
    """Accept and count messages (no parsing: the server must not be the bottleneck)."""

    def __init__(self) -> None:
        self.messages = 0
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 OK"


def seed(url: str, n: int, baseline: int) -> list[int]:
    import psycopg

    from repository.engine import libpq_url

    with psycopg.connect(libpq_url(url)) as connection:
        connection.execute(CONTACTS, {"n": n})  # the baseline's customers are a subset
        connection.execute(SEED, {"name": "reuse", "n": n})
        connection.execute(SEED, {"name": "one connection per message", "n": min(n, baseline)})
        return [
            row[0] for row in connection.execute("SELECT id FROM insights.campaigns ORDER BY id")
        ]


def run(url: str, campaign_id: int, mail_url: str, workers: int, handler: Counting) -> dict:
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": url, "MAIL_URL": mail_url,
           "MAIL_PER_MINUTE": "0", "LOG_LEVEL": "WARNING", "LOG_FORMAT": "json"}  # fmt: skip
    command = [sys.executable, "-c", "from api.commands import cli; cli()", "worker"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,  # nosec B603 # our own command
                                  stderr=subprocess.DEVNULL) for _ in range(workers)]  # fmt: skip
    engine = build_engine(url)
    deliveries = PostgresDeliveryRepository(engine)
    try:
        time.sleep(3)  # the workers start and listen before the clock starts
        received, connected = handler.messages, handler.connections
        started = time.perf_counter()
        queued = deliveries.enqueue(campaign_id, 200, "example.test").queued
        while (counts := deliveries.counts(campaign_id))["queued"] + counts["sending"]:
            time.sleep(0.1)
        seconds = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        engine.dispose()
    return {"queued": queued, "sent": counts["sent"], "received": handler.messages - received,
            "smtp_connections": handler.connections - connected, "seconds": round(seconds, 2),
            "messages_per_s": round(counts["sent"] / seconds, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    # One connection per message runs at a tenth of the rate: 10,000 would take minutes.
    parser.add_argument("--baseline-messages", type=int, default=2_000)
    args = parser.parse_args()
    stop_on_termination_signals()
    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()
    with (
        tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp,
        released_at_end(Path(tmp) / "pg"),
    ):
        admin = os.environ.get("BENCH_DATABASE_URL") or start_embedded_postgres(Path(tmp) / "pg")
        server = DatabaseServer(admin)
        url = server.create(prefix="bench_delivery")
        try:
            upgrade(url, MIGRATIONS)
            reuse_id, single_id = seed(url, args.messages, args.baseline_messages)
            smtp = f"smtp://127.0.0.1:{port}"
            reuse = run(url, reuse_id, smtp, args.workers, handler)
            single = run(url, single_id, smtp + "?reuse=false", args.workers, handler)
            results = {"reuse (one connection per batch job)": reuse,
                       "one connection per message": single}  # fmt: skip
            a, b = (r["messages_per_s"] for r in results.values())
            print(json.dumps({"messages": args.messages, "workers": args.workers,
                              "results": results, "reuse / per message": round(a / b, 2)},
                             indent=2))  # fmt: skip
        finally:
            server.drop(url)
            controller.stop()


if __name__ == "__main__":
    main()
