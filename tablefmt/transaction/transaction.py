"""`Table.transaction()` and the copy-on-write row operations: append, delete, overwrite,
update and merge stage their changes on a FileSet (writing new files as they go) and commit
them together as one snapshot, or nothing. Files that a filter fully matches are dropped
without being read; partly matching files are rewritten; the rest stay as they are."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.errors import SchemaMismatchError, ValidationError
from tablefmt.expressions import AlwaysTrue, bind, referenced_columns, to_arrow_expr, to_expression
from tablefmt.expressions.values import as_term, evaluate, term_columns
from tablefmt.metadata.data_file import DataFile
from tablefmt.metadata.snapshot import MAIN_BRANCH, Snapshot
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.properties import DEFAULT_NAME_MAPPING
from tablefmt.transaction.commit import commit
from tablefmt.transaction.fileset import FileSet, Writer, classify, each_file, read_file
from tablefmt.transaction.producer import SnapshotProducer
from tablefmt.transaction.validation import check_no_conflicting_data, check_writable_branch
from tablefmt.write.conform import Conformer
from tablefmt.write.data import to_reader

if TYPE_CHECKING:
    from tablefmt.table import Table
    from tablefmt.transaction.merge import MergeBuilder


class Transaction:
    """Several operations, one snapshot, all or nothing:

        with t.transaction() as tx:
            tx.delete("day < '2024-01-01'")
            tx.append(data)
    """

    def __init__(self, table: Table, branch: str = MAIN_BRANCH) -> None:
        check_writable_branch(table.metadata, table.name, branch)
        self.table, self.branch = table, branch
        self.meta: TableMetadata = table.metadata
        self.files = FileSet.of(table.io, self.meta, branch)
        self.writer = Writer(table.io, self.meta)
        self.filters: list[tuple[str, Any]] = []  # (operation, bound filter) to validate
        self.kinds: list[str] = []
        self.done = False
        self.snapshot: Snapshot | None = None
        self._producer: SnapshotProducer | None = None

    @property
    def schema(self) -> pa.Schema:
        return to_arrow_schema(self.meta.schema)

    # -- operations ------------------------------------------------------------------------
    def append(self, data: Any) -> None:
        self._check_open()
        reader = to_reader(data)
        conform = Conformer(self.meta.schema, reader.schema, self.table.name)
        self._change([], self.writer.write(conform(b) for b in reader))
        self.kinds.append("append")

    def delete(self, where: Any) -> None:
        self._check_open()
        bound = self._bind(where)
        self._delete(bound)
        self.filters.append(("delete", bound))
        self.kinds.append("delete")

    def _delete(self, bound: Any) -> None:
        plan = classify(self.meta, self.files.live, bound)
        keep = to_arrow_expr(bound, self.meta.schema, negate=True)
        reads = referenced_columns(bound)
        with self._staging():
            new = each_file(plan.partial, lambda f: self._without(f, keep, reads))
        changed = [f for f, files in zip(plan.partial, new) if files is not None]
        self._change(plan.whole + changed, [d for files in new if files for d in files])

    def _without(self, f: DataFile, keep: Any, reads: set[str]) -> list[DataFile] | None:
        """One file rewritten with only the rows `keep` passes; None when that is all. The
        filter's columns are read first: a file the metrics could not rule out but that
        holds no row to delete is read no further."""
        rows = self._read(f, reads)
        mask = _mask(rows, keep)
        if pc.all(mask).as_py():
            return None  # metrics said "maybe", the rows say no
        rows = self._complete(f, rows)
        # Dropping rows keeps the others in order: the source's sort order still holds.
        return self.writer.write(rows.filter(mask).to_batches(), self._partition_of(f),
                                 f.sort_order_id)

    def _read(self, f: DataFile, columns: set[str] | None = None) -> pa.Table:
        """`f`'s rows, only the schema's `columns` when any are given, dictionary-encoded
        strings kept as dictionaries (see `read_file`)."""
        names = [n for n in self.schema.names if n in columns] if columns else None
        return read_file(self.table.io, self.meta, f, columns=names or None, dictionaries=True)

    def _complete(self, f: DataFile, rows: pa.Table) -> pa.Table:
        """`rows` (some of `f`'s columns) with the others read too, in schema order."""
        names = self.schema.names
        rest = [n for n in names if n not in rows.column_names]
        if not rest:
            return rows
        more = read_file(self.table.io, self.meta, f, columns=rest, dictionaries=True)
        of = {n: rows for n in rows.column_names} | {n: more for n in rest}
        return pa.Table.from_arrays([of[n].column(n) for n in names],
                                    schema=pa.schema([of[n].schema.field(n) for n in names]))

    def overwrite(self, data: Any, where: Any = None, mode: str | None = None) -> None:
        self._check_open()
        if mode not in (None, "static", "dynamic"):
            raise ValidationError(f"overwrite mode must be 'static' or 'dynamic', got {mode!r}")
        if mode == "dynamic":
            self._dynamic_overwrite(data, where)
            return
        bound = self._bind(where)
        self._delete(bound)
        if where is not None:
            self.filters.append(("overwrite", bound))
        self.append(data)
        self.kinds[-1] = "overwrite"

    def _dynamic_overwrite(self, data: Any, where: Any) -> None:
        if where is not None:
            raise ValidationError("overwrite(mode='dynamic') replaces the partitions present "
                                  "in the data; it takes no where=")
        if self.meta.spec.is_unpartitioned:
            raise ValidationError(f"Table {self.table.name} is not partitioned; "
                                  "overwrite(mode='dynamic') needs partitions")
        reader = to_reader(data)
        conform = Conformer(self.meta.schema, reader.schema, self.table.name)
        new = self.writer.write(conform(b) for b in reader)
        present = {(f.spec_id, f.partition) for f in new}
        gone = [f for f in self.files.live if (f.spec_id, f.partition) in present]
        self._change(gone, new)
        self._dynamic_partitions = present
        self.kinds.append("overwrite")

    def update(self, where: Any, set: dict[str, Any]) -> None:  # noqa: A002 (API name)
        self._check_open()
        if not set:
            raise ValidationError("update() needs at least one column in set={...}")
        schema = self.schema
        terms = {}
        for name, value in set.items():
            if name not in schema.names:
                raise ValidationError(f"Cannot update {self.table.name}: no column {name!r}; "
                                      f"columns are {', '.join(schema.names)}")
            terms[name] = as_term(value)
        bound = self._bind(where)
        plan = classify(self.meta, self.files.live, bound)
        filters = referenced_columns(bound)
        update = _Update(to_arrow_expr(bound, self.meta.schema), terms,
                         moves=self._moves_rows(set.keys()), filters=filters,
                         reads=filters | term_columns(*terms.values()) | terms.keys())
        with self._staging():
            new = each_file(plan.whole + plan.partial, lambda f: self._updated(f, update))
        changed = [f for f, files in zip(plan.whole + plan.partial, new) if files is not None]
        self._change(changed, [d for files in new if files for d in files])
        self.filters.append(("update", bound))
        self.kinds.append("update")

    def _updated(self, f: DataFile, update: _Update) -> list[DataFile] | None:
        """One file rewritten with the update's values set on the rows it matches; None
        when it has no such row. When the rows stay in their partition, only the set
        columns are read and encoded, the others copied (`Writer.splice`); when the file
        cannot be spliced, the other columns are read then."""
        splice = not update.moves and self._splicable(f, update.terms)
        rows = self._read(f, update.reads if splice else None)
        mask = _mask(rows.select([n for n in rows.column_names if n in update.filters])
                     if update.filters else rows, update.match)
        if not pc.any(mask).as_py():
            return None
        values = self._set(rows, mask, update.terms)
        order = self._order_after(f, update)
        if splice:
            spliced = self.writer.splice(f, pa.Table.from_arrays(
                [v.data for v in values.values()],
                schema=pa.schema([v.field for v in values.values()])), order)
            if spliced is not None:
                return spliced
            rows = self._complete(f, rows)
        for name, column in values.items():
            rows = rows.set_column(rows.schema.get_field_index(name), column.field, column.data)
        return self.writer.write(rows.to_batches(),
                                 None if update.moves else self._partition_of(f), order)

    def _order_after(self, f: DataFile, update: _Update) -> int | None:
        """The sort order `f`'s rows are still in after the update: the source's, unless
        the update sets one of its keys (or moves rows between files)."""
        if f.sort_order_id is None or update.moves:
            return None
        order = next((o for o in self.meta.sort_orders if o.order_id == f.sort_order_id), None)
        schema = self.meta.schema
        if order is None or not all(schema.has_field(x.source_id) for x in order.fields):
            return None
        keys = [schema.column_name(x.source_id) for x in order.fields]
        return None if _touches(keys, update.terms) else f.sort_order_id

    def _set(self, rows: pa.Table, mask: pa.Array, terms: dict[str, Any]
             ) -> dict[str, _Set]:
        """The set columns' new arrays: each term where `mask` holds, the old value
        elsewhere."""
        columns = _Columns(rows)
        schema = self.schema
        out = {}
        for name, term in terms.items():
            target = schema.field(name)
            new = evaluate(term, columns, rows.num_rows, target.type, name)
            if not target.nullable and new.null_count:
                raise SchemaMismatchError(f"Cannot set required column {name!r} of "
                                          f"{self.table.name} to null")
            out[name] = _Set(target, pc.if_else(mask, new, columns[name]))
        return out

    def _splicable(self, f: DataFile, terms: dict[str, Any]) -> bool:
        """Whether `f` can keep its other columns' bytes: a Parquet file of the current
        spec and the table's only schema, the set columns top-level primitives."""
        m = self.meta
        return (f.file_format.upper() == "PARQUET" and f.spec_id == m.spec.spec_id
                and len(m.schemas) == 1 and DEFAULT_NAME_MAPPING not in m.properties
                and all(m.schema.find_field(n).field_type.is_primitive for n in terms))

    def merge(self, source: Any, on: list[str] | str) -> MergeBuilder:
        from tablefmt.transaction.merge import MergeBuilder

        self._check_open()
        return MergeBuilder(self, source, on)

    # -- staging and commit ----------------------------------------------------------------
    def _bind(self, where: Any) -> Any:
        return bind(to_expression(where), self.meta.schema)

    def _partition_of(self, f: DataFile) -> tuple[Any, ...] | None:
        """The partition of every row of `f` under the current spec, if known without
        reading them: the file's own tuple when it was written under that spec."""
        return f.partition if f.spec_id == self.meta.spec.spec_id else None

    def _moves_rows(self, columns: Iterable[str]) -> bool:
        """Whether setting `columns` may move rows to another partition: it does when a
        partition source is one of them or inside one (a struct)."""
        sources = [self.meta.schema.column_name(f.source_id) for f in self.meta.spec.fields]
        return _touches(sources, columns)

    @contextmanager
    def _staging(self) -> Iterator[None]:
        """Files written inside are removed again if it fails: the operation did not
        happen, whether or not the transaction goes on."""
        mark = len(self.writer.written)
        try:
            yield
        except BaseException:
            self.table.io.delete_quietly(self.writer.forget_since(mark))
            raise

    def _change(self, remove: list[DataFile], add: list[DataFile]) -> None:
        dropped = self.files.replace(remove, add)
        self.table.io.delete_quietly(dropped)  # written by this transaction, never visible

    def _check_open(self) -> None:
        if self.done:
            raise ValidationError("This transaction has already been committed or aborted")

    def _operation(self) -> str:
        if not self.files.removed_base:
            return "append"
        return "overwrite" if self.files.added else "delete"

    def _written(self) -> list[str]:
        return self.writer.written + (self._producer.written if self._producer else [])

    def _validate(self, start: TableMetadata, current: TableMetadata) -> None:
        check_no_conflicting_data(self.table, start, current, self.branch, self.filters,
                                  "commit to")
        present = getattr(self, "_dynamic_partitions", None)
        if present:
            from tablefmt.transaction.validation import added_since

            clash = [f for f in added_since(self.table, start, current, self.branch)
                     if (f.spec_id, f.partition) in present]
            if clash:
                from tablefmt.errors import CommitConflictError

                raise CommitConflictError(
                    f"Cannot overwrite partitions of {self.table.name}: a concurrent commit "
                    f"added {len(clash)} file(s) to them; nothing was committed")

    def commit(self) -> Snapshot | None:
        """Commit every staged change as one snapshot; None when nothing changed."""
        self._check_open()
        self.done = True
        head = self.meta.ref_snapshot(self.branch)
        if not self.files.added and not self.files.removed_base and head is not None:
            return head  # nothing changed: no new snapshot
        producer = self._producer = SnapshotProducer(self.table.io, self._operation(),
                                                     self.branch)
        producer.added_files = list(self.files.added)
        producer.must_remove = set(self.files.removed_base)
        meta = commit(self.table, producer.build, validate=self._validate,
                      written=self._written, snapshot_id=producer.snapshot_id)
        self.snapshot = meta.snapshot_by_id(producer.snapshot_id)
        return self.snapshot

    def abort(self) -> None:
        if not self.done:
            self.done = True
            self.table.io.delete_quietly(self._written())

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            if not self.done:
                self.commit()
        else:
            self.abort()


@dataclass(frozen=True)
class _Update:
    match: Any                # Arrow expression of the rows to change
    terms: dict[str, Any]     # column -> value term
    moves: bool               # the values may move rows to another partition
    filters: set[str]         # columns the filter reads
    reads: set[str]           # those, the columns the values read, and the set ones


class _Set(NamedTuple):
    field: pa.Field
    data: pa.Array


class _Columns(Mapping[str, pa.Array]):
    """A table's columns by name as single plain arrays, each combined when first used
    (an update computes with the columns its values name, not every column)."""

    def __init__(self, rows: pa.Table) -> None:
        self.rows = rows
        self.combined: dict[str, pa.Array] = {}

    def __getitem__(self, name: str) -> pa.Array:
        if name not in self.combined:
            column = self.rows.column(name)
            if pa.types.is_dictionary(column.type):  # read so by `read_file`: decode
                column = column.cast(column.type.value_type)
            self.combined[name] = column.combine_chunks()
        return self.combined[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows.column_names)

    def __len__(self) -> int:
        return len(self.rows.column_names)


def _mask(rows: pa.Table, expr: Any) -> pa.Array:
    """The filter as a boolean array (null counts as no match). A filter on one
    dictionary column without nulls is evaluated once per dictionary value and mapped
    through the indices; other dictionary columns are decoded first (not every Arrow
    kernel takes them: starts_with does not)."""
    if rows.num_rows == 0:
        return pa.array([], pa.bool_())
    if rows.num_columns == 1 and pa.types.is_dictionary(rows.schema.types[0]) \
            and rows.column(0).null_count == 0:
        name = rows.column_names[0]
        return pa.concat_arrays([_dictionary_mask(name, chunk, expr)
                                 for chunk in rows.column(0).chunks])
    if any(pa.types.is_dictionary(t) for t in rows.schema.types):
        rows = rows.cast(pa.schema([f.with_type(f.type.value_type)
                                    if pa.types.is_dictionary(f.type) else f
                                    for f in rows.schema]))
    return _evaluate(rows, expr)


def _dictionary_mask(name: str, chunk: pa.DictionaryArray, expr: Any) -> pa.Array:
    """The filter over column `name` held in `chunk`: evaluated on each dictionary value,
    then gathered by the indices (none null)."""
    hits = _evaluate(pa.table({name: chunk.dictionary}), expr).to_numpy(zero_copy_only=False)
    return pa.array(hits[chunk.indices.to_numpy()])


def _touches(names: Iterable[str], columns: Iterable[str]) -> bool:
    """Whether setting `columns` changes any of `names`: one of them, or a member of one
    (a struct)."""
    columns = list(columns)
    return any(n == c or n.startswith(c + ".") for n in names for c in columns)


def _evaluate(rows: pa.Table, expr: Any) -> pa.Array:
    got = ds.dataset(rows).to_table(columns={"m": expr}).column("m").combine_chunks()
    return pc.fill_null(got, False)


def run(table: Table, apply: Any, branch: str = MAIN_BRANCH) -> Snapshot | None:
    """One operation in its own transaction."""
    tx = Transaction(table, branch)
    try:
        apply(tx)
        return tx.commit()
    except BaseException:
        tx.abort()
        raise


__all__ = ["Transaction", "run", "AlwaysTrue", "np"]
