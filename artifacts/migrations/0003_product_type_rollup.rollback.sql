DROP TABLE insights.interaction_daily_product_type;
DROP VIEW insights.interaction_facts;
