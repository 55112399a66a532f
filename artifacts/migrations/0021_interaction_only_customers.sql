-- depends: 0020_subjects
-- The customers who appear only in interactions (no row in the customers sheet), recorded
-- by each load as a sorted array: the unfiltered customer list and its Unknown type read
-- a page of them beside the sheet's rows instead of finding them among every interaction
-- on each call (issue 17: 260 ms for a page at 1M interactions). Loads record them
-- (pipelines/ingestion/load_figures.py); NULL where nobody did (figures recorded before
-- this migration, or by insights.record_load_figures for rows seeded by hand), and readers
-- then find them among the interactions as before.
ALTER TABLE insights.load_figures ADD COLUMN interaction_only_customers INTEGER[];

-- The served version's, so its pages are fast from the start.
UPDATE insights.load_figures AS f
SET interaction_only_customers = (
    SELECT COALESCE(array_agg(customer_id ORDER BY customer_id), '{}')
    FROM (
        SELECT DISTINCT i.customer_id FROM insights.interactions AS i
        WHERE i.version = f.version AND NOT EXISTS (
            SELECT 1 FROM insights.customers AS c
            WHERE c.version = f.version AND c.customer_id = i.customer_id)
    ) AS only_interactions)
WHERE f.version = (SELECT version FROM insights.data_version);
