"""The public surface of tablefmt.transforms is exactly its sorted __all__; its modules
stay small and their docstring examples run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import types
from pathlib import Path

import pytest

import tablefmt.transforms as transforms

MODULES = sorted(m.name for m in pkgutil.iter_modules(transforms.__path__))


def test_all_is_sorted_and_lists_exactly_the_public_names() -> None:
    assert transforms.__all__ == sorted(transforms.__all__)
    public = {name for name, value in vars(transforms).items()
              if not name.startswith("_") and name != "annotations"
              and not isinstance(value, types.ModuleType)}
    assert set(transforms.__all__) == public


def test_every_module_of_the_package_stays_small() -> None:
    for path in Path(transforms.__file__).parent.glob("*.py"):
        assert len(path.read_text().splitlines()) < 300, path.name


@pytest.mark.parametrize("name", ["__init__", *MODULES])
def test_docstring_examples_run(name: str) -> None:
    module = transforms if name == "__init__" else \
        importlib.import_module(f"tablefmt.transforms.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
