"""Fixtures of the embedding tests: each test starts with an empty vector cache (so
reads are really exercised) and plans nothing from an earlier test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tablefmt.embeddings import clear_cache
from tablefmt.embeddings.plan import _PLANS


@pytest.fixture(autouse=True)
def _fresh_vector_cache() -> Iterator[None]:
    clear_cache()
    _PLANS.clear()
    yield
    clear_cache()
    _PLANS.clear()
