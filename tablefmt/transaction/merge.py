"""`Table.merge()`: upsert by key with copy-on-write. Matching is Arrow's hash join of the
key columns of each file that can hold a source key (by partition and key bounds) with the
source keys inside that file's bounds; only files with a matched (or, for by-source
deletes, unmatched) row are read whole and rewritten, several at once, and new rows join
a rewritten file of their partition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt import types as T
from tablefmt.errors import CorruptMetadataError, SchemaMismatchError, ValidationError
from tablefmt.expressions import AlwaysTrue, And, Expression, bind, col
from tablefmt.expressions.values import as_term, evaluate
from tablefmt.metadata.conversions import from_bytes
from tablefmt.metadata.data_file import DataFile
from tablefmt.metadata.snapshot import Snapshot
from tablefmt.transaction.fileset import classify, each_file, read_file
from tablefmt.write.conform import Conformer
from tablefmt.write.data import to_reader
from tablefmt.write.partition import split

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
    candidates = live if b.delete_unmatched_target else _may_hold_keys(tx, live, bound)
    # Pass 1, key columns only: which rows of which file match which source row. Files
    # without a match (key bounds overlap, keys do not) are never read whole.
    keys = src.select([*b.on, _SRC])
    hits = each_file(candidates, lambda f: _match(tx, b, keys, f))
    work = [(f, h) for f, h in zip(candidates, hits) if _changes(b, f, h)]
    inserts = _inserts(tx, b, src, hits)
    with tx._staging():  # pass 2
        added = _write(tx, b, src, work, inserts)
    tx._change([f for f, _ in work], added)
    tx.filters.append(("merge", bound))
    tx.kinds.append("merge")


def _inserts(tx: Transaction, b: MergeBuilder, src: pa.Table,
             hits: list[Hits]) -> dict[tuple[Any, ...], pa.Table]:
    """The source rows no target row matched, by partition, when they are inserted."""
    if not b.insert:
        return {}
    matched = np.zeros(src.num_rows, dtype=bool)
    for _, hit_src in hits:
        matched[hit_src] = True
    if matched.all():
        return {}
    return _by_partition(tx, src.filter(pa.array(~matched)).drop_columns([_SRC]))


def _write(tx: Transaction, b: MergeBuilder, src: pa.Table, work: list[tuple[DataFile, Hits]],
           inserts: dict[tuple[Any, ...], pa.Table]) -> list[DataFile]:
    """Rewrite the changed files, several at once. New rows of a partition go into a
    rewritten file of that partition (same spec), so an upsert leaves as many files as it
    rewrote; the rest get files of their own."""
    homes = _homes(tx, b, src)
    jobs = {f.file_path: (h, _take_inserts(tx, inserts, f), _same_partition(tx, b, f, h, homes))
            for f, h in work}
    rewritten = each_file([f for f, _ in work],
                          lambda f: _merge_file(tx, b, src, f, *jobs[f.file_path]))
    added = [d for files in rewritten for d in files]
    if inserts:
        added += tx.writer.write([x for t in inserts.values() for x in t.to_batches()])
    return added


def _may_hold_keys(tx: Transaction, live: list[DataFile], bound: Any) -> list[DataFile]:
    plan = classify(tx.meta, live, bound)
    return plan.whole + plan.partial


Hits = tuple[np.ndarray, np.ndarray]  # (row in the file, row in the source) per match


def _match(tx: Transaction, b: MergeBuilder, keys: pa.Table, f: DataFile) -> Hits:
    keys = _within_bounds(tx, keys, b.on, f)
    if keys.num_rows == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rows = read_file(tx.table.io, tx.meta, f, columns=b.on)
    rows = rows.append_column(_ROW, pa.array(np.arange(rows.num_rows, dtype=np.int64)))
    pairs = rows.join(keys, keys=b.on, join_type="inner")
    return pairs.column(_ROW).to_numpy(), pairs.column(_SRC).to_numpy()


def _within_bounds(tx: Transaction, keys: pa.Table, on: list[str], f: DataFile) -> pa.Table:
    """The source keys inside the file's bounds of a single integer or string key column:
    no other can match, and the hash join builds its table from these."""
    field = tx.meta.schema.find_field(on[0])
    lower = (f.lower_bounds or {}).get(field.field_id)
    upper = (f.upper_bounds or {}).get(field.field_id)
    if len(on) != 1 or lower is None or upper is None:
        return keys
    key = keys.column(on[0])
    if field.field_type == T.STRING:  # bounds are UTF-8 bytes, compared unsigned
        key, low, high = key.cast(pa.binary()), pa.scalar(lower), pa.scalar(upper)
    elif field.field_type in (T.INT, T.LONG):
        low, high = (pa.scalar(from_bytes(field.field_type, b), key.type) for b in (lower, upper))
    else:
        return keys
    return keys.filter(pc.and_(pc.greater_equal(key, low), pc.less_equal(key, high)))


def _changes(b: MergeBuilder, f: DataFile, hits: Hits) -> bool:
    """Whether the merge changes the file's rows (an update or delete of a matched row,
    or a by-source delete of an unmatched one)."""
    matched = len(hits[0])
    return (b.matched is not None and matched > 0) or \
        (b.delete_unmatched_target and matched < f.record_count)


def _by_partition(tx: Transaction, rows: pa.Table) -> dict[tuple[Any, ...], pa.Table]:
    """Rows to insert, grouped by their partition tuple under the current spec."""
    groups: dict[tuple[Any, ...], list[pa.RecordBatch]] = {}
    for batch in rows.to_batches():
        for key, part in split(batch, tx.meta.spec, tx.meta.schema):
            groups.setdefault(key, []).append(part)
    return {k: pa.Table.from_batches(v, schema=rows.schema) for k, v in groups.items()}


Homes = tuple[np.ndarray, dict[tuple[Any, ...], int]]  # each source row's partition number


def _homes(tx: Transaction, b: MergeBuilder, src: pa.Table) -> Homes | None:
    """Each source row's partition under the current spec, when matched rows take the
    source's values (`update_all`); None otherwise."""
    if b.matched != "update_all":
        return None
    number = np.empty(src.num_rows, dtype=np.int64)
    numbers: dict[tuple[Any, ...], int] = {}
    for batch in src.to_batches():
        for key, part in split(batch, tx.meta.spec, tx.meta.schema):
            number[part.column(_SRC).to_numpy()] = numbers.setdefault(key, len(numbers))
    return number, numbers


def _same_partition(tx: Transaction, b: MergeBuilder, f: DataFile, hits: Hits,
                    homes: Homes | None) -> tuple[Any, ...] | None:
    """The file's partition when every row of its rewrite stays in it, so the writer need
    not split them again: matched rows move only when the merge sets a partition source
    column, or takes the source's values from another partition."""
    if f.spec_id != tx.meta.spec.spec_id:
        return None
    if b.matched == "update" and tx._moves_rows(b.matched_set):
        return None
    if homes is not None and len(hits[1]):
        number, numbers = homes
        own = numbers.get(f.partition)
        if own is None or not bool(np.all(number[hits[1]] == own)):
            return None
    return f.partition


def _take_inserts(tx: Transaction, inserts: dict[tuple[Any, ...], pa.Table],
                  f: DataFile) -> pa.Table | None:
    if f.spec_id != tx.meta.spec.spec_id:
        return None
    return inserts.pop(f.partition, None)


def _merge_file(tx: Transaction, b: MergeBuilder, src: pa.Table, f: DataFile, hits: Hits,
                inserts: pa.Table | None, partition: tuple[Any, ...] | None) -> list[DataFile]:
    """Rewrite one file: its rows after the merge, plus new rows of its partition
    (`partition`: every row's, when known)."""
    rows = read_file(tx.table.io, tx.meta, f)
    hit_rows, hit_src = hits
    if rows.num_rows != f.record_count:
        raise CorruptMetadataError(f"Cannot merge into {tx.table.name}: data file {f.file_path} "
                                   f"has {rows.num_rows} rows, its manifest says "
                                   f"{f.record_count}")
    out = _rewrite(tx, b, rows, src, hit_rows, hit_src)
    if inserts is not None:
        out = pa.concat_tables([out, inserts.cast(tx.schema)])
    return tx.writer.write(out.to_batches(), partition)


def _rewrite(tx: Transaction, b: MergeBuilder, rows: pa.Table, src: pa.Table,
             hit_rows: np.ndarray, hit_src: np.ndarray) -> pa.Table:
    """The file's rows after the merge."""
    unmatched = np.ones(rows.num_rows, dtype=bool)
    unmatched[hit_rows] = False
    parts = []
    if not b.delete_unmatched_target:
        parts.append(rows.filter(pa.array(unmatched)))
    if b.matched == "update_all":
        parts.append(src.take(pa.array(hit_src)).drop_columns([_SRC]))
    elif b.matched == "update":
        parts.append(_update_matched(tx, b, rows.take(pa.array(hit_rows)),
                                     src.take(pa.array(hit_src))))
    elif b.matched is None:  # matched rows stay as they are
        parts.append(rows.take(pa.array(hit_rows)))
    return pa.concat_tables([p.cast(tx.schema) for p in parts]) if parts \
        else rows.slice(0, 0).cast(tx.schema)


def _update_matched(tx: Transaction, b: MergeBuilder, target: pa.Table,
                    source: pa.Table) -> pa.Table:
    columns: dict[str, pa.Array] = {}
    for name in target.column_names:
        columns[name] = columns[f"target.{name}"] = target.column(name).combine_chunks()
    for name in source.column_names:
        columns[f"source.{name}"] = source.column(name).combine_chunks()
    schema = tx.schema
    out = target
    for name, value in b.matched_set.items():
        if name not in schema.names:
            raise ValidationError(f"Cannot update {tx.table.name}: no column {name!r}")
        field = schema.field(name)
        new = evaluate(as_term(value), columns, target.num_rows, field.type, name)
        if not field.nullable and new.null_count:
            raise SchemaMismatchError(f"Cannot set required column {name!r} to null")
        out = out.set_column(out.schema.get_field_index(name), field, new)
    return out
