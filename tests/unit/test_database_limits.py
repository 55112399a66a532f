"""Every wait on the database is bounded: the settings, the engine's options, stall verdicts."""

import threading
import time

import psycopg
import pytest

from api.config import load_config
from repository.errors import ConfigurationError
from repository.factory import build_repositories
from repository.stall_guard import DatabaseStalled, StallGuard


class _Captured(Exception):
    """Raised instead of connecting, once the connection parameters are known."""


def _connect_params(engine, monkeypatch) -> dict:
    """Return what the engine would hand psycopg to connect, without connecting."""
    captured: dict = {}

    def capture(*_cargs, **cparams):
        captured.update(cparams)
        raise _Captured

    monkeypatch.setattr(engine.dialect, "connect", capture)
    with pytest.raises(_Captured):
        engine.connect()
    return captured


class TestSettings:
    def test_defaults_bound_every_wait_to_about_two_seconds(self):
        config = load_config({})
        assert config["DB_CONNECT_TIMEOUT_S"] == 2
        assert config["DB_POOL_TIMEOUT_S"] == 1
        assert config["DB_LOCK_TIMEOUT_MS"] == 1_000
        assert config["DB_STALL_TIMEOUT_S"] == 1

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("DB_STALL_TIMEOUT_S", "0"),
            ("DB_POOL_TIMEOUT_S", "soon"),
            ("DB_CONNECT_TIMEOUT_S", "1.5"),
            ("DB_KEEPALIVES_COUNT", "-1"),
        ],
    )
    def test_a_bad_value_names_the_variable(self, name, value):
        with pytest.raises(ConfigurationError, match=name):
            load_config({name: value})


class TestEngineOptions:
    def test_the_engine_gets_every_connection_option_from_the_environment(self, monkeypatch):
        environment = {
            "DATABASE_URL": "postgresql://insights@db.invalid/insights",
            "DB_POOL_TIMEOUT_S": "0.5",
            "DB_CONNECT_TIMEOUT_S": "3",
            "DB_STATEMENT_TIMEOUT_MS": "4000",
            "DB_LOCK_TIMEOUT_MS": "500",
            "DB_KEEPALIVES_IDLE_S": "7",
            "DB_KEEPALIVES_INTERVAL_S": "4",
            "DB_KEEPALIVES_COUNT": "6",
            "DB_TCP_USER_TIMEOUT_MS": "9000",
        }
        engine = build_repositories(load_config(environment)).engine
        params = _connect_params(engine, monkeypatch)
        assert engine.pool.timeout() == 0.5
        expected = {
            "connect_timeout": 3,
            "keepalives": 1,
            "keepalives_idle": 7,
            "keepalives_interval": 4,
            "keepalives_count": 6,
            "tcp_user_timeout": 9000,
            "options": "-c statement_timeout=4000 -c lock_timeout=500",
        }
        assert {key: params.get(key) for key in expected} == expected


class SilentProbe:
    """A probe that gets no answer until ``answer()``; raises ``error`` if one is set."""

    def __init__(self, error: Exception | None = None) -> None:
        self.answered = threading.Event()
        self.error = error
        self.calls = 0
        if error is not None:
            self.answered.set()

    def __call__(self) -> None:
        self.calls += 1
        self.answered.wait(timeout=10)
        if self.error is not None:
            raise self.error

    def answer(self) -> None:
        self.answered.set()


class TestStallGuardVerdicts:
    def test_no_answer_in_time_is_a_stall_until_the_server_answers_again(self):
        probe = SilentProbe()
        guard = StallGuard(probe, timeout_s=0.1)
        started = time.monotonic()
        with pytest.raises(DatabaseStalled, match="did not answer within 0.1 s"):
            guard.check()
        assert time.monotonic() - started < 5  # the timeout, not the probe's own wait
        with pytest.raises(DatabaseStalled):
            guard.refuse_if_stalled()
        probe.answer()
        guard.check()
        guard.refuse_if_stalled()

    def test_a_probe_still_waiting_is_no_answer_and_is_not_repeated(self):
        probe = SilentProbe()
        guard = StallGuard(probe, timeout_s=0.1)
        for _ in range(2):
            with pytest.raises(DatabaseStalled):
                guard.check()
        assert probe.calls == 1
        probe.answer()

    def test_an_error_answer_is_raised_but_is_not_a_stall(self):
        refused = psycopg.OperationalError("connection refused")
        guard = StallGuard(SilentProbe(error=refused), timeout_s=1)
        with pytest.raises(psycopg.OperationalError) as raised:
            guard.check()
        assert raised.value is refused
        guard.refuse_if_stalled()

    def test_a_connect_timeout_is_no_answer(self):
        timed_out = psycopg.errors.ConnectionTimeout("connection timeout expired")
        guard = StallGuard(SilentProbe(error=timed_out), timeout_s=1)
        with pytest.raises(DatabaseStalled):
            guard.check()
