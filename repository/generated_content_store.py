"""Stored generations in PostgreSQL, and in memory for tests."""

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Engine, text

from repository.engine import single_statements
from repository.generated_content import (
    AbstractGeneratedContentRepository,
    NewContent,
    StoredContent,
)

_COLUMNS = (
    "customer_id, content_type, provider, model, mock, prompt_version, sources, content, "
    "latency_ms, attempts, parameters, facts"
)
_INSERT = text(f"""
    INSERT INTO insights.generated_content ({_COLUMNS})
    VALUES (:customer_id, :content_type, :provider, :model, :mock, :prompt_version,
            CAST(:sources AS bigint[]), :content, :latency_ms, :attempts,
            CAST(:parameters AS jsonb), CAST(:facts AS jsonb))
    RETURNING id, created_at
""")
_SELECT = text(f"SELECT {_COLUMNS}, id, created_at FROM insights.generated_content WHERE id = :id")


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
        if row is None:
            return None
        fields = dict(row)
        content_id = fields.pop("id")
        sources = tuple(fields.pop("sources"))
        return StoredContent(**fields, sources=sources, content_id=content_id)


class InMemoryGeneratedContentRepository(AbstractGeneratedContentRepository):
    """Generations kept in a dict by id."""

    def __init__(self) -> None:
        self.stored: dict[UUID, StoredContent] = {}

    def add(self, content: NewContent) -> StoredContent:
        stored = StoredContent(**vars(content), content_id=uuid4(), created_at=datetime.now(UTC))
        self.stored[stored.content_id] = stored
        return stored

    def _get(self, content_id: UUID) -> StoredContent | None:
        return self.stored.get(content_id)
