"""Every piece of generated text, kept in PostgreSQL so the business can audit what was produced."""

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, text

from repository.customers import EVERY_CUSTOMER
from repository.engine import retry_if_partition_detached, single_statements
from repository.errors import InvalidInput, NotFound
from repository.model import fingerprint_sql

CONTENT_TYPES = ("email", "call_script", "summary")


@dataclass(frozen=True)
class NewContent:
    """A generation about to be stored."""

    customer_id: int
    content_type: str  # one of CONTENT_TYPES
    provider: str  # "mock", "openai", "ollama"; "none" when no model was asked
    model: str | None
    mock: bool  # True when the text was written by the mock model
    prompt_version: str | None
    sources: tuple[int, ...]  # ids of the interactions the text was grounded on
    content: str
    latency_ms: float  # time spent in the model, all attempts
    attempts: int  # model calls it took (0 when no model was asked)
    # What the caller asked for (tone, max_words, focus) and, for a summary, its facts.
    parameters: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] | None = None
    # For a summary: the fingerprint of the customer's data it was written from (see
    # CustomerProfile.fingerprint), which the summary cache matches. None: never reused.
    data_fingerprint: str | None = None
    # Summed over every model call; None when the provider did not report them.
    input_tokens: int | None = None
    output_tokens: int | None = None
    tokens_estimated: bool = False  # counted by the service (the mock), not the provider
    cost: float | None = None  # from the configured price table; None for an unpriced model


@dataclass(frozen=True)
class StoredContent(NewContent):
    """A stored generation, with the id and time the database gave it."""

    content_id: UUID = field(kw_only=True)
    created_at: datetime = field(kw_only=True)
    # True when this request was answered with an earlier generation (the summary cache).
    cached: bool = field(default=False, kw_only=True)


USAGE_GROUPS = ("model", "prompt_version", "content_type")


@dataclass(frozen=True)
class UsageRow:
    """Totals of the generations of one group (``key`` None: the column was empty)."""

    key: str | None
    generations: int
    input_tokens: int
    output_tokens: int
    without_tokens: int  # generations whose provider reported no usage
    tokens_estimated: bool  # some counts were estimated by the service
    cost: float
    unpriced: int  # generations without a cost (a model missing from the price table)


class AbstractGeneratedContentRepository(ABC):
    """Store generations and read them back by id."""

    @abstractmethod
    def add(self, content: NewContent) -> StoredContent:
        """Store one generation and return it with its new id and creation time."""

    def get(self, content_id: UUID) -> StoredContent:
        """Return one stored generation.

        Raises:
            NotFound: nothing is stored under ``content_id``.
        """
        stored = self._get(content_id)
        if stored is None:
            raise NotFound(f"generated content {content_id} not found")
        return stored

    @abstractmethod
    def _get(self, content_id: UUID) -> StoredContent | None:
        """Return the generation, or None."""

    @abstractmethod
    def cached_summary(
        self, customer_id: int, prompt_version: str | None, provider: str, model: str | None
    ) -> StoredContent | None:
        """Return the newest summary still valid for this customer and writer, or None.

        Valid: written from the customer's current fingerprint by this prompt version,
        provider and model, or without a model (a customer without interactions, whose
        fingerprint then says they still have none). Returned marked ``cached``.
        """

    def usage(
        self, since: datetime | None, until: datetime | None, group_by: str
    ) -> list[UsageRow]:
        """Return usage totals of generations created in [since, until), one row per group.

        Raises:
            InvalidInput: ``group_by`` is not one of USAGE_GROUPS.
        """
        if group_by not in USAGE_GROUPS:
            raise InvalidInput(f"group_by must be one of {', '.join(USAGE_GROUPS)}")
        return self._usage(since, until, group_by)

    @abstractmethod
    def _usage(
        self, since: datetime | None, until: datetime | None, group_by: str
    ) -> list[UsageRow]:
        """Return the groups' totals, ordered by key (None last)."""


_COLUMNS = (
    "customer_id, content_type, provider, model, mock, prompt_version, sources, content, "
    "latency_ms, attempts, parameters, facts, data_fingerprint, input_tokens, output_tokens, "
    "tokens_estimated, cost"
)
_INSERT = text(f"""
    INSERT INTO insights.generated_content ({_COLUMNS})
    VALUES (:customer_id, :content_type, :provider, :model, :mock, :prompt_version,
            CAST(:sources AS bigint[]), :content, :latency_ms, :attempts,
            CAST(:parameters AS jsonb), CAST(:facts AS jsonb), :data_fingerprint, :input_tokens,
            :output_tokens, :tokens_estimated, :cost)
    RETURNING id, created_at
""")
_SELECT = text(f"SELECT {_COLUMNS}, id, created_at FROM insights.generated_content WHERE id = :id")
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
     AND g.data_fingerprint = {fingerprint_sql("customer", "own")}
     AND (g.provider = 'none' OR (g.provider = :provider
          AND g.model IS NOT DISTINCT FROM :model
          AND g.prompt_version IS NOT DISTINCT FROM :prompt_version))
    ORDER BY g.created_at DESC LIMIT 1
""")
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
