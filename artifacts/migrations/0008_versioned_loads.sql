-- depends: 0007_run_states
-- Each committed load becomes a data version. The clean tables are LIST-partitioned by
-- `version`, one partition per table and version; readers see only the version that
-- insights.data_version names. A load fills its own partitions and flips the pointer in
-- its commit, so it never takes a lock that conflicts with a reader's ACCESS SHARE
-- (the TRUNCATE and DROP INDEX of a load used to block readers and deadlock with them).
-- Products stay one shared, append-only table of names.

-- The one row naming the version readers see.
CREATE TABLE insights.data_version (
    only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    version INTEGER NOT NULL CHECK (version > 0),
    switched_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE SEQUENCE insights.data_versions AS INTEGER;
INSERT INTO insights.data_version (version)
SELECT COALESCE(max(id), 1) FROM insights.ingestion_runs WHERE status = 'succeeded';
-- In a DO block: yoyo would print a SELECT's result.
DO $$ BEGIN PERFORM setval('insights.data_versions', version) FROM insights.data_version; END $$;

-- The default of every `version` column: rows written straight into a parent table
-- (seeds, fixes by hand) land in the version readers see.
CREATE FUNCTION insights.current_data_version() RETURNS INTEGER
LANGUAGE sql STABLE AS 'SELECT version FROM insights.data_version';

DROP VIEW insights.interaction_facts;

-- Each existing table becomes the partition of the current version, without copying a
-- row: renamed, given its `version` column and attached under a new parent.
DO $$
DECLARE
    v INTEGER := (SELECT version FROM insights.data_version);
    t TEXT;
    i RECORD;
BEGIN
    FOREACH t IN ARRAY ARRAY['customers', 'product_months', 'interactions',
                             'interaction_monthly_rollup', 'interaction_daily_product_type']
    LOOP
        EXECUTE format('ALTER TABLE insights.%I RENAME TO %I', t, t || '_v' || v);
        EXECUTE format('ALTER TABLE insights.%I ADD COLUMN version INTEGER NOT NULL '
                       'DEFAULT %s CHECK (version = %s)', t || '_v' || v, v, v);
        -- Indexes are named <table>_v<version>_<role>, as the loader names its own.
        FOR i IN SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                 WHERE x.indrelid = format('insights.%I', t || '_v' || v)::regclass
        LOOP
            EXECUTE format('ALTER INDEX insights.%I RENAME TO %I', i.relname,
                           t || '_v' || v || substr(i.relname, length(t) + 1));
        END LOOP;
    END LOOP;
END $$;

-- Parents carry no index: each version's partition gets its own, built after its rows
-- are in (faster than maintaining them row by row), so attaching one builds nothing.
CREATE TABLE insights.customers (
    customer_id INTEGER NOT NULL CONSTRAINT customers_customer_id_check CHECK (customer_id > 0),
    occupation TEXT CONSTRAINT customers_occupation_check CHECK (occupation <> ''),
    customer_type TEXT CONSTRAINT customers_customer_type_check CHECK (customer_type <> ''),
    run_id BIGINT NOT NULL,
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL CONSTRAINT customers_source_row_check CHECK (source_row > 0),
    version INTEGER NOT NULL DEFAULT insights.current_data_version()
) PARTITION BY LIST (version);

-- No foreign keys: dropping a superseded partition would drop its constraint's triggers
-- on insights.products, under an ACCESS EXCLUSIVE lock that readers of products queue
-- behind. The loader writes product ids it has just read from products, which it never
-- deletes while a version refers to them.
CREATE TABLE insights.product_months (
    month DATE NOT NULL CONSTRAINT product_months_month_check CHECK (month = date_trunc('month', month)::date),
    product_id INTEGER NOT NULL,
    run_id BIGINT NOT NULL,
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL CONSTRAINT product_months_source_row_check CHECK (source_row > 0),
    version INTEGER NOT NULL DEFAULT insights.current_data_version()
) PARTITION BY LIST (version);

CREATE TABLE insights.interactions (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    occurred_at TIMESTAMP NOT NULL,
    customer_id INTEGER NOT NULL CONSTRAINT interactions_customer_id_check CHECK (customer_id > 0),
    channel TEXT CONSTRAINT interactions_channel_check CHECK (channel <> ''),
    topic TEXT CONSTRAINT interactions_topic_check CHECK (topic <> ''),
    sentiment TEXT CONSTRAINT interactions_sentiment_check CHECK (sentiment IN ('Positive', 'Neutral', 'Negative')),
    run_id BIGINT NOT NULL,
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL CONSTRAINT interactions_source_row_check CHECK (source_row > 0),
    version INTEGER NOT NULL DEFAULT insights.current_data_version()
) PARTITION BY LIST (version);

CREATE TABLE insights.interaction_monthly_rollup (
    month DATE NOT NULL,
    product TEXT NOT NULL,
    customer_type TEXT NOT NULL,
    channel TEXT,
    topic TEXT,
    sentiment TEXT,
    interactions INTEGER NOT NULL CONSTRAINT interaction_monthly_rollup_interactions_check CHECK (interactions > 0),
    version INTEGER NOT NULL DEFAULT insights.current_data_version()
) PARTITION BY LIST (version);

CREATE TABLE insights.interaction_daily_product_type (
    day DATE NOT NULL,
    product TEXT NOT NULL,
    customer_type TEXT NOT NULL,
    interactions INTEGER NOT NULL CONSTRAINT interaction_daily_product_type_interactions_check CHECK (interactions > 0),
    version INTEGER NOT NULL DEFAULT insights.current_data_version()
) PARTITION BY LIST (version);

-- The interactions' ids keep counting from where the old identity stood; partitions
-- take explicit ids from the parent's sequence, so they need no identity of their own.
DO $$
DECLARE
    v INTEGER := (SELECT version FROM insights.data_version);
    t TEXT;
    last BIGINT;
    called BOOLEAN;
BEGIN
    EXECUTE format('SELECT last_value, is_called FROM %s', pg_get_serial_sequence(
        format('insights.%I', 'interactions_v' || v), 'id')) INTO last, called;
    PERFORM setval(pg_get_serial_sequence('insights.interactions', 'id'), last, called);
    EXECUTE format('ALTER TABLE insights.%I ALTER id DROP IDENTITY', 'interactions_v' || v);
    EXECUTE format('ALTER TABLE insights.%I DROP CONSTRAINT product_months_product_id_fkey, '
                   'DROP CONSTRAINT product_months_run_id_fkey', 'product_months_v' || v);
    FOREACH t IN ARRAY ARRAY['customers', 'product_months', 'interactions',
                             'interaction_monthly_rollup', 'interaction_daily_product_type']
    LOOP
        EXECUTE format('ALTER TABLE insights.%I ATTACH PARTITION insights.%I FOR VALUES IN (%s)',
                       t, t || '_v' || v, v);
    END LOOP;
END $$;

-- Each interaction of the current version with the product of its month and its
-- customer's type. The version filter sits in the view, so every read goes through it.
CREATE VIEW insights.interaction_facts AS
SELECT i.id, i.occurred_at, i.customer_id, i.channel, i.topic, i.sentiment,
       COALESCE(p.name, 'Unknown') AS product,
       COALESCE(c.customer_type, 'Unknown') AS customer_type
FROM insights.interactions AS i
LEFT JOIN insights.customers AS c ON c.version = i.version AND c.customer_id = i.customer_id
LEFT JOIN insights.product_months AS pm
    ON pm.version = i.version AND pm.month = date_trunc('month', i.occurred_at)::date
LEFT JOIN insights.products AS p ON p.id = pm.product_id
WHERE i.version = (SELECT version FROM insights.data_version);
