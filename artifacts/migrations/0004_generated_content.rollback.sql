DROP TABLE insights.generated_content;
