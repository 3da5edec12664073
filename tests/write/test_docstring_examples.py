"""The `Example:` sections of the write modules run (STYLE.md: docstrings with examples
that run as doctests)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["write.encoding", "write.writer"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"tablefmt.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
