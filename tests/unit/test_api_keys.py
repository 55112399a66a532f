"""Keys on the in-memory repository: scopes, verification, expiry, last use; header parsing."""

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import Headers

from api.auth import presented_key
from api.commands.errors import CommandError
from api.commands.keys import parse_duration
from api.config import load_config
from repository.api_keys import hash_secret, parse_scopes, prefix_of
from repository.errors import ConfigurationError, Conflict, InvalidInput, NotFound
from tests.fakes import InMemoryApiKeyRepository

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def keys() -> InMemoryApiKeyRepository:
    return InMemoryApiKeyRepository(b"unit pepper")


class TestScopes:
    def test_are_returned_in_canonical_order_without_repeats(self):
        assert parse_scopes("admin, stats:read,stats:read") == ("stats:read", "admin")

    @pytest.mark.parametrize("raw", ["stats:write", "stats:read,root", ""])
    def test_unknown_or_none_is_invalid_input(self, raw):
        with pytest.raises(InvalidInput):
            parse_scopes(raw)

    def test_admin_grants_every_scope_and_others_only_their_own(self, keys):
        admin = keys.create("a", ("admin",), None, None).key
        reader = keys.create("r", ("stats:read",), None, None).key
        assert admin.grants("campaigns:manage") and admin.grants("content:write")
        assert reader.grants("stats:read") and not reader.grants("content:write")


class TestVerify:
    def test_the_issued_key_verifies_and_a_near_miss_does_not(self, keys):
        secret = keys.create("k", ("stats:read",), None, None).secret
        assert keys.verify(secret, NOW).name == "k"
        assert keys.verify(secret[:-2] + "xx", NOW) is None
        assert keys.verify(secret + "x", NOW) is None

    def test_only_the_peppered_hash_is_kept(self, keys):
        secret = keys.create("k", ("admin",), None, None).secret
        (row,) = keys.rows.values()
        assert row.secret_hash == hash_secret(secret, b"unit pepper")
        assert row.secret_hash != hash_secret(secret, b"another pepper")
        assert secret not in repr(keys.rows)

    @pytest.mark.parametrize("presented", ["", "ci_", "nonsense", "ci_12345678", "x" * 500])
    def test_malformed_keys_are_refused(self, keys, presented):
        keys.create("k", ("admin",), None, None)
        assert keys.verify(presented, NOW) is None

    def test_an_expired_key_is_refused_from_its_expiry_on(self, keys):
        secret = keys.create("k", ("admin",), NOW, None).secret
        assert keys.verify(secret, NOW - timedelta(seconds=1)) is not None
        assert keys.verify(secret, NOW) is None

    def test_a_revoked_key_is_refused(self, keys):
        secret = keys.create("k", ("admin",), None, None).secret
        keys.revoke("k", "ops")
        assert keys.verify(secret, NOW) is None
        assert [action for action, _, _ in keys.audit] == ["created", "revoked"]

    def test_last_use_is_written_at_most_once_a_minute(self, keys):
        secret = keys.create("k", ("admin",), None, None).secret
        for seconds in (0, 30, 59):
            keys.verify(secret, NOW + timedelta(seconds=seconds))
        assert keys.rows["k"].key.last_used_at == NOW
        keys.verify(secret, NOW + timedelta(seconds=60))
        assert keys.rows["k"].key.last_used_at == NOW + timedelta(seconds=60)


class TestCreateAndRevoke:
    def test_a_taken_name_is_a_conflict(self, keys):
        keys.create("k", ("admin",), None, None)
        with pytest.raises(Conflict):
            keys.create("k", ("stats:read",), None, None)

    @pytest.mark.parametrize("name", ["", "has space", "-leading", "x" * 65, "naïve"])
    def test_a_malformed_name_is_invalid_input(self, keys, name):
        with pytest.raises(InvalidInput):
            keys.create(name, ("admin",), None, None)

    def test_revoking_an_unknown_name_is_not_found(self, keys):
        with pytest.raises(NotFound):
            keys.revoke("nobody", None)

    def test_the_prefix_is_the_public_start_of_the_key(self, keys):
        issued = keys.create("k", ("admin",), None, None)
        assert prefix_of(issued.secret) == issued.key.prefix == issued.secret[:11]


class TestPresentedKey:
    @pytest.mark.parametrize(
        ("headers", "expected"),
        [
            ({"X-API-Key": "abc"}, "abc"),
            ({"Authorization": "Bearer abc"}, "abc"),
            ({"Authorization": "bearer  abc "}, "abc"),
            ({"Authorization": "Basic abc"}, None),
            ({"Authorization": "Bearer"}, None),
            ({"X-API-Key": "one", "Authorization": "Bearer two"}, "one"),
            ({}, None),
        ],
    )
    def test_reads_the_header_or_the_bearer_token(self, headers, expected):
        assert presented_key(Headers(headers)) == expected


class TestDuration:
    @pytest.mark.parametrize(
        ("raw", "span"),
        [("90d", timedelta(days=90)), ("12h", timedelta(hours=12)), ("2w", timedelta(weeks=2))],
    )
    def test_reads_a_number_and_a_unit(self, raw, span):
        assert parse_duration(raw) == span

    @pytest.mark.parametrize("raw", ["", "90", "d", "0d", "-1d", "1y", "99999999d"])
    def test_anything_else_is_a_command_error(self, raw):
        with pytest.raises(CommandError):
            parse_duration(raw)


class TestLimitSettings:
    def test_defaults(self):
        config = load_config({})
        assert (config["RATE_LIMIT_DEFAULT"], config["RATE_LIMIT_CONTENT"]) == (
            "600/minute",
            "60/minute",
        )
        assert config["RATE_LIMIT_STORAGE_URL"] is None and config["API_KEY_PEPPER"] is None

    @pytest.mark.parametrize("name", ["RATE_LIMIT_DEFAULT", "RATE_LIMIT_CONTENT"])
    def test_a_limit_the_limits_library_cannot_read_is_a_configuration_error(self, name):
        with pytest.raises(ConfigurationError, match=name):
            load_config({name: "lots"})


class TestOneRequestAtATime:
    def test_a_refused_key_does_not_colour_the_next_request(self, app, client):
        stats = "/api/v1/stats/customers"
        forged = app.test_client().get(stats, headers={"X-API-Key": "ci_00000000_" + "x" * 43})
        assert "unknown" in forged.get_json()["message"]
        anonymous = app.test_client().get(stats)
        assert "Send an API key" in anonymous.get_json()["message"]
        assert 'error="invalid_token"' not in anonymous.headers["WWW-Authenticate"]
