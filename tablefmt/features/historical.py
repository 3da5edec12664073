"""Point-in-time correct training sets (Feast's rule): for each entity row and feature
table, the row with the newest `event_time <= request time` and, with a ttl,
`event_time >= request time - ttl`; ties on event time broken by created time, then by
the newer commit. Runs as DuckDB ASOF LEFT JOINs over Arrow data — never a row loop."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.catalog import Catalog
from tablefmt.errors import ValidationError
from tablefmt.features.reading import read_feature_rows
from tablefmt.features.table import FeatureTable
from tablefmt.write.data import to_reader

ROW = "__tablefmt_row"
TS = "__tablefmt_ts"
SNAPSHOTS_KEY = b"tablefmt.feature-snapshots"
# Sort key for ties: event time (µs) in the high 64 bits, the tie-break rank below.
_SHIFT = 2**70  # event µs above 70 bits of tie-break (created µs since 1900, commit rank)
_EPOCH_1900 = 2208988800 * 1_000_000  # keeps created times since 1900 non-negative


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parse_features(catalog: Catalog, features: Iterable[str]
                   ) -> list[tuple[FeatureTable, list[str]]]:
    """`["ns.table:feature", ...]` -> [(table, [features])] in first-seen order."""
    grouped: dict[str, list[str]] = {}
    for ref in features:
        if not isinstance(ref, str) or ref.count(":") != 1:
            raise ValidationError(f"Feature reference {ref!r} must look like 'ns.table:feature'")
        table, feature = ref.split(":")
        grouped.setdefault(table, [])
        if feature not in grouped[table]:
            grouped[table].append(feature)
    if not grouped:
        raise ValidationError("features= must name at least one 'ns.table:feature'")
    out = []
    for ident, names in grouped.items():
        t = catalog.load_table(ident)
        if not isinstance(t, FeatureTable):
            raise ValidationError(f"{ident} is not a feature table")
        unknown = [n for n in names if n not in t.feature_names]
        if unknown:
            raise ValidationError(f"{ident} has no feature(s) {', '.join(unknown)}; features "
                                  f"are {', '.join(t.feature_names)}")
        out.append((t, names))
    return out


def pinned_snapshot(t: FeatureTable, as_of_snapshot: Any) -> int | None:
    """The snapshot a read of `t` uses: a dict per table name, one datetime, or current."""
    if as_of_snapshot is None:
        snap = t.current_snapshot()
    elif isinstance(as_of_snapshot, dict):
        value = as_of_snapshot.get(t.name)
        if value is None:
            snap = t.current_snapshot()
        elif isinstance(value, datetime | str):
            snap = t.metadata.snapshot_as_of(_as_datetime(value))
        else:
            snap = t.snapshot(int(value))
    elif isinstance(as_of_snapshot, datetime | str):
        snap = t.metadata.snapshot_as_of(_as_datetime(as_of_snapshot))
    else:
        raise ValidationError("as_of_snapshot must be a dict of table -> snapshot id or "
                              f"time, or one time; got {type(as_of_snapshot).__name__}")
    return snap.snapshot_id if snap else None


def _as_datetime(value: datetime | str) -> datetime:
    from tablefmt.scan.scan import parse_time

    return parse_time(value)


def get_historical_features(catalog: Catalog, entity_df: Any, features: list[str], *,
                            event_time: str = "event_timestamp",
                            full_feature_names: bool = False, as_of_snapshot: Any = None,
                            filter_by_created_time: bool = False) -> pa.Table:
    """The entity rows, in order, with each requested feature as of the row's time.

    The output's schema metadata records the snapshot id each feature table was read at
    (`tablefmt.feature-snapshots`), so a training set can be rebuilt exactly.
    """
    entities = _entity_table(entity_df, event_time)
    tables = parse_features(catalog, features)
    con = duckdb.connect()
    con.execute("SET asof_loop_join_threshold = 0")  # never the nested-loop ASOF plan
    con.execute("SET TimeZone = 'UTC'")  # naive times are UTC, as in Iceberg
    request = entities.append_column(ROW, pa.array(np.arange(entities.num_rows)))
    con.register("spine_0", request)
    current = "spine_0"
    used: dict[str, int | None] = {}
    out_names: list[str] = []
    for i, (t, names) in enumerate(tables):
        spec = t.spec
        missing = [k for k in spec.entities if k not in entities.column_names]
        if missing:
            raise ValidationError(f"entity_df lacks the entity column(s) {', '.join(missing)} "
                                  f"of {t.name}")
        sid = pinned_snapshot(t, as_of_snapshot)
        used[t.name] = sid
        ts_type = t.arrow_schema.field(spec.event_time).type
        direct: dict[str, Any] = {}
        rows = read_feature_rows(t, sid, names, entities, event_time, spec, ts_type,
                                 direct=direct)
        if direct:
            ranks = pc.max(direct["paths"].column("rank")).as_py()
            _register_parquet(con, f"f_{i}", direct, spec)
        else:
            ranks = pc.max(rows.column("__rank")).as_py() if rows.num_rows else 0
            con.register(f"f_{i}", rows)
        columns = {n: (f"{t.name.rsplit('.', 1)[-1]}__{n}" if full_feature_names else n)
                   for n in names}
        clash = [c for c in columns.values() if c in entities.column_names or c in out_names]
        if clash:
            raise ValidationError(f"Feature column(s) {', '.join(clash)} clash with other "
                                  "columns; pass full_feature_names=True")
        out_names += list(columns.values())
        # One BIGINT key (event µs * 1024 + commit rank) when the commit rank is the only
        # tie-break and fits 10 bits: DuckDB's ASOF runs fastest on it. Else HUGEINT.
        wide = spec.created_time is not None or (ranks or 0) >= 1023
        current = "(" + _join_sql(current, f"f_{i}", spec.entities, event_time, ts_type,
                                  spec.ttl, columns, filter_by_created_time,
                                  spec.created_time is not None, wide) + ")"
    result = con.sql(f"SELECT * EXCLUDE ({quote(ROW)}) FROM {current} ORDER BY {quote(ROW)}")
    table = result.to_arrow_table()
    con.close()
    meta = dict(table.schema.metadata or {})
    meta[SNAPSHOTS_KEY] = json.dumps(used).encode()
    return table.replace_schema_metadata(meta)


def _register_parquet(con: duckdb.DuckDBPyConnection, name: str, direct: dict[str, Any],
                      spec: Any) -> None:
    """A view reading the feature files with DuckDB, each row tagged with the commit rank
    of its file (looked up by DuckDB's `file_index`, no join)."""
    cols = ", ".join(f"p.{quote(c)}" for c in direct["columns"])
    created = f", p.{quote(spec.created_time)} AS __created" if spec.created_time else ""
    paths = direct["paths"].column("path").to_pylist()
    ranks = direct["paths"].column("rank").to_pylist()
    files = "[" + ", ".join("'" + str(x).replace("'", "''") + "'" for x in paths) + "]"
    rank = str(ranks[0]) if len(set(ranks)) == 1 else \
        f"[{', '.join(map(str, ranks))}][CAST(p.file_index AS BIGINT) + 1]"
    where = ""
    if direct["window"]:
        where = " WHERE " + direct["window"].format(col=f"p.{quote(spec.event_time)}")
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT {cols}, p.{quote(spec.event_time)} AS "
                f"{quote(TS)}{created}, CAST({rank} AS BIGINT) AS __rank "
                f"FROM read_parquet({files}) p{where}")


def _entity_table(entity_df: Any, event_time: str) -> pa.Table:
    table = to_reader(entity_df).read_all()
    if event_time not in table.column_names:
        raise ValidationError(f"entity_df has no request-time column {event_time!r}; "
                              f"columns are {', '.join(table.column_names)}")
    t = table.column(event_time).type
    if not (pa.types.is_timestamp(t) or pa.types.is_date(t)):
        raise ValidationError(f"entity_df column {event_time!r} must be a timestamp, got {t}")
    for reserved in (ROW, TS):
        if reserved in table.column_names:
            raise ValidationError(f"entity_df may not have a column named {reserved!r}")
    return table


def _join_sql(spine: str, features: str, keys: tuple[str, ...], event_time: str,
              ts_type: pa.DataType, ttl: Any, columns: dict[str, str],
              filter_by_created_time: bool, has_created: bool, wide: bool) -> str:
    picks = []
    for src, dst in columns.items():
        value = f"f.{quote(src)}"
        if ttl is not None:
            micros = int(ttl.total_seconds() * 1_000_000)
            value = (f"CASE WHEN f.{quote(TS)} >= s.__req - INTERVAL ({micros}) MICROSECONDS "
                     f"THEN {value} END")
        picks.append(f"{value} AS {quote(dst)}")
    on = " AND ".join(f"s.{quote(k)} = f.{quote(k)}" for k in keys)
    select = f"SELECT s.* EXCLUDE (__req, __k), {', '.join(picks)}"
    # Ties on event time: newest created time, then newest commit. Both ride below the
    # event time in one integer key, so one ASOF join decides.
    req = f"CAST({quote(event_time)} AS {_duck_type(ts_type)})"
    if wide:  # event µs above 70 bits; created µs since 1900 and the commit rank below
        created = (f"(CAST(epoch_us(__created) AS HUGEINT) + {_EPOCH_1900}) * 4096"
                   if has_created else "0")
        fkey = (f"CAST(epoch_us({quote(TS)}) AS HUGEINT) * {_SHIFT} "
                f"+ COALESCE({created}, 0) + LEAST(__rank, 4095)")
        skey = f"CAST(epoch_us({req}) AS HUGEINT) * {_SHIFT} + {_SHIFT - 1}"
    else:  # event µs * 1024 + commit rank (< 1023): fits a BIGINT until the year 2255
        fkey = f"epoch_us({quote(TS)}) * 1024 + __rank"
        skey = f"epoch_us({req}) * 1024 + 1023"
    s = f"(SELECT *, {req} AS __req, {skey} AS __k FROM {spine}) s"
    f = f"(SELECT *, {fkey} AS __k FROM {features}) f"
    if not filter_by_created_time:
        return f"{select} FROM {s} ASOF LEFT JOIN {f} ON {on} AND s.__k >= f.__k"
    # Feast's opt-in: also require created time <= request time. Not expressible as one
    # ASOF inequality: rank the candidates per entity row instead.
    created_col = "f.__created" if has_created else f"f.{quote(TS)}"
    return (f"{select} FROM {s} LEFT JOIN {f} ON {on} "
            f"AND f.{quote(TS)} <= s.__req AND {created_col} <= s.__req "
            f"QUALIFY row_number() OVER (PARTITION BY s.{quote(ROW)} ORDER BY f.__k DESC "
            f"NULLS LAST) = 1")


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_date(t):
        return "TIMESTAMP"
    return "TIMESTAMPTZ" if t.tz is not None else "TIMESTAMP"


def get_features_in_range(catalog: Catalog, features: list[str], start: Any, end: Any, *,
                          full_feature_names: bool = False, as_of_snapshot: Any = None) -> pa.Table:
    """Entity-less retrieval: every feature row with start <= event time < end, one row
    per (entity, event time) of the tables, each feature as of that time."""
    tables = parse_features(catalog, features)
    lo, hi = _as_datetime(start), _as_datetime(end)
    spines = []
    keys = tables[0][0].spec.entities
    for t, _ in tables:
        spec = t.spec
        if spec.entities != keys:
            raise ValidationError("get_features_in_range needs feature tables with the same "
                                  f"entity keys ({', '.join(keys)} vs {', '.join(spec.entities)})")
        sid = pinned_snapshot(t, as_of_snapshot)
        if sid is None:
            continue
        where = (f"{quote(spec.event_time)} >= '{lo.isoformat()}' AND "
                 f"{quote(spec.event_time)} < '{hi.isoformat()}'")
        part = t.to_arrow(where=where, columns=[*keys, spec.event_time], snapshot_id=sid)
        ts = part.column(spec.event_time)
        if pa.types.is_timestamp(ts.type) and ts.type.tz is None:
            ts = ts.cast(pa.timestamp("us"))
        spines.append(pa.table({**{k: part.column(k) for k in keys},
                                "event_timestamp": ts.cast(pa.timestamp("us", tz="UTC"))
                                if pa.types.is_timestamp(ts.type) else ts}))
    if not spines:
        return pa.table({})
    spine = pa.concat_tables(spines, promote_options="permissive")
    spine = spine.group_by([*keys, "event_timestamp"]).aggregate([])
    order = pc.sort_indices(spine, [(k, "ascending") for k in ["event_timestamp", *keys]])
    return get_historical_features(catalog, spine.take(order), features,
                                   event_time="event_timestamp",
                                   full_feature_names=full_feature_names,
                                   as_of_snapshot=as_of_snapshot)
