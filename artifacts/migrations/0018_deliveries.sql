-- depends: 0017_load_figures
-- One delivery row per (campaign, customer), created with the queue job that sends it. A
-- row moves queued -> sending (committed before the SMTP conversation) -> sent | failed;
-- a job that finds a row of its batch still in sending knows an earlier run died mid-send
-- and marks it unknown: the server may hold the message, so nothing resends it by itself.
CREATE TABLE insights.deliveries (
    campaign_id BIGINT NOT NULL,
    customer_id INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped', 'unknown')),
    status_reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    queued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at TIMESTAMPTZ,
    PRIMARY KEY (campaign_id, customer_id),
    FOREIGN KEY (campaign_id, customer_id)
        REFERENCES insights.campaign_items (campaign_id, customer_id) ON DELETE CASCADE
);
CREATE INDEX deliveries_open ON insights.deliveries (campaign_id, batch)
    WHERE status IN ('queued', 'sending');
CREATE INDEX deliveries_unknown ON insights.deliveries (campaign_id) WHERE status = 'unknown';

-- Addresses nothing is sent to again: hard bounces and complaints (lower-cased).
CREATE TABLE insights.suppressions (
    email TEXT PRIMARY KEY,
    cause TEXT NOT NULL CHECK (cause IN ('bounced', 'complained', 'manual')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Feedback about sent messages, once per event_id (a provider's retried webhook is a no-op).
CREATE TABLE insights.delivery_events (
    event_id TEXT PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 200),
    message_id TEXT NOT NULL REFERENCES insights.deliveries (message_id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('delivered', 'opened', 'clicked', 'replied', 'bounced',
                                       'complained', 'unsubscribed')),
    occurred_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX delivery_events_message ON insights.delivery_events (message_id, type);
