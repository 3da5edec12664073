"""One process-wide cache, bounded in bytes, for what searches reuse: decoded vectors of
data files, their other columns, and loaded index arrays. Data files and index files are
immutable, so entries are keyed by path and never go stale; the least recently used go
first. `TABLEFMT_VECTOR_CACHE_BYTES` sets the bound (default 4 GiB; 0 disables)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

LIMIT_ENV = "TABLEFMT_VECTOR_CACHE_BYTES"
LIMIT_DEFAULT = 4 << 30


class ByteLRU:
    """A least-recently-used map whose values carry their size in bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            self._data.move_to_end(key)
            return item[0]

    def fits(self, nbytes: int) -> bool:
        return nbytes <= self.limit

    def put(self, key: Hashable, value: Any, nbytes: int) -> None:
        """Keep `value` unless it alone exceeds the bound; evict the oldest to make room."""
        if not self.fits(nbytes):
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._data[key] = (value, nbytes)
            self.used += nbytes
            while self.used > self.limit and self._data:
                _, (_, size) = self._data.popitem(last=False)
                self.used -= size

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.used = 0


def _limit_from_env() -> int:
    raw = os.environ.get(LIMIT_ENV, "").replace("_", "").strip()
    return int(raw) if raw else LIMIT_DEFAULT


CACHE = ByteLRU(_limit_from_env())


def set_cache_limit(nbytes: int) -> None:
    """Bound the search cache to `nbytes` (0 turns caching off); entries beyond go now."""
    CACHE.limit = max(0, int(nbytes))
    if CACHE.used > CACHE.limit:
        CACHE.clear()


def clear_cache() -> None:
    """Drop every cached vector, row and index array (for cold-start measurements)."""
    CACHE.clear()
