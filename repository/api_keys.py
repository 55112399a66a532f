"""API keys with scopes: issued once, stored only as a peppered hash, checked per request.

A key reads ``ci_1a2b3c4d_<secret>``. Its first 11 characters (the prefix) are public:
they find the key's row and name it in logs. The secret is 32 random bytes, so one round
of HMAC-SHA256 under a server-side pepper is enough (a slow password hash protects
guessable secrets; nothing here is guessable), and a stolen table alone proves nothing.
"""

import hmac
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256
from time import monotonic

from repository.errors import InvalidInput, NotFound

ADMIN = "admin"
SCOPES = ("stats:read", "content:write", "campaigns:manage", ADMIN)
KEY_PREFIX = "ci_"
_PREFIX_LENGTH = len(KEY_PREFIX) + 8
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Anything longer than a key we issue is not one: do not hash megabytes of header.
_MAX_KEY_LENGTH = 128
# Record a key's use at most this often: a read must not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Verified keys one process remembers at most (trust_verified_for).
_MAX_TRUSTED = 10_000


@dataclass(frozen=True)
class ApiKey:
    """What is known about a key, never its secret."""

    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def grants(self, scope: str) -> bool:
        """Return whether this key may act under ``scope`` (admin may do everything)."""
        return ADMIN in self.scopes or scope in self.scopes

    def usable_at(self, now: datetime) -> bool:
        """Return whether the key is neither revoked nor expired at ``now``."""
        expired = self.expires_at is not None and self.expires_at <= now
        return self.revoked_at is None and not expired


@dataclass(frozen=True)
class StoredKey:
    """A key's row: its description and the hash its secret must match."""

    key: ApiKey
    secret_hash: str


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: ``secret`` is the whole key, shown to its owner once."""

    key: ApiKey
    secret: str


def parse_scopes(raw: str) -> tuple[str, ...]:
    """Return the scopes of a comma-separated list, in canonical order.

    Raises:
        InvalidInput: the list is empty or names a scope that does not exist.
    """
    given = {part.strip() for part in raw.split(",") if part.strip()}
    unknown = sorted(given - set(SCOPES))
    if unknown:
        raise InvalidInput(
            f"unknown scope {', '.join(unknown)}; choose from {', '.join(SCOPES)}", field="scopes"
        )
    if not given:
        raise InvalidInput(f"give at least one scope of {', '.join(SCOPES)}", field="scopes")
    return tuple(scope for scope in SCOPES if scope in given)


def hash_secret(key: str, pepper: bytes) -> str:
    """Return the hex HMAC-SHA256 of a whole key under the server's pepper."""
    return hmac.new(pepper, key.encode(), sha256).hexdigest()


def prefix_of(key: str) -> str | None:
    """Return the public prefix of something presented as a key, or None if it is not one."""
    shaped = key.startswith(KEY_PREFIX) and len(key) <= _MAX_KEY_LENGTH
    if not shaped or key[_PREFIX_LENGTH : _PREFIX_LENGTH + 1] != "_":
        return None
    return key[:_PREFIX_LENGTH]


class AbstractApiKeyRepository(ABC):
    """Issue, list, revoke and verify keys; backends store rows and audit entries."""

    def __init__(self, pepper: bytes | Callable[[], bytes]) -> None:
        # A callable is asked on first use: commands that never touch keys (migrations,
        # loads) then never create a local pepper file.
        self._pepper_source = pepper
        self._pepper_value: bytes | None = None
        # Keys verified lately, by their peppered hash: (key, until when, monotonic).
        self._trust_s = 0.0
        self._verified: dict[str, tuple[ApiKey, float]] = {}

    def trust_verified_for(self, seconds: float) -> None:
        """Answer ``verify`` from memory for ``seconds`` after a key was last looked up.

        A revocation through this repository takes effect at once; one made by another
        process within ``seconds`` (docs/security.md). 0 looks every key up every time.
        """
        self._trust_s = seconds
        self._verified = {}

    @property
    def _pepper(self) -> bytes:
        if self._pepper_value is None:
            source = self._pepper_source
            pepper = source() if callable(source) else source
            if not pepper:
                raise ValueError("an API key pepper is required")
            self._pepper_value = pepper
        return self._pepper_value

    def create(
        self, name: str, scopes: tuple[str, ...], expires_at: datetime | None, actor: str | None
    ) -> IssuedKey:
        """Create a key and record it in the audit table; the secret is in the result only.

        Raises:
            InvalidInput: a malformed name or an unknown scope.
            Conflict: a key (even a revoked one) already has this name.
        """
        if not _NAME.fullmatch(name):
            raise InvalidInput(
                f"a key name is 1-64 letters, digits, '.', '_' or '-', got {name!r}", field="name"
            )
        parse_scopes(",".join(scopes))
        prefix = KEY_PREFIX + secrets.token_hex(4)
        secret = f"{prefix}_{secrets.token_urlsafe(32)}"
        stored = self._insert(
            name, prefix, hash_secret(secret, self._pepper), scopes, expires_at, actor
        )
        return IssuedKey(stored, secret)

    def revoke(self, name: str, actor: str | None) -> ApiKey:
        """Revoke the key called ``name`` (again is harmless) and audit it.

        Raises:
            NotFound: no key has this name.
        """
        revoked = self._revoke(name, actor)
        self._verified = {}  # revoked in this process: not even one more request
        if revoked is None:
            raise NotFound(f"no API key is named {name!r}")
        return revoked

    def verify(self, presented: str, now: datetime) -> ApiKey | None:
        """Return the usable key ``presented`` is, or None (unknown, wrong, revoked, expired)."""
        if not self._trust_s:
            return self._verify(presented, now)
        digest = hash_secret(presented, self._pepper)
        trusted = self._verified.get(digest)
        if trusted is not None and monotonic() < trusted[1] and trusted[0].usable_at(now):
            return trusted[0]
        key = self._verify(presented, now)
        if key is not None:
            if len(self._verified) >= _MAX_TRUSTED:  # bound the memory a flood of keys takes
                self._verified = {}
            self._verified[digest] = (key, monotonic() + self._trust_s)
        return key

    def _verify(self, presented: str, now: datetime) -> ApiKey | None:
        prefix = prefix_of(presented)
        stored = self._find(prefix) if prefix else None
        # Hash even for an unknown prefix so both answers take the same time.
        expected = stored.secret_hash if stored else "0" * 64
        matches = hmac.compare_digest(hash_secret(presented, self._pepper), expected)
        if stored is None or not matches or not stored.key.usable_at(now):
            return None
        last = stored.key.last_used_at
        if last is None or now - last >= LAST_USED_RESOLUTION:
            self._touch(stored.key.prefix, now)
        return stored.key

    def session_proof(self, presented: str) -> str:
        """Return what a console session stores to re-check ``presented`` without keeping it."""
        return hash_secret(presented, self._pepper)

    def verify_proof(self, prefix: str, proof: str, now: datetime) -> ApiKey | None:
        """Return the usable key whose stored hash is ``proof``; always read from the table.

        The console re-checks its session so on every page: a revoked or expired key
        signs the session out at once, in any process (no trust_verified_for memory).
        """
        stored = self._find(prefix)
        if stored is None or not hmac.compare_digest(stored.secret_hash, proof):
            return None
        return stored.key if stored.key.usable_at(now) else None

    @abstractmethod
    def list_keys(self) -> list[ApiKey]:
        """Return every key, revoked ones included, oldest first."""

    @abstractmethod
    def _insert(
        self,
        name: str,
        prefix: str,
        secret_hash: str,
        scopes: tuple[str, ...],
        expires_at: datetime | None,
        actor: str | None,
    ) -> ApiKey:
        """Store a key and its 'created' audit entry together; Conflict on a taken name."""

    @abstractmethod
    def _revoke(self, name: str, actor: str | None) -> ApiKey | None:
        """Mark the key revoked (keeping the first time) and audit it; None if unknown."""

    @abstractmethod
    def _find(self, prefix: str) -> StoredKey | None:
        """Return the row whose prefix this is, or None."""

    @abstractmethod
    def _touch(self, prefix: str, now: datetime) -> None:
        """Record that the key was used at ``now``."""
