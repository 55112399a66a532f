-- depends: 0009_content_review
-- Summary cache and usage accounting for generated content.
-- data_fingerprint is the md5 of the customer's record and interactions a summary was
-- written from (repository/customer_history.py): a later request for the same customer,
-- fingerprint, prompt version, provider and model is answered from the stored row,
-- without a model call. Emails and call scripts are written anew on every request and
-- carry none.
-- Tokens are summed over every model call of a generation; NULL when the provider did
-- not report them. tokens_estimated marks counts the service estimated itself (the mock).
-- cost is in the currency of the configured price table; NULL for a model it lacks.
ALTER TABLE insights.generated_content
    ADD COLUMN data_fingerprint TEXT CHECK (data_fingerprint <> ''),
    ADD COLUMN input_tokens INTEGER CHECK (input_tokens >= 0),
    ADD COLUMN output_tokens INTEGER CHECK (output_tokens >= 0),
    ADD COLUMN tokens_estimated BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN cost NUMERIC(14, 6) CHECK (cost >= 0);
-- The summary cache's lookup: a customer's summaries by fingerprint, newest first.
CREATE INDEX generated_content_summary_cache
    ON insights.generated_content (customer_id, data_fingerprint, created_at DESC)
    WHERE data_fingerprint IS NOT NULL;
-- Usage reports read a time range.
CREATE INDEX generated_content_created ON insights.generated_content (created_at);
