"""The SELECT a DuckDB view runs for one planned read of a table: the planned data files
read by `read_parquet`, columns matched by Parquet field id (Iceberg spec "Column
Projection"), so renamed, added, dropped and promoted columns read right.

Two shapes:
- by id (the usual case): one `read_parquet([...], schema=MAP{field_id: {name, type,
  default_value}})`. DuckDB matches top-level columns by field id and casts promotions;
  nested struct members it matches by name, which is right unless a nested field was
  renamed or a nested name reused (`nested_names_stable`).
- remapped (nested renames, or files without field ids read through the table's name
  mapping): files grouped by their footer schema, each group read by name and projected
  to the table schema by field id in SQL (`evolved.py`), the groups joined by UNION ALL.

No rows pass through Python: DuckDB reads the files, prunes row groups by their
statistics and pushes projections and filters into the Parquet reader itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa

from tablefmt.duckdb.evolved import remapped_select
from tablefmt.duckdb.filters import filter_sql
from tablefmt.duckdb.sqltext import duck_path, duck_type, ident, string, typed_null
from tablefmt.io import FileIO
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.properties import DEFAULT_NAME_MAPPING
from tablefmt.scan.planner import FileTask
from tablefmt.schema import Schema
from tablefmt.types import IcebergType, ListType, MapType, NestedField, StructType

if TYPE_CHECKING:
    from tablefmt.scan.scan import Scan


@dataclass(frozen=True)
class ReadPlan:
    """What a view reads: the schema it shows, the planned files, and how to filter."""

    schema: Schema
    tasks: list[FileTask]
    columns: list[str] | None = None
    condition: str | None = None  # SQL from `filters.filter_sql`
    limit: int | None = None
    casts: dict[str, str] = field(default_factory=dict)  # column -> DuckDB type to show


def plan_for(scan: Scan, *, filtered: bool) -> ReadPlan:
    """The read plan of a scan: its files and schema; with `filtered`, also its columns,
    filter and limit. Columns the scan shows as fixed-size lists (embedding vectors) are
    cast to DuckDB arrays of that size, as the scan's Arrow schema has them."""
    casts = {}
    for f in scan.arrow_schema:
        source = next((c for c in scan.schema.fields if c.name == f.name), None)
        if pa.types.is_fixed_size_list(f.type) and source is not None \
                and isinstance(source.field_type, ListType):
            casts[f.name] = f"{duck_type(source.field_type.element_type)}[{f.type.list_size}]"
    if not filtered:
        return ReadPlan(scan.schema, scan.plan_files(), casts=casts)
    return ReadPlan(scan.schema, scan.plan_files(), scan.columns,
                    filter_sql(scan.expression, scan.schema), scan.limit, casts)


def select_sql(io: FileIO, meta: TableMetadata, plan: ReadPlan) -> str:
    """The SELECT statement for `plan` over the files of a table with metadata `meta`."""
    if not plan.tasks:
        source = _empty(plan.schema)
    elif meta.properties.get(DEFAULT_NAME_MAPPING) is None and nested_names_stable(meta):
        source = _by_id(plan.schema, plan.tasks)
    else:
        source = remapped_select(io, plan.tasks, plan.schema,
                                 meta.properties.get(DEFAULT_NAME_MAPPING))
    if plan.columns is None and plan.condition is None and plan.limit is None \
            and not plan.casts:
        return source  # already the table's columns, in order: one SELECT less to bind
    names = plan.columns if plan.columns is not None else [f.name for f in plan.schema.fields]
    shown = [f"CAST({ident(n)} AS {plan.casts[n]}) AS {ident(n)}" if n in plan.casts
             else ident(n) for n in names]
    sql = f"SELECT {', '.join(shown)} FROM ({source}) AS t"
    if plan.condition is not None:
        sql += f" WHERE {plan.condition}"
    if plan.limit is not None:
        sql += f" LIMIT {int(plan.limit)}"
    return sql


def _by_id(schema: Schema, tasks: list[FileTask]) -> str:
    entries = ", ".join(
        f"{f.field_id}: {{name: {string(f.name)}, type: {string(duck_type(f.field_type))}, "
        f"default_value: NULL}}" for f in schema.fields)
    files = ", ".join(string(duck_path(t.file_path)) for t in tasks)
    # With `schema`, DuckDB estimates 0 rows (and picks bad join orders); the manifests
    # know the exact count.
    rows = sum(t.record_count for t in tasks)
    return (f"SELECT * FROM read_parquet([{files}], schema=MAP {{{entries}}}, "
            f"explicit_cardinality={int(rows)})")


def _empty(schema: Schema) -> str:
    cols = ", ".join(f"{typed_null(f.field_type)} AS {ident(f.name)}" for f in schema.fields)
    return f"SELECT {cols} WHERE FALSE"


def nested_names_stable(meta: TableMetadata) -> bool:
    """True when, across every schema the table has had, each nested struct member id kept
    one name and each name under a parent kept one id: then DuckDB's by-name matching of
    struct members agrees with Iceberg's by-id matching."""
    name_of: dict[int, str] = {}
    id_of: dict[tuple[int, str], int] = {}
    for schema in meta.schemas:
        for f in schema.fields:
            for parent, child in _nested_members(f.field_id, f.field_type):
                if name_of.setdefault(child.field_id, child.name) != child.name:
                    return False
                if id_of.setdefault((parent, child.name), child.field_id) != child.field_id:
                    return False
    return True


def _nested_members(parent: int, t: IcebergType) -> Iterator[tuple[int, NestedField]]:
    if isinstance(t, StructType):
        for f in t.fields:
            yield parent, f
            yield from _nested_members(f.field_id, f.field_type)
    elif isinstance(t, ListType):
        yield from _nested_members(t.element_id, t.element_type)
    elif isinstance(t, MapType):
        yield from _nested_members(t.key_id, t.key_type)
        yield from _nested_members(t.value_id, t.value_type)
