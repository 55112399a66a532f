DROP FUNCTION insights.record_monthly_pairs(INTEGER);
DROP TABLE insights.interaction_monthly_pairs;
