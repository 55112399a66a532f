DROP TABLE insights.research_log;
