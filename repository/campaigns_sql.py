"""The SQL of the campaign repository (campaigns_postgres), kept apart to stay readable."""

from sqlalchemy import text

from repository.customers import EVERY_CUSTOMER
from repository.generated_content_postgres import _COLUMNS as CONTENT_COLUMNS
from repository.model import CURRENT_VERSION_SQL

# Customers of a segment, each with whether they opted out (then they are excluded).
# Contacts and topics are read from the served version's interactions themselves: the
# facts view's product and customer-type joins, unused here, took 2.5 of the 3 s of a
# segment at 1,000,000 interactions (EXPLAIN ANALYZE, loaded machine).
ELIGIBLE = text(f"""
    WITH {EVERY_CUSTOMER},
    contact AS (
        SELECT customer_id, count(*) AS interactions, max(occurred_at) AS last_contact
        FROM insights.interactions WHERE version = {CURRENT_VERSION_SQL} GROUP BY customer_id
    )
    SELECT c.customer_id, c.customer_type, o.customer_id IS NOT NULL AS opted_out
    FROM every_customer AS c
    LEFT JOIN contact USING (customer_id)
    LEFT JOIN insights.opt_outs AS o USING (customer_id)
    WHERE (CAST(:types AS text[]) IS NULL OR c.customer_type = ANY (CAST(:types AS text[])))
      AND (CAST(:ids AS integer[]) IS NULL OR c.customer_id = ANY (CAST(:ids AS integer[])))
      AND COALESCE(contact.interactions, 0) >= :min_interactions
      AND (CAST(:last_from AS date) IS NULL OR contact.last_contact >= CAST(:last_from AS date))
      AND (CAST(:last_to AS date) IS NULL OR contact.last_contact < CAST(:last_to AS date) + 1)
      AND (CAST(:topics AS text[]) IS NULL OR EXISTS (
          SELECT 1 FROM insights.interactions AS f
          WHERE f.version = {CURRENT_VERSION_SQL} AND f.customer_id = c.customer_id
            AND f.topic = ANY (CAST(:topics AS text[]))))
    ORDER BY c.customer_id
""")  # nosec B608 # built from constants; values are bound
# Topic uses in the last :days days of data, per customer type and (type NULL) overall.
RECENT_TOPICS = text("""
    SELECT customer_type, topic, count(*) AS uses, max(occurred_at) AS last_used
    FROM insights.interaction_facts
    WHERE topic IS NOT NULL AND occurred_at >= (
        SELECT max(occurred_at) FROM insights.interaction_facts) - make_interval(days => :days)
    GROUP BY GROUPING SETS ((customer_type, topic), (topic))
""")
INSERT_CAMPAIGN = text("""
    INSERT INTO insights.campaigns (name, content_type, tone, max_words, segment,
        prompt_versions, cold_start, recipients, excluded, batch_size, batches, created_by,
        status, finished_at)
    VALUES (:name, :content_type, :tone, :max_words, CAST(:segment AS jsonb),
        CAST(:prompt_versions AS text[]), CAST(:cold_start AS jsonb), :recipients,
        CAST(:excluded AS jsonb), :batch_size, :batches, :created_by,
        -- A segment of nobody is done at once: no job will ever complete it.
        CASE WHEN :recipients = 0 THEN 'completed' ELSE 'queued' END,
        CASE WHEN :recipients = 0 THEN now() END)
    RETURNING id
""")
INSERT_ITEMS = text("""
    INSERT INTO insights.campaign_items
        (campaign_id, customer_id, batch, customer_type, prompt_version)
    SELECT :campaign_id, customer_id, batch, customer_type, prompt_version
    FROM unnest(CAST(:ids AS integer[]), CAST(:batches AS integer[]),
                CAST(:types AS text[]), CAST(:versions AS text[]))
        AS item (customer_id, batch, customer_type, prompt_version)
""")
# procrastinate's own function for enqueueing: the jobs commit with our rows or not at all.
# The lock runs the jobs of one batch one after the other (a retry never overlaps the
# first run); args are what pipelines/campaigns/tasks.py's task takes.
DEFER_BATCHES = text("""
    SELECT procrastinate_defer_jobs_v1(ARRAY(
        SELECT ROW(:queue, :task, 0, format('campaign-%s-batch-%s', :campaign_id, batch), NULL,
                   jsonb_build_object('campaign_id', :campaign_id, 'batch', batch),
                   now() + make_interval(secs => :delay_s))::procrastinate_job_to_defer_v1
        FROM unnest(CAST(:batches AS integer[])) AS batch
    ))
""")
_COUNTS = """
    SELECT jsonb_object_agg(status, n) AS counts, min(first_written) AS first_written_at,
           max(last_written) AS last_written_at
    FROM (SELECT status, count(*) AS n, min(written_at) AS first_written,
                 max(written_at) AS last_written
          FROM insights.campaign_items WHERE campaign_id = c.id GROUP BY status) AS per_status
"""
CAMPAIGN_COLUMNS = (
    "c.id, c.name, c.content_type, c.tone, c.max_words, c.segment, c.prompt_versions, "
    "c.status, c.status_reason, c.recipients, c.excluded, c.batches, c.created_at, "
    "c.finished_at, counts.counts, counts.first_written_at, counts.last_written_at"
)
GET_CAMPAIGN = text(f"""
    SELECT {CAMPAIGN_COLUMNS}, c.cold_start FROM insights.campaigns AS c
    LEFT JOIN LATERAL ({_COUNTS}) AS counts ON true WHERE c.id = :campaign_id
""")  # nosec B608 # built from constants; values are bound
LIST_CAMPAIGNS = text(f"""
    SELECT {CAMPAIGN_COLUMNS} FROM insights.campaigns AS c
    LEFT JOIN LATERAL ({_COUNTS}) AS counts ON true ORDER BY c.id DESC
""")  # nosec B608 # built from constants; values are bound
START = text(
    "UPDATE insights.campaigns SET status = 'running' WHERE id = :id AND status = 'queued'"
)
PENDING_OF_BATCH = text("""
    SELECT customer_id, customer_type, prompt_version FROM insights.campaign_items
    WHERE campaign_id = :campaign_id AND batch = :batch AND status = 'pending'
    ORDER BY customer_id
""")
# At write time: an item of a customer who opted out since the campaign was created ends
# cancelled, never written.
CANCEL_OPTED_OUT = text("""
    UPDATE insights.campaign_items AS i SET status = 'cancelled', status_reason = 'opted_out'
    WHERE i.campaign_id = :campaign_id AND i.customer_id = ANY (CAST(:ids AS integer[]))
      AND i.status = 'pending'
      AND EXISTS (SELECT 1 FROM insights.opt_outs AS o WHERE o.customer_id = i.customer_id)
""")
LOCK_WRITABLE = text("""
    SELECT customer_id FROM insights.campaign_items
    WHERE campaign_id = :campaign_id AND customer_id = ANY (CAST(:ids AS integer[]))
      AND status = 'pending'
    ORDER BY customer_id FOR UPDATE
""")
_DRAFT_FIELDS = (
    "customer_id integer, content_type text, provider text, model text, mock boolean, "
    "prompt_version text, sources bigint[], content text, latency_ms double precision, "
    "attempts smallint, parameters jsonb, facts jsonb, review_status text, "
    "review_reasons jsonb, policy_version text, messages jsonb, data_fingerprint text, "
    "input_tokens integer, output_tokens integer, tokens_estimated boolean, "
    "cost double precision, subject text, focus text, focus_reason text"
)
# The audit rows (generated_content) and the items, in one statement.
WRITE_DRAFTS = text(f"""
    WITH drafts AS (
        SELECT * FROM jsonb_to_recordset(CAST(:drafts AS jsonb)) AS d ({_DRAFT_FIELDS})
        WHERE d.customer_id = ANY (CAST(:writable AS integer[]))
    ),
    stored AS (
        INSERT INTO insights.generated_content ({CONTENT_COLUMNS})
        SELECT {CONTENT_COLUMNS} FROM drafts
        RETURNING id, customer_id
    )
    UPDATE insights.campaign_items AS i
    SET status = 'written', generation_id = stored.id, content = drafts.content,
        subject = drafts.subject,
        review_status = drafts.review_status, review_reasons = drafts.review_reasons,
        focus = drafts.focus, focus_reason = drafts.focus_reason,
        attempts = i.attempts + 1, last_error = NULL, written_at = clock_timestamp()
    FROM stored JOIN drafts USING (customer_id)
    WHERE i.campaign_id = :campaign_id AND i.customer_id = stored.customer_id
""")  # nosec B608 # built from constants; values are bound
RECORD_FAILURES = text("""
    UPDATE insights.campaign_items AS i
    SET attempts = i.attempts + 1, last_error = f.error,
        status = CASE WHEN f.retry AND i.attempts + 1 < :max_attempts
                      THEN 'pending' ELSE 'failed' END,
        status_reason = CASE WHEN NOT f.retry THEN 'checks_failed'
                             WHEN i.attempts + 1 >= :max_attempts THEN 'provider_failed' END
    FROM jsonb_to_recordset(CAST(:failed AS jsonb)) AS f (customer_id integer, error text,
                                                          retry boolean)
    WHERE i.campaign_id = :campaign_id AND i.customer_id = f.customer_id
      AND i.status = 'pending'
""")
# The failure streak, and pausing the campaign when it reaches the limit. A batch with
# no provider failure only resets a streak that is not 0 already: the campaign row is
# then left unlocked, so concurrent batches do not queue on it.
COUNT_FAILURES = text("""
    UPDATE insights.campaigns AS c
    SET consecutive_failures = next.streak,
        status = CASE WHEN c.status = 'running' AND next.streak >= :limit
                      THEN 'paused' ELSE c.status END,
        status_reason = CASE WHEN c.status = 'running' AND next.streak >= :limit
                             THEN :reason ELSE c.status_reason END
    FROM (SELECT CASE WHEN :successes > 0 THEN :failures
                      ELSE consecutive_failures + :failures END AS streak
          FROM insights.campaigns WHERE id = :campaign_id) AS next
    WHERE c.id = :campaign_id AND (:failures > 0 OR c.consecutive_failures <> 0)
""")
# Run after the batch's transaction commits, in a statement of its own: of two last
# batches finishing together, the later check sees both commits, so one completes it.
# A campaign none of whose items could be written (all failed) ends failed.
COMPLETE = text("""
    UPDATE insights.campaigns
    SET finished_at = now(),
        status = CASE WHEN EXISTS (
                     SELECT 1 FROM insights.campaign_items WHERE campaign_id = :campaign_id
                     AND status IN ('written', 'approved', 'rejected', 'cancelled'))
                 OR NOT EXISTS (
                     SELECT 1 FROM insights.campaign_items WHERE campaign_id = :campaign_id
                     AND status = 'failed')
                 THEN 'completed' ELSE 'failed' END
    WHERE id = :campaign_id AND status = 'running' AND NOT EXISTS (
        SELECT 1 FROM insights.campaign_items
        WHERE campaign_id = :campaign_id AND status = 'pending')
    RETURNING status
""")
BATCH_LEFT = text("""
    SELECT (SELECT status FROM insights.campaigns WHERE id = :campaign_id),
           (SELECT count(*) FROM insights.campaign_items
            WHERE campaign_id = :campaign_id AND batch = :batch AND status = 'pending')
""")
PENDING_BATCHES = text("""
    SELECT DISTINCT batch FROM insights.campaign_items
    WHERE campaign_id = :campaign_id AND status = 'pending' ORDER BY batch
""")
CANCEL_ITEMS = text("""
    UPDATE insights.campaign_items SET status = 'cancelled', status_reason = 'campaign_cancelled'
    WHERE campaign_id = :campaign_id AND status = 'pending'
""")
SET_STATUS = text("""
    UPDATE insights.campaigns
    SET status = :to_status, status_reason = :reason, consecutive_failures = 0,
        finished_at = CASE WHEN :to_status = 'cancelled' THEN now() END
    WHERE id = :campaign_id AND status = ANY (CAST(:from_statuses AS text[]))
    RETURNING id
""")
ITEM_COLUMNS = (
    "campaign_id, customer_id, customer_type, prompt_version, focus, focus_reason, status, "
    "status_reason, review_status, review_reasons, generation_id, content, subject, attempts, "
    "last_error, note, reviewed_by, reviewed_at, written_at"
)
_ITEMS_MATCHING = """
    FROM insights.campaign_items
    WHERE campaign_id = :campaign_id
      AND (CAST(:status AS text) IS NULL OR status = :status)
      AND (CAST(:review_status AS text) IS NULL OR review_status = :review_status)
      AND (CAST(:customer_id AS integer) IS NULL OR customer_id = :customer_id)
"""
ITEMS_COUNT = text(f"SELECT count(*) {_ITEMS_MATCHING}")  # nosec B608 # built from constants; values are bound
ITEMS_PAGE = text(f"""
    SELECT {ITEM_COLUMNS} {_ITEMS_MATCHING} ORDER BY customer_id LIMIT :limit OFFSET :offset
""")  # nosec B608 # built from constants; values are bound
ITEM_FOR_REVIEW = text("""
    SELECT i.status, i.review_status, c.status AS campaign_status,
           EXISTS (SELECT 1 FROM insights.opt_outs AS o WHERE o.customer_id = i.customer_id)
               AS opted_out
    FROM insights.campaign_items AS i JOIN insights.campaigns AS c ON c.id = i.campaign_id
    WHERE i.campaign_id = :campaign_id AND i.customer_id = :customer_id
    FOR UPDATE OF i
""")
REVIEW_ITEM = text(f"""
    UPDATE insights.campaign_items
    SET status = :verdict, note = :note, reviewed_by = :actor, reviewed_at = now()
    WHERE campaign_id = :campaign_id AND customer_id = :customer_id
    RETURNING {ITEM_COLUMNS}
""")  # nosec B608 # built from constants; values are bound
APPROVE_CLEAR = text("""
    UPDATE insights.campaign_items AS i
    SET status = 'approved', reviewed_by = :actor, reviewed_at = now()
    WHERE i.campaign_id = :campaign_id AND i.status = 'written' AND i.review_status = 'clear'
      AND NOT EXISTS (SELECT 1 FROM insights.opt_outs AS o WHERE o.customer_id = i.customer_id)
""")
APPROVED = text(f"""
    SELECT {ITEM_COLUMNS} FROM insights.campaign_items
    WHERE campaign_id = :campaign_id AND status = 'approved' ORDER BY customer_id
""")  # nosec B608 # built from constants; values are bound
# An opt-out: every item of the customer not yet approved (pending, or written and
# waiting for review) is cancelled, whatever its campaign's state.
CANCEL_CUSTOMER = text("""
    UPDATE insights.campaign_items SET status = 'cancelled', status_reason = 'opted_out'
    WHERE customer_id = :customer_id AND status IN ('pending', 'written')
""")
