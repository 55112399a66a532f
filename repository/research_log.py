"""The research assistant's audit trail: every question, its plan and the answer given."""

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from repository.engine import single_statements
from repository.model import CURRENT_VERSION_SQL


@dataclass(frozen=True)
class ResearchEntry:
    """One question and what was answered, as stored."""

    question: str
    answered: bool
    answer: str
    plan: dict[str, Any]  # the kind of question and the semantic queries run
    figures: list[dict[str, Any]]
    citations: tuple[int, ...]
    model: str
    mock: bool
    prompt_version: str
    duration_ms: int


@dataclass(frozen=True)
class StoredResearch:
    """A stored entry with its id and when it was asked."""

    id: int
    asked_at: datetime
    entry: ResearchEntry


class AbstractResearchLogRepository(ABC):
    """Store and read back research questions."""

    @abstractmethod
    def add(self, entry: ResearchEntry) -> int:
        """Store ``entry``; return its id."""

    @abstractmethod
    def recent(self, limit: int) -> list[StoredResearch]:
        """Return the latest ``limit`` entries, newest first."""


# One autocommit statement: one round trip, not BEGIN, INSERT and COMMIT. It waits for
# the WAL flush like every other write: the log is an audit trail, so an entry a client
# was answered with must survive a crash of the database.
_INSERT = text(f"""
    INSERT INTO insights.research_log (question, answered, answer, plan, figures, citations,
        model, mock, prompt_version, data_version, duration_ms)
    VALUES (:question, :answered, :answer, CAST(:plan AS jsonb), CAST(:figures AS jsonb),
        :citations, :model, :mock, :prompt_version, {CURRENT_VERSION_SQL}, :duration_ms)
    RETURNING id
""")  # nosec B608 # built from constants; values are bound
_RECENT = text("""
    SELECT id, asked_at, question, answered, answer, plan, figures, citations, model, mock,
           prompt_version, duration_ms
    FROM insights.research_log ORDER BY asked_at DESC, id DESC LIMIT :limit
""")


class PostgresResearchLogRepository(AbstractResearchLogRepository):
    """Research questions kept in insights.research_log."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, entry: ResearchEntry) -> int:
        params = {
            **entry.__dict__,
            "plan": json.dumps(entry.plan, default=str),
            "figures": json.dumps(entry.figures, default=str),
            "citations": list(entry.citations),
        }
        with single_statements(self._engine) as connection:
            return int(connection.execute(_INSERT, params).scalar_one())

    def recent(self, limit: int) -> list[StoredResearch]:
        with self._engine.connect() as connection:
            rows = connection.execute(_RECENT, {"limit": limit}).all()
        return [StoredResearch(row.id, row.asked_at, _entry(row)) for row in rows]


def _entry(row: Any) -> ResearchEntry:
    return ResearchEntry(
        row.question, row.answered, row.answer, row.plan, row.figures, tuple(row.citations),
        row.model, row.mock, row.prompt_version, row.duration_ms,
    )  # fmt: skip
