CREATE VIEW insights.interaction_products AS
SELECT i.id AS interaction_id, COALESCE(p.name, 'Unknown') AS product
FROM insights.interactions AS i
LEFT JOIN insights.product_months AS pm ON pm.month = date_trunc('month', i.occurred_at)::date
LEFT JOIN insights.products AS p ON p.id = pm.product_id;
