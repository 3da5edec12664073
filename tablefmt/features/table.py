"""Feature tables: a table plus entity keys, an event-time column, an optional
created-time column, a time-to-live and registry facts (description, owner, tags), all
kept in table properties that other Iceberg readers ignore."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from tablefmt.errors import ValidationError
from tablefmt.table import Table

if TYPE_CHECKING:
    from tablefmt.catalog import Catalog

PREFIX = "tablefmt.feature."
ENTITIES = PREFIX + "entities"
EVENT_TIME = PREFIX + "event-time"
CREATED_TIME = PREFIX + "created-time"
TTL_SECONDS = PREFIX + "ttl-seconds"
DESCRIPTION = PREFIX + "description"
OWNER = PREFIX + "owner"
TAGS = PREFIX + "tags"
ONLINE_STORE = PREFIX + "online-store"  # JSON: {"path", "snapshot_id", "rows"}


@dataclass(frozen=True)
class FeatureSpec:
    entities: tuple[str, ...]
    event_time: str
    created_time: str | None
    ttl: timedelta | None

    @classmethod
    def of(cls, properties: dict[str, str]) -> FeatureSpec:
        ttl = properties.get(TTL_SECONDS)
        return cls(tuple(json.loads(properties[ENTITIES])), properties[EVENT_TIME],
                   properties.get(CREATED_TIME) or None,
                   timedelta(seconds=float(ttl)) if ttl else None)


class FeatureTable(Table):
    """A feature table: everything a table does, plus point-in-time reads
    (`tf.features.get_historical_features`) and latest-value reads for serving."""

    @classmethod
    def from_table(cls, table: Table) -> FeatureTable:
        return cls(table.identifier, table.catalog, table.metadata, table.metadata_location)

    @property
    def spec(self) -> FeatureSpec:
        return FeatureSpec.of(self.metadata.properties)

    @property
    def feature_names(self) -> list[str]:
        s = self.spec
        keys = {*s.entities, s.event_time, s.created_time}
        return [f.name for f in self.schema.fields if f.name not in keys]

    def describe(self) -> dict[str, Any]:
        """Registry facts: keys, features with types, freshness and size."""
        s, props = self.spec, self.metadata.properties
        snap = self.current_snapshot()
        newest = None
        if snap is not None:
            bounds = self.scan(columns=[s.event_time]).to_arrow().column(s.event_time)
            newest = pc.max(bounds).as_py() if len(bounds) else None
        types = {f.name: str(f.field_type) for f in self.schema.fields}
        return {
            "name": self.name, "entities": list(s.entities), "event_time": s.event_time,
            "created_time": s.created_time,
            "ttl_seconds": s.ttl.total_seconds() if s.ttl else None,
            "features": {n: types[n] for n in self.feature_names},
            "description": props.get(DESCRIPTION, ""), "owner": props.get(OWNER, ""),
            "tags": json.loads(props.get(TAGS, "{}")),
            "rows": snap.metric("total-records") if snap else 0,
            "newest_event_time": newest,
            "last_commit": snap.timestamp if snap else None,
            "snapshot_id": snap.snapshot_id if snap else None,
            "online_store": json.loads(props[ONLINE_STORE]) if ONLINE_STORE in props else None,
        }

    def materialize(self) -> dict[str, Any]:
        """Refresh the latest-value store for online reads (incremental when only appends
        happened since the last run); returns what it recorded."""
        from tablefmt.features.online import materialize

        return materialize(self)

    def get_online_features(self, entity_rows: list[dict[str, Any]] | pa.Table,
                            features: list[str] | None = None) -> pa.Table:
        """The latest materialized feature values for each entity row, in order; entities
        without features read as nulls."""
        from tablefmt.features.online import get_online_features

        return get_online_features(self, entity_rows, features)


def create_feature_table(catalog: Catalog, identifier: str, *, entities: list[str],
                         event_time: str, schema: pa.Schema, created_time: str | None = None,
                         ttl: timedelta | None = None, description: str = "", owner: str = "",
                         tags: dict[str, str] | None = None, partition_by: list[str] | None = None,
                         properties: dict[str, str] | None = None,
                         exist_ok: bool = False) -> FeatureTable:
    """Create a feature table; `schema` holds the entity keys, event time, optional created
    time and the features."""
    from tablefmt.catalog import TABLE_TYPE_PROPERTY

    if not isinstance(schema, pa.Schema):
        raise ValidationError("create_feature_table needs schema= as a pyarrow.Schema")
    if isinstance(entities, str):
        entities = [entities]
    if not entities:
        raise ValidationError("A feature table needs at least one entity key column")
    for name in [*entities, event_time] + ([created_time] if created_time else []):
        if name not in schema.names:
            raise ValidationError(f"Column {name!r} is not in the feature table schema")
    for name in [event_time] + ([created_time] if created_time else []):
        t = schema.field(name).type
        if not (pa.types.is_timestamp(t) or pa.types.is_date(t)):
            raise ValidationError(f"Column {name!r} must be a timestamp or date, got {t}")
    if ttl is not None and (not isinstance(ttl, timedelta) or ttl <= timedelta(0)):
        raise ValidationError(f"ttl must be a positive timedelta, got {ttl!r}")
    if len([n for n in schema.names if n not in {*entities, event_time, created_time}]) == 0:
        raise ValidationError("A feature table needs at least one feature column")
    props = dict(properties or {})
    props.update({TABLE_TYPE_PROPERTY: "feature", ENTITIES: json.dumps(list(entities)),
                  EVENT_TIME: event_time, DESCRIPTION: description, OWNER: owner,
                  TAGS: json.dumps(tags or {})})
    if created_time:
        props[CREATED_TIME] = created_time
    if ttl is not None:
        props[TTL_SECONDS] = str(ttl.total_seconds())
    catalog.create_table(identifier, schema, partition_by=partition_by, properties=props,
                         exist_ok=exist_ok)
    table = catalog.load_table(identifier)
    if not isinstance(table, FeatureTable):
        raise ValidationError(f"{identifier} exists and is not a feature table")
    return table
