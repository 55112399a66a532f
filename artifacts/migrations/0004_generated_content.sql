-- depends: 0003_product_type_rollup
-- Every text the language model wrote (emails, call scripts, summaries), with what it was
-- grounded on and who wrote it, so the business can audit what was produced and sent.
-- No foreign key to customers: each ingestion replaces them, and a customer may exist
-- only through interactions.
CREATE TABLE insights.generated_content (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id INTEGER NOT NULL CHECK (customer_id > 0),
    content_type TEXT NOT NULL CHECK (content_type IN ('email', 'call_script', 'summary')),
    provider TEXT NOT NULL CHECK (provider <> ''),
    model TEXT,
    mock BOOLEAN NOT NULL,
    prompt_version TEXT,
    -- Ids of the interactions the text was grounded on (insights.interactions.id).
    sources BIGINT[] NOT NULL,
    content TEXT NOT NULL CHECK (content <> ''),
    latency_ms DOUBLE PRECISION NOT NULL CHECK (latency_ms >= 0),
    attempts SMALLINT NOT NULL CHECK (attempts >= 0),
    parameters JSONB NOT NULL DEFAULT '{}'::jsonb,
    facts JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX generated_content_customer_created
    ON insights.generated_content (customer_id, created_at DESC);
