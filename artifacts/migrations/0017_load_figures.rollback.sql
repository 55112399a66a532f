DROP FUNCTION insights.record_load_figures(INTEGER);
DROP TABLE insights.load_figures;
