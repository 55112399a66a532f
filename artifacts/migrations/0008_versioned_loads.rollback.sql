-- The current version's partitions become the plain tables again; older ones are dropped.
DROP VIEW insights.interaction_facts;

DO $$
DECLARE
    v INTEGER := (SELECT version FROM insights.data_version);
    t TEXT;
    part TEXT;
    i RECORD;
    next_id BIGINT := nextval(pg_get_serial_sequence('insights.interactions', 'id'));
BEGIN
    FOREACH t IN ARRAY ARRAY['customers', 'product_months', 'interactions',
                             'interaction_monthly_rollup', 'interaction_daily_product_type']
    LOOP
        part := t || '_v' || v;
        EXECUTE format('ALTER TABLE insights.%I DETACH PARTITION insights.%I', t, part);
        EXECUTE format('DROP TABLE insights.%I', t);  -- the older versions go with it
        EXECUTE format('ALTER TABLE insights.%I RENAME TO %I', part, t);
        EXECUTE format('ALTER TABLE insights.%I DROP COLUMN version', t);
        FOR i IN SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                 WHERE x.indrelid = format('insights.%I', t)::regclass
        LOOP
            EXECUTE format('ALTER INDEX insights.%I RENAME TO %I', i.relname,
                           t || substr(i.relname, length(part) + 1));
        END LOOP;
    END LOOP;
    -- Loads index the interactions' ids with a unique index (no ACCESS EXCLUSIVE lock).
    IF to_regclass('insights.interactions_id') IS NOT NULL THEN
        ALTER TABLE insights.interactions
            ADD CONSTRAINT interactions_pkey PRIMARY KEY USING INDEX interactions_id;
    END IF;
    ALTER TABLE insights.product_months
        ADD CONSTRAINT product_months_product_id_fkey
            FOREIGN KEY (product_id) REFERENCES insights.products (id),
        ADD CONSTRAINT product_months_run_id_fkey
            FOREIGN KEY (run_id) REFERENCES insights.ingestion_runs (id);
    ALTER TABLE insights.interactions ALTER id ADD GENERATED ALWAYS AS IDENTITY;
    PERFORM setval(pg_get_serial_sequence('insights.interactions', 'id'), next_id, false);
END $$;

CREATE VIEW insights.interaction_facts AS
SELECT i.id, i.occurred_at, i.customer_id, i.channel, i.topic, i.sentiment,
       COALESCE(p.name, 'Unknown') AS product,
       COALESCE(c.customer_type, 'Unknown') AS customer_type
FROM insights.interactions AS i
LEFT JOIN insights.customers AS c ON c.customer_id = i.customer_id
LEFT JOIN insights.product_months AS pm ON pm.month = date_trunc('month', i.occurred_at)::date
LEFT JOIN insights.products AS p ON p.id = pm.product_id;

DROP FUNCTION insights.current_data_version();
DROP SEQUENCE insights.data_versions;
DROP TABLE insights.data_version;
