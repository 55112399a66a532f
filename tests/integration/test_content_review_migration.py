"""Migration 0009: texts generated before the compliance review wait for a reviewer."""

from repository import migrations
from tests.support import MIGRATIONS_DIR, query


def test_earlier_generations_become_needs_review_and_the_rollback_round_trips(database_url):
    # Later migrations, if any, are rolled back first.
    while migrations.downgrade(database_url, MIGRATIONS_DIR) != "0009_content_review":
        pass
    query(
        database_url,
        "INSERT INTO insights.generated_content (customer_id, content_type, provider, mock, "
        "sources, content, latency_ms, attempts) "
        "VALUES (5, 'email', 'mock', true, '{}', 'Dear Jedi,', 1, 1) RETURNING id",
    )
    assert "0009_content_review" in migrations.upgrade(database_url, MIGRATIONS_DIR)
    ((status, reasons, policy, messages),) = query(
        database_url,
        "SELECT review_status, review_reasons, policy_version, messages "
        "FROM insights.generated_content",
    )
    assert (status, [reason["code"] for reason in reasons]) == ("needs_review", ["not_reviewed"])
    assert (policy, messages) == (None, None)
