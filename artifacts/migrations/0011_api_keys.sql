-- depends: 0010_content_usage
-- API keys with scopes. Only a peppered SHA-256 of each secret is kept (the secret is
-- shown once, when created); `prefix` is the short public part of a key that names it in
-- logs and finds its row. A revoked key keeps its row, so its name stays taken and its
-- use stays attributable.
CREATE TABLE insights.api_keys (
    name TEXT PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    prefix TEXT NOT NULL UNIQUE CHECK (prefix ~ '^ci_[0-9a-f]{8}$'),
    secret_hash TEXT NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    scopes TEXT[] NOT NULL CHECK (
        cardinality(scopes) > 0
        AND scopes <@ ARRAY['stats:read', 'content:write', 'campaigns:manage', 'admin']
    ),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

-- Who was given which key and when it was taken away; never the secret.
CREATE TABLE insights.api_key_audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_name TEXT NOT NULL,
    key_prefix TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('created', 'revoked')),
    scopes TEXT[] NOT NULL,
    expires_at TIMESTAMPTZ,
    -- The operating-system user who ran the command, when known.
    actor TEXT,
    at TIMESTAMPTZ NOT NULL DEFAULT now()
);
