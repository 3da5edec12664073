"""One feature table's point-in-time join (spec/features.md "Point-in-time joins"): a
DuckDB ASOF LEFT JOIN of the request spine against the table's rows, put back in entity
order by row number (no sort), the ttl applied as a null mask in Arrow."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.features.reading import (
    CREATED,
    RANK,
    TS,
    FeatureRead,
    plan_read,
    read_rows,
    request_window,
)
from tablefmt.features.table import FeatureTable

SPINE = "spine"  # the view of the entity rows
FEATURES = "features"  # the view of one feature table's rows
ROW = "__tablefmt_row"  # the entity row number, a column of the spine
REQ = "__tablefmt_req"  # the request time as the feature table's time type
KEY = "__tablefmt_key"  # the ASOF inequality key
FRESH = "__tablefmt_fresh"  # the chosen row is within the ttl
_BIG = 2**63 - 1
# Below this many commits (and without a created time) the tie-break key is one BIGINT,
# event µs * 1024 + commit rank; DuckDB's ASOF runs fastest on it.
_RANK_LIMIT = 1023


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def register_spine(con: duckdb.DuckDBPyConnection, entities: pa.Table, event_time: str,
                   keys: list[str]) -> None:
    """The entity rows as view `spine`, with only what the joins read: the entity keys,
    the request time and the row number."""
    spine = entities.select(list(dict.fromkeys([*keys, event_time])))
    con.register(SPINE, spine.append_column(ROW, pa.array(np.arange(entities.num_rows))))


def join_feature_table(con: duckdb.DuckDBPyConnection, entities: pa.Table, event_time: str,
                       t: FeatureTable, snapshot_id: int | None, columns: dict[str, str], *,
                       filter_by_created_time: bool) -> dict[str, pa.ChunkedArray]:
    """Feature `columns` (source name -> output name) of `t` at `snapshot_id` for each
    entity row (the registered spine), in entity order."""
    spec = t.spec
    ts_type = t.arrow_schema.field(spec.event_time).type
    window = request_window(entities, event_time, spec.ttl, ts_type)
    read = plan_read(t, snapshot_id, list(columns), window)
    _register_rows(con, FEATURES, t, read)
    sql = _join_sql(t, ts_type, event_time, columns, read.max_rank, filter_by_created_time)
    result = con.sql(sql).to_arrow_table()
    con.execute(f"DROP VIEW IF EXISTS {FEATURES}")  # also drops a registered Arrow table
    return _in_row_order(result, entities.num_rows, list(columns.values()))


def _join_sql(t: FeatureTable, ts_type: pa.DataType, event_time: str,
              columns: dict[str, str], max_rank: int, filter_by_created_time: bool) -> str:
    spec = t.spec
    req = f"CAST({quote(event_time)} AS {_duck_type(ts_type)})"
    keys = list(spec.entities)
    # Rows without a request time get no features (DuckDB's ASOF would match them).
    s = (f"(SELECT {ROW}, {', '.join(map(quote, keys))}, {req} AS {REQ} FROM {SPINE} "
         f"WHERE {quote(event_time)} IS NOT NULL) s")
    picks = ", ".join(f"f.{quote(src)} AS {quote(dst)}" for src, dst in columns.items())
    if spec.ttl is not None:  # integer µs: interval arithmetic on TIMESTAMPTZ is slower
        picks += f", epoch_us(f.{TS}) >= epoch_us(s.{REQ}) - {_micros(spec.ttl)} AS {FRESH}"
    on = " AND ".join(f"s.{quote(k)} = f.{quote(k)}" for k in keys)
    select = f"SELECT s.{ROW}, {picks}"
    has_created = spec.created_time is not None
    if filter_by_created_time:
        return _ranked_join(select, s, on, has_created)
    return _asof_join(select, s, on, has_created, max_rank)


def _asof_join(select: str, s: str, on: str, has_created: bool, max_rank: int) -> str:
    """Newest event time <= request time wins; ties by created time, then commit rank."""
    if not has_created and max_rank == 0:  # one commit: the event time alone decides
        return f"{select} FROM {s} ASOF LEFT JOIN {FEATURES} f ON {on} AND s.{REQ} >= f.{TS}"
    if not has_created and max_rank < _RANK_LIMIT:  # BIGINT until the year 2255
        skey, fkey = f"epoch_us({REQ}) * 1024 + 1023", f"epoch_us({TS}) * 1024 + {RANK}"
    else:  # a struct compares field by field: event µs, created µs, commit rank
        created = f"'c': COALESCE(epoch_us({CREATED}), {-_BIG}), " if has_created else ""
        top = f"'c': {_BIG}, " if has_created else ""
        skey = f"CASE WHEN {REQ} IS NOT NULL THEN {{'t': epoch_us({REQ}), {top}'r': {_BIG}}} END"
        fkey = (f"CASE WHEN {TS} IS NOT NULL THEN {{'t': epoch_us({TS}), {created}"
                f"'r': {RANK}}} END")
    return (f"{select} FROM (SELECT *, {skey} AS {KEY} FROM {s}) s ASOF LEFT JOIN "
            f"(SELECT *, {fkey} AS {KEY} FROM {FEATURES}) f ON {on} AND s.{KEY} >= f.{KEY}")


def _ranked_join(select: str, s: str, on: str, has_created: bool) -> str:
    """Feast's opt-in: also require created time <= request time. Not expressible as one
    ASOF inequality: rank the candidates per entity row instead."""
    created = f"f.{CREATED}" if has_created else f"f.{TS}"
    order = [f"f.{TS} DESC"] + ([f"f.{CREATED} DESC"] if has_created else []) + [f"f.{RANK} DESC"]
    return (f"{select} FROM {s} LEFT JOIN {FEATURES} f ON {on} AND f.{TS} <= s.{REQ} "
            f"AND {created} <= s.{REQ} QUALIFY row_number() OVER (PARTITION BY s.{ROW} "
            f"ORDER BY {' NULLS LAST, '.join(order)} NULLS LAST) = 1")


def _in_row_order(result: pa.Table, rows: int, names: list[str]) -> dict[str, pa.ChunkedArray]:
    """Put the join's rows back at their row numbers (a gather, no sort); rows it did not
    return, and with a ttl rows whose match is too old, read as nulls."""
    found = result.column(ROW).to_numpy()
    where = np.zeros(rows, dtype=np.int64)
    where[found] = np.arange(len(found))
    keep = np.zeros(rows, dtype=bool)
    if FRESH in result.column_names:
        keep[found] = pc.fill_null(result.column(FRESH), False).to_numpy()
    else:
        keep[found] = True
    index = pa.array(where) if keep.all() else pa.array(where, mask=~keep)
    # One gather per column, in parallel: Arrow's take releases the GIL.
    with ThreadPoolExecutor(max_workers=min(len(names), os.cpu_count() or 1)) as pool:
        taken = pool.map(lambda name: result.column(name).take(index), names)
        return dict(zip(names, taken, strict=True))


def _register_rows(con: duckdb.DuckDBPyConnection, name: str, t: FeatureTable,
                   read: FeatureRead) -> None:
    """The rows as view `name`: local files read by DuckDB itself (fused with the join, in
    parallel), each row tagged with its file's commit rank via `file_index`; other files
    read through Arrow."""
    paths = read.local_paths()
    if paths is None or not paths:
        con.register(name, read_rows(t, read))
        return
    spec = t.spec
    ts = f"p.{quote(spec.event_time)}"
    if pa.types.is_date(t.arrow_schema.field(spec.event_time).type):
        ts = f"CAST({ts} AS TIMESTAMP)"
    cols = [f"p.{quote(c)}" for c in read.columns if c not in (spec.event_time, spec.created_time)]
    cols.append(f"{ts} AS {TS}")
    if spec.created_time:
        cols.append(f"CAST(p.{quote(spec.created_time)} AS TIMESTAMP) AS {CREATED}"
                    if pa.types.is_date(t.arrow_schema.field(spec.created_time).type)
                    else f"p.{quote(spec.created_time)} AS {CREATED}")
    ranks = [read.rank_of(x) for x in read.tasks]
    rank = str(ranks[0]) if len(set(ranks)) == 1 else \
        f"[{', '.join(map(str, ranks))}][CAST(p.file_index AS BIGINT) + 1]"
    files = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"
    where = f" WHERE {read.row_filter.sql(f'p.{quote(spec.event_time)}')}" \
        if read.row_filter else ""
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT {', '.join(cols)}, CAST({rank} AS BIGINT) "
                f"AS {RANK} FROM read_parquet({files}) p{where}")


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_date(t):
        return "TIMESTAMP"
    return "TIMESTAMPTZ" if t.tz is not None else "TIMESTAMP"


def _micros(ttl: timedelta) -> int:
    return int(ttl.total_seconds() * 1_000_000)
