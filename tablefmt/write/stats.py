"""Column metrics for a DataFile from a written Parquet footer (spec "Manifests":
value/null/NaN counts, single-value-serialized bounds truncated to 16 characters, sizes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tablefmt import types as T
from tablefmt.metadata.conversions import decimal_from_unscaled, to_bytes
from tablefmt.schema import Schema
from tablefmt.types import IcebergType, ListType, MapType, StructType

TRUNCATE = 16  # PyIceberg's and Java's default metrics mode: truncate(16)


def nan_counts(rows: pa.Table, columns: Iterable[tuple[int, str]]) -> dict[int, int]:
    """NaN count of each (field id, name) float column `rows` holds: Parquet statistics
    leave NaN out, so they are counted from the data."""
    return {fid: pc.sum(pc.is_nan(rows.column(name))).as_py() or 0
            for fid, name in columns if name in rows.column_names}


def leaf_paths(schema: Schema) -> dict[str, tuple[int, IcebergType, bool]]:
    """Parquet column path -> (field id, type, inside a list/map)."""
    out: dict[str, tuple[int, IcebergType, bool]] = {}

    def visit(t: IcebergType, path: str, fid: int, repeated: bool) -> None:
        if isinstance(t, StructType):
            for f in t.fields:
                visit(f.field_type, f"{path}.{f.name}" if path else f.name, f.field_id, repeated)
        elif isinstance(t, ListType):
            visit(t.element_type, f"{path}.list.element", t.element_id, True)
        elif isinstance(t, MapType):
            visit(t.key_type, f"{path}.key_value.key", t.key_id, True)
            visit(t.value_type, f"{path}.key_value.value", t.value_id, True)
        else:
            out[path] = (fid, t, repeated)

    visit(schema.as_struct, "", 0, False)
    return out


def _internal(t: IcebergType, raw: Any) -> Any:
    """Parquet physical statistic -> internal representation."""
    if t == T.STRING:
        return raw.decode("utf-8") if isinstance(raw, bytes) else raw
    if isinstance(t, T.DecimalType):
        unscaled = int.from_bytes(raw, "big", signed=True) if isinstance(raw, bytes) else raw
        return decimal_from_unscaled(unscaled, t.scale)
    return raw


def _truncate_upper(t: IcebergType, value: Any) -> Any | None:
    if t == T.STRING and len(value) > TRUNCATE:
        head = list(value[:TRUNCATE])
        for i in range(len(head) - 1, -1, -1):
            if ord(head[i]) < 0x10FFFF and not 0xD7FF <= ord(head[i]) < 0xDFFF:
                return "".join(head[:i]) + chr(ord(head[i]) + 1)
        return None
    if t == T.BINARY and len(value) > TRUNCATE:
        raw = bytearray(value[:TRUNCATE])
        for i in range(len(raw) - 1, -1, -1):
            if raw[i] < 0xFF:
                return bytes(raw[:i]) + bytes([raw[i] + 1])
        return None
    return value


def _truncate_lower(t: IcebergType, value: Any) -> Any:
    if t in (T.STRING, T.BINARY):
        return value[:TRUNCATE]
    return value


def footer_metrics(meta: pq.FileMetaData, schema: Schema,
                   nan_counts: dict[int, int]) -> dict[str, Any]:
    """DataFile metric fields from one file's footer."""
    leaves = leaf_paths(schema)
    sizes: dict[int, int] = {}
    values: dict[int, int] = {}
    nulls: dict[int, int] = {}
    lows: dict[int, Any] = {}
    highs: dict[int, Any] = {}
    unbounded: set[int] = set()
    pschema = meta.schema
    for i in range(meta.num_columns):
        leaf = leaves.get(pschema.column(i).path)
        if leaf is None:
            continue
        fid, t, repeated = leaf
        for rg in range(meta.num_row_groups):
            col = meta.row_group(rg).column(i)
            sizes[fid] = sizes.get(fid, 0) + col.total_compressed_size
            st = col.statistics
            values[fid] = values.get(fid, 0) + col.num_values
            if st is None or st.null_count is None:
                unbounded.add(fid)
                continue
            nulls[fid] = nulls.get(fid, 0) + st.null_count
            if repeated or not t.is_primitive:
                continue
            if not st.has_min_max:
                if st.null_count < col.num_values:
                    unbounded.add(fid)
                continue
            lo, hi = _internal(t, st.min_raw), _internal(t, st.max_raw)
            if fid not in lows or lo < lows[fid]:
                lows[fid] = lo
            if fid not in highs or hi > highs[fid]:
                highs[fid] = hi
    lower, upper = {}, {}
    for fid, lo in lows.items():
        if fid in unbounded:
            continue
        t = leaves_type(leaves, fid)
        lower[fid] = to_bytes(t, _truncate_lower(t, lo))
        hi = _truncate_upper(t, highs[fid])
        if hi is not None:
            upper[fid] = to_bytes(t, hi)
    for fid in list(nulls):
        if fid in unbounded:
            del nulls[fid]
    return {"column_sizes": sizes, "value_counts": values, "null_value_counts": nulls,
            "nan_value_counts": nan_counts, "lower_bounds": lower, "upper_bounds": upper,
            "split_offsets": tuple(sorted(_row_group_offset(meta, rg)
                                          for rg in range(meta.num_row_groups)))}


def leaves_type(leaves: dict[str, tuple[int, IcebergType, bool]], fid: int) -> IcebergType:
    return next(t for f, t, _ in leaves.values() if f == fid)


def _row_group_offset(meta: pq.FileMetaData, rg: int) -> int:
    col = meta.row_group(rg).column(0)
    offsets = [o for o in (col.dictionary_page_offset, col.data_page_offset) if o]
    return min(offsets) if offsets else 4
