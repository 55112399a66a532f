"""Where cached responses live: a bounded dict in each process, or Redis shared by all.

Both stores take and return bytes under string keys. A key names the data version it
was computed from (api/response_cache.py), so a new load makes every older entry
unreachable at once; old entries then leave by LRU eviction (memory) or expiry (Redis).
"""

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache

log = logging.getLogger(__name__)


class CacheStore(ABC):
    """A bytes-in, bytes-out cache that may forget anything at any time."""

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """Return the value stored under ``key``, or None."""

    @abstractmethod
    def set(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key`` (best effort)."""


class MemoryStore(CacheStore):
    """Least recently used entries go first once the values exceed ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: LRUCache[str, bytes] = LRUCache(maxsize=max_bytes, getsizeof=len)
        # cachetools' caches are not thread-safe; gunicorn threads share this one.
        self._lock = threading.Lock()
        self._max_bytes = max_bytes

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._entries.get(key)

    def set(self, key: str, value: bytes) -> None:
        if len(value) > self._max_bytes:
            return  # cachetools raises for a value larger than the whole cache
        with self._lock:
            self._entries[key] = value


class RedisStore(CacheStore):
    """Entries in Redis under ``prefix``, expiring after ``ttl_s``; a failure is a miss."""

    def __init__(self, url: str, prefix: str, ttl_s: int, timeout_s: float) -> None:
        import redis  # only deployments that set CACHE_URL install it

        self._redis = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._prefix = prefix
        self._ttl_s = ttl_s

    def get(self, key: str) -> bytes | None:
        try:
            value = self._redis.get(self._prefix + key)
        except Exception as error:  # the cache is an optimisation: answer from the database
            log.warning("response cache unavailable: %s", error)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        try:
            self._redis.set(self._prefix + key, value, ex=self._ttl_s)
        except Exception as error:
            log.warning("response cache unavailable: %s", error)


def build_store(config: Mapping[str, Any]) -> CacheStore:
    """Return Redis when CACHE_URL names it, else a bounded store in this process."""
    if config["CACHE_URL"]:
        return RedisStore(
            config["CACHE_URL"],
            config["CACHE_KEY_PREFIX"],
            config["CACHE_TTL_S"],
            config["CACHE_TIMEOUT_S"],
        )
    return MemoryStore(config["CACHE_MAX_MB"] * 1024 * 1024)
