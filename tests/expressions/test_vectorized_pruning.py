"""Property tests: the vectorized evaluators scan planning runs on all files (or manifests)
at once give exactly the answers of the per-file evaluators: partition tuples (inclusive
and strict projections, residuals), column metrics, manifest summaries and bounds."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

import tablefmt.transforms  # noqa: F401  (registers the projections)
from tablefmt import types as T
from tablefmt.expressions import (
    Expression,
    InclusiveMetricsEvaluator,
    ManifestEvaluator,
    PartitionEvaluator,
    bind,
    col,
    project_inclusive,
    project_strict,
    residual_for,
)
from tablefmt.expressions.bounds import decode_bounds
from tablefmt.expressions.fact_columns import UNKNOWN, FactColumns
from tablefmt.expressions.facts import decode_bound
from tablefmt.expressions.metrics import file_fact_columns
from tablefmt.expressions.partition import FieldSummaryColumns, summary_fact_columns
from tablefmt.expressions.partition_tuples import (
    Residuals,
    TupleFilter,
    partition_schema,
    tuple_table,
)
from tablefmt.metadata.conversions import to_bytes
from tablefmt.schema import Schema
from tablefmt.transforms import parse_transform
from tablefmt.types import IcebergType, NestedField
from tests.expressions import test_pruning_properties as pruning
from tests.expressions.sample import Summary, stats_for, summary_for
from tests.transforms import sample as transforms
from tests.transforms.test_projection_properties import FILTERS as TRANSFORM_FILTERS
from tests.transforms.test_projection_properties import literals_of, rows

# -- helpers: many files or manifests as the column protocols -------------------------------


class Files:
    """`MetricColumns` over per-file stats objects (dicts of metrics)."""

    def __init__(self, stats: list[Any]) -> None:
        self.stats = stats
        self.record_count = np.array([s.record_count for s in stats], np.int64)

    def counts(self, name: str, field_id: int) -> tuple[np.ndarray, np.ndarray]:
        found = [(getattr(s, name) or {}).get(field_id) for s in self.stats]
        return (np.array([v or 0 for v in found], np.int64),
                np.array([v is not None for v in found], bool))

    def bounds(self, name: str, field_id: int, t: IcebergType) -> pa.Array:
        found = [(getattr(s, name) or {}).get(field_id) for s in self.stats]
        return decode_bounds(t, pa.array(found, pa.binary()))

    def facts(self, field_id: int, t: IcebergType) -> FactColumns:
        return file_fact_columns(field_id, t, self)


class Manifests:
    """`SummaryColumns` over per-manifest summary lists (None: no summaries)."""

    def __init__(self, summaries: list[list[Summary] | None]) -> None:
        self.summaries = summaries

    def __len__(self) -> int:
        return len(self.summaries)

    def field_summaries(self, position: int) -> FieldSummaryColumns:
        found = [s[position] if s is not None and position < len(s) else None
                 for s in self.summaries]
        return FieldSummaryColumns(
            present=np.array([s is not None for s in found]),
            contains_null=np.array([bool(s and s.contains_null) for s in found]),
            contains_nan=np.array([UNKNOWN if s is None or s.contains_nan is None
                                   else int(s.contains_nan) for s in found], np.int8),
            lower_bound=pa.array([s and s.lower_bound for s in found], pa.binary()),
            upper_bound=pa.array([s and s.upper_bound for s in found], pa.binary()))

    def field_facts(self, position: int, t: IcebergType) -> FactColumns:
        return summary_fact_columns(t, self.field_summaries(position))


def assert_tuples_agree(bound: Expression, spec: list[Any], types: list[IcebergType],
                        tuples: list[dict[int, Any]]) -> None:
    schema = partition_schema([(f.field_id, f.name, t) for f, t in zip(spec, types)])
    table = tuple_table(schema, [tuple(p.get(f.field_id) for f in spec) for p in tuples])
    for project in (project_inclusive, project_strict):
        projected = project(bound, spec)
        vectorized = TupleFilter(projected, schema).matches(table).tolist()
        assert vectorized == [PartitionEvaluator(projected).matches(p) for p in tuples], \
            (project.__name__, projected, tuples)
    residuals = Residuals(bound, spec, schema).of(table, np.arange(len(tuples)))
    assert residuals == [residual_for(bound, spec, p) for p in tuples], tuples


# -- partition tuples ------------------------------------------------------------------------


@pruning.PROPERTY
@given(source=st.sampled_from(sorted(transforms.TYPES)), data=st.data())
def test_tuple_filters_and_residuals_agree_with_per_tuple_evaluation_for_every_transform(
        source: int, data: st.DataObject) -> None:
    bound = bind(data.draw(TRANSFORM_FILTERS[source]), transforms.SCHEMA)
    literals = literals_of(bound)
    table = data.draw(rows(literals))
    spec = [f for f in transforms.FIELDS if f.source_id in literals] or \
        [f for f in transforms.FIELDS if f.source_id == source]
    tuples = transforms.partition_tuples(table, spec)
    types = [parse_transform(f.transform).result_type(transforms.TYPES[f.source_id])
             for f in spec]
    assert_tuples_agree(bound, spec, types, tuples)


@pruning.PROPERTY
@given(expr=pruning.filters, source=st.sampled_from(sorted(pruning.TYPES)), data=st.data())
def test_tuple_filters_and_residuals_agree_on_identity_partitions_with_nulls_and_nans(
        expr: Expression, source: int, data: st.DataObject) -> None:
    bound = bind(expr, pruning.SCHEMA)
    spec = [pruning.PartitionField(source, 1000, "p", "identity")]
    values = data.draw(st.lists(pruning.VALUES[source], min_size=1, max_size=8))
    assert_tuples_agree(bound, spec, [pruning.TYPES[source]], [{1000: v} for v in values])


def test_an_unpartitioned_spec_keeps_one_row_per_file() -> None:
    bound = bind("i > 1", pruning.SCHEMA)
    schema = partition_schema([])
    table = tuple_table(schema, [(), (), ()])
    assert TupleFilter(project_inclusive(bound, []), schema).matches(table).tolist() == \
        [True] * 3
    assert Residuals(bound, [], schema).of(table, np.array([0, 2])) == [bound, bound]


# -- metrics and summaries -------------------------------------------------------------------


@pruning.PROPERTY
@given(expr=pruning.filters, data=st.data())
def test_metrics_of_many_files_agree_with_the_per_file_evaluator(
        expr: Expression, data: st.DataObject) -> None:
    bound = bind(expr, pruning.SCHEMA)
    stats = []
    for _ in range(data.draw(st.integers(1, 6))):
        full = stats_for(pruning.TYPES, data.draw(pruning.files()),
                         truncate=data.draw(st.sampled_from([None, 1, 2])))
        stats.append(data.draw(st.sampled_from([full, data.draw(pruning.degrade(full))])))
    evaluator = InclusiveMetricsEvaluator(bound)
    assert evaluator.can_match_many(Files(stats)).tolist() == \
        [evaluator.can_match(s) for s in stats]


@pruning.PROPERTY
@given(expr=pruning.filters, source=st.sampled_from(sorted(pruning.TYPES)), data=st.data())
def test_summaries_of_many_manifests_agree_with_the_per_manifest_evaluator(
        expr: Expression, source: int, data: st.DataObject) -> None:
    bound = bind(expr, pruning.SCHEMA)
    spec = [pruning.PartitionField(source, 1000, "p", "identity")]
    t = pruning.TYPES[source]
    manifests: list[list[Summary] | None] = []
    for _ in range(data.draw(st.integers(1, 6))):
        values = data.draw(st.lists(pruning.VALUES[source], min_size=1, max_size=4))
        manifests.append(data.draw(st.sampled_from([[summary_for(t, values)], [], None])))
    evaluator = ManifestEvaluator(project_inclusive(bound, spec), [(1000, t)])
    assert evaluator.can_match_many(Manifests(manifests)).tolist() == \
        [evaluator.can_match(m) for m in manifests]


# -- every type ------------------------------------------------------------------------------

EVERY_TYPE: dict[IcebergType, list[Any]] = {
    T.BOOLEAN: [False, True],
    T.INT: [-(2**31), -1, 0, 7, 2**31 - 1],
    T.LONG: [-(2**63), -5, 0, 2**40],
    T.FLOAT: [-math.inf, -1.5, -0.0, 0.0, 2.5],
    T.DOUBLE: [-1e300, -0.0, 1.0, math.inf],
    T.DATE: [-800, 0, 19000],
    T.TIME: [0, 3_600_000_000, 86_399_999_999],
    T.TIMESTAMP: [-(10**15), 0, 10**15],
    T.TIMESTAMPTZ: [-1, 0, 1],
    T.STRING: ["", "a", "ab", "abé", "b", "😀"],
    T.UUID: [uuid.UUID(int=0), uuid.UUID(int=5), uuid.UUID(int=2**127 + 3)],
    T.BINARY: [b"", b"\x00", b"\x00\xff", b"\xff"],
    T.FixedType(2): [b"\x00\x00", b"\x00\xff", b"\xff\x00"],
    T.DecimalType(9, 2): [Decimal("-128.00"), Decimal("-1.29"), Decimal("0.00"),
                          Decimal("1.28"), Decimal("9999999.99")],
    T.DecimalType(38, 0): [Decimal(-(10**37)), Decimal(0), Decimal(10**37)],
}


def _literal(t: IcebergType, value: Any) -> Any:
    if t == T.DATE:
        return dt.date(1970, 1, 1) + dt.timedelta(days=value)
    if t == T.TIME:
        return (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=value)).time()
    if t in (T.TIMESTAMP, T.TIMESTAMPTZ):
        at = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=value)
        return at.replace(tzinfo=dt.UTC) if t == T.TIMESTAMPTZ else at
    return value


def test_every_type_decodes_bounds_as_the_per_value_decoder_does() -> None:
    for t, values in EVERY_TYPE.items():
        data = [to_bytes(t, v) for v in values] + [None, b"", b"\x01\x02\x03"]
        expected = [decode_bound(t, d) for d in data]
        if t == T.UUID:
            expected = [None if e is None else e.bytes for e in expected]
        assert decode_bounds(t, pa.array(data, pa.binary())).to_pylist() == expected, t


def test_every_type_prunes_many_files_as_the_per_file_evaluator_does() -> None:
    for t, values in EVERY_TYPE.items():
        schema = Schema((NestedField(1, "c", t),))
        stats = [stats_for({1: t}, {1: [a, b, None][:k]})
                 for a in values for b in values for k in (1, 2, 3)]
        ops = ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"]
        for v in values:
            for op in ops:
                bound = bind(getattr(col("c"), op)(_literal(t, v)), schema)
                evaluator = InclusiveMetricsEvaluator(bound)
                assert evaluator.can_match_many(Files(stats)).tolist() == \
                    [evaluator.can_match(s) for s in stats], (t, op, v)
        spec = [pruning.PartitionField(1, 1000, "p", "identity")]
        for v in values:
            bound = bind(col("c") >= _literal(t, v), schema)
            assert_tuples_agree(bound, spec, [t], [{1000: x} for x in [*values, None]])
