DROP TABLE insights.contacts;
