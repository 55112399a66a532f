-- depends: 0016_research_log
-- Figures every unfiltered read needs, computed once per load instead of per request:
-- the legacy row counts, the overview's reach and first/last moments, and the customer
-- list's totals per type (interaction-only customers counted as Unknown). One row per
-- data version, in that version's partition like the other versioned tables, so a load
-- writes the figures of its own rows and readers see them when the load commits.
CREATE TABLE insights.load_figures (
    customers BIGINT NOT NULL,        -- rows of the customers sheet
    interactions BIGINT NOT NULL,
    product_months BIGINT NOT NULL,
    reach BIGINT NOT NULL,            -- distinct customers with at least one interaction
    first_interaction TIMESTAMP,
    last_interaction TIMESTAMP,
    every_customer BIGINT NOT NULL,   -- sheet rows plus interaction-only customers
    customers_by_type JSONB NOT NULL, -- every customer per type, Unknown included
    -- Interactions per value of each dimension, as the unfiltered overview shows them:
    -- {"channel": {"Email": 380000, "Unknown": 120, ...}, "sentiment": {...}, ...}.
    interactions_by JSONB NOT NULL,
    version INTEGER NOT NULL DEFAULT insights.current_data_version()
) PARTITION BY LIST (version);

-- Compute version v's figures from its own partitions; a load calls it before it
-- publishes v, and seeds written by hand may call it again (it replaces the row).
CREATE FUNCTION insights.record_load_figures(v INTEGER) RETURNS VOID
LANGUAGE sql AS $$
    DELETE FROM insights.load_figures WHERE version = v;
    WITH only_interactions AS (
        SELECT DISTINCT i.customer_id FROM insights.interactions AS i
        WHERE i.version = v AND NOT EXISTS (
            SELECT 1 FROM insights.customers AS c
            WHERE c.version = v AND c.customer_id = i.customer_id)
    ), types AS (
        SELECT COALESCE(customer_type, 'Unknown') AS customer_type, count(*) AS n
        FROM insights.customers WHERE version = v GROUP BY 1
        UNION ALL
        SELECT 'Unknown', count(*) FROM only_interactions
    ), by_type AS (
        SELECT COALESCE(jsonb_object_agg(customer_type, n), '{}') AS counts, sum(n) AS total
        FROM (SELECT customer_type, sum(n) AS n FROM types GROUP BY 1 HAVING sum(n) > 0) AS t
    ), counted AS (
        SELECT 'channel' AS dimension, COALESCE(channel, 'Unknown') AS value, interactions AS n
        FROM insights.interaction_monthly_rollup WHERE version = v
        UNION ALL
        SELECT 'sentiment', COALESCE(sentiment, 'Unknown'), interactions
        FROM insights.interaction_monthly_rollup WHERE version = v
        UNION ALL
        SELECT 'topic', COALESCE(topic, 'Unknown'), interactions
        FROM insights.interaction_monthly_rollup WHERE version = v
        UNION ALL
        SELECT 'customer_type', customer_type, interactions
        FROM insights.interaction_daily_product_type WHERE version = v
        UNION ALL
        SELECT 'product', product, interactions
        FROM insights.interaction_daily_product_type WHERE version = v
    ), by_dimension AS (
        SELECT jsonb_object_agg(dimension, counts) AS counts FROM (
            SELECT dimension, jsonb_object_agg(value, n) AS counts
            FROM (SELECT dimension, value, sum(n) AS n FROM counted GROUP BY 1, 2) AS t
            GROUP BY 1
        ) AS d
    ), reach AS (
        SELECT count(*) AS interactions, count(DISTINCT customer_id) AS reach,
               min(occurred_at) AS first_interaction, max(occurred_at) AS last_interaction
        FROM insights.interactions WHERE version = v
    )
    INSERT INTO insights.load_figures (customers, interactions, product_months, reach,
        first_interaction, last_interaction, every_customer, customers_by_type, interactions_by,
        version)
    SELECT (SELECT count(*) FROM insights.customers WHERE version = v),
           reach.interactions,
           (SELECT count(*) FROM insights.product_months WHERE version = v),
           reach.reach, reach.first_interaction, reach.last_interaction,
           COALESCE(by_type.total, 0), by_type.counts, COALESCE(by_dimension.counts, '{}'), v
    FROM reach, by_type, by_dimension;
$$;

-- The served version's partition, named as loads name theirs, and its figures.
DO $$
DECLARE
    v INTEGER := (SELECT version FROM insights.data_version);
BEGIN
    EXECUTE format('CREATE TABLE insights.%I (LIKE insights.load_figures INCLUDING DEFAULTS '
                   'INCLUDING CONSTRAINTS)', 'load_figures_v' || v);
    EXECUTE format('ALTER TABLE insights.%I ALTER version SET DEFAULT %s, '
                   'ADD CONSTRAINT %I CHECK (version = %s)',
                   'load_figures_v' || v, v, 'load_figures_v' || v || '_version_check', v);
    EXECUTE format('ALTER TABLE insights.load_figures ATTACH PARTITION insights.%I '
                   'FOR VALUES IN (%s)', 'load_figures_v' || v, v);
    PERFORM insights.record_load_figures(v);
END $$;
