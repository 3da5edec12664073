"""The public surface of tablefmt.transforms is exactly its sorted __all__, and its modules
stay small (their docstring examples run in tests/test_docstring_examples.py)."""

from __future__ import annotations

import types
from pathlib import Path

import tablefmt.transforms as transforms


def test_all_is_sorted_and_lists_exactly_the_public_names() -> None:
    assert transforms.__all__ == sorted(transforms.__all__)
    public = {name for name, value in vars(transforms).items()
              if not name.startswith("_") and name != "annotations"
              and not isinstance(value, types.ModuleType)}
    assert set(transforms.__all__) == public


def test_every_module_of_the_package_stays_small() -> None:
    for path in Path(transforms.__file__).parent.glob("*.py"):
        assert len(path.read_text().splitlines()) < 300, path.name
