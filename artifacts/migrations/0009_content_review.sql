-- depends: 0008_versioned_loads
-- The compliance review of every generation (clear, needs_review or blocked, with its
-- reasons and the policy version that decided) and the exact messages sent to the model,
-- so any text can be replayed.
ALTER TABLE insights.generated_content
    ADD COLUMN review_status TEXT,
    ADD COLUMN review_reasons JSONB NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN policy_version TEXT,
    ADD COLUMN messages JSONB;

-- Texts written before the policy existed were never reviewed: they wait for a reviewer
-- rather than pass as clear.
UPDATE insights.generated_content
SET review_status = 'needs_review',
    review_reasons = '[{"code": "not_reviewed", "message": "generated before the compliance policy existed"}]'::jsonb;

ALTER TABLE insights.generated_content
    ALTER COLUMN review_status SET NOT NULL,
    ADD CONSTRAINT generated_content_review_status
        CHECK (review_status IN ('clear', 'needs_review', 'blocked')),
    ADD CONSTRAINT generated_content_review_reasons_array
        CHECK (jsonb_typeof(review_reasons) = 'array'),
    ADD CONSTRAINT generated_content_messages_array
        CHECK (messages IS NULL OR jsonb_typeof(messages) = 'array');

-- The reviewers' listing: one status, newest first.
CREATE INDEX generated_content_review_created
    ON insights.generated_content (review_status, created_at DESC, id DESC);
