"""Turn configuration into concrete repositories: the one composition root for data access."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from repository.customer_history import AbstractInteractionRepository
from repository.customers import (
    AbstractCustomerRepository,
    InMemoryCustomerRepository,
    PostgresCustomerRepository,
)
from repository.embedded import start_embedded_postgres
from repository.engine import build_engine
from repository.generated_content import AbstractGeneratedContentRepository
from repository.generated_content_store import (
    InMemoryGeneratedContentRepository,
    PostgresGeneratedContentRepository,
)
from repository.health import AbstractHealthRepository, PostgresHealthRepository
from repository.ingestion import AbstractIngestionRepository, PostgresIngestionRepository
from repository.interactions_store import (
    InMemoryInteractionRepository,
    PostgresInteractionRepository,
)
from repository.memory import InMemoryHealthRepository, InMemoryStatisticsRepository
from repository.migrations import migration_ids
from repository.statistics import AbstractStatisticsRepository, PostgresStatisticsRepository


@dataclass
class Repositories:
    """Every repository the service uses, and the engine behind them (if any)."""

    statistics: AbstractStatisticsRepository
    health: AbstractHealthRepository
    # Loading data needs PostgreSQL (COPY, advisory locks); the memory backend has none.
    ingestion: AbstractIngestionRepository | None = None
    engine: Engine | None = None
    customers: AbstractCustomerRepository = field(default_factory=InMemoryCustomerRepository)
    interactions: AbstractInteractionRepository = field(
        default_factory=InMemoryInteractionRepository
    )
    generated_content: AbstractGeneratedContentRepository = field(
        default_factory=InMemoryGeneratedContentRepository
    )

    def close(self) -> None:
        """Release pooled connections."""
        if self.engine is not None:
            self.engine.dispose()


def resolve_database_url(config: Mapping[str, Any]) -> str:
    """Return DATABASE_URL, starting the embedded server when it is unset."""
    return config["DATABASE_URL"] or start_embedded_postgres(config["EMBEDDED_PG_DIR"])


def build_repositories(config: Mapping[str, Any]) -> Repositories:
    """Build the repositories that ``config["REPOSITORY_BACKEND"]`` names."""
    if config["REPOSITORY_BACKEND"] == "memory":
        return Repositories(
            statistics=InMemoryStatisticsRepository(),
            health=InMemoryHealthRepository(migration_ids(config["MIGRATIONS_DIR"])),
            customers=InMemoryCustomerRepository(),
        )
    engine = build_engine(
        resolve_database_url(config),
        pool_size=config["DB_POOL_SIZE"],
        pool_timeout_s=config["DB_POOL_TIMEOUT_S"],
        statement_timeout_ms=config["DB_STATEMENT_TIMEOUT_MS"],
        lock_timeout_ms=config["DB_LOCK_TIMEOUT_MS"],
        connect_timeout_s=config["DB_CONNECT_TIMEOUT_S"],
        keepalives_idle_s=config["DB_KEEPALIVES_IDLE_S"],
        keepalives_interval_s=config["DB_KEEPALIVES_INTERVAL_S"],
        keepalives_count=config["DB_KEEPALIVES_COUNT"],
        tcp_user_timeout_ms=config["DB_TCP_USER_TIMEOUT_MS"],
        stall_timeout_s=config["DB_STALL_TIMEOUT_S"],
    )
    return Repositories(
        statistics=PostgresStatisticsRepository(engine),
        health=PostgresHealthRepository(engine),
        ingestion=PostgresIngestionRepository(engine, config["INGEST_LOCK_TIMEOUT_S"]),
        engine=engine,
        customers=PostgresCustomerRepository(engine),
        interactions=PostgresInteractionRepository(engine),
        generated_content=PostgresGeneratedContentRepository(engine),
    )
