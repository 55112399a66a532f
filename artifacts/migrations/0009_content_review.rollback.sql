DROP INDEX insights.generated_content_review_created;
ALTER TABLE insights.generated_content
    DROP COLUMN messages,
    DROP COLUMN policy_version,
    DROP COLUMN review_reasons,
    DROP COLUMN review_status;
