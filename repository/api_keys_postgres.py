"""The API key repository on PostgreSQL: keys and their audit trail, one statement each."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from repository.api_keys import AbstractApiKeyRepository, ApiKey, StoredKey
from repository.engine import single_statements
from repository.errors import Conflict

_COLUMNS = "name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at"
_INSERT = text(f"""
    WITH added AS (
        INSERT INTO insights.api_keys (name, prefix, secret_hash, scopes, expires_at)
        VALUES (:name, :prefix, :secret_hash, :scopes, :expires_at)
        RETURNING {_COLUMNS}
    ), audited AS (
        INSERT INTO insights.api_key_audit (key_name, key_prefix, action, scopes, expires_at, actor)
        SELECT name, prefix, 'created', scopes, expires_at, :actor FROM added
    )
    SELECT {_COLUMNS} FROM added
""")  # nosec B608 # built from constants; values are bound
_REVOKE = text(f"""
    WITH revoked AS (
        UPDATE insights.api_keys SET revoked_at = COALESCE(revoked_at, now())
        WHERE name = :name RETURNING {_COLUMNS}
    ), audited AS (
        INSERT INTO insights.api_key_audit (key_name, key_prefix, action, scopes, expires_at, actor)
        SELECT name, prefix, 'revoked', scopes, expires_at, :actor FROM revoked
    )
    SELECT {_COLUMNS} FROM revoked
""")  # nosec B608 # built from constants; values are bound
_LIST = text(f"SELECT {_COLUMNS} FROM insights.api_keys ORDER BY created_at, name")  # nosec B608 # built from constants; values are bound
_FIND = text(f"SELECT {_COLUMNS}, secret_hash FROM insights.api_keys WHERE prefix = :prefix")  # nosec B608 # built from constants; values are bound
_TOUCH = text("UPDATE insights.api_keys SET last_used_at = :now WHERE prefix = :prefix")


def _key(row) -> ApiKey:
    fields = {name: row[name] for name in _COLUMNS.split(", ")}
    return ApiKey(**{**fields, "scopes": tuple(fields["scopes"])})


class PostgresApiKeyRepository(AbstractApiKeyRepository):
    """Keys in ``insights.api_keys``, their history in ``insights.api_key_audit``."""

    def __init__(self, engine: Engine, pepper: bytes | Callable[[], bytes]) -> None:
        super().__init__(pepper)
        self._engine = engine

    def list_keys(self) -> list[ApiKey]:
        with single_statements(self._engine) as connection:
            return [_key(row) for row in connection.execute(_LIST).mappings()]

    def _insert(self, name, prefix, secret_hash, scopes, expires_at, actor) -> ApiKey:
        params = {
            "name": name,
            "prefix": prefix,
            "secret_hash": secret_hash,
            "scopes": list(scopes),
            "expires_at": expires_at,
            "actor": actor,
        }
        # One statement writes the key and its audit entry: both or neither.
        try:
            with single_statements(self._engine) as connection:
                return _key(connection.execute(_INSERT, params).mappings().one())
        except IntegrityError as error:
            if "api_keys_pkey" in str(error.orig):
                raise Conflict(f"an API key named {name!r} already exists") from None
            raise

    def _revoke(self, name: str, actor: str | None) -> ApiKey | None:
        with single_statements(self._engine) as connection:
            row = connection.execute(_REVOKE, {"name": name, "actor": actor}).mappings().first()
        return None if row is None else _key(row)

    def _find(self, prefix: str) -> StoredKey | None:
        with single_statements(self._engine) as connection:
            row = connection.execute(_FIND, {"prefix": prefix}).mappings().one_or_none()
        return None if row is None else StoredKey(_key(row), row["secret_hash"])

    def _touch(self, prefix: str, now: datetime) -> None:
        with single_statements(self._engine) as connection:
            connection.execute(_TOUCH, {"prefix": prefix, "now": now})
