-- Removes the clean data set and its ingestion history; the legacy tables are untouched.
DROP SCHEMA insights CASCADE;
