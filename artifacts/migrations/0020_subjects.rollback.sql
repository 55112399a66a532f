ALTER TABLE insights.campaign_items DROP COLUMN subject;
ALTER TABLE insights.generated_content DROP COLUMN subject;
