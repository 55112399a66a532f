-- depends: 0011_api_keys
-- Consent is data. Every change a customer (or someone on their behalf) makes is kept
-- in consent_events with when and where it came from; opt_outs holds the current state,
-- one row per opted-out customer, so eligibility is one anti-join. No foreign key to
-- customers: the customers table is partitioned per data version, and an opt-out must
-- outlive the load that happened to name the customer.
CREATE TABLE insights.consent_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id INTEGER NOT NULL CHECK (customer_id > 0),
    action TEXT NOT NULL CHECK (action IN ('opt_out', 'opt_in')),
    reason TEXT CHECK (length(reason) <= 500),
    -- Where the change came from: api, import, email, ...
    source TEXT NOT NULL CHECK (source ~ '^[a-z][a-z0-9_-]{0,31}$'),
    -- The API key name or operating-system user that recorded it, when known.
    actor TEXT,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX consent_events_customer ON insights.consent_events (customer_id, id DESC);

CREATE TABLE insights.opt_outs (
    customer_id INTEGER PRIMARY KEY CHECK (customer_id > 0),
    reason TEXT CHECK (length(reason) <= 500),
    source TEXT NOT NULL,
    opted_out_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
