"""The rate limiter's memory store counts like limits' own, without a thread per request."""

import threading

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from api.limiter_storage import SweptMemoryStorage


class TestSweptMemoryStorage:
    def test_the_scheme_the_app_names_builds_it(self):
        assert isinstance(storage_from_string("insights-memory://"), SweptMemoryStorage)

    def test_counting_many_requests_starts_no_thread(self):
        storage = SweptMemoryStorage()
        limiter = FixedWindowRateLimiter(storage)
        first_timer, threads = storage.timer, threading.active_count()
        for _ in range(500):
            assert limiter.hit(parse("1000/minute"), "key:abc")
        assert storage.timer is first_timer
        assert threading.active_count() <= threads

    def test_a_window_refuses_past_its_limit_like_the_library_store(self):
        limiter = FixedWindowRateLimiter(SweptMemoryStorage())
        answers = [limiter.hit(parse("3/minute"), "key:abc") for _ in range(5)]
        assert answers == [True, True, True, False, False]
        assert limiter.hit(parse("3/minute"), "key:other")

    def test_expired_counts_are_swept_by_a_later_count_once_the_interval_passed(self):
        storage = SweptMemoryStorage()
        storage.incr("gone", expiry=-1)  # a window that already ended
        storage.incr("kept", expiry=60)
        assert "gone" in storage.storage  # not swept yet: the interval has not passed
        storage._next_sweep = 0.0
        storage.incr("kept", expiry=60)
        assert "gone" not in storage.storage
        assert storage.storage["kept"] == 2
        assert storage.sweeps == 1
