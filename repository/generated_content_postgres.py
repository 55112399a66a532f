"""Generated content in ``insights.generated_content``: the PostgreSQL repository."""

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, text

from repository.customers import EVERY_CUSTOMER
from repository.engine import page_and_total, retry_if_partition_detached, single_statements
from repository.generated_content import (
    AbstractGeneratedContentRepository,
    ContentFilter,
    NewContent,
    StoredContent,
    UsageRow,
    day_bounds,
)
from repository.model import fingerprint_sql

_COLUMNS = (
    "customer_id, content_type, provider, model, mock, prompt_version, sources, content, "
    "latency_ms, attempts, parameters, facts, review_status, review_reasons, policy_version, "
    "messages, data_fingerprint, input_tokens, output_tokens, tokens_estimated, cost, subject"
)
_INSERT = text(f"""
    INSERT INTO insights.generated_content ({_COLUMNS})
    VALUES (:customer_id, :content_type, :provider, :model, :mock, :prompt_version,
            CAST(:sources AS bigint[]), :content, :latency_ms, :attempts,
            CAST(:parameters AS jsonb), CAST(:facts AS jsonb), :review_status,
            CAST(:review_reasons AS jsonb), :policy_version, CAST(:messages AS jsonb),
            :data_fingerprint, :input_tokens, :output_tokens, :tokens_estimated, :cost, :subject)
    RETURNING id, created_at
""")  # nosec B608 # built from constants; values are bound
_SELECT = text(f"SELECT {_COLUMNS}, id, created_at FROM insights.generated_content WHERE id = :id")  # nosec B608 # built from constants; values are bound
_MATCHING = """
    FROM insights.generated_content
    WHERE (CAST(:review_status AS text) IS NULL OR review_status = :review_status)
      AND (CAST(:customer_id AS integer) IS NULL OR customer_id = :customer_id)
      AND (CAST(:start AS timestamptz) IS NULL OR created_at >= :start)
      AND (CAST(:end AS timestamptz) IS NULL OR created_at < :end)
      AND (CAST(:content_type AS text) IS NULL OR content_type = :content_type)
"""
_LIST_COUNT = text(f"SELECT count(*) {_MATCHING}")  # nosec B608 # built from constants; values are bound
_LIST_PAGE = text(f"""
    SELECT {_COLUMNS}, id, created_at {_MATCHING}
    ORDER BY created_at DESC, id DESC
    LIMIT :limit OFFSET :offset
""")  # nosec B608 # built from constants; values are bound
# The fingerprint is computed here, in the lookup's own statement: a cache hit then costs
# one round trip, not a profile read and a lookup.
_CACHED_SUMMARY = text(f"""
    WITH own AS (
        SELECT id, occurred_at, channel, topic, sentiment, product
        FROM insights.interaction_facts WHERE customer_id = :customer_id
    ),
    {EVERY_CUSTOMER}
    SELECT {", ".join("g." + column.strip() for column in _COLUMNS.split(","))},
           g.id, g.created_at
    FROM (SELECT 1) AS one
    LEFT JOIN every_customer AS customer ON customer.customer_id = :customer_id
    JOIN insights.generated_content AS g
      ON g.customer_id = :customer_id AND g.content_type = 'summary'
     AND g.review_status <> 'blocked'
     AND g.data_fingerprint = {fingerprint_sql("customer", "own")}
     AND (g.provider = 'none' OR (g.provider = :provider
          AND g.model IS NOT DISTINCT FROM :model
          AND g.prompt_version IS NOT DISTINCT FROM :prompt_version))
    ORDER BY g.created_at DESC LIMIT 1
""")  # nosec B608 # built from constants; values are bound
# {key} is one of USAGE_GROUPS, checked before it is put in: never a caller's text.
_USAGE = """
    SELECT {key} AS key, count(*) AS generations,
           COALESCE(sum(input_tokens), 0) AS input_tokens,
           COALESCE(sum(output_tokens), 0) AS output_tokens,
           count(*) FILTER (WHERE input_tokens IS NULL OR output_tokens IS NULL) AS without_tokens,
           bool_or(tokens_estimated) AS tokens_estimated,
           COALESCE(sum(cost), 0) AS cost,
           count(*) FILTER (WHERE cost IS NULL) AS unpriced
    FROM insights.generated_content
    WHERE (CAST(:since AS timestamptz) IS NULL OR created_at >= :since)
      AND (CAST(:until AS timestamptz) IS NULL OR created_at < :until)
    GROUP BY 1 ORDER BY 1 NULLS LAST
"""


class PostgresGeneratedContentRepository(AbstractGeneratedContentRepository):
    """Generations kept in ``insights.generated_content``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, content: NewContent) -> StoredContent:
        params: dict[str, Any] = {
            **vars(content),
            "sources": list(content.sources),
            "parameters": json.dumps(content.parameters),
            "facts": None if content.facts is None else json.dumps(content.facts),
            "review_reasons": json.dumps(content.review_reasons),
            "messages": None if content.messages is None else json.dumps(content.messages),
        }
        # One INSERT is atomic on its own: no BEGIN/COMMIT round trips around it.
        with single_statements(self._engine) as connection:
            content_id, created_at = connection.execute(_INSERT, params).one()
        return StoredContent(**vars(content), content_id=content_id, created_at=created_at)

    def _get(self, content_id: UUID) -> StoredContent | None:
        with single_statements(self._engine) as connection:
            row = connection.execute(_SELECT, {"id": content_id}).mappings().one_or_none()
        return None if row is None else _stored(dict(row))

    @retry_if_partition_detached
    def cached_summary(
        self, customer_id: int, prompt_version: str | None, provider: str, model: str | None
    ) -> StoredContent | None:
        params = {"customer_id": customer_id, "prompt_version": prompt_version,
                  "provider": provider, "model": model}  # fmt: skip
        with single_statements(self._engine) as connection:
            row = connection.execute(_CACHED_SUMMARY, params).mappings().one_or_none()
        return None if row is None else _stored(dict(row), cached=True)

    def _usage(
        self, since: datetime | None, until: datetime | None, group_by: str
    ) -> list[UsageRow]:
        statement = text(_USAGE.format(key=group_by))
        with single_statements(self._engine) as connection:
            rows = connection.execute(statement, {"since": since, "until": until}).mappings()
            return [
                UsageRow(
                    **{
                        **row,
                        "cost": float(row["cost"]),
                        "tokens_estimated": bool(row["tokens_estimated"]),
                    }
                )
                for row in rows
            ]

    def _matching(
        self, filters: ContentFilter, limit: int, offset: int
    ) -> tuple[list[StoredContent], int]:
        start, end = day_bounds(filters)
        params = {
            "review_status": filters.review_status,
            "customer_id": filters.customer_id,
            "content_type": filters.content_type,
            "start": start,
            "end": end,
            "limit": limit,
            "offset": offset,
        }
        rows, total = page_and_total(self._engine, _LIST_COUNT, _LIST_PAGE, params)
        return [_stored(dict(row._mapping)) for row in rows], total


def _stored(fields: dict[str, Any], cached: bool = False) -> StoredContent:
    """Build a StoredContent from a row of _COLUMNS, id and created_at."""
    content_id = fields.pop("id")
    sources = tuple(fields.pop("sources"))
    cost = fields.pop("cost")
    return StoredContent(
        **fields,
        sources=sources,
        cost=None if cost is None else float(cost),
        content_id=content_id,
        cached=cached,
    )
