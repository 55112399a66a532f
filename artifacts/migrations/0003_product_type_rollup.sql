-- depends: 0002_clean_schema
-- A coarser rollup for the commonest question, interactions per product and customer
-- type by month with no channel, sentiment or topic filter: hundreds of rows to add up
-- instead of tens of thousands. Rebuilt with the fine rollup at every ingestion.
CREATE TABLE insights.interaction_monthly_product_type (
    month DATE NOT NULL,
    product TEXT NOT NULL,
    customer_type TEXT NOT NULL,
    interactions INTEGER NOT NULL CHECK (interactions > 0),
    PRIMARY KEY (month, product, customer_type)
);

INSERT INTO insights.interaction_monthly_product_type
SELECT month, product, customer_type, sum(interactions)
FROM insights.interaction_monthly_rollup
GROUP BY 1, 2, 3;
