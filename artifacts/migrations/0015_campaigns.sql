-- depends: 0014_procrastinate
-- A campaign writes one item per eligible customer. Every item row is created with the
-- campaign, in the same transaction as the jobs that will write it (status pending), so
-- "one item per customer" is the primary key, and a job run twice (a worker killed
-- mid-batch, then retried) can only move pending rows forward, never add any.
CREATE TABLE insights.campaigns (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    content_type TEXT NOT NULL CHECK (content_type IN ('email', 'call_script')),
    tone TEXT NOT NULL,
    max_words INTEGER NOT NULL CHECK (max_words > 0),
    segment JSONB NOT NULL,
    prompt_versions TEXT[] NOT NULL CHECK (cardinality(prompt_versions) >= 1),
    -- The cold-start topics, fixed when the campaign is created: by customer type, and
    -- the overall one under the key "*".
    cold_start JSONB NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'paused', 'completed', 'cancelled', 'failed')),
    status_reason TEXT,
    recipients INTEGER NOT NULL CHECK (recipients >= 0),
    excluded JSONB NOT NULL DEFAULT '{}',
    batch_size INTEGER NOT NULL CHECK (batch_size > 0),
    batches INTEGER NOT NULL CHECK (batches >= 0),
    -- Provider failures in a row, across the campaign's batches; a success resets it.
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ
);

CREATE TABLE insights.campaign_items (
    campaign_id BIGINT NOT NULL REFERENCES insights.campaigns (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL CHECK (customer_id > 0),
    batch INTEGER NOT NULL,
    -- What the next issue (delivery and feedback per prompt version) groups by.
    customer_type TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    focus TEXT,
    focus_reason TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'written', 'approved', 'rejected', 'failed', 'cancelled')),
    -- Why an item is failed or cancelled (opted_out, campaign_cancelled, ...).
    status_reason TEXT,
    generation_id UUID REFERENCES insights.generated_content (id),
    content TEXT,
    review_status TEXT CHECK (review_status IN ('clear', 'needs_review', 'blocked')),
    review_reasons JSONB,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    note TEXT CHECK (length(note) <= 1000),
    reviewed_by TEXT,
    reviewed_at TIMESTAMPTZ,
    written_at TIMESTAMPTZ,
    PRIMARY KEY (campaign_id, customer_id)
);
CREATE INDEX campaign_items_pending ON insights.campaign_items (campaign_id, batch)
    WHERE status = 'pending';
CREATE INDEX campaign_items_open_by_customer ON insights.campaign_items (customer_id)
    WHERE status IN ('pending', 'written');

-- A token bucket per model provider, shared by every worker: requests per minute.
CREATE TABLE insights.provider_budgets (
    provider TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    refilled_at TIMESTAMPTZ NOT NULL
);
