DROP INDEX insights.generated_content_created;
DROP INDEX insights.generated_content_summary_cache;
ALTER TABLE insights.generated_content
    DROP COLUMN cost,
    DROP COLUMN tokens_estimated,
    DROP COLUMN output_tokens,
    DROP COLUMN input_tokens,
    DROP COLUMN data_fingerprint;
