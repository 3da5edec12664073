"""Scan planning plans exactly what the per-file evaluators decide: the same files, in
the same order, with the same residuals, partitions and sequence numbers, and the same
pruning counts, across partition evolution, deletes and every transform."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

import tablefmt as tf
from tablefmt.expressions import (
    InclusiveMetricsEvaluator,
    ManifestEvaluator,
    PartitionEvaluator,
    project_inclusive,
    residual_for,
)
from tablefmt.metadata.data_file import Content, Status
from tablefmt.scan import manifests
from tablefmt.scan.scan import Scan
from tablefmt.values import internal_to_python

SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False), ("name", pa.string()),
                    ("ts", pa.timestamp("us", tz="UTC")), ("day", pa.date32()),
                    ("price", pa.decimal128(9, 2)), ("v", pa.float64())])
T0 = datetime(2024, 1, 30, tzinfo=UTC)
FILTERS = [None, "id = 7", "id IN (3, 40, 77)", "id >= 90", "id < 0", "name = 'bname6'",
           "name LIKE 'cn%'", "name NOT LIKE 'a%'", "name IS NULL", "v IS NAN",
           "v > 0.5 OR v IS NULL", "id != 5 AND name != 'aname0'",
           "ts >= '2024-02-10T00:00:00+00:00' AND ts < '2024-02-11T00:00:00+00:00'",
           "day = '2024-01-05'", "day > '2024-01-20' OR price <= 12.5",
           "NOT (price > 100)", "v NOT IN (1.5, 2.5)"]


def rows(start: int, n: int) -> pa.Table:
    ids = list(range(start, start + n))
    return pa.table({
        "id": ids,
        "name": [None if i % 11 == 0 else f"{chr(97 + i % 5)}name{i}" for i in ids],
        "ts": [T0 + timedelta(hours=5 * i) for i in ids],
        "day": [date(2023, 12, 25) + timedelta(days=i % 40) for i in ids],
        "price": [Decimal(i * 7 % 1000) / 4 for i in ids],
        "v": [float("nan") if i % 13 == 0 else (i % 7) / 2 for i in ids],
    }, schema=SCHEMA)


def reference_plan(scan: Scan) -> tuple[list[tuple[Any, ...]], tuple[int, ...]]:
    """The plan of one-file-at-a-time evaluation: summaries, partition tuple, metrics."""
    meta, bound, schema = scan.meta, scan.bound, scan.schema
    counts = [0, 0, 0, 0, 0]
    out = []
    assert scan.snapshot is not None
    for m in manifests.manifest_list(scan.io, scan.snapshot.manifest_list):
        if m.content != Content.DATA or not m.has_live_files:
            continue
        spec = meta.spec_by_id(m.partition_spec_id)
        types = spec.partition_type(schema)
        projected = project_inclusive(bound, spec.fields)
        counts[0] += 1
        if m.partitions is not None and not ManifestEvaluator(
                projected, [(f.field_id, t) for f, t in types]).can_match(m.partitions):
            counts[1] += 1
            continue
        tuples = PartitionEvaluator(projected, {f.field_id: t for f, t in types})
        for e in manifests.entries(scan.io, m, meta):
            f = e.data_file
            if e.status == Status.DELETED or f.content != Content.DATA:
                continue
            counts[2] += 1
            values = {pf.field_id: v for (pf, _), v in zip(types, f.partition)}
            if not tuples.matches(values):
                counts[3] += 1
                continue
            if not InclusiveMetricsEvaluator(bound).can_match(f):
                counts[4] += 1
                continue
            out.append((f.file_path, {pf.name: internal_to_python(v, t)
                                      for (pf, t), v in zip(types, f.partition)},
                        residual_for(bound, spec.fields, values), e.sequence_number,
                        f.spec_id, f.record_count))
    return out, tuple(counts)


def planned(scan: Scan) -> tuple[list[tuple[Any, ...]], tuple[int, ...]]:
    tasks = scan.plan_files()
    s = scan.stats
    return ([(t.file_path, t.partition, t.residual, t.sequence_number, t.spec_id,
              t.record_count) for t in tasks],
            (s.manifests_total, s.manifests_pruned, s.files_total,
             s.files_pruned_by_partition, s.files_pruned_by_metrics))


@pytest.fixture
def evolved(local_cat: tf.Catalog) -> tf.Table:
    """Appends under two specs, then deletes: live, existing and deleted entries."""
    t = local_cat.create_table("db.evolved", SCHEMA,
                               partition_by=["day(ts)", "bucket(4, id)", "truncate(3, name)"])
    for start in range(0, 60, 15):
        t.append(rows(start, 15))
    with t.update_partitioning() as p:
        p.add("hour(ts)")
        p.remove("day(ts)")
        p.add("truncate(50, price)")
        p.add("day")
    for start in range(60, 100, 20):
        t.append(rows(start, 20))
    t.delete("id IN (3, 4, 5) OR name = 'cname12'")
    t.delete("id >= 95")
    return t


@pytest.mark.parametrize("where", FILTERS, ids=str)
def test_plans_match_per_file_evaluation_across_specs_and_deletes(evolved, where) -> None:
    scan = evolved.scan(where=where)
    assert planned(scan) == reference_plan(evolved.scan(where=where))


@pytest.mark.parametrize("where", FILTERS, ids=str)
def test_cold_and_warm_plans_are_identical(evolved, where) -> None:
    warm = planned(evolved.scan(where=where))
    manifests._LISTS.data.clear()
    manifests._MANIFESTS.data.clear()
    cold = planned(evolved.scan(where=where))
    assert cold == warm


def test_unpartitioned_tables_plan_every_live_file(local_cat) -> None:
    t = local_cat.create_table("db.plain", SCHEMA)
    t.append(rows(0, 10))
    t.append(rows(10, 10))
    for where in FILTERS:
        assert planned(t.scan(where=where)) == reference_plan(t.scan(where=where)), where
    assert len(t.scan().plan_files()) == 2


def test_tasks_do_not_share_partition_dicts_between_scans(evolved) -> None:
    first = evolved.scan().plan_files()
    first[0].partition.clear()
    assert evolved.scan().plan_files()[0].partition


def test_a_partition_field_whose_source_column_was_dropped_does_not_stop_planning(
        local_cat) -> None:
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), ("code", pa.int64())])
    t = local_cat.create_table("db.dropped", schema, partition_by=["code"])
    t.append(pa.table({"id": [1, 2], "code": [5, 6]}, schema=schema))
    with t.update_partitioning() as p:
        p.remove("code")
    with t.update_schema() as u:
        u.drop_column("code")
    t = local_cat.load_table("db.dropped")
    assert planned(t.scan(where="id > 1")) == reference_plan(t.scan(where="id > 1"))
    assert t.to_arrow(where="id > 1").column("id").to_pylist() == [2]
