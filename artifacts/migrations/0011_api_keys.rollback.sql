DROP TABLE insights.api_key_audit;
DROP TABLE insights.api_keys;
