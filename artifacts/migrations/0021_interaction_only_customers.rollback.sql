ALTER TABLE insights.load_figures DROP COLUMN interaction_only_customers;
