"""The `Example:` sections of the maintenance modules (and the manifest merge policy) run (STYLE.md: docstrings with
examples that run as doctests)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["maintenance.compact", "maintenance.expire", "maintenance.files", "maintenance.orphans",
           "maintenance.retention", "maintenance.sort_rows", "transaction.producer"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"tablefmt.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
