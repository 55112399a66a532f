-- NOT VALID keeps the rows already quarantined as value_too_long (they are the record of past
-- runs) while new rows must again use one of the older reasons.
ALTER TABLE insights.quarantine DROP CONSTRAINT quarantine_reason_check;
ALTER TABLE insights.quarantine ADD CONSTRAINT quarantine_reason_check CHECK (reason IN (
    'invalid_customer_id', 'invalid_date', 'invalid_month', 'missing_product',
    'duplicate_row', 'conflicting_duplicate'
)) NOT VALID;
