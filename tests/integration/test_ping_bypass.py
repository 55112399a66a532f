"""The stall guard pings only connections handed back longer ago than DB_PING_BYPASS_S."""

import pytest
from sqlalchemy import exc, text

from repository.engine import build_engine
from tests.support import query


def kill_pooled_connection(engine, url: str) -> None:
    """Use the pool's one connection, hand it back, then end its backend on the server."""
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    query(url, "SELECT pg_terminate_backend(%s)", (pid,))


@pytest.fixture
def engine_with(database_url):
    engines = []

    def build(ping_bypass_s: float):
        engine = build_engine(database_url, pool_size=1, ping_bypass_s=ping_bypass_s)
        engines.append(engine)
        return engine

    yield build
    for engine in engines:
        engine.dispose()


class TestPingBypass:
    def test_without_a_bypass_a_connection_closed_under_the_pool_is_replaced_unseen(
        self, engine_with, database_url
    ):
        engine = engine_with(0.0)
        kill_pooled_connection(engine, database_url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1

    def test_within_the_bypass_the_first_statement_fails_and_the_next_checkout_recovers(
        self, engine_with, database_url
    ):
        engine = engine_with(60.0)
        kill_pooled_connection(engine, database_url)
        with pytest.raises(exc.OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect() as connection:  # the pool was invalidated: a fresh connection
            assert connection.execute(text("SELECT 1")).scalar_one() == 1

    def test_the_default_bypass_is_half_a_second(self, app):
        assert app.config["DB_PING_BYPASS_S"] == 0.5
