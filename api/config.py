"""Read the service's configuration from the environment, once, with safe local defaults.

This is the only module that reads ``os.environ``. Everything else receives the
resulting mapping (Flask's ``app.config``).
"""

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from limits import parse_many

from pipelines.ingestion.limits import DEFAULT_LIMITS as LIMITS
from repository.errors import ConfigurationError

LOG_FORMATS = ("auto", "json", "console")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LLM_PROVIDERS = ("mock", "openai", "ollama")


def _default_artifacts_dir() -> Path:
    """Prefer the source checkout's artifacts/, else the working directory's."""
    checkout = Path(__file__).resolve().parents[1] / "artifacts"
    return checkout if checkout.is_dir() else Path.cwd() / "artifacts"


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a positive integer, got {raw!r}") from None
    if value < 1:
        raise ConfigurationError(f"{name} must be a positive integer, got {raw!r}")
    return value


def _number(
    environ: Mapping[str, str], name: str, default: float, high: float, *, zero_ok: bool
) -> float:
    """Read a number above 0 (or from 0, when ``zero_ok``) and at most ``high``."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    bounds = f"from 0 to {high:g}" if zero_ok else f"above 0 and at most {high:g}"
    problem = f"{name} must be a number {bounds}, got {raw!r}"
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(problem) from None
    if not (0 < value <= high or (zero_ok and value == 0)):
        raise ConfigurationError(problem)
    return value


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    """Read a whole number that may be zero (a retry count)."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if not (raw.strip().isascii() and raw.strip().isdigit()):
        raise ConfigurationError(f"{name} must be a whole number of 0 or more, got {raw!r}")
    return int(raw)


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (environ.get(name) or default).strip()
    canonical = {choice.lower(): choice for choice in choices}.get(raw.lower())
    if canonical is None:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return canonical


def load_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the configuration as Flask-style UPPER keys.

    Raises:
        ConfigurationError: a variable is set to a value the service cannot use.
    """
    env = os.environ if environ is None else environ
    artifacts = Path(env.get("ARTIFACTS_DIR") or _default_artifacts_dir())
    return {
        # Unset means: start the embedded PostgreSQL in EMBEDDED_PG_DIR.
        "DATABASE_URL": env.get("DATABASE_URL") or None,
        "EMBEDDED_PG_DIR": env.get("EMBEDDED_PG_DIR") or ".data/postgres",
        # Optional: a replica the read-only repositories use (docs/scale-out.md).
        "READ_DATABASE_URL": env.get("READ_DATABASE_URL") or None,
        **_database_settings(env),
        # How long an ingestion waits for another one to finish before giving up.
        "INGEST_LOCK_TIMEOUT_S": _positive_int(env, "INGEST_LOCK_TIMEOUT_S", 600),
        # The largest share of a clean table's rows one load may remove (--allow-shrink: any).
        "INGEST_MAX_SHRINK": _number(env, "INGEST_MAX_SHRINK", 0.2, 1, zero_ok=True),
        # The largest source file (or unpacked workbook) an ingestion opens, and the longest
        # cell it keeps: a longer cell sends its row to quarantine as value_too_long.
        "INGEST_MAX_FILE_MB": _positive_int(env, "INGEST_MAX_FILE_MB", LIMITS.max_file_mb),
        "INGEST_MAX_CELL_CHARS": _positive_int(env, "INGEST_MAX_CELL_CHARS", LIMITS.max_cell_chars),
        "ARTIFACTS_DIR": artifacts,
        "MIGRATIONS_DIR": Path(env.get("MIGRATIONS_DIR") or artifacts / "migrations"),
        "LOG_LEVEL": _choice(env, "LOG_LEVEL", LOG_LEVELS, "INFO"),
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", LOG_FORMATS, "auto"),
        **_llm_settings(env, artifacts),
        **_access_settings(env),
        **_operations_settings(env),
        **_cache_settings(env),
        **_campaign_settings(env),
        **_delivery_settings(env),
    }


def _operations_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Metrics and tracing; docs/operations.md says how each is used."""
    return {
        # Set (by api/gunicorn_conf.py, or by hand) when several processes serve: metrics
        # are kept in files there and /metrics adds them up. prometheus-client reads the
        # same variable itself when it is imported.
        "PROMETHEUS_MULTIPROC_DIR": (env.get("PROMETHEUS_MULTIPROC_DIR") or "").strip() or None,
        # Unset: no tracing, and no OpenTelemetry module is even imported.
        "OTEL_EXPORTER_OTLP_ENDPOINT": (env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or "").strip()
        or None,
        "OTEL_SERVICE_NAME": (env.get("OTEL_SERVICE_NAME") or "").strip() or "customer-insights",
    }


def _database_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The pool and the bound on every wait on the database; README.md says why each value."""
    return {
        "DB_POOL_SIZE": _positive_int(env, "DB_POOL_SIZE", 5),
        # Waiting longer for a pooled connection than a query takes means overload: say 503.
        "DB_POOL_TIMEOUT_S": _number(env, "DB_POOL_TIMEOUT_S", 1.0, 60, zero_ok=False),
        # libpq counts whole seconds and raises anything below 2 to 2.
        "DB_CONNECT_TIMEOUT_S": _positive_int(env, "DB_CONNECT_TIMEOUT_S", 2),
        "DB_STATEMENT_TIMEOUT_MS": _positive_int(env, "DB_STATEMENT_TIMEOUT_MS", 30_000),
        "DB_LOCK_TIMEOUT_MS": _positive_int(env, "DB_LOCK_TIMEOUT_MS", 1_000),
        "DB_KEEPALIVES_IDLE_S": _positive_int(env, "DB_KEEPALIVES_IDLE_S", 5),
        "DB_KEEPALIVES_INTERVAL_S": _positive_int(env, "DB_KEEPALIVES_INTERVAL_S", 2),
        "DB_KEEPALIVES_COUNT": _positive_int(env, "DB_KEEPALIVES_COUNT", 3),
        "DB_TCP_USER_TIMEOUT_MS": _positive_int(env, "DB_TCP_USER_TIMEOUT_MS", 10_000),
        "DB_STALL_TIMEOUT_S": _number(env, "DB_STALL_TIMEOUT_S", 1.0, 60, zero_ok=False),
    }


def _llm_settings(env: Mapping[str, str], artifacts: Path) -> dict[str, Any]:
    """The language model behind generated content; the mock needs none of these set."""
    return {
        "LLM_PROVIDER": _choice(env, "LLM_PROVIDER", LLM_PROVIDERS, "mock"),
        # Empty means the provider's own default (see pipelines/content/providers.py).
        "LLM_MODEL": (env.get("LLM_MODEL") or "").strip() or None,
        "LLM_BASE_URL": (env.get("LLM_BASE_URL") or "").strip() or None,
        "LLM_API_KEY": env.get("LLM_API_KEY") or None,
        "LLM_TIMEOUT_S": _number(env, "LLM_TIMEOUT_S", 30.0, 600, zero_ok=False),
        "LLM_MAX_RETRIES": _count(env, "LLM_MAX_RETRIES", 2),
        "LLM_TEMPERATURE": _number(env, "LLM_TEMPERATURE", 0.2, 2, zero_ok=True),
        "PROMPTS_DIR": Path(env.get("PROMPTS_DIR") or artifacts / "prompts"),
        "POLICY_DIR": Path(env.get("POLICY_DIR") or artifacts / "policy"),
        # Per-model prices per million tokens, e.g. {"gpt-4o-mini": {"input": 0.15,
        # "output": 0.6}}; a model missing here has its generations stored without a cost.
        "MODEL_PRICES": _model_prices(env.get("MODEL_PRICES")),
    }


def _model_prices(raw: str | None) -> dict[str, dict[str, float]]:
    """Parse MODEL_PRICES: a JSON object of model name -> {"input": n, "output": n}."""
    if raw is None or raw.strip() == "":
        return {}
    problem = (
        'MODEL_PRICES must be a JSON object like {"model": {"input": 0.15, "output": 0.6}} '
        "with prices of 0 or more per million tokens"
    )
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigurationError(f"{problem}; it is not JSON ({error.msg})") from None
    if not isinstance(parsed, dict):
        raise ConfigurationError(problem)
    prices = {}
    for model, rates in parsed.items():
        if not isinstance(rates, dict) or set(rates) != {"input", "output"}:
            raise ConfigurationError(f"{problem}; {model!r} has {rates!r}")
        if not all(_price(value) for value in rates.values()):
            raise ConfigurationError(f"{problem}; {model!r} has {rates!r}")
        prices[model] = {side: float(value) for side, value in rates.items()}
    return prices


def _price(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e9


def _rate_limit(env: Mapping[str, str], name: str, default: str) -> str:
    """Read a limit in the limits library's syntax ("600/minute", "10 per second; 1000/day")."""
    raw = (env.get(name) or "").strip() or default
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigurationError(
            f"{name} must be a limit such as '600/minute', got {raw!r}"
        ) from None
    return raw


def _access_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """API keys and rate limits; docs/security.md says why each default."""
    return {
        # The folder a local install keeps its generated secrets in (mode 0600 files).
        "LOCAL_DATA_DIR": Path(env.get("LOCAL_DATA_DIR") or ".data"),
        # Mixed into every stored key hash. Unset: generated once into LOCAL_DATA_DIR,
        # which suits one machine; several servers must share one value through this.
        "API_KEY_PEPPER": env.get("API_KEY_PEPPER") or None,
        "RATE_LIMIT_DEFAULT": _rate_limit(env, "RATE_LIMIT_DEFAULT", "600/minute"),
        # Each generation stores a row and, with a real provider, spends model tokens.
        "RATE_LIMIT_CONTENT": _rate_limit(env, "RATE_LIMIT_CONTENT", "60/minute"),
        # Unset: counters in each process's memory; e.g. redis://127.0.0.1:6379/0 to share.
        "RATE_LIMIT_STORAGE_URL": (env.get("RATE_LIMIT_STORAGE_URL") or "").strip() or None,
        # Issue 20: signs the web console's session cookies. Unset: derived from the API key
        # pepper, so every server sharing the pepper reads every other's cookies.
        "CONSOLE_SECRET_KEY": env.get("CONSOLE_SECRET_KEY") or None,
    }


def _cache_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The response cache (api/response_cache.py) and the verified-key cache; README.md."""
    return {
        # Unset: a bounded cache in each process; e.g. redis://127.0.0.1:6379/1 to share one.
        "CACHE_URL": (env.get("CACHE_URL") or "").strip() or None,
        # Per process, when CACHE_URL is unset; 0 turns the cache off (ETags stay).
        "CACHE_MAX_MB": _count(env, "CACHE_MAX_MB", 64),
        # Entries name their data version, so expiry only reclaims old versions' space.
        "CACHE_TTL_S": _positive_int(env, "CACHE_TTL_S", 86_400),
        "CACHE_KEY_PREFIX": env.get("CACHE_KEY_PREFIX") or "insights:responses:",
        # A slow Redis must not make a cached read slower than an uncached one.
        "CACHE_TIMEOUT_S": _number(env, "CACHE_TIMEOUT_S", 0.25, 10, zero_ok=False),
        # How long a process trusts a key it verified; a revocation made elsewhere takes
        # effect within this bound (docs/security.md). 0 checks the database every request.
        "API_KEY_CACHE_S": _number(env, "API_KEY_CACHE_S", 5.0, 300, zero_ok=True),
        # on: each process holds the data version loads push (repository/version_lease.py)
        # instead of reading it per request; off: one round trip per request, as before.
        "DATA_VERSION_LEASE": _choice(env, "DATA_VERSION_LEASE", ("on", "off"), "on") == "on",
    }


def _campaign_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Campaign batches, their retries, the queue workers and the provider's budget."""
    return {
        # Customers per queue job: one job reads, writes and commits this many items.
        "CAMPAIGN_BATCH_SIZE": _positive_int(env, "CAMPAIGN_BATCH_SIZE", 250),
        # Provider failures of one item before it ends failed.
        "CAMPAIGN_ITEM_MAX_ATTEMPTS": _positive_int(env, "CAMPAIGN_ITEM_MAX_ATTEMPTS", 5),
        # Provider failures in a row (any items) after which the campaign pauses itself.
        "CAMPAIGN_MAX_CONSECUTIVE_FAILURES": _positive_int(
            env, "CAMPAIGN_MAX_CONSECUTIVE_FAILURES", 20
        ),
        # A batch with failed items runs again after base * 2^(streak - 1) seconds, capped,
        # times a random factor from 0.5 to 1.5 (jitter: retries of many workers spread).
        "CAMPAIGN_RETRY_BASE_S": _number(env, "CAMPAIGN_RETRY_BASE_S", 2.0, 3600, zero_ok=True),
        "CAMPAIGN_RETRY_MAX_S": _number(env, "CAMPAIGN_RETRY_MAX_S", 300.0, 86400, zero_ok=True),
        # Jobs one `insights worker` runs at once (threads; see README "Campaigns").
        "WORKER_CONCURRENCY": _positive_int(env, "WORKER_CONCURRENCY", 2),
        # Workers `insights run` starts beside the API (0: none, e.g. compose runs its own).
        "WORKER_PROCESSES": _count(env, "WORKER_PROCESSES", 2),
        # A worker writes a heartbeat this often; one silent for WORKER_STALLED_AFTER_S is
        # dead (e.g. killed), and a live worker requeues its jobs, looking every
        # WORKER_RECOVER_EVERY_S.
        "WORKER_HEARTBEAT_S": _number(env, "WORKER_HEARTBEAT_S", 5.0, 600, zero_ok=False),
        "WORKER_STALLED_AFTER_S": _number(env, "WORKER_STALLED_AFTER_S", 30.0, 3600, zero_ok=False),
        "WORKER_RECOVER_EVERY_S": _number(env, "WORKER_RECOVER_EVERY_S", 10.0, 3600, zero_ok=False),
        # The model provider's budget across every worker; 0 means no limit (the mock).
        "LLM_REQUESTS_PER_MINUTE": _count(env, "LLM_REQUESTS_PER_MINUTE", 0),
        "LLM_MAX_CONCURRENCY": _count(env, "LLM_MAX_CONCURRENCY", 0),
    }


def _delivery_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Email delivery (issue 15); README "Delivery" says how each is used."""
    from pipelines.delivery.transport import parse_mail_url

    mail_url = (env.get("MAIL_URL") or "").strip() or "file://.data/outbox"
    parse_mail_url(mail_url)  # refuse a bad URL at start, not at the first send
    return {
        "MAIL_URL": mail_url,
        "MAIL_FROM": (env.get("MAIL_FROM") or "").strip() or "Customer team <outreach@localhost>",
        "MAIL_REPLY_TO": (env.get("MAIL_REPLY_TO") or "").strip() or None,
        # Messages per minute per transport, across every worker; 0 means no limit.
        "MAIL_PER_MINUTE": _count(env, "MAIL_PER_MINUTE", 600),
        "MAIL_TIMEOUT_S": _number(env, "MAIL_TIMEOUT_S", 30.0, 600, zero_ok=False),
        # Deliveries per queue job (one SMTP connection serves a whole batch).
        "DELIVERY_BATCH_SIZE": _positive_int(env, "DELIVERY_BATCH_SIZE", 200),
        # Where unsubscribe links point: the address customers reach this API at.
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "").strip() or "http://127.0.0.1:5000",
        # Signs unsubscribe links. Unset: generated once into LOCAL_DATA_DIR (one machine);
        # several servers and workers must share one value through this.
        "UNSUBSCRIBE_SECRET": env.get("UNSUBSCRIBE_SECRET") or None,
        # Unsubscribe is public: this bounds guessing from one address.
        "RATE_LIMIT_UNSUBSCRIBE": _rate_limit(env, "RATE_LIMIT_UNSUBSCRIBE", "30/minute"),
    }
