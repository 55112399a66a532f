-- depends: 0001_legacy_schema
-- The clean, normalised data every endpoint reads, filled by `insights ingest`.
-- It lives in its own schema so the legacy tables keep their names in `public`.
CREATE SCHEMA insights;

-- One row per ingestion attempt: what was read, when, how it went, counts per sheet.
CREATE TABLE insights.ingestion_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_name TEXT NOT NULL,
    source_kind TEXT NOT NULL CHECK (source_kind IN ('xlsx', 'csv', 'legacy_tables')),
    checksum TEXT NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    counts JSONB NOT NULL DEFAULT '{}'::jsonb,
    error TEXT,
    CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX ingestion_runs_status_id ON insights.ingestion_runs (status, id DESC);

CREATE TABLE insights.customers (
    customer_id INTEGER PRIMARY KEY CHECK (customer_id > 0),
    occupation TEXT CHECK (occupation <> ''),
    customer_type TEXT CHECK (customer_type <> ''),
    -- No foreign key on run_id here or on interactions: the loader writes it for every
    -- row, and a per-row check would more than double a bulk load.
    run_id BIGINT NOT NULL,
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL CHECK (source_row > 0)
);
CREATE INDEX customers_type ON insights.customers (customer_type);

CREATE TABLE insights.products (
    id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (name <> '')
);

-- The product of discussion of each calendar month, keyed by the month's first day.
CREATE TABLE insights.product_months (
    month DATE PRIMARY KEY CHECK (month = date_trunc('month', month)::date),
    product_id INTEGER NOT NULL REFERENCES insights.products (id),
    run_id BIGINT NOT NULL REFERENCES insights.ingestion_runs (id),
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL CHECK (source_row > 0)
);

-- No foreign key to customers: an interaction may name a customer the export lacks
-- (kept, counted as customer type "Unknown").
CREATE TABLE insights.interactions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    customer_id INTEGER NOT NULL CHECK (customer_id > 0),
    channel TEXT CHECK (channel <> ''),
    topic TEXT CHECK (topic <> ''),
    sentiment TEXT CHECK (sentiment IN ('Positive', 'Neutral', 'Negative')),
    run_id BIGINT NOT NULL,
    source_sheet TEXT NOT NULL,
    source_row INTEGER NOT NULL CHECK (source_row > 0)
);
-- The natural key: ids stay stable across ingestions because loads upsert on it.
-- COALESCE because NULLS NOT DISTINCT needs PostgreSQL 15; '' is never a stored value.
CREATE UNIQUE INDEX interactions_natural_key ON insights.interactions (
    occurred_at, customer_id, COALESCE(channel, ''), COALESCE(topic, ''), COALESCE(sentiment, '')
);
CREATE INDEX interactions_customer_time ON insights.interactions (customer_id, occurred_at);

-- Source rows that did not make it into the clean tables, with their values and why.
CREATE TABLE insights.quarantine (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id BIGINT NOT NULL REFERENCES insights.ingestion_runs (id) ON DELETE CASCADE,
    sheet TEXT NOT NULL CHECK (sheet IN ('customers', 'interactions', 'products')),
    source_row INTEGER NOT NULL CHECK (source_row > 0),
    reason TEXT NOT NULL CHECK (reason IN (
        'invalid_customer_id', 'invalid_date', 'invalid_month', 'missing_product',
        'duplicate_row', 'conflicting_duplicate'
    )),
    original JSONB NOT NULL
);
CREATE INDEX quarantine_run_sheet_row ON insights.quarantine (run_id, sheet, source_row);

-- Values the cleaning repaired (a synonym mapped, a sentiment dropped), one row per
-- distinct repair with how many cells it touched.
CREATE TABLE insights.data_quality_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id BIGINT NOT NULL REFERENCES insights.ingestion_runs (id) ON DELETE CASCADE,
    sheet TEXT NOT NULL,
    column_name TEXT NOT NULL,
    original_value TEXT NOT NULL,
    cleaned_value TEXT,
    rule TEXT NOT NULL,
    row_count INTEGER NOT NULL CHECK (row_count > 0),
    first_source_row INTEGER NOT NULL CHECK (first_source_row > 0)
);
CREATE INDEX data_quality_log_run ON insights.data_quality_log (run_id);

-- The product of each interaction: the product of its calendar month, else "Unknown".
CREATE VIEW insights.interaction_products AS
SELECT i.id AS interaction_id, COALESCE(p.name, 'Unknown') AS product
FROM insights.interactions AS i
LEFT JOIN insights.product_months AS pm ON pm.month = date_trunc('month', i.occurred_at)::date
LEFT JOIN insights.products AS p ON p.id = pm.product_id;

-- Interactions counted per month and every dimension the statistics filter or group by,
-- rebuilt inside each load's transaction so reads never scan the interactions table.
CREATE TABLE insights.interaction_monthly_rollup (
    month DATE NOT NULL,
    product TEXT NOT NULL,
    customer_type TEXT NOT NULL,
    channel TEXT,
    topic TEXT,
    sentiment TEXT,
    interactions INTEGER NOT NULL CHECK (interactions > 0)
);
CREATE INDEX interaction_monthly_rollup_month ON insights.interaction_monthly_rollup (month);
