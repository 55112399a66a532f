"""The SQL of an ingestion load: staging tables, then a new version keyed on natural keys."""

from sqlalchemy import Connection, text


def execute_all(
    connection: Connection,
    statements: tuple[str, ...],
    params: dict | None = None,
    versions: dict[str, int] | None = None,
) -> None:
    """Run statements one by one: psycopg 3 binds parameters per single statement.

    ``versions`` fills the {new} and {old} version numbers into table names.
    """
    for statement in statements:
        connection.execute(text(statement.format(**versions or {})), params or {})


# Staging tables live only inside the transaction that fills them.
STAGING_DDL = (
    """
    CREATE TEMP TABLE stg_product_months (
        month DATE, product TEXT, source_row INTEGER
    ) ON COMMIT DROP
    """,
)
# For interactions that cannot be COPYed straight in, on the session filling them
# (interactions_fill.py).
INTERACTION_STAGING_DDL = (
    """
    CREATE TEMP TABLE stg_interactions (
        occurred_us BIGINT, customer_id INTEGER, channel_code INTEGER, topic_code INTEGER,
        sentiment_code INTEGER, source_row INTEGER, seq INTEGER
    ) ON COMMIT DROP
    """,
    # The text behind each code of stg_interactions; code 0 (absent here) stands for NULL.
    """
    CREATE TEMP TABLE stg_labels (
        dimension TEXT, code INTEGER, label TEXT, PRIMARY KEY (dimension, code)
    ) ON COMMIT DROP
    """,
)


def _label(dimension: str) -> str:
    """Return the expression giving a staged row's ``dimension`` label back for its code.

    Codes run 1..n, so the labels gathered in code order form an array indexed by code;
    the subquery runs once per statement, and code 0 (NULL) falls outside the array and
    reads NULL. Three joins to stg_labels cost 0.2 s of server CPU more on a million rows.
    """
    labels = "SELECT array_agg(label ORDER BY code) FROM stg_labels WHERE dimension = %s"
    labels %= f"'{dimension}'"  # nosec B608 # one of three constant names
    return f"({labels})[s.{dimension}_code] AS {dimension}"  # nosec B608 # constant names


# The staged interactions with their labels back in place of the codes.
_STAGED_INTERACTIONS = f"""(
    SELECT s.occurred_us, s.customer_id, {_label("channel")}, {_label("topic")},
           {_label("sentiment")}, s.source_row, s.seq
    FROM stg_interactions AS s
)"""  # nosec B608 # built from constants only

# Temporary tables get no statistics of their own; the merges need them for good plans.
ANALYZE_STAGED_MONTHS = ("ANALYZE stg_product_months",)
ANALYZE_STAGED_INTERACTIONS = ("ANALYZE stg_interactions", "ANALYZE stg_labels")

# Tables named with {new} are the partitions of the version being built, {old} of the
# served one (insights.<table>_v<version>); the caller fills both numbers in.

# Products are shared by every version: names are only added, and removed once no
# version's product months name them.
MERGE_PRODUCTS = (
    """
    INSERT INTO insights.products (name)
    SELECT DISTINCT product FROM stg_product_months
    ON CONFLICT (name) DO NOTHING
    """,
    """
    INSERT INTO insights.product_months_v{new} (month, product_id, run_id, source_sheet, source_row)
    SELECT s.month, p.id, :run_id, 'products', s.source_row
    FROM stg_product_months AS s JOIN insights.products AS p ON p.name = s.product
    """,
    """
    DELETE FROM insights.products AS p
    WHERE NOT EXISTS (SELECT 1 FROM insights.product_months AS pm WHERE pm.product_id = p.id)
    """,
)

# Interactions are copied wholesale into the new version, which is several times faster
# than upserting a million rows through two indexes: each staged row first takes the id
# its natural key had in the served version (a new one otherwise), so ids stay stable
# from one ingestion to the next.
# Memory for the id lookup's hash join, then for building the new partition's indexes.
INDEX_MEMORY = ("SET LOCAL work_mem = '64MB'", "SET LOCAL maintenance_work_mem = '256MB'")

KEY_INTERACTIONS = (
    f"""
    CREATE TEMP TABLE kept_interaction_ids ON COMMIT DROP AS
    SELECT s.source_row, i.id
    FROM {_STAGED_INTERACTIONS} AS s
    JOIN insights.interactions_v{{old}} AS i
        ON i.occurred_at = timestamp 'epoch' + s.occurred_us * interval '1 microsecond'
       AND i.customer_id = s.customer_id
       AND COALESCE(i.channel, '') = COALESCE(s.channel, '')
       AND COALESCE(i.topic, '') = COALESCE(s.topic, '')
       AND COALESCE(i.sentiment, '') = COALESCE(s.sentiment, '')
    """,  # nosec B608 # table names are constants; {old}/{new} are integer versions the load reads from the database
)

# New rows take ids from one block reserved by RESERVE_IDS: the staged row at position
# ``seq`` (0, 1, ...) gets ``:first_id + seq`` (a nextval per row, or a window function
# numbering the rows, is slower).
INSERT_INTERACTIONS = f"""
    INSERT INTO insights.interactions_v{{new}}
        (id, occurred_at, customer_id, channel, topic, sentiment, run_id, source_sheet, source_row)
    SELECT COALESCE(k.id, :first_id + s.seq),
           timestamp 'epoch' + s.occurred_us * interval '1 microsecond',
           s.customer_id, s.channel, s.topic, s.sentiment, :run_id, 'interactions', s.source_row
    FROM {_STAGED_INTERACTIONS} AS s
    LEFT JOIN kept_interaction_ids AS k ON k.source_row = s.source_row
"""  # nosec B608 # table names are constants; {old}/{new} are integer versions the load reads from the database

# The same when no staged row matched a stored one (a first load): no join to pay for.
INSERT_NEW_INTERACTIONS = f"""
    INSERT INTO insights.interactions_v{{new}}
        (id, occurred_at, customer_id, channel, topic, sentiment, run_id, source_sheet, source_row)
    SELECT :first_id + s.seq,
           timestamp 'epoch' + s.occurred_us * interval '1 microsecond',
           s.customer_id, s.channel, s.topic, s.sentiment, :run_id, 'interactions', s.source_row
    FROM {_STAGED_INTERACTIONS} AS s
"""  # nosec B608 # table names are constants; {old}/{new} are integer versions the load reads from the database

# Returns the first id of a block of :n ids, moving the sequence past the block.
RESERVE_IDS = """
    SELECT setval(seq, nextval(seq) + :n - 1) - :n + 1
    FROM pg_get_serial_sequence('insights.interactions', 'id') AS seq
"""

LEGACY_SQL = {
    "customers": "SELECT customer_id, occupation, type FROM public.customers ORDER BY ctid",
    "interactions": "SELECT date_start, event AS channel, customers AS customer_id "
    "FROM public.interactions ORDER BY ctid",
    "products": "SELECT date AS month, product FROM public.products ORDER BY ctid",
}
