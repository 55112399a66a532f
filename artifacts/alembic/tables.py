"""SQLAlchemy table metadata for the tables autogenerate may compare and change.

Only the tables listed here are compared (env.py's ``include_name``): the rest of the
schema is still owned by the SQL history, and an absent table must not read as "drop it".
On adopting Alembic this module moves to repository/ and grows a table at a time.
"""

from sqlalchemy import (
    ARRAY,
    Column,
    DateTime,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    func,
)

SCHEMA = "insights"

metadata = MetaData(schema=SCHEMA)

# As migration 0011 made it (CHECK constraints are not compared by autogenerate, so they
# stay in the SQL), plus `note`: the column the example revision added.
api_keys = Table(
    "api_keys",
    metadata,
    Column("name", Text, nullable=False),
    Column("prefix", Text, nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    # What the key is for, in the operator's words (the example autogenerate revision).
    Column("note", Text),
    PrimaryKeyConstraint("name", name="api_keys_pkey"),
    UniqueConstraint("prefix", name="api_keys_prefix_key"),
)
