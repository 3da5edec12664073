"""Latest-value reads for serving: `materialize()` writes the newest row per entity into one
key-sorted Parquet file under the table location (recorded in a table property with the
snapshot it reflects); `get_online_features()` looks keys up with a vectorized binary
search over it (no per-row Python), caching the loaded store per path."""

from __future__ import annotations

import io
import json
import uuid
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tablefmt.errors import ValidationError
from tablefmt.features.asof import quote
from tablefmt.features.reading import TS, read_feature_rows
from tablefmt.features.table import ONLINE_STORE
from tablefmt.metadata.table_metadata import TableMetadata
from tablefmt.scan.manifests import _LRU
from tablefmt.transaction.commit import commit
from tablefmt.write.data import to_reader

if TYPE_CHECKING:
    from tablefmt.features.table import FeatureTable

_STORES = _LRU(64)
_SEP = "\x1f"


def _latest(rows: pa.Table, keys: tuple[str, ...], has_created: bool) -> pa.Table:
    """The newest row per entity (event time, then created time, then commit)."""
    con = duckdb.connect()
    con.register("rows", rows)
    order = [f"{quote(TS)} DESC"] + (["__created DESC NULLS LAST"] if has_created else []) \
        + ["__rank DESC"]
    part = ", ".join(quote(k) for k in keys)
    sql = (f"SELECT * FROM rows QUALIFY row_number() OVER (PARTITION BY {part} ORDER BY "
           f"{', '.join(order)}) = 1 ORDER BY {part}")
    out = con.sql(sql).to_arrow_table()
    con.close()
    return out


def materialize(t: FeatureTable) -> dict[str, Any]:
    spec = t.spec
    snap = t.current_snapshot()
    if snap is None:
        raise ValidationError(f"{t.name} has no rows to materialize")
    previous = json.loads(t.metadata.properties.get(ONLINE_STORE, "null"))
    if previous and previous["snapshot_id"] == snap.snapshot_id:
        return dict(previous)
    features = t.feature_names
    incremental = previous is not None and _only_appends_since(t.metadata, previous["snapshot_id"])
    empty_requests = pa.table({"__t": pa.array([], pa.timestamp("us"))})
    if incremental:
        old = _load_store(t, previous["path"])[0]
        top = pc.max(old.column("__rank")).as_py() if old.num_rows else 0
        new_rows = _rows_added_since(t, previous["snapshot_id"], features, top or 0)
        rows = pa.concat_tables([old.select(new_rows.column_names),
                                 new_rows.cast(old.select(new_rows.column_names).schema)])
    else:
        rows = read_feature_rows(t, snap.snapshot_id, features, empty_requests, "__t", spec,
                                 pa.timestamp("us"))
    store = _latest(rows, spec.entities, spec.created_time is not None)
    path = f"{t.location}/online/{snap.snapshot_id}-{uuid.uuid4().hex[:8]}.parquet"
    sink = io.BytesIO()
    pq.write_table(store, sink, compression="zstd")
    t.io.write(path, sink.getvalue())
    record = {"path": path, "snapshot_id": snap.snapshot_id, "rows": store.num_rows,
              "incremental": incremental}

    def build(base: TableMetadata) -> TableMetadata:
        props = dict(base.properties)
        props[ONLINE_STORE] = json.dumps(record)
        return base.evolve(properties=props)

    try:
        commit(t, build)
    except BaseException:
        t.io.delete_quietly([path])
        raise
    if previous:
        t.io.delete_quietly([previous["path"]])
    return record


def _only_appends_since(meta: TableMetadata, snapshot_id: int) -> bool:
    for snap in meta.ancestors(meta.current_snapshot_id):
        if snap.snapshot_id == snapshot_id:
            return True
        if snap.operation != "append":
            return False
    return False  # the recorded snapshot is no ancestor (rollback, expiry): rebuild


def _rows_added_since(t: FeatureTable, snapshot_id: int, features: list[str],
                      after_rank: int) -> pa.Table:
    """Rows of the files committed after `snapshot_id` (only appends happened since), ranked
    above every row already in the store."""
    old_files = {task.file_path for task in t.scan(snapshot_id=snapshot_id).plan_files()}
    current = t.current_snapshot()
    assert current is not None
    empty = pa.table({"__t": pa.array([], pa.timestamp("us"))})
    rows = read_feature_rows(t, current.snapshot_id, features, empty, "__t", t.spec,
                             pa.timestamp("us"), skip_files=old_files)
    i = rows.schema.get_field_index("__rank")
    return rows.set_column(i, "__rank", pc.add(rows.column(i), after_rank + 1))


def _load_store(t: FeatureTable, path: str) -> tuple[pa.Table, np.ndarray]:
    """The store sorted by its key strings, and those keys (cached: stores are immutable)."""
    cached = _STORES.get(path)
    if cached is None:
        store = pq.read_table(io.BytesIO(t.io.read(path)))
        keys = _key_strings(store, t.spec.entities)
        order = np.argsort(keys, kind="stable")
        cached = (store.take(pa.array(order)), keys[order])
        _STORES.put(path, cached)
    return cached  # type: ignore[no-any-return]


def _key_strings(table: pa.Table, keys: tuple[str, ...]) -> np.ndarray:
    """One comparable string per row for (possibly composite) entity keys."""
    parts = [pc.cast(table.column(k), pa.string()) for k in keys]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, _SEP)
    return np.asarray(pc.fill_null(joined, "\x00null").to_numpy(zero_copy_only=False),
                      dtype=str)


def get_online_features(t: FeatureTable, entity_rows: Any,
                        features: list[str] | None = None) -> pa.Table:
    spec = t.spec
    record = json.loads(t.metadata.properties.get(ONLINE_STORE, "null"))
    if record is None:
        raise ValidationError(f"{t.name} has no online store yet; call materialize() first")
    wanted = list(features) if features is not None else t.feature_names
    unknown = [f for f in wanted if f not in t.feature_names]
    if unknown:
        raise ValidationError(f"{t.name} has no feature(s) {', '.join(unknown)}")
    requests = pa.Table.from_pylist(entity_rows) if isinstance(entity_rows, list) \
        else to_reader(entity_rows).read_all()
    missing = [k for k in spec.entities if k not in requests.column_names]
    if missing:
        raise ValidationError(f"entity rows lack key column(s) {', '.join(missing)}")
    store, store_keys = _load_store(t, record["path"])
    asked = _key_strings(requests, spec.entities)
    pos = np.searchsorted(store_keys, asked)
    pos = np.minimum(pos, max(len(store_keys) - 1, 0))
    found = (store_keys[pos] == asked) if len(store_keys) else np.zeros(len(asked), bool)
    idx = pa.array(np.where(found, pos, 0), mask=~found)
    out = {k: requests.column(k) for k in spec.entities}
    for name in wanted:
        out[name] = store.column(name).take(idx) if len(store_keys) else \
            pa.nulls(len(asked), store.schema.field(name).type)
    out[spec.event_time] = store.column(TS).take(idx) if len(store_keys) else \
        pa.nulls(len(asked), pa.timestamp("us"))
    return pa.table(out)
