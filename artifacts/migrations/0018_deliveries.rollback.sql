DROP TABLE insights.delivery_events;
DROP TABLE insights.suppressions;
DROP TABLE insights.deliveries;
