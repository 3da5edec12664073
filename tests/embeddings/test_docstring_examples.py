"""The `Example:` blocks of the embeddings modules run as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["tablefmt.embeddings", "tablefmt.embeddings.kmeans", "tablefmt.embeddings.table"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
