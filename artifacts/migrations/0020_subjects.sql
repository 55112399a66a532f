-- depends: 0019_research_rollups
-- Email generations carry a subject line, written and checked with the body (a subject
-- still failing its checks after the regeneration is replaced by the derived one, and
-- that is what is stored). Nullable: rows written before this and other content types
-- keep NULL, and delivery derives a subject from the item's focus for them.
ALTER TABLE insights.generated_content ADD COLUMN subject TEXT;
ALTER TABLE insights.campaign_items ADD COLUMN subject TEXT;
