"""Turn configuration into concrete repositories: the one composition root for data access."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from repository.api_keys import AbstractApiKeyRepository, PostgresApiKeyRepository
from repository.campaigns_postgres import PostgresCampaignRepository
from repository.customer_history import (
    AbstractCustomerHistoryRepository,
)
from repository.customer_history_postgres import PostgresCustomerHistoryRepository
from repository.customers import AbstractCustomerRepository, PostgresCustomerRepository
from repository.embedded import start_embedded_postgres
from repository.engine import build_engine
from repository.generated_content import (
    AbstractGeneratedContentRepository,
)
from repository.generated_content_postgres import PostgresGeneratedContentRepository
from repository.health import AbstractHealthRepository, PostgresHealthRepository
from repository.ingestion import AbstractIngestionRepository, PostgresIngestionRepository
from repository.local_secrets import read_or_create_secret
from repository.statistics import AbstractStatisticsRepository, PostgresStatisticsRepository


@dataclass
class Repositories:
    """Every repository the service uses, and the engine behind them.

    ``ingestion`` and ``engine`` are None only for an app built on injected fakes, which
    can serve but not load data.
    """

    statistics: AbstractStatisticsRepository
    health: AbstractHealthRepository
    customers: AbstractCustomerRepository
    customer_history: AbstractCustomerHistoryRepository
    generated_content: AbstractGeneratedContentRepository
    ingestion: AbstractIngestionRepository | None
    engine: Engine | None
    api_keys: AbstractApiKeyRepository
    # Campaigns (issue 14); None for an app built on fakes, which cannot run them.
    campaigns: PostgresCampaignRepository | None = None

    def close(self) -> None:
        """Release pooled connections."""
        if self.engine is not None:
            self.engine.dispose()


def resolve_database_url(config: Mapping[str, Any]) -> str:
    """Return DATABASE_URL, starting the embedded server when it is unset."""
    return config["DATABASE_URL"] or start_embedded_postgres(config["EMBEDDED_PG_DIR"])


def api_key_pepper(config: Mapping[str, Any]) -> bytes:
    """Return API_KEY_PEPPER, else the one generated once into the local data folder."""
    pepper = config["API_KEY_PEPPER"]
    if not pepper:
        pepper = read_or_create_secret(Path(config["LOCAL_DATA_DIR"]) / "api_key_pepper")
    return pepper.encode()


def build_repositories(config: Mapping[str, Any]) -> Repositories:
    """Build the PostgreSQL repositories for the database ``config`` names."""
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
        customers=PostgresCustomerRepository(engine),
        customer_history=PostgresCustomerHistoryRepository(engine),
        generated_content=PostgresGeneratedContentRepository(engine),
        ingestion=PostgresIngestionRepository(engine, config["INGEST_LOCK_TIMEOUT_S"]),
        engine=engine,
        api_keys=PostgresApiKeyRepository(engine, lambda: api_key_pepper(config)),
        campaigns=PostgresCampaignRepository(engine),
    )
