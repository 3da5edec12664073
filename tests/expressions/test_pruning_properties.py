"""Property tests: pruning never drops a file or partition that holds a matching row, and
"must match" answers are never wrong. Arrow filtering (`to_arrow_expr`) is the oracle."""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tablefmt import types as T
from tablefmt.arrow_schema import to_arrow_schema
from tablefmt.expressions import (
    And,
    Expression,
    InclusiveMetricsEvaluator,
    ManifestEvaluator,
    Not,
    Or,
    PartitionEvaluator,
    StrictMetricsEvaluator,
    bind,
    col,
    evaluate,
    parse_filter,
    project_inclusive,
    project_strict,
    residual_for,
    to_arrow_expr,
)
from tablefmt.schema import Schema
from tablefmt.types import NestedField
from tests.expressions.sample import Stats, stats_for, summary_for

SCHEMA = Schema((
    NestedField(1, "i", T.LONG),
    NestedField(2, "f", T.DOUBLE),
    NestedField(3, "g", T.FLOAT),
    NestedField(4, "s", T.STRING),
    NestedField(5, "day", T.DATE),
))
TYPES = {f.field_id: f.field_type for f in SCHEMA.fields}
NAMES = {f.field_id: f.name for f in SCHEMA.fields}
ARROW = to_arrow_schema(SCHEMA).append(pa.field("__row", pa.int32()))
EPOCH = dt.date(1970, 1, 1)
# TABLEFMT_PROPERTY_EXAMPLES=5000 runs a deeper search; the default keeps the suite fast.
PROPERTY = settings(max_examples=int(os.environ.get("TABLEFMT_PROPERTY_EXAMPLES", "150")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

FLOATS = [-2.0, -1.5, -0.0, 0.0, 0.5, 1.0, 2.5, 3.0, math.inf, -math.inf]
ALPHABET = "abé😀'%_\\"

# -- values (internal representation) and literals per column ------------------------------
VALUES = {
    1: st.one_of(st.none(), st.integers(-3, 3)),
    2: st.one_of(st.none(), st.just(math.nan), st.sampled_from(FLOATS)),
    3: st.one_of(st.none(), st.just(math.nan), st.sampled_from(FLOATS)),
    4: st.one_of(st.none(), st.text(ALPHABET, max_size=3)),
    5: st.one_of(st.none(), st.integers(-3, 3)),
}
LITERALS = {
    1: st.integers(-4, 4),
    2: st.sampled_from(FLOATS),
    3: st.sampled_from(FLOATS),
    4: st.text(ALPHABET, max_size=3),
    5: st.integers(-4, 4).map(lambda days: EPOCH + dt.timedelta(days=days)),
}


@st.composite
def predicates(draw: st.DrawFn) -> Expression:
    fid = draw(st.sampled_from(sorted(TYPES)))
    ref, lit = col(NAMES[fid]), LITERALS[fid]
    kind = draw(st.sampled_from(["cmp", "set", "null", "nan"] + (["prefix"] if fid == 4 else [])))
    if kind == "cmp":
        op = draw(st.sampled_from(["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"]))
        return getattr(ref, op)(draw(lit))  # type: ignore[no-any-return]
    if kind == "set":
        values = draw(st.lists(lit, max_size=4))
        return ref.is_in(values) if draw(st.booleans()) else ref.not_in(values)
    if kind == "null":
        return ref.is_null() if draw(st.booleans()) else ref.not_null()
    if kind == "nan":
        return ref.is_nan() if draw(st.booleans()) else ref.not_nan()
    prefix = draw(st.text(ALPHABET, max_size=2))
    return ref.starts_with(prefix) if draw(st.booleans()) else ref.not_starts_with(prefix)


filters = st.recursive(
    predicates(),
    lambda children: st.one_of(
        st.tuples(children, children).map(lambda p: And(*p)),
        st.tuples(children, children).map(lambda p: Or(*p)),
        children.map(Not),
    ),
    max_leaves=5,
)


@st.composite
def files(draw: st.DrawFn, rows: int | None = None) -> dict[int, list[Any]]:
    n = draw(st.integers(0, 6)) if rows is None else rows
    return {fid: draw(st.lists(VALUES[fid], min_size=n, max_size=n)) for fid in TYPES}


def arrow_of(columns: dict[int, list[Any]]) -> pa.Table:
    n = len(columns[1])
    arrays = [pa.array(columns[fid] if fid != 5 else
                       [None if v is None else EPOCH + dt.timedelta(days=v)
                        for v in columns[fid]], ARROW.field(NAMES[fid]).type)
              for fid in sorted(TYPES)]
    return pa.Table.from_arrays([*arrays, pa.array(range(n), pa.int32())], schema=ARROW)


def selected_rows(bound: Expression, columns: dict[int, list[Any]]) -> set[int]:
    table = arrow_of(columns).filter(to_arrow_expr(bound, SCHEMA))
    return set(table.column("__row").to_pylist())


@dataclass
class Degraded:
    """Stats with some metrics missing, as older or other writers leave them."""

    record_count: int
    value_counts: Any
    null_value_counts: Any
    nan_value_counts: Any
    lower_bounds: Any
    upper_bounds: Any


@st.composite
def degrade(draw: st.DrawFn, stats: Stats) -> Degraded:
    def maybe(metrics: dict[int, Any] | None) -> dict[int, Any] | None:
        choice = draw(st.sampled_from(["keep", "keep", "none", "subset"]))
        if choice == "none" or metrics is None:
            return None
        if choice == "keep":
            return metrics
        keep = draw(st.sets(st.sampled_from(sorted(TYPES))))
        return {k: v for k, v in metrics.items() if k in keep}

    return Degraded(stats.record_count, maybe(stats.value_counts),
                    maybe(stats.null_value_counts), maybe(stats.nan_value_counts),
                    maybe(stats.lower_bounds), maybe(stats.upper_bounds))


@PROPERTY
@given(expr=filters, columns=files(), truncate=st.sampled_from([None, 1, 2]), data=st.data())
def test_metrics_never_prune_a_matching_file_and_must_match_is_never_wrong(
        expr: Expression, columns: dict[int, list[Any]], truncate: int | None,
        data: st.DataObject) -> None:
    bound = bind(expr, SCHEMA)
    rows = selected_rows(bound, columns)
    n = len(columns[1])
    stats = stats_for(TYPES, columns, truncate=truncate)
    for candidate in (stats, data.draw(degrade(stats))):
        if rows:
            assert InclusiveMetricsEvaluator(bound).can_match(candidate)
        if StrictMetricsEvaluator(bound).must_match(candidate):
            assert len(rows) == n


@PROPERTY
@given(expr=filters, columns=files())
def test_python_row_evaluation_and_negation_agree_with_arrow(
        expr: Expression, columns: dict[int, list[Any]]) -> None:
    bound = bind(expr, SCHEMA)
    rows = selected_rows(bound, columns)
    n = len(columns[1])
    by_python = {r for r in range(n) if evaluate(bound, {f: columns[f][r] for f in TYPES})}
    assert by_python == rows
    rest = arrow_of(columns).filter(to_arrow_expr(bound, SCHEMA, negate=True))
    assert set(rest.column("__row").to_pylist()) == set(range(n)) - rows


@dataclass(frozen=True)
class PartitionField:
    source_id: int
    field_id: int
    name: str
    transform: str


@PROPERTY
@given(expr=filters, source=st.sampled_from(sorted(TYPES)), data=st.data())
def test_partition_pruning_and_residuals_agree_with_row_filtering(
        expr: Expression, source: int, data: st.DataObject) -> None:
    bound = bind(expr, SCHEMA)
    spec = [PartitionField(source, 1000, "p", "identity")]
    inclusive = PartitionEvaluator(project_inclusive(bound, spec))
    strict = PartitionEvaluator(project_strict(bound, spec))
    manifest_values, any_match = [], False
    for _ in range(data.draw(st.integers(1, 3))):
        columns = data.draw(files(rows=data.draw(st.integers(1, 5))))
        value = data.draw(VALUES[source])
        columns[source] = [value] * len(columns[source])  # identity-partitioned: constant
        manifest_values.append(value)
        rows = selected_rows(bound, columns)
        any_match = any_match or bool(rows)
        if rows:
            assert inclusive.matches({1000: value})
        if strict.matches({1000: value}):
            assert len(rows) == len(columns[1])
        residual = residual_for(bound, spec, {1000: value})
        assert selected_rows(residual, columns) == rows
    if any_match:
        summary = summary_for(TYPES[source], manifest_values)
        evaluator = ManifestEvaluator(project_inclusive(bound, spec), [(1000, TYPES[source])])
        assert evaluator.can_match([summary])


@PROPERTY
@given(expr=filters)
def test_str_of_a_bound_filter_parses_and_binds_back_to_it(expr: Expression) -> None:
    bound = bind(expr, SCHEMA)
    if "inf" in str(bound):
        return  # infinities have no literal syntax
    assert bind(parse_filter(str(bound)), SCHEMA) == bound
