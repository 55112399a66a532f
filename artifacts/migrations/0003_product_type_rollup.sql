-- depends: 0002_clean_schema
-- Each interaction with the product of its month and its customer's type, "Unknown" where
-- there is none: the one definition the rollups and the statistics read.
CREATE VIEW insights.interaction_facts AS
SELECT i.id, i.occurred_at, i.customer_id, i.channel, i.topic, i.sentiment,
       COALESCE(p.name, 'Unknown') AS product,
       COALESCE(c.customer_type, 'Unknown') AS customer_type
FROM insights.interactions AS i
LEFT JOIN insights.customers AS c ON c.customer_id = i.customer_id
LEFT JOIN insights.product_months AS pm ON pm.month = date_trunc('month', i.occurred_at)::date
LEFT JOIN insights.products AS p ON p.id = pm.product_id;

-- A small daily rollup for the commonest question, interactions per product and customer
-- type with no channel, sentiment or topic filter: a few thousand rows to add up for any
-- date range, instead of rollup months plus a scan of the partial months' interactions.
-- Rebuilt with the monthly rollup at every ingestion.
CREATE TABLE insights.interaction_daily_product_type (
    day DATE NOT NULL,
    product TEXT NOT NULL,
    customer_type TEXT NOT NULL,
    interactions INTEGER NOT NULL CHECK (interactions > 0),
    PRIMARY KEY (day, product, customer_type)
);

INSERT INTO insights.interaction_daily_product_type
SELECT occurred_at::date, product, customer_type, count(*)
FROM insights.interaction_facts
GROUP BY 1, 2, 3;
