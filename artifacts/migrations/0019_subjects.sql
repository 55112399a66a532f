-- depends: 0018_deliveries
-- Email generations carry a subject line, written and checked with the body. Nullable:
-- rows written before this, other content types, and a subject the checks replaced keep
-- NULL, and delivery derives one from the item's focus.
ALTER TABLE insights.generated_content ADD COLUMN subject TEXT;
ALTER TABLE insights.campaign_items ADD COLUMN subject TEXT;
