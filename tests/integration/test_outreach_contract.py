"""The consent and contact repositories' contract, run against the memory fakes and PostgreSQL."""

import pytest
from sqlalchemy.exc import IntegrityError

from repository.consent import OPT_IN, OPT_OUT, ConsentChange, PostgresConsentRepository
from repository.contacts import Contact, PostgresContactRepository
from repository.engine import build_engine
from repository.errors import InvalidInput
from tests.fakes import InMemoryConsentRepository, InMemoryContactRepository
from tests.support import query


@pytest.fixture(params=["memory", "postgres"])
def engine_or_none(request):
    """None for the fakes; an engine on a fresh migrated database for PostgreSQL."""
    if request.param == "memory":
        yield None
        return
    engine = build_engine(request.getfixturevalue("database_url"))
    yield engine
    engine.dispose()


@pytest.fixture
def consent(engine_or_none):
    if engine_or_none is None:
        return InMemoryConsentRepository()
    return PostgresConsentRepository(engine_or_none)


@pytest.fixture
def contacts(engine_or_none):
    if engine_or_none is None:
        return InMemoryContactRepository()
    return PostgresContactRepository(engine_or_none)


def _out(customer_id: int, reason: str | None = None, source: str = "api") -> ConsentChange:
    return ConsentChange(customer_id, OPT_OUT, reason, source, "tester")


def _in(customer_id: int, source: str = "api") -> ConsentChange:
    return ConsentChange(customer_id, OPT_IN, None, source, "tester")


class TestConsentContract:
    def test_nobody_is_opted_out_before_anything_is_recorded(self, consent):
        state = consent.state(1)
        assert (state.opted_out, state.reason, state.opted_out_at) == (False, None, None)
        assert consent.history(1) == []

    def test_an_opt_out_becomes_the_state_and_one_history_entry(self, consent):
        counts = consent.apply([_out(1, "no thanks", "call")])
        assert (counts.opted_out, counts.opted_in, counts.unchanged) == (1, 0, 0)
        state = consent.state(1)
        assert (state.opted_out, state.reason, state.source) == (True, "no thanks", "call")
        [event] = consent.history(1)
        assert (event.action, event.reason, event.source, event.actor) == (
            OPT_OUT, "no thanks", "call", "tester",
        )  # fmt: skip
        assert event.recorded_at == state.opted_out_at

    def test_repeats_change_nothing_and_write_no_history(self, consent):
        consent.apply([_out(1, "first")])
        counts = consent.apply([_out(1, "second"), _in(2)])
        assert (counts.opted_out, counts.opted_in, counts.unchanged) == (0, 0, 2)
        assert consent.state(1).reason == "first"
        assert len(consent.history(1)) == 1 and consent.history(2) == []

    def test_changes_apply_in_order_and_history_is_newest_first(self, consent):
        consent.apply([_out(1), _in(1, "email"), _out(1, "back out", "import")])
        assert [(e.action, e.source) for e in consent.history(1)] == [
            (OPT_OUT, "import"), (OPT_IN, "email"), (OPT_OUT, "api"),
        ]  # fmt: skip
        assert consent.state(1).reason == "back out"

    def test_one_customers_changes_do_not_touch_another(self, consent):
        consent.apply([_out(1), _out(2)])
        consent.apply([_in(2)])
        assert consent.state(1).opted_out and not consent.state(2).opted_out
        assert len(consent.history(1)) == 1


class TestContactContract:
    def test_upsert_counts_added_updated_and_unchanged(self, contacts):
        first = contacts.upsert([Contact(1, "a@example.com", None, "import")])
        second = contacts.upsert(
            [Contact(1, "a@example.com", None, "api"), Contact(2, "b@example.com", "B", "api")]
        )
        third = contacts.upsert([Contact(2, "c@example.com", "B", "api")])
        assert (first.added, first.updated, first.unchanged) == (1, 0, 0)
        assert (second.added, second.updated, second.unchanged) == (1, 0, 1)
        assert (third.added, third.updated, third.unchanged) == (0, 1, 0)
        stored = contacts.get(2)
        assert stored is not None and stored.email == "c@example.com"
        assert stored.updated_at is not None

    def test_reachability_returns_every_id_asked_about_exactly_once(self, contacts):
        contacts.upsert(
            [Contact(1, "a@example.com", None, "api"), Contact(3, "c@example.com", None, "api")]
        )
        reach = contacts.reachability([3, 2, 1, 2, 4])
        assert sorted(reach.addresses) == [1, 3]
        assert reach.addresses[3].email == "c@example.com"
        assert reach.no_address == [2, 4]

    def test_a_customer_twice_in_one_batch_is_refused_and_nothing_is_stored(self, contacts):
        with pytest.raises(InvalidInput):
            contacts.upsert(
                [Contact(1, "a@example.com", None, "api"), Contact(1, "b@example.com", None, "api")]
            )
        assert contacts.get(1) is None


def test_a_failing_change_rolls_the_whole_batch_back_on_postgres(database_url):
    engine = build_engine(database_url)
    try:
        consent = PostgresConsentRepository(engine)
        # The table's CHECK refuses this source: the opt-out before it must not stay either.
        with pytest.raises(IntegrityError):
            consent.apply([_out(1), _out(2, source="Not Valid")])
    finally:
        engine.dispose()
    assert query(database_url, "SELECT count(*) FROM insights.consent_events") == [(0,)]
    assert query(database_url, "SELECT count(*) FROM insights.opt_outs") == [(0,)]
