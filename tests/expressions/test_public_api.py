"""The public surface of tablefmt.expressions is exactly its sorted __all__."""

from __future__ import annotations

import types

import tablefmt.expressions as expressions


def test_all_is_sorted_and_lists_exactly_the_public_names() -> None:
    assert expressions.__all__ == sorted(expressions.__all__)
    public = {name for name, value in vars(expressions).items()
              if not name.startswith("_") and name != "annotations"
              and not isinstance(value, types.ModuleType)}
    assert set(expressions.__all__) == public


def test_every_module_of_the_package_stays_small() -> None:
    from pathlib import Path

    for path in Path(expressions.__file__).parent.glob("*.py"):
        assert len(path.read_text().splitlines()) < 400, path.name
