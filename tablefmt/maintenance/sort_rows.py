"""Sorting Arrow rows by a table sort order (spec "Sorting"): direction and null order per
field, and NaN as the largest float (`-NaN < -Inf < -x < -0 < 0 < x < Inf < NaN`)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.schema import Schema
from tablefmt.sorting import SortOrder

# Transforms whose order agrees with their source column's: sorting by the source sorts
# by the transform too. `bucket` scrambles order, so it (and what follows it) is skipped.
_ORDER_PRESERVING = {"identity", "year", "month", "day", "hour"}


def sort_table(table: pa.Table, order: SortOrder, schema: Schema) -> pa.Table:
    """`table` sorted by `order` (top-level columns; stops at the first field it cannot
    sort by, so the result is sorted by a prefix of the order).

    Example:
        >>> from tablefmt.sorting import SortField
        >>> from tablefmt.types import DOUBLE, NestedField
        >>> schema = Schema((NestedField(1, "x", DOUBLE),))
        >>> t = pa.table({"x": [1.0, None, float("nan"), 3.0]})
        >>> order = SortOrder((SortField(1, "identity", "desc", "nulls-last"),), 1)
        >>> sort_table(t, order, schema)["x"].to_pylist()
        [nan, 3.0, 1.0, None]
    """
    keys: dict[str, pa.Array | pa.ChunkedArray] = {}
    sort_keys: list[tuple[str, str, str]] = []
    for i, f in enumerate(order.fields):
        name = schema.column_name(f.source_id) if schema.has_field(f.source_id) else None
        if name is None or name not in table.column_names or (
                f.transform not in _ORDER_PRESERVING and not f.transform.startswith("truncate")):
            break
        column = table.column(name)
        direction = "descending" if f.direction == "desc" else "ascending"
        nulls = "at_start" if f.null_order == "nulls-first" else "at_end"
        if direction == "descending" and pa.types.is_floating(column.type):
            # Arrow puts NaN after every number in both directions; Iceberg's NaN is the
            # largest value, so it leads a descending order.
            keys[f"nan{i}"] = pc.is_nan(column)
            sort_keys.append((f"nan{i}", "descending", nulls))
        keys[f"key{i}"] = column
        sort_keys.append((f"key{i}", direction, nulls))
    if not sort_keys or table.num_rows < 2:
        return table
    indices = pc.sort_indices(pa.table(keys), options=pc.SortOptions(sort_keys))
    return table.take(indices)


__all__ = ["sort_table"]
