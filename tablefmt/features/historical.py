"""Point-in-time correct training sets (Feast's rule): for each entity row and feature
table, the row with the newest `event_time <= request time` and, with a ttl,
`event_time >= request time - ttl`; ties on event time broken by created time, then by
the newer commit. One DuckDB ASOF LEFT JOIN per feature table (`asof`) — never a row
loop; the entity columns pass through untouched."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.catalog import Catalog
from tablefmt.errors import ValidationError
from tablefmt.features import engine
from tablefmt.features.asof import join_feature_table, quote, register_spine
from tablefmt.features.table import FeatureTable
from tablefmt.write.data import to_reader

SNAPSHOTS_KEY = b"tablefmt.feature-snapshots"


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
    for t, _ in tables:
        missing = [k for k in t.spec.entities if k not in entities.column_names]
        if missing:
            raise ValidationError(f"entity_df lacks the entity column(s) "
                                  f"{', '.join(missing)} of {t.name}")
    out = entities
    used: dict[str, int | None] = {}
    con = engine.connect()
    try:
        register_spine(con, entities, event_time, [k for t, _ in tables for k in t.spec.entities])
        for t, names in tables:
            used[t.name] = sid = pinned_snapshot(t, as_of_snapshot)
            columns = _output_names(t, names, full_feature_names, out.column_names)
            joined = join_feature_table(con, entities, event_time, t, sid, columns,
                                        filter_by_created_time=filter_by_created_time)
            for name, col in joined.items():
                out = out.append_column(name, col)
    finally:
        con.close()
    return out.replace_schema_metadata({SNAPSHOTS_KEY: json.dumps(used).encode()})


def _output_names(t: FeatureTable, names: list[str], full_feature_names: bool,
                  taken: list[str]) -> dict[str, str]:
    columns = {n: (f"{t.name.rsplit('.', 1)[-1]}__{n}" if full_feature_names else n)
               for n in names}
    clash = [c for c in columns.values() if c in taken]
    if clash:
        raise ValidationError(f"Feature column(s) {', '.join(clash)} clash with other "
                              "columns; pass full_feature_names=True")
    return columns


def _entity_table(entity_df: Any, event_time: str) -> pa.Table:
    table = to_reader(entity_df).read_all()
    if event_time not in table.column_names:
        raise ValidationError(f"entity_df has no request-time column {event_time!r}; "
                              f"columns are {', '.join(table.column_names)}")
    t = table.column(event_time).type
    if not (pa.types.is_timestamp(t) or pa.types.is_date(t)):
        raise ValidationError(f"entity_df column {event_time!r} must be a timestamp, got {t}")
    reserved = [c for c in table.column_names if c.startswith("__tablefmt_")]
    if reserved:
        raise ValidationError(f"entity_df may not have columns named __tablefmt_*: "
                              f"{', '.join(reserved)}")
    return table


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
