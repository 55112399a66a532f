-- The older states cannot say 'abandoned': such runs become 'failed'.
UPDATE insights.ingestion_runs SET status = 'failed',
    error = COALESCE(error, 'abandoned: the loading process died')
WHERE status = 'abandoned';
ALTER TABLE insights.ingestion_runs DROP CONSTRAINT ingestion_runs_status_check;
ALTER TABLE insights.ingestion_runs ADD CONSTRAINT ingestion_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed'));
