"""The SQL of repository/deliveries.py."""

from sqlalchemy import text

from repository.campaigns import QUEUE

SEND_TASK = "deliveries.send_batch"

LOCK_CAMPAIGN = text(
    "SELECT content_type FROM insights.campaigns WHERE id = :campaign_id FOR UPDATE"
)
# Approved items without a delivery row, with why each cannot be sent (NULL: it can).
CANDIDATES = text("""
    SELECT i.customer_id, lower(c.email) AS email,
           CASE WHEN o.customer_id IS NOT NULL THEN 'opted_out'
                WHEN c.customer_id IS NULL THEN 'no_address'
                WHEN s.email IS NOT NULL THEN 'suppressed' END AS skip
    FROM insights.campaign_items i
    LEFT JOIN insights.deliveries d USING (campaign_id, customer_id)
    LEFT JOIN insights.opt_outs o ON o.customer_id = i.customer_id
    LEFT JOIN insights.contacts c ON c.customer_id = i.customer_id
    LEFT JOIN insights.suppressions s ON s.email = lower(c.email)
    WHERE i.campaign_id = :campaign_id AND i.status = 'approved' AND d.customer_id IS NULL
    ORDER BY i.customer_id
""")
ALREADY = text("SELECT count(*) FROM insights.deliveries WHERE campaign_id = :campaign_id")
NEXT_BATCH = text(
    "SELECT coalesce(max(batch) + 1, 0) FROM insights.deliveries WHERE campaign_id = :campaign_id"
)
INSERT = text("""
    INSERT INTO insights.deliveries (campaign_id, customer_id, batch, message_id, email)
    SELECT CAST(:campaign_id AS bigint), customer_id, batch,
           format('<campaign-%s.customer-%s@%s>', CAST(:campaign_id AS bigint), customer_id,
                  CAST(:domain AS text)), email
    FROM unnest(CAST(:ids AS integer[]), CAST(:batches AS integer[]), CAST(:emails AS text[]))
        AS d (customer_id, batch, email)
""")
# The lock runs one batch's jobs one after the other, like the campaign batches.
DEFER = text(f"""
    SELECT procrastinate_defer_jobs_v1(ARRAY(
        SELECT ROW('{QUEUE}', '{SEND_TASK}', 0,
                   format('delivery-%s-batch-%s', CAST(:campaign_id AS bigint), batch), NULL,
                   jsonb_build_object('campaign_id', CAST(:campaign_id AS bigint), 'batch', batch),
                   now() + make_interval(secs => :delay_s))::procrastinate_job_to_defer_v1
        FROM unnest(CAST(:batches AS integer[])) AS batch
    ))
""")  # nosec B608 # built from constants; values are bound
# A row still in sending when its batch starts was left by a run that died mid-send.
ORPHANS_TO_UNKNOWN = text("""
    UPDATE insights.deliveries SET status = 'unknown', updated_at = now(),
           status_reason = 'the sending worker stopped before recording the outcome'
    WHERE campaign_id = :campaign_id AND batch = :batch AND status = 'sending'
""")
BATCH_ROWS = text("""
    SELECT d.customer_id, d.email, c.display_name, d.message_id, i.content, i.subject, i.focus,
           i.prompt_version, k.name AS campaign_name
    FROM insights.deliveries d
    JOIN insights.campaign_items i USING (campaign_id, customer_id)
    JOIN insights.campaigns k ON k.id = d.campaign_id
    LEFT JOIN insights.contacts c ON c.customer_id = d.customer_id
    WHERE d.campaign_id = :campaign_id AND d.batch = :batch AND d.status = 'queued'
    ORDER BY d.customer_id
""")
# Checked again at send time: an opt-out or a bounce may have come since the row was queued.
CLAIM = text("""
    UPDATE insights.deliveries d SET
        status = CASE WHEN EXISTS (SELECT 1 FROM insights.opt_outs o
                                   WHERE o.customer_id = d.customer_id) THEN 'skipped'
                      WHEN EXISTS (SELECT 1 FROM insights.suppressions s
                                   WHERE s.email = d.email) THEN 'skipped'
                      ELSE 'sending' END,
        status_reason = CASE WHEN EXISTS (SELECT 1 FROM insights.opt_outs o
                                          WHERE o.customer_id = d.customer_id) THEN 'opted_out'
                             WHEN EXISTS (SELECT 1 FROM insights.suppressions s
                                          WHERE s.email = d.email) THEN 'suppressed' END,
        attempts = attempts + 1, updated_at = now()
    WHERE campaign_id = :campaign_id AND customer_id = :customer_id AND status = 'queued'
    RETURNING status
""")
FINISH = text("""
    UPDATE insights.deliveries SET status = CAST(:status AS text), status_reason = :reason,
           updated_at = now(), sent_at = CASE WHEN CAST(:status AS text) = 'sent' THEN now() END
    WHERE campaign_id = :campaign_id AND customer_id = :customer_id AND status = 'sending'
""")
COUNTS = text("""
    SELECT status, count(*) FROM insights.deliveries WHERE campaign_id = :campaign_id
    GROUP BY status
""")
UNKNOWN = text("""
    SELECT campaign_id, customer_id, email, message_id, status_reason, updated_at
    FROM insights.deliveries
    WHERE status = 'unknown' AND (CAST(:campaign_id AS bigint) IS NULL
                                  OR campaign_id = :campaign_id)
      AND (CAST(:ids AS integer[]) IS NULL OR customer_id = ANY(:ids))
    ORDER BY campaign_id, customer_id
""")
RESOLVE = text("""
    UPDATE insights.deliveries SET status = CAST(:status AS text), updated_at = now(),
           status_reason = :reason,
           sent_at = CASE WHEN CAST(:status AS text) = 'sent' THEN now() END
    WHERE status = 'unknown' AND campaign_id = :campaign_id AND customer_id = ANY(:ids)
    RETURNING batch
""")
