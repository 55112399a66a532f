"""Seed a campaign with approved items and customers' addresses straight into PostgreSQL."""

import psycopg

from repository.engine import libpq_url
from tests.support import query

UNSUBSCRIBE_SECRET = "test-unsubscribe-secret"
PUBLIC_BASE_URL = "http://insights.test"


def seed_campaign(url: str, customers: dict[int, str | None], *, status: str = "approved",
                  versions: tuple[str, ...] = ("email/v1",),
                  subjects: dict[int, str] | None = None) -> int:  # fmt: skip
    """Create a campaign whose items are ``status``, one per customer; give the customers
    with an address (None: no address) a contact row; ``subjects`` are the stored subject
    lines (a customer missing there has none, like an item written before subjects).
    Return the campaign id."""
    # One connection for every row: a connection per row cost seconds per 80-customer seed.
    with psycopg.connect(libpq_url(url)) as connection:
        campaign_id = connection.execute(
            "INSERT INTO insights.campaigns (name, content_type, tone, max_words, segment, "
            "prompt_versions, status, recipients, batch_size, batches) VALUES "
            "('seeded', 'email', 'formal', 180, '{}', %s, 'completed', %s, 100, 1) RETURNING id",
            (list(versions), len(customers)),
        ).fetchone()[0]
        for n, (customer_id, email) in enumerate(sorted(customers.items())):
            version = versions[n % len(versions)]
            connection.execute(
                "INSERT INTO insights.campaign_items (campaign_id, customer_id, batch, "
                "customer_type, prompt_version, focus, status, content, subject) VALUES "
                "(%s, %s, 0, %s, %s, %s, %s, %s, %s)",
                (campaign_id, customer_id, "Pharmacy" if n % 2 else "Hospital", version,
                 "Product A", status, f"Dear customer {customer_id},\nHello.",
                 (subjects or {}).get(customer_id)),
            )  # fmt: skip
            if email is not None:
                connection.execute(
                    "INSERT INTO insights.contacts (customer_id, email, source) VALUES (%s, %s, "
                    "'test') ON CONFLICT (customer_id) DO UPDATE SET email = EXCLUDED.email",
                    (customer_id, email),
                )
    return campaign_id


def deliveries_of(url: str, campaign_id: int) -> dict[int, tuple[str, str | None]]:
    """Return customer id -> (status, reason) of a campaign's delivery rows."""
    rows = query(
        url,
        "SELECT customer_id, status, status_reason FROM insights.deliveries WHERE campaign_id = %s",
        (campaign_id,),
    )
    return {row[0]: (row[1], row[2]) for row in rows}
