-- depends: 0018_deliveries
-- The monthly rollup grouped by two dimensions at a time (with the month's product), for
-- semantic queries that use at most two of customer type, channel, topic and sentiment.
-- At 1,000,000 interactions the monthly rollup has ~60,000 rows and a year filtered by
-- sentiment read ~10,000 of them; the same question here reads ~300. ``pair`` names the
-- two dimensions grouped; the other two columns are NULL on its rows (NULL in a grouped
-- column is an interaction without that value, as in the monthly rollup).
CREATE TABLE insights.interaction_monthly_pairs (
    month DATE NOT NULL,
    product TEXT NOT NULL,
    pair TEXT NOT NULL,
    customer_type TEXT,
    channel TEXT,
    topic TEXT,
    sentiment TEXT,
    interactions INTEGER NOT NULL CONSTRAINT interaction_monthly_pairs_interactions_check
        CHECK (interactions > 0),
    version INTEGER NOT NULL DEFAULT insights.current_data_version()
) PARTITION BY LIST (version);

-- Fill version v's pairs from its monthly rollup; a load calls it once that rollup is
-- written, and seeds written by hand may call it again (it replaces v's rows). Rows are
-- inserted pair by pair, month by month, so one pair's months sit on adjacent pages.
CREATE FUNCTION insights.record_monthly_pairs(v INTEGER) RETURNS VOID
LANGUAGE sql AS $$
    DELETE FROM insights.interaction_monthly_pairs WHERE version = v;
    INSERT INTO insights.interaction_monthly_pairs (month, product, pair, customer_type,
        channel, topic, sentiment, interactions, version)
    SELECT month, product,
           concat_ws('+', CASE GROUPING(customer_type) WHEN 0 THEN 'customer_type' END,
                          CASE GROUPING(channel) WHEN 0 THEN 'channel' END,
                          CASE GROUPING(topic) WHEN 0 THEN 'topic' END,
                          CASE GROUPING(sentiment) WHEN 0 THEN 'sentiment' END),
           customer_type, channel, topic, sentiment, sum(interactions), v
    FROM insights.interaction_monthly_rollup WHERE version = v
    GROUP BY month, product, GROUPING SETS ((customer_type, channel), (customer_type, topic),
        (customer_type, sentiment), (channel, topic), (channel, sentiment), (topic, sentiment))
    ORDER BY 3, 1;
$$;

-- The served version's partition, named and indexed as loads make theirs, and its rows.
DO $$
DECLARE
    v INTEGER := (SELECT version FROM insights.data_version);
    n TEXT := 'interaction_monthly_pairs_v' || v;
BEGIN
    EXECUTE format('CREATE TABLE insights.%I (LIKE insights.interaction_monthly_pairs '
                   'INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', n);
    EXECUTE format('ALTER TABLE insights.%I ALTER version SET DEFAULT %s, '
                   'ADD CONSTRAINT %I CHECK (version = %s)', n, v, n || '_version_check', v);
    EXECUTE format('CREATE INDEX %I ON insights.%I (pair, month)', n || '_pair_month', n);
    EXECUTE format('ALTER TABLE insights.interaction_monthly_pairs ATTACH PARTITION '
                   'insights.%I FOR VALUES IN (%s)', n, v);
    PERFORM insights.record_monthly_pairs(v);
    EXECUTE format('ANALYZE insights.%I', n);
END $$;
