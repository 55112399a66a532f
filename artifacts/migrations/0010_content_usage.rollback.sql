DROP INDEX insights.generated_content_created;
DROP INDEX insights.generated_content_cache_key;
ALTER TABLE insights.generated_content
    DROP COLUMN cost,
    DROP COLUMN tokens_estimated,
    DROP COLUMN output_tokens,
    DROP COLUMN input_tokens,
    DROP COLUMN cache_key;
