"""Every `Example:` block in the library runs as a doctest (STYLE.md: docstrings with
examples that run). Modules are found by their source holding `>>>`, so a new example is
run without being listed anywhere."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for package in ("tablefmt", "catalog") for p in (ROOT / package).rglob("*.py")
    if ">>>" in p.read_text())


def test_the_examples_are_found() -> None:
    assert {"tablefmt.write.encoding", "tablefmt.write.thrift_compact",
            "tablefmt.maintenance.compact", "tablefmt.embeddings"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
