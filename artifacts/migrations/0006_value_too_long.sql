-- depends: 0005_drop_interaction_products
-- A row with a cell longer than INGEST_MAX_CELL_CHARS is quarantined as value_too_long; its
-- original keeps the start of the long cell and how long it was.
ALTER TABLE insights.quarantine DROP CONSTRAINT quarantine_reason_check;
ALTER TABLE insights.quarantine ADD CONSTRAINT quarantine_reason_check CHECK (reason IN (
    'invalid_customer_id', 'invalid_date', 'invalid_month', 'missing_product',
    'duplicate_row', 'conflicting_duplicate', 'value_too_long'
));
