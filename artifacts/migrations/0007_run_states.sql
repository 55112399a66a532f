-- depends: 0006_value_too_long
-- A run's row is committed before its load starts, so a process that dies mid-load leaves
-- it 'running'; the next load or start-up finds its liveness lock free and marks it
-- 'abandoned'.
ALTER TABLE insights.ingestion_runs DROP CONSTRAINT ingestion_runs_status_check;
ALTER TABLE insights.ingestion_runs ADD CONSTRAINT ingestion_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned'));
