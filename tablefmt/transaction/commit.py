"""The optimistic commit loop: build on a base, swap, and on a lost race reload the
winner, re-validate and rebuild, with Iceberg's `commit.retry.*` properties.

Files an attempt wrote are removed only when the commit definitely did not happen."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from tablefmt import properties as P
from tablefmt.errors import CommitConflictError, CommitFailedError, StorageError
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.transaction.fault import checkpoint

if TYPE_CHECKING:
    from tablefmt.catalog import Catalog
    from tablefmt.table import Table

Build = Callable[[TableMetadata], TableMetadata]
Validate = Callable[[TableMetadata, TableMetadata], None]


def commit(table: Table, build: Build, *, validate: Validate | None = None,
           written: Callable[[], list[str]] = list, snapshot_id: int | None = None) -> TableMetadata:
    """Commit `build(base)` to `table`'s catalog; return the committed metadata."""
    catalog = table.catalog
    start = base = table.metadata
    base_location = table.metadata_location
    props = base.properties
    retries = int(props.get(P.COMMIT_NUM_RETRIES, P.COMMIT_NUM_RETRIES_DEFAULT))
    min_wait = int(props.get(P.COMMIT_MIN_WAIT_MS, P.COMMIT_MIN_WAIT_MS_DEFAULT))
    max_wait = int(props.get(P.COMMIT_MAX_WAIT_MS, P.COMMIT_MAX_WAIT_MS_DEFAULT))
    deadline = time.monotonic() + int(props.get(P.COMMIT_TOTAL_TIMEOUT_MS,
                                                P.COMMIT_TOTAL_TIMEOUT_MS_DEFAULT)) / 1000
    attempt = 0
    outcome_unknown = False
    mine: list[str] = []  # metadata files this commit wrote
    try:
        while True:
            try:
                new = build(base)
                location, new = catalog._write_metadata(base_location, base.last_updated_ms, new)
                if not catalog.swap_writes_metadata:
                    mine.append(location)
                checkpoint("metadata")
                checkpoint("swap")
                outcome_unknown = True
                try:
                    catalog._swap(table.identifier, base_location, location)
                except CommitFailedError:
                    raise
                except Exception:
                    # The response was lost or the store failed: look before deciding.
                    if not _landed(catalog, table.identifier, location):
                        outcome_unknown = False
                        raise
                outcome_unknown = False
                table._refresh_to(new, location)
                return new
            except CommitFailedError:
                outcome_unknown = False  # the swap definitely did not happen
                if mine and mine[-1] == location:
                    table.io.delete_quietly([mine.pop()])
                attempt += 1
                if attempt > retries or time.monotonic() > deadline:
                    raise CommitConflictError(
                        f"Cannot commit to {table.name}: the table kept changing under this "
                        f"commit ({retries} retries); nothing was committed") from None
                wait = min(min_wait * 2 ** (attempt - 1), max_wait) / 1000
                time.sleep(wait * (1 + random.random() * 0.1))
                base, base_location = table.catalog._load_metadata(table.identifier)
                if snapshot_id is not None and base.snapshot_by_id(snapshot_id):
                    table._refresh_to(base, base_location)  # an earlier attempt did land
                    return base
                if validate is not None:
                    validate(start, base)
    except BaseException:
        # A swap whose response was lost may have landed: then every file is referenced.
        if not outcome_unknown:
            table.io.delete_quietly(written() + mine)
        raise


def _landed(catalog: Catalog, identifier: str, location: str) -> bool:
    """Whether a swap with an unknown outcome committed; raises if that cannot be told."""
    for delay in (0.0, 0.2, 1.0):
        time.sleep(delay)
        try:
            return catalog._committed(identifier, location)
        except StorageError:
            continue
    raise StorageError(f"Cannot tell whether the commit to {identifier} landed; "
                       "its files were kept. Reload the table to see its state")


__all__ = ["commit", "checkpoint"]
