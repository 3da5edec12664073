"""Property tests: projecting a filter onto transformed partition fields never excludes a
partition holding a matching row (inclusive), never includes one holding a non-matching
row (strict), and residuals select exactly the matching rows of a partition."""

from __future__ import annotations

import os
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tablefmt.transforms  # noqa: F401  (registers the projections)
from tablefmt.expressions import (
    And,
    BoundPredicate,
    Expression,
    Not,
    Or,
    PartitionEvaluator,
    bind,
    col,
    evaluate,
    project_inclusive,
    project_strict,
    residual_for,
)
from tests.transforms.sample import (
    FIELDS,
    NAMES,
    SCHEMA,
    TYPES,
    VALUES,
    neighborhood,
    partition_tuples,
    to_literal,
)

# Examples per column; TABLEFMT_PROPERTY_EXAMPLES=2000 runs a deeper search.
PROPERTY = settings(max_examples=int(os.environ.get("TABLEFMT_PROPERTY_EXAMPLES", "80")),
                    deadline=None, suppress_health_check=[HealthCheck.too_slow])
_COMPARISONS = ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"]
# Literals as a user writes them (dates, datetimes); built once, as hypothesis validates a
# strategy when first drawn from.
LITERALS = {source: values.map(partial(to_literal, source)) for source, values in VALUES.items()}


@st.composite
def predicates(draw: st.DrawFn, source: int) -> Expression:
    ref = col(NAMES[source])
    literal = LITERALS[source]
    kinds = ["cmp", "cmp", "cmp", "set", "null"] + (["prefix"] * 3 if source == 6 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "cmp":
        return getattr(ref, draw(st.sampled_from(_COMPARISONS)))(draw(literal))  # type: ignore[no-any-return]
    if kind == "set":
        values = draw(st.lists(literal, max_size=4))
        return ref.is_in(values) if draw(st.booleans()) else ref.not_in(values)
    if kind == "null":
        return ref.is_null() if draw(st.booleans()) else ref.not_null()
    prefix = draw(VALUES[6])
    return ref.starts_with(prefix) if draw(st.booleans()) else ref.not_starts_with(prefix)


def _filters(source: int) -> st.SearchStrategy[Expression]:
    """Predicates on one column, alone or in small AND / OR / NOT trees."""
    return st.recursive(
        predicates(source),
        lambda children: st.one_of(
            st.tuples(children, children).map(lambda p: And(*p)),
            st.tuples(children, children).map(lambda p: Or(*p)),
            children.map(Not),
        ),
        max_leaves=3,
    )


FILTERS = {source: _filters(source) for source in TYPES}


@st.composite
def rows(draw: st.DrawFn, literals: dict[int, list[Any]]) -> list[dict[int, Any]]:
    """Rows with values in the columns the filter reads (other columns are null): every
    value next to a literal, some random values, and a null."""
    columns = {source: [None, *neighborhood(source, values),
                        *draw(st.lists(VALUES[source], min_size=1, max_size=4))]
               for source, values in literals.items()}
    n = max((len(c) for c in columns.values()), default=1)
    # Columns of different lengths are cycled: each value meets several of the others.
    return [{source: c[i % len(c)] for source, c in columns.items()} for i in range(n)]


def literals_of(expr: Expression) -> dict[int, list[Any]]:
    """The literals of a bound filter, by the field id they are compared with."""
    if isinstance(expr, BoundPredicate):
        return {expr.field_id: list(expr.literals)}
    if isinstance(expr, And | Or):
        left, right = literals_of(expr.left), literals_of(expr.right)
        return {k: left.get(k, []) + right.get(k, []) for k in left.keys() | right.keys()}
    return {}


@pytest.mark.parametrize("source", sorted(TYPES), ids=NAMES.get)
@PROPERTY
@given(data=st.data())
def test_projections_never_exclude_a_matching_row_nor_include_a_non_matching_one(
        source: int, data: st.DataObject) -> None:
    bound = bind(data.draw(FILTERS[source]), SCHEMA)
    literals = literals_of(bound)
    table = data.draw(rows(literals))
    # Fields of other columns project to TRUE (inclusive) or FALSE (strict): no need to
    # compute their partition values.
    fields = [f for f in FIELDS if f.source_id in literals]
    tuples = partition_tuples(table, fields)
    for spec in [[f] for f in fields] + [fields]:
        inclusive = PartitionEvaluator(project_inclusive(bound, spec))
        strict = PartitionEvaluator(project_strict(bound, spec))
        for row, partition in zip(table, tuples, strict=True):
            matches = evaluate(bound, row)
            if matches:
                assert inclusive.matches(partition), (spec, row, partition)
            if strict.matches(partition):
                assert matches, (spec, row, partition)


@pytest.mark.parametrize("source", sorted(TYPES), ids=NAMES.get)
@PROPERTY
@given(data=st.data())
def test_a_residual_selects_exactly_the_matching_rows_of_its_partition(
        source: int, data: st.DataObject) -> None:
    bound = bind(data.draw(FILTERS[source]), SCHEMA)
    literals = literals_of(bound)
    table = data.draw(rows(literals))
    spec = [f for f in FIELDS if f.source_id in literals]
    partitions: dict[tuple[Any, ...], list[dict[int, Any]]] = {}
    for row, partition in zip(table, partition_tuples(table, spec), strict=True):
        partitions.setdefault(tuple(partition.items()), []).append(row)
    for partition_items, members in partitions.items():
        residual = residual_for(bound, spec, dict(partition_items))
        for row in members:
            assert evaluate(residual, row) == evaluate(bound, row), (residual, row)
