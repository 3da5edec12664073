"""The vector column on the way in and out (spec/embeddings.md "Vector column"): stored
as an Iceberg `list<float>` with required elements, read back as Arrow
`FixedSizeList<float32>[dim]`. Incoming fixed-size lists, lists and numpy 2-D arrays
of any real type are cast to float32 and validated per batch, vectorized: a wrong
dimension, a null, NaN or infinity raises ValidationError before anything is committed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.embeddings.config import EmbeddingConfig
from tablefmt.errors import ValidationError
from tablefmt.write.data import to_reader

F32 = npt.NDArray[np.float32]

ELEMENT = pa.field("element", pa.float32(), nullable=False)


def storage_type() -> pa.DataType:
    """The Arrow type written to Parquet: Iceberg `list<float>`, element required."""
    return pa.list_(ELEMENT)


def fixed_type(dim: int) -> pa.DataType:
    return pa.list_(ELEMENT, dim)


# -- writing ---------------------------------------------------------------------------------
def prepare(data: Any, cfg: EmbeddingConfig, target: pa.DataType, what: str) -> pa.RecordBatchReader:
    """`data` as a reader whose vector column is exactly `target` (the table's list type),
    each batch validated as it streams. `what` starts error messages ("Cannot append to
    ml.docs")."""
    if isinstance(data, Mapping):
        data = pa.table({k: _from_numpy(v, k, what) for k, v in data.items()})
    reader = to_reader(data)
    name = cfg.vector_column
    if name not in reader.schema.names:
        return reader  # the schema check reports the missing column
    index = reader.schema.get_field_index(name)
    schema = reader.schema.set(index, pa.field(name, target, nullable=False))

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            column = to_storage(batch.column(index), cfg, target, what)
            yield pa.RecordBatch.from_arrays(
                [column if i == index else batch.column(i) for i in range(batch.num_columns)],
                schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


def _from_numpy(value: Any, name: str, what: str) -> Any:
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return pa.FixedSizeListArray.from_arrays(pa.array(value.reshape(-1)), value.shape[1])
    if isinstance(value, np.ndarray) and value.ndim > 2:
        raise ValidationError(f"{what}: column \"{name}\" is a {value.ndim}-D array; pass "
                              "one row per vector (2-D)")
    return value


def to_storage(column: pa.Array, cfg: EmbeddingConfig, target: pa.DataType,
               what: str) -> pa.Array:
    """One batch's vector column, checked and rebuilt as `target` (float32 values)."""
    values = checked_values(column, cfg, what)
    offsets = pa.array(np.arange(len(column) + 1, dtype=np.int32) * cfg.dim)
    return pa.ListArray.from_arrays(offsets, values, type=target)


def checked_values(column: pa.Array, cfg: EmbeddingConfig, what: str) -> pa.Array:
    """The flattened float32 values of a vector column, or ValidationError naming the
    first bad row. Works on whole arrays (no per-row Python)."""
    name, dim, t = cfg.vector_column, cfg.dim, column.type
    if not (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)) \
            or not (pa.types.is_floating(t.value_type) or pa.types.is_integer(t.value_type)):
        raise ValidationError(f"{what}: vector column \"{name}\" must hold lists of numbers "
                              f"({dim} per row), got {t}")
    if column.null_count:
        row = _first(pc.is_null(column))
        raise ValidationError(f"{what}: vector column \"{name}\" row {row} is null; every "
                              "row needs a vector")
    lengths = pc.list_value_length(column)
    wrong = pc.not_equal(lengths, dim)
    if pc.any(wrong).as_py():
        row = _first(wrong)
        raise ValidationError(f"{what}: vector column \"{name}\" row {row} has "
                              f"{lengths[row].as_py()} values, expected {dim} (the table's dim)")
    values = column.flatten()
    if values.null_count:
        row = _first(pc.is_null(values)) // dim
        raise ValidationError(f"{what}: vector column \"{name}\" row {row} has a null value")
    if values.type != pa.float32():
        values = values.cast(pa.float32(), safe=False)  # float64 -> float32 rounds
    finite = pc.is_finite(values)
    if not pc.all(finite).as_py():
        row = _first(pc.invert(finite)) // dim
        raise ValidationError(f"{what}: vector column \"{name}\" row {row} has NaN or infinity "
                              "(or a value beyond float32's range)")
    return values


def _first(mask: pa.Array) -> int:
    return int(np.argmax(mask.to_numpy(zero_copy_only=False)))


# -- reading ---------------------------------------------------------------------------------
def to_fixed(column: pa.Array | pa.ChunkedArray, dim: int, name: str) -> pa.Array | pa.ChunkedArray:
    """A stored `list<float>` column as `FixedSizeList<float32>[dim]` (zero copy when the
    lists are contiguous, as tablefmt writes them)."""
    if isinstance(column, pa.ChunkedArray):
        return pa.chunked_array([to_fixed(c, dim, name) for c in column.chunks],
                                type=fixed_type(dim))
    if pa.types.is_fixed_size_list(column.type) and column.type.list_size == dim \
            and column.type.value_type == pa.float32():
        return column
    offsets = column.offsets.to_numpy()
    if column.null_count or not np.all(np.diff(offsets) == dim):
        try:
            return column.cast(fixed_type(dim))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ValidationError(f"Vector column \"{name}\" holds a row whose length is not "
                                  f"{dim}: {exc}") from exc
    values = column.values.slice(int(offsets[0]), len(column) * dim)
    if values.type != pa.float32():
        values = values.cast(pa.float32())
    return pa.FixedSizeListArray.from_arrays(values, type=fixed_type(dim))


def matrix(column: pa.Array, dim: int) -> F32:
    """The rows of a vector column as an (n, dim) float32 matrix (zero copy if possible)."""
    fixed = to_fixed(column, dim, "vector")
    assert isinstance(fixed, pa.FixedSizeListArray)
    values = fixed.flatten()
    if values.null_count:
        raise ValidationError("A stored vector holds a null value")
    out: F32 = values.to_numpy(zero_copy_only=False).reshape(len(fixed), dim)
    return out


# -- queries ---------------------------------------------------------------------------------
def as_queries(query: Any, dim: int, *, single: bool, name: str) -> F32:
    """Queries as a C-contiguous (n, dim) float32 matrix; ValidationError if any is not
    `dim` finite numbers."""
    if isinstance(query, (pa.ChunkedArray, pa.Array)):
        query = query.to_pylist() if not pa.types.is_floating(query.type) else query.to_numpy(
            zero_copy_only=False)
    elif isinstance(query, pa.Scalar):
        query = query.as_py()
    try:
        q = np.asarray(query, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"Cannot search {name}: the query is not a vector of numbers "
                              f"({exc})") from exc
    want = 1 if single else 2
    if q.ndim != want or q.shape[-1] != dim or (not single and q.shape[0] == 0):
        shape = f"({dim},)" if single else f"(n, {dim}) with n >= 1"
        raise ValidationError(f"Cannot search {name}: queries must have shape {shape}, "
                              f"got {q.shape}")
    q32 = np.ascontiguousarray(q.reshape(-1, dim), dtype=np.float32)
    if not np.all(np.isfinite(q32)):
        raise ValidationError(f"Cannot search {name}: the query holds NaN or infinity "
                              "(or a value beyond float32's range)")
    return q32
