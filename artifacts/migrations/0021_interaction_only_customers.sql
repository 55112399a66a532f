-- depends: 0020_subjects
-- The customers who appear only in interactions (no row in the customers sheet), recorded
-- by each load as a sorted array: the unfiltered customer list and its Unknown type read
-- a page of them beside the sheet's rows instead of finding them among every interaction
-- on each call (issue 17: 260 ms for a page at 1M interactions). NULL where a version's
-- figures were recorded before this migration; readers then find them as before.
ALTER TABLE insights.load_figures ADD COLUMN interaction_only_customers INTEGER[];

CREATE OR REPLACE FUNCTION insights.record_load_figures(v INTEGER) RETURNS VOID
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
        interaction_only_customers, version)
    SELECT (SELECT count(*) FROM insights.customers WHERE version = v),
           reach.interactions,
           (SELECT count(*) FROM insights.product_months WHERE version = v),
           reach.reach, reach.first_interaction, reach.last_interaction,
           COALESCE(by_type.total, 0), by_type.counts, COALESCE(by_dimension.counts, '{}'),
           (SELECT COALESCE(array_agg(customer_id ORDER BY customer_id), '{}')
            FROM only_interactions),
           v
    FROM reach, by_type, by_dimension;
$$;

-- The served version's, so its pages are fast from the start.
UPDATE insights.load_figures AS f
SET interaction_only_customers = (
    SELECT COALESCE(array_agg(customer_id ORDER BY customer_id), '{}')
    FROM (
        SELECT DISTINCT i.customer_id FROM insights.interactions AS i
        WHERE i.version = f.version AND NOT EXISTS (
            SELECT 1 FROM insights.customers AS c
            WHERE c.version = f.version AND c.customer_id = i.customer_id)
    ) AS only_interactions)
WHERE f.version = (SELECT version FROM insights.data_version);
