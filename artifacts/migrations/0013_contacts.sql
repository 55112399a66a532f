-- depends: 0012_consent
-- Contact addresses do not come from the export: they are imported (insights contacts
-- import) or set through the API, one current address per customer. Like opt_outs, no
-- foreign key to the per-version customers table: an address outlives the load that
-- happened to name its customer. Addresses are stored normalised (email-validator).
CREATE TABLE insights.contacts (
    customer_id INTEGER PRIMARY KEY CHECK (customer_id > 0),
    email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    display_name TEXT CHECK (length(display_name) <= 200),
    -- Where the current address came from: api, import, ...
    source TEXT NOT NULL CHECK (source ~ '^[a-z][a-z0-9_-]{0,31}$'),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
