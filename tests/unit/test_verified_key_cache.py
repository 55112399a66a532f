"""A verified key is trusted for API_KEY_CACHE_S; revoking it through the same process ends
that at once, and expiry is still checked on every request."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes import InMemoryApiKeyRepository

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def keys() -> InMemoryApiKeyRepository:
    return InMemoryApiKeyRepository(b"unit pepper")


def revoked_elsewhere(keys: InMemoryApiKeyRepository, name: str) -> None:
    """Revoke as another process would: in the store, not through this repository's cache."""
    keys._revoke(name, "someone else")


class TestTheVerifiedKeyCache:
    def test_without_trust_a_revocation_elsewhere_counts_at_once(self, keys):
        secret = keys.create("k", ("stats:read",), None, None).secret
        assert keys.verify(secret, NOW) is not None
        revoked_elsewhere(keys, "k")
        assert keys.verify(secret, NOW) is None

    def test_with_trust_a_revocation_elsewhere_waits_for_the_bound(self, keys):
        keys.trust_verified_for(300)
        secret = keys.create("k", ("stats:read",), None, None).secret
        assert keys.verify(secret, NOW) is not None
        revoked_elsewhere(keys, "k")
        assert keys.verify(secret, NOW) is not None  # trusted until the bound passes

    def test_a_revocation_through_this_repository_counts_at_once(self, keys):
        keys.trust_verified_for(300)
        secret = keys.create("k", ("stats:read",), None, None).secret
        assert keys.verify(secret, NOW) is not None
        keys.revoke("k", "admin")
        assert keys.verify(secret, NOW) is None

    def test_a_trusted_key_still_expires_on_time(self, keys):
        keys.trust_verified_for(300)
        secret = keys.create("k", ("stats:read",), NOW + timedelta(minutes=1), None).secret
        assert keys.verify(secret, NOW) is not None
        assert keys.verify(secret, NOW + timedelta(minutes=2)) is None

    def test_a_wrong_secret_is_never_trusted(self, keys):
        keys.trust_verified_for(300)
        secret = keys.create("k", ("stats:read",), None, None).secret
        assert keys.verify(secret, NOW) is not None
        assert keys.verify(secret[:-1] + ("A" if secret[-1] != "A" else "B"), NOW) is None
