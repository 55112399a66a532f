"""SQL of the interaction-history repository. Every statement reads one customer by id."""

from sqlalchemy import text

# A customer's row and every summary fact in one statement: one round trip, one snapshot.
# Names sort with COLLATE "C" (by code point) so the last tie-break does not depend on the
# server's locale.
PROFILE = text("""
    WITH own AS (
        SELECT id, occurred_at, channel, topic, product
        FROM insights.interaction_facts
        WHERE customer_id = :customer_id
    ),
    favourite_channel AS (
        SELECT channel FROM own WHERE channel IS NOT NULL
        GROUP BY channel
        ORDER BY count(*) DESC, max(occurred_at) DESC, channel COLLATE "C"
        LIMIT 1
    ),
    key_topics AS (
        SELECT topic, count(*) AS uses, max(occurred_at) AS last_used
        FROM own WHERE topic IS NOT NULL
        GROUP BY topic
        ORDER BY uses DESC, last_used DESC, topic COLLATE "C"
        LIMIT :key_topic_count
    ),
    products AS (
        SELECT product, max(occurred_at) AS last_used
        FROM own WHERE product <> 'Unknown'
        GROUP BY product
    ),
    latest AS (
        SELECT occurred_at, channel, topic FROM own ORDER BY occurred_at DESC, id DESC LIMIT 1
    ),
    customer AS (
        SELECT occupation, COALESCE(customer_type, 'Unknown') AS customer_type
        FROM insights.customers
        WHERE customer_id = :customer_id
    )
    SELECT
        EXISTS (SELECT 1 FROM customer) AS has_row,
        customer.occupation,
        customer.customer_type,
        (SELECT count(*) FROM own) AS total,
        (SELECT channel FROM favourite_channel) AS favourite_channel,
        (SELECT array_agg(topic ORDER BY uses DESC, last_used DESC, topic COLLATE "C")
         FROM key_topics) AS key_topics,
        latest.occurred_at, latest.channel, latest.topic,
        (SELECT array_agg(product ORDER BY last_used DESC, product COLLATE "C")
         FROM products) AS products
    FROM (SELECT 1) AS one
    LEFT JOIN customer ON true
    LEFT JOIN latest ON true
""")

RECENT_INTERACTIONS = text("""
    SELECT id, customer_id, occurred_at, channel, topic, sentiment, product
    FROM insights.interaction_facts
    WHERE customer_id = :customer_id
    ORDER BY occurred_at DESC, id DESC
    LIMIT :limit
""")

LATEST_SUCCEEDED_RUN = text(
    "SELECT max(id) FROM insights.ingestion_runs WHERE status = 'succeeded'"
)
# The monthly rollup holds every topic in a few thousand rows; the interactions table
# would mean a scan of millions.
TOPICS = text(
    "SELECT DISTINCT topic FROM insights.interaction_monthly_rollup WHERE topic IS NOT NULL"
)
PRODUCTS = text("SELECT name FROM insights.products WHERE name <> 'Unknown'")
