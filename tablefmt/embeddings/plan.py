"""What a search at one snapshot reads (spec/embeddings.md "Search"): the data files left
after partition and file pruning by `where` (no vector is read to decide), the residual
filter of each, the index that snapshot uses, which index rows are still live and
matching, and the files the index does not cover (searched exactly). Plans are cached:
everything in them is immutable for a snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tablefmt.embeddings.cache import ByteLRU
from tablefmt.embeddings.files import FileReader, Mask
from tablefmt.embeddings.ivf import IvfIndex
from tablefmt.embeddings.registry import IndexEntry, choose
from tablefmt.embeddings.store import read_index
from tablefmt.expressions import AlwaysFalse, AlwaysTrue
from tablefmt.scan.planner import FileTask
from tablefmt.scan.scan import Scan

I64 = npt.NDArray[np.int64]

_PLANS = ByteLRU(256)  # counted in plans, not bytes


@dataclass
class SearchPlan:
    reader: FileReader
    tasks: list[FileTask]
    residuals: list[Any]  # per task: a bound filter, or None when every row matches
    entry: IndexEntry | None = None
    index: IvfIndex | None = None
    task_of_file: I64 | None = None  # per index file ordinal: task number, or -1
    delta: list[int] = field(default_factory=list)  # tasks the index does not cover
    valid: Mask | None = None  # per index row: live at the snapshot and matching
    _masks: dict[int, Mask | None] = field(default_factory=dict)
    _valid_count: int | None = None

    def selective(self, nprobes: int) -> bool:
        """Whether fewer index rows are valid than `nprobes` lists hold on average."""
        if self.valid is None or self.index is None:
            return False
        if self._valid_count is None:
            self._valid_count = int(np.count_nonzero(self.valid))
        return self._valid_count <= self.index.rows * min(nprobes, self.index.nlist) \
            / self.index.nlist

    def mask(self, task: int) -> Mask | None:
        """Rows of a task's file that match its residual filter (None: all of them)."""
        if task not in self._masks:
            residual = self.residuals[task]
            self._masks[task] = None if residual is None else \
                self.reader.mask(self.tasks[task], residual)
        return self._masks[task]


def make_plan(scan: Scan, reader: FileReader, entries: list[IndexEntry],
              use_index: bool) -> SearchPlan:
    entry = choose(scan.meta, scan.snapshot, entries) if use_index else None
    key = (scan.meta.table_uuid, scan.snapshot.snapshot_id if scan.snapshot else None,
           scan.schema.schema_id, str(scan.expression), entry.index_id if entry else None)
    found: SearchPlan | None = _PLANS.get(key)
    if found is not None and found.reader.io is reader.io:
        return found
    tasks, residuals = [], []
    for task in scan.plan_files():
        if isinstance(task.residual, AlwaysFalse):
            continue
        tasks.append(task)
        residuals.append(None if isinstance(task.residual, AlwaysTrue) else task.residual)
    plan = SearchPlan(reader, tasks, residuals, delta=list(range(len(tasks))))
    if entry is not None:
        _attach_index(plan, entry)
    _PLANS.put(key, plan, 1)
    return plan


def _attach_index(plan: SearchPlan, entry: IndexEntry) -> None:
    index = read_index(plan.reader.io, entry.location, entry.files)
    ordinal = {path: i for i, path in enumerate(index.files)}
    task_of_file = np.full(len(index.files), -1, dtype=np.int64)
    delta = []
    for t, task in enumerate(plan.tasks):
        if task.file_path in ordinal:
            task_of_file[ordinal[task.file_path]] = t
        else:
            delta.append(t)
    plan.entry, plan.index, plan.task_of_file, plan.delta = entry, index, task_of_file, delta
    plan.valid = _valid_rows(plan, index, task_of_file)


def _valid_rows(plan: SearchPlan, index: IvfIndex, task_of_file: I64) -> Mask | None:
    """Per index row: its file is live at the snapshot, kept by pruning, and the row
    passes the file's residual filter. None when that is every row."""
    live = task_of_file >= 0
    filtered = [t for t in task_of_file[live].tolist() if plan.residuals[t] is not None]
    if live.all() and not filtered:
        return None
    valid = live[index.row_file]
    if filtered:
        sizes = np.array([plan.tasks[t].record_count if t >= 0 else 0
                          for t in task_of_file.tolist()], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        rows_ok = np.ones(int(sizes.sum()), dtype=np.bool_)
        for f, t in enumerate(task_of_file.tolist()):
            m = plan.mask(t) if t >= 0 else None
            if m is not None:
                rows_ok[starts[f]:starts[f] + sizes[f]] = m
        at = np.minimum(starts[index.row_file] + index.row_pos, max(len(rows_ok) - 1, 0))
        valid &= rows_ok[at] if len(rows_ok) else False
    return valid
