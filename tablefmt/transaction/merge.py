"""`Table.merge()`: upsert by key with copy-on-write. Matching is Arrow's hash join; only
files that can hold a source key (by partition and key bounds) are read, and only files
with a matched (or, for by-source deletes, unmatched) row are rewritten."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.errors import SchemaMismatchError, ValidationError
from tablefmt.expressions import AlwaysTrue, And, Expression, bind, col
from tablefmt.expressions.values import as_term, evaluate
from tablefmt.metadata.data_file import DataFile
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.transaction.fileset import classify, read_file
from tablefmt.write.conform import Conformer
from tablefmt.write.data import to_reader

if TYPE_CHECKING:
    from tablefmt.transaction.transaction import Transaction

_ROW, _SRC = "__tablefmt_row", "__tablefmt_src"
IN_LIST_LIMIT = 1000  # key IN (...) prunes partitions exactly; beyond this, bounds only


class MergeBuilder:
    """`t.merge(source, on=["id"]).when_matched_update_all().when_not_matched_insert_all()
    .execute()`."""

    def __init__(self, tx: Transaction, source: Any, on: list[str] | str,
                 standalone: bool = False) -> None:
        self.tx, self.standalone = tx, standalone
        self.on = [on] if isinstance(on, str) else list(on)
        if not self.on:
            raise ValidationError("merge() needs at least one key column in on=[...]")
        self.source = to_reader(source).read_all()
        self.matched: str | None = None  # "update_all" | "update" | "delete"
        self.matched_set: dict[str, Any] = {}
        self.insert = False
        self.delete_unmatched_target = False

    def when_matched_update_all(self) -> MergeBuilder:
        return self._matched("update_all")

    def when_matched_update(self, set: dict[str, Any]) -> MergeBuilder:  # noqa: A002
        if not set:
            raise ValidationError("when_matched_update() needs at least one column")
        self.matched_set = dict(set)
        return self._matched("update")

    def when_matched_delete(self) -> MergeBuilder:
        return self._matched("delete")

    def _matched(self, action: str) -> MergeBuilder:
        if self.matched is not None:
            raise ValidationError("Only one when_matched_* clause is supported")
        self.matched = action
        return self

    def when_not_matched_insert_all(self) -> MergeBuilder:
        self.insert = True
        return self

    def when_not_matched_by_source_delete(self) -> MergeBuilder:
        self.delete_unmatched_target = True
        return self

    def execute(self) -> Snapshot | None:
        if self.matched is None and not self.insert and not self.delete_unmatched_target:
            raise ValidationError("merge() needs at least one when_* clause")
        try:
            _apply(self.tx, self)
            if self.standalone:
                return self.tx.commit()
            return None
        except BaseException:
            if self.standalone:
                self.tx.abort()
            raise


def _source_table(tx: Transaction, b: MergeBuilder) -> pa.Table:
    src = b.source
    for key in b.on:
        if key not in src.column_names:
            raise ValidationError(f"merge key {key!r} is not a column of the source")
        if key not in tx.schema.names:
            raise ValidationError(f"merge key {key!r} is not a column of {tx.table.name}")
    if b.insert or b.matched == "update_all":
        conform = Conformer(tx.meta.schema, src.schema, tx.table.name)
        src = pa.Table.from_batches([conform(x) for x in src.to_batches()], schema=tx.schema)
    else:
        # Only the keys need the table's types.
        for key in b.on:
            i = src.schema.get_field_index(key)
            want = tx.schema.field(key).type
            if src.column(i).type != want:
                src = src.set_column(i, key, src.column(i).cast(want))
    dup = src.group_by(b.on).aggregate([([], "count_all")])
    dup = dup.filter(pc.greater(dup.column("count_all"), 1))
    if dup.num_rows:
        example = {k: dup.column(k)[0].as_py() for k in b.on}
        raise ValidationError(f"merge source has {dup.num_rows} duplicate key(s), e.g. "
                              f"{example}; each target row may match at most one source row")
    return src.append_column(_SRC, pa.array(np.arange(src.num_rows, dtype=np.int64)))


def _key_filter(src: pa.Table, on: list[str]) -> Expression:
    """A filter every target row matching some source key satisfies (for pruning)."""
    expr: Expression = AlwaysTrue()
    for key in on:
        values = pc.drop_null(src.column(key))
        if len(values) == 0:
            continue
        unique = pc.unique(values)
        if len(unique) <= IN_LIST_LIMIT:
            term: Expression = col(key).is_in(unique.to_pylist())
        else:
            bounds = pc.min_max(values)
            term = (col(key) >= bounds["min"].as_py()) & (col(key) <= bounds["max"].as_py())
        expr = term if isinstance(expr, AlwaysTrue) else And(expr, term)
    return expr


def _apply(tx: Transaction, b: MergeBuilder) -> None:
    src = _source_table(tx, b)
    bound = bind(_key_filter(src, b.on), tx.meta.schema)
    live = tx.files.live
    if b.delete_unmatched_target:
        candidates = live
    else:
        plan = classify(tx.meta, live, bound)
        candidates = plan.whole + plan.partial
    matched_src = np.zeros(src.num_rows, dtype=bool)
    removed: list[DataFile] = []
    added: list[DataFile] = []
    keys = src.select([*b.on, _SRC])
    for f in candidates:
        rows = read_file(tx.table.io, tx.meta, f)
        if rows.num_rows == 0:
            continue
        rows = rows.append_column(_ROW, pa.array(np.arange(rows.num_rows, dtype=np.int64)))
        pairs = rows.select([*b.on, _ROW]).join(keys, keys=b.on, join_type="inner")
        hit_rows = pairs.column(_ROW).to_numpy()
        hit_src = pairs.column(_SRC).to_numpy()
        matched_src[hit_src] = True
        out = _rewrite(tx, b, rows, src, hit_rows, hit_src)
        if out is None:
            continue
        removed.append(f)
        added += tx.writer.write(out.to_batches())
    tx._change(removed, added)
    if b.insert and not matched_src.all():
        new = src.filter(pa.array(~matched_src)).drop_columns([_SRC])
        tx._change([], tx.writer.write(new.to_batches()))
    tx.filters.append(("merge", bound))
    tx.kinds.append("merge")


def _rewrite(tx: Transaction, b: MergeBuilder, rows: pa.Table, src: pa.Table,
             hit_rows: np.ndarray, hit_src: np.ndarray) -> pa.Table | None:
    """The file's rows after the merge, or None when they do not change."""
    unmatched = np.ones(rows.num_rows, dtype=bool)
    unmatched[hit_rows] = False
    changed = (b.matched is not None and len(hit_rows) > 0) or \
        (b.delete_unmatched_target and bool(unmatched.any()))
    if not changed:
        return None
    parts = []
    if not b.delete_unmatched_target:
        parts.append(rows.filter(pa.array(unmatched)).drop_columns([_ROW]))
    if b.matched == "update_all":
        parts.append(src.take(pa.array(hit_src)).drop_columns([_SRC]))
    elif b.matched == "update":
        parts.append(_update_matched(tx, b, rows.take(pa.array(hit_rows)),
                                     src.take(pa.array(hit_src))))
    elif b.matched is None:  # matched rows stay as they are
        parts.append(rows.take(pa.array(hit_rows)).drop_columns([_ROW]))
    return pa.concat_tables([p.cast(tx.schema) for p in parts]) if parts \
        else rows.slice(0, 0).drop_columns([_ROW]).cast(tx.schema)


def _update_matched(tx: Transaction, b: MergeBuilder, target: pa.Table,
                    source: pa.Table) -> pa.Table:
    columns: dict[str, pa.Array] = {}
    for name in target.column_names:
        columns[name] = columns[f"target.{name}"] = target.column(name).combine_chunks()
    for name in source.column_names:
        columns[f"source.{name}"] = source.column(name).combine_chunks()
    schema = tx.schema
    out = target.drop_columns([_ROW])
    for name, value in b.matched_set.items():
        if name not in schema.names:
            raise ValidationError(f"Cannot update {tx.table.name}: no column {name!r}")
        field = schema.field(name)
        new = evaluate(as_term(value), columns, target.num_rows, field.type, name)
        if not field.nullable and new.null_count:
            raise SchemaMismatchError(f"Cannot set required column {name!r} to null")
        out = out.set_column(out.schema.get_field_index(name), field, new)
    return out
