"""Turn configuration into concrete repositories: the one composition root for data access."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from repository.api_keys import AbstractApiKeyRepository
from repository.api_keys_postgres import PostgresApiKeyRepository
from repository.campaigns_postgres import PostgresCampaignRepository
from repository.consent import AbstractConsentRepository, PostgresConsentRepository
from repository.contacts import AbstractContactRepository, PostgresContactRepository
from repository.customer_history import (
    AbstractCustomerHistoryRepository,
)
from repository.customer_history_postgres import PostgresCustomerHistoryRepository
from repository.customers import AbstractCustomerRepository, PostgresCustomerRepository
from repository.deliveries import PostgresDeliveryRepository
from repository.embedded import start_embedded_postgres
from repository.engine import build_engine
from repository.feedback import PostgresFeedbackRepository
from repository.generated_content import (
    AbstractGeneratedContentRepository,
)
from repository.generated_content_postgres import PostgresGeneratedContentRepository
from repository.health import AbstractHealthRepository, PostgresHealthRepository
from repository.ingestion import AbstractIngestionRepository, PostgresIngestionRepository
from repository.local_secrets import read_or_create_secret
from repository.operations import AbstractOperationsRepository, PostgresOperationsRepository
from repository.research_log import AbstractResearchLogRepository, PostgresResearchLogRepository
from repository.semantic import AbstractSemanticRepository
from repository.semantic_postgres import PostgresSemanticRepository
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
    consent: AbstractConsentRepository
    contacts: AbstractContactRepository
    # Set only with READ_DATABASE_URL: the replica's engine and data-version probe, and
    # these same repositories with their read side on the primary, for a request whose
    # client has seen a newer data version than the replica has replayed.
    read_engine: Engine | None = None
    read_health: AbstractHealthRepository | None = None
    primary: "Repositories | None" = None

    def served_version(self) -> int | None:
        """Return the data version the read side serves: the replica's, if there is one."""
        return (self.read_health or self.health).data_version()

    def on_primary(self) -> "Repositories":
        """Return these repositories with every read on the primary."""
        return self.primary or self

    # What /metrics reads at scrape time; None for an app on injected fakes.
    operations: AbstractOperationsRepository | None = None
    # Issue 16: the semantic query layer and the research assistant's audit log (None only
    # for apps built on fakes that do not serve research).
    semantic: AbstractSemanticRepository | None = None
    research_log: AbstractResearchLogRepository | None = None
    # Campaigns (issue 14); None for an app built on fakes, which cannot run them.
    campaigns: PostgresCampaignRepository | None = None
    # Delivery (issue 15); None for an app built on fakes.
    deliveries: PostgresDeliveryRepository | None = None
    feedback: PostgresFeedbackRepository | None = None

    def close(self) -> None:
        """Release pooled connections."""
        for engine in (self.engine, self.read_engine):
            if engine is not None:
                engine.dispose()


def resolve_database_url(config: Mapping[str, Any]) -> str:
    """Return DATABASE_URL, starting the embedded server when it is unset."""
    return config["DATABASE_URL"] or start_embedded_postgres(config["EMBEDDED_PG_DIR"])


def api_key_pepper(config: Mapping[str, Any]) -> bytes:
    """Return API_KEY_PEPPER, else the one generated once into the local data folder."""
    pepper = config["API_KEY_PEPPER"]
    if not pepper:
        pepper = read_or_create_secret(Path(config["LOCAL_DATA_DIR"]) / "api_key_pepper")
    return pepper.encode()


def unsubscribe_secret(config: Mapping[str, Any]) -> bytes:
    """Return UNSUBSCRIBE_SECRET, else the one generated once into the local data folder."""
    secret = config["UNSUBSCRIBE_SECRET"]
    if not secret:
        secret = read_or_create_secret(Path(config["LOCAL_DATA_DIR"]) / "unsubscribe_secret")
    return secret.encode()


def read_side(engine: Engine, lease: bool = False) -> dict[str, Any]:
    """Build the read-only repositories on ``engine``: all that a replica may serve.

    This is the one place that picks them; a new read-only repository (semantic query,
    research) joins here. One belongs here only if it never writes and its readers accept
    data as recent as the served data version (api/data_version.py guards that per
    client). Writes, loads, jobs, API keys and the generated-content audit stay on the
    primary. ``lease``: hold the version loads push, which only a primary can (its
    notifications and advisory locks do not reach a replica).
    """
    return {
        "statistics": PostgresStatisticsRepository(engine),
        "customers": PostgresCustomerRepository(engine),
        "customer_history": PostgresCustomerHistoryRepository(engine),
        "read_health": PostgresHealthRepository(engine, lease),
        "semantic": PostgresSemanticRepository(engine),
    }


def build_repositories(config: Mapping[str, Any]) -> Repositories:
    """Build the PostgreSQL repositories for the database(s) ``config`` names."""
    engine = _engine(config, resolve_database_url(config))
    api_keys = PostgresApiKeyRepository(engine, lambda: api_key_pepper(config))
    api_keys.trust_verified_for(config.get("API_KEY_CACHE_S", 0))
    repositories = Repositories(
        **read_side(engine, lease=config.get("DATA_VERSION_LEASE", False)),
        health=PostgresHealthRepository(engine),
        generated_content=PostgresGeneratedContentRepository(engine),
        ingestion=PostgresIngestionRepository(engine, config["INGEST_LOCK_TIMEOUT_S"]),
        engine=engine,
        api_keys=api_keys,
        consent=PostgresConsentRepository(engine),
        contacts=PostgresContactRepository(engine),
        operations=PostgresOperationsRepository(engine),
        research_log=PostgresResearchLogRepository(engine),
        campaigns=PostgresCampaignRepository(engine),
        deliveries=PostgresDeliveryRepository(engine),
        feedback=PostgresFeedbackRepository(engine),
    )
    if not config.get("READ_DATABASE_URL"):
        return repositories
    read_engine = _engine(config, config["READ_DATABASE_URL"])
    return replace(repositories, **read_side(read_engine), read_engine=read_engine,
                   primary=repositories)  # fmt: skip


def _engine(config: Mapping[str, Any], url: str) -> Engine:
    return build_engine(
        url,
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
