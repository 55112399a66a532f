"""The SQL of an ingestion load: staging tables, merges on natural keys, the rollup."""

from sqlalchemy import Connection, text


def execute_all(
    connection: Connection, statements: tuple[str, ...], params: dict | None = None
) -> None:
    """Run statements one by one: psycopg 3 binds parameters per single statement."""
    for statement in statements:
        connection.execute(text(statement), params or {})


# Staging tables live only inside the load's transaction.
STAGING_DDL = (
    """
    CREATE TEMP TABLE stg_customers (
        customer_id INTEGER, occupation TEXT, customer_type TEXT, source_row INTEGER
    ) ON COMMIT DROP
    """,
    """
    CREATE TEMP TABLE stg_product_months (
        month DATE, product TEXT, source_row INTEGER
    ) ON COMMIT DROP
    """,
    """
    CREATE TEMP TABLE stg_interactions (
        occurred_at TIMESTAMP, customer_id INTEGER, channel TEXT, topic TEXT, sentiment TEXT,
        source_row INTEGER
    ) ON COMMIT DROP
    """,
)

# Temporary tables get no statistics of their own; the merges need them for good plans.
ANALYZE_STAGING = (
    "ANALYZE stg_customers",
    "ANALYZE stg_product_months",
    "ANALYZE stg_interactions",
)

MERGE_CUSTOMERS = (
    """
    INSERT INTO insights.customers AS c
        (customer_id, occupation, customer_type, run_id, source_sheet, source_row)
    SELECT customer_id, occupation, customer_type, :run_id, 'customers', source_row
    FROM stg_customers
    ON CONFLICT (customer_id) DO UPDATE SET
        occupation = EXCLUDED.occupation, customer_type = EXCLUDED.customer_type,
        run_id = EXCLUDED.run_id, source_sheet = EXCLUDED.source_sheet,
        source_row = EXCLUDED.source_row
    """,
    """
    DELETE FROM insights.customers AS c
    WHERE NOT EXISTS (SELECT 1 FROM stg_customers AS s WHERE s.customer_id = c.customer_id)
    """,
)

MERGE_PRODUCTS = (
    """
    INSERT INTO insights.products (name)
    SELECT DISTINCT product FROM stg_product_months
    ON CONFLICT (name) DO NOTHING
    """,
    """
    INSERT INTO insights.product_months AS pm (month, product_id, run_id, source_sheet, source_row)
    SELECT s.month, p.id, :run_id, 'products', s.source_row
    FROM stg_product_months AS s JOIN insights.products AS p ON p.name = s.product
    ON CONFLICT (month) DO UPDATE SET
        product_id = EXCLUDED.product_id, run_id = EXCLUDED.run_id,
        source_sheet = EXCLUDED.source_sheet, source_row = EXCLUDED.source_row
    """,
    """
    DELETE FROM insights.product_months AS pm
    WHERE NOT EXISTS (SELECT 1 FROM stg_product_months AS s WHERE s.month = pm.month)
    """,
    """
    DELETE FROM insights.products AS p
    WHERE NOT EXISTS (SELECT 1 FROM insights.product_months AS pm WHERE pm.product_id = p.id)
    """,
)

# Rows absent from the new export go; the rest are upserted on the natural key so an
# interaction keeps its id from one ingestion to the next.
MERGE_INTERACTIONS = (
    """
    DELETE FROM insights.interactions AS i
    WHERE NOT EXISTS (
        SELECT 1 FROM stg_interactions AS s
        WHERE s.occurred_at = i.occurred_at AND s.customer_id = i.customer_id
          AND COALESCE(s.channel, '') = COALESCE(i.channel, '')
          AND COALESCE(s.topic, '') = COALESCE(i.topic, '')
          AND COALESCE(s.sentiment, '') = COALESCE(i.sentiment, '')
    )
    """,
    """
    INSERT INTO insights.interactions AS i
        (occurred_at, customer_id, channel, topic, sentiment, run_id, source_sheet, source_row)
    SELECT occurred_at, customer_id, channel, topic, sentiment, :run_id, 'interactions', source_row
    FROM stg_interactions
    ON CONFLICT (occurred_at, customer_id, COALESCE(channel, ''), COALESCE(topic, ''),
                 COALESCE(sentiment, ''))
    DO UPDATE SET run_id = EXCLUDED.run_id, source_sheet = EXCLUDED.source_sheet,
        source_row = EXCLUDED.source_row
    """,
)

REFRESH_ROLLUP = (
    """
    TRUNCATE insights.interaction_monthly_rollup
    """,
    """
    INSERT INTO insights.interaction_monthly_rollup
        (month, product, customer_type, channel, topic, sentiment, interactions)
    SELECT date_trunc('month', i.occurred_at)::date, COALESCE(p.name, 'Unknown'),
           COALESCE(c.customer_type, 'Unknown'), i.channel, i.topic, i.sentiment, count(*)
    FROM insights.interactions AS i
    LEFT JOIN insights.customers AS c ON c.customer_id = i.customer_id
    LEFT JOIN insights.product_months AS pm ON pm.month = date_trunc('month', i.occurred_at)::date
    LEFT JOIN insights.products AS p ON p.id = pm.product_id
    GROUP BY 1, 2, 3, 4, 5, 6
    """,
    """
    ANALYZE insights.interaction_monthly_rollup
    """,
)

LEGACY_SQL = {
    "customers": "SELECT customer_id, occupation, type FROM public.customers ORDER BY ctid",
    "interactions": "SELECT date_start, event AS channel, customers AS customer_id "
    "FROM public.interactions ORDER BY ctid",
    "products": "SELECT date AS month, product FROM public.products ORDER BY ctid",
}
