DROP TABLE insights.provider_budgets;
DROP TABLE insights.campaign_items;
DROP TABLE insights.campaigns;
