"""Named points in the commit path. Tests replace `hook` to inject a failure at a step
("data_files", "manifest", "manifest_list", "metadata", "swap") and prove that nothing
becomes visible."""

from __future__ import annotations

from collections.abc import Callable


def _noop(step: str) -> None:
    return None


hook: Callable[[str], None] = _noop


def checkpoint(step: str) -> None:
    hook(step)
