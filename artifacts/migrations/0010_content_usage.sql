-- depends: 0008_versioned_loads
-- Summary cache and usage accounting for generated content.
-- cache_key names what a summary was written from (customer, a fingerprint of that
-- customer's interactions, prompt version, provider, model): a later request with the
-- same key is answered from the stored row, without a model call. Emails and call
-- scripts are written anew on every request and carry no key.
-- Tokens are summed over every model call of a generation; NULL when the provider did
-- not report them. tokens_estimated marks counts the service estimated itself (the mock).
-- cost is in the currency of the configured price table; NULL for a model it lacks.
ALTER TABLE insights.generated_content
    ADD COLUMN cache_key TEXT CHECK (cache_key <> ''),
    ADD COLUMN input_tokens INTEGER CHECK (input_tokens >= 0),
    ADD COLUMN output_tokens INTEGER CHECK (output_tokens >= 0),
    ADD COLUMN tokens_estimated BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN cost NUMERIC(14, 6) CHECK (cost >= 0);
-- The newest generation under a key answers the cache lookup.
CREATE INDEX generated_content_cache_key
    ON insights.generated_content (cache_key, created_at DESC) WHERE cache_key IS NOT NULL;
-- Usage reports read a time range.
CREATE INDEX generated_content_created ON insights.generated_content (created_at);
