"""Projection onto partition fields, partition-tuple and manifest-summary pruning,
residual filters, and the per-transform projection registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tablefmt import types as T
from tablefmt.errors import ValidationError
from tablefmt.expressions import (
    AlwaysFalse,
    AlwaysTrue,
    BoundPredicate,
    ManifestEvaluator,
    PartitionEvaluator,
    bind,
    col,
    project_inclusive,
    project_strict,
    projection_for,
    register_projection,
    residual_for,
)
from tablefmt.expressions.projection import IdentityProjection, transform_name
from tests.expressions.sample import SCHEMA, summary_for


@dataclass(frozen=True)
class PartitionField:
    source_id: int
    field_id: int
    name: str
    transform: str


BY_DAY_AND_S = [PartitionField(7, 1000, "day", "identity"),
                PartitionField(6, 1001, "s", "identity"),
                PartitionField(1, 1002, "i_zorder", "zorder[16]")]


def inclusive(where: Any) -> Any:
    return project_inclusive(bind(where, SCHEMA), BY_DAY_AND_S)


def strict(where: Any) -> Any:
    return project_strict(bind(where, SCHEMA), BY_DAY_AND_S)


def test_identity_projection_carries_predicates_to_the_partition_field() -> None:
    projected = inclusive("day >= '2024-01-01' AND l > 5")
    assert isinstance(projected, BoundPredicate)
    assert (projected.field_id, projected.name, projected.field_type) == (1000, "day", T.DATE)
    assert str(projected) == "day >= DATE '2024-01-01'"
    assert str(strict("day >= '2024-01-01' OR l > 5")) == "day >= DATE '2024-01-01'"


def test_predicates_without_a_projecting_partition_field_are_true_inclusive_false_strict(
) -> None:
    assert inclusive("l > 5") == AlwaysTrue()
    assert strict("l > 5") == AlwaysFalse()
    assert inclusive("i = 3") == AlwaysTrue()  # zorder (not a known transform): no projection
    assert strict("i = 3") == AlwaysFalse()
    assert str(strict("s = 'a' AND l > 5")) == "FALSE"
    assert str(inclusive("s = 'a' OR l > 5")) == "TRUE"


def test_projection_pushes_not_before_projecting() -> None:
    assert str(inclusive(~(col("day") < dt.date(2024, 1, 1)))) == "day >= DATE '2024-01-01'"


@pytest.mark.parametrize(("where", "values", "expected"), [
    ("day = '2024-01-01'", {1000: 19723, 1001: "x", 1002: 3}, True),
    ("day = '2024-01-02'", {1000: 19723, 1001: "x", 1002: 3}, False),
    ("day IS NULL", {1000: None, 1001: "x", 1002: 3}, True),
    ("day > '2000-01-01'", {1000: None, 1001: "x", 1002: 3}, False),
    ("day != '2000-01-01'", {1000: None, 1001: "x", 1002: 3}, False),
    ("s LIKE 'ab%' OR day < '1970-01-02'", {1000: 0, 1001: "x", 1002: 3}, True),
    ("s LIKE 'ab%' AND day < '1970-01-02'", {1000: 0, 1001: "x", 1002: 3}, False),
    ("i = 5", {1000: 0, 1001: "x", 1002: 3}, True),
])
def test_partition_evaluator_decides_inclusive_projections_on_the_tuple(
        where: str, values: dict[int, Any], expected: bool) -> None:
    assert PartitionEvaluator(inclusive(where)).matches(values) is expected


def test_partition_evaluator_accepts_readable_values_given_the_partition_types() -> None:
    evaluator = PartitionEvaluator(inclusive("day = '2024-01-01'"), {1000: T.DATE})
    assert evaluator.matches({1000: dt.date(2024, 1, 1)})
    assert not evaluator.matches({1000: dt.date(2024, 1, 2)})


def test_partition_evaluator_refuses_to_guess_a_missing_partition_value() -> None:
    with pytest.raises(ValidationError, match="has no value for partition field 1000"):
        PartitionEvaluator(inclusive("day = '2024-01-01'")).matches({1001: "x"})


def test_strict_partition_evaluation_proves_whole_partitions_match() -> None:
    evaluator = PartitionEvaluator(strict("s IN ('a', 'b') OR l > 5"))
    assert evaluator.matches({1000: 0, 1001: "a", 1002: 0})
    assert not evaluator.matches({1000: 0, 1001: "c", 1002: 0})


def summaries(*tuples: tuple[Any, Any, Any]) -> list[Any]:
    types = [T.DATE, T.STRING, T.INT]
    return [summary_for(t, [tup[k] for tup in tuples]) for k, t in enumerate(types)]


PARTITION_TYPES = [(1000, T.DATE), (1001, T.STRING), (1002, T.INT)]


@pytest.mark.parametrize(("where", "expected"), [
    ("day = '1970-01-05'", True),
    ("day = '1970-01-20'", False),
    ("day < '1970-01-02'", False),
    ("day IS NULL", True),
    ("s IS NULL", False),
    ("s IS NOT NULL", True),
    ("s LIKE 'b%'", True),
    ("s LIKE 'c%'", False),
    ("s NOT LIKE 'a%'", True),
    ("s IN ('0', 'zz')", False),
    ("day NOT IN ('1970-01-03')", True),
])
def test_manifest_evaluator_prunes_by_partition_summaries(where: str, expected: bool) -> None:
    manifest = summaries((2, "apple", 1), (10, "banana", 2), (None, "avocado", 3))
    evaluator = ManifestEvaluator(inclusive(where), PARTITION_TYPES)
    assert evaluator.can_match(manifest) is expected


def test_manifest_evaluator_accepts_partition_field_objects_in_spec_order() -> None:
    manifest = summaries((2, "apple", 1))
    assert not ManifestEvaluator(inclusive("s = 'b'"), BY_DAY_AND_S).can_match(manifest)
    assert ManifestEvaluator(inclusive("s = 'apple'"), BY_DAY_AND_S).can_match(manifest)


def test_manifest_whose_partition_values_are_all_null_matches_only_is_null() -> None:
    manifest = summaries((None, None, 1), (None, None, 2))
    for where in ["s = 'a'", "s != 'a'", "s NOT IN ('a', 'b')", "s NOT LIKE 'a%'",
                  "s IS NOT NULL"]:
        assert not ManifestEvaluator(inclusive(where), PARTITION_TYPES).can_match(manifest)
    assert ManifestEvaluator(inclusive("s IS NULL"), PARTITION_TYPES).can_match(manifest)


def test_manifest_without_summaries_is_kept() -> None:
    assert ManifestEvaluator(inclusive("s = 'a'"), PARTITION_TYPES).can_match(None)
    assert ManifestEvaluator(inclusive("s = 'a'"), PARTITION_TYPES).can_match([])


def test_residual_drops_predicates_the_partition_tuple_decides() -> None:
    bound = bind("day = '1970-01-02' AND l > 5", SCHEMA)
    assert str(residual_for(bound, BY_DAY_AND_S, {1000: 1, 1001: "a", 1002: 0})) == "l > 5"
    assert residual_for(bound, BY_DAY_AND_S, {1000: 2, 1001: "a", 1002: 0}) == AlwaysFalse()
    either = bind("day = '1970-01-02' OR l > 5", SCHEMA)
    assert residual_for(either, BY_DAY_AND_S, {1000: 1, 1001: "a", 1002: 0}) == AlwaysTrue()


def test_residual_keeps_everything_for_unpartitioned_files_and_unknown_transforms() -> None:
    bound = bind("i = 3 AND l > 5", SCHEMA)
    assert residual_for(bound, [], {}) == bound
    assert residual_for(bound, BY_DAY_AND_S, {1000: 1, 1001: "a", 1002: 0}) == bound


def test_residual_keeps_predicates_whose_partition_value_is_missing() -> None:
    bound = bind("s = 'a'", SCHEMA)
    assert residual_for(bound, BY_DAY_AND_S, {}) == bound


def test_transform_names_drop_their_argument() -> None:
    assert transform_name("bucket[16]") == "bucket"
    assert transform_name("Identity") == "identity"
    assert isinstance(projection_for("identity"), IdentityProjection)
    assert projection_for("zorder[16]") is None
    assert projection_for("some_future_transform") is None


@pytest.fixture
def zorder_projection_registered() -> Iterator[None]:
    from tablefmt.expressions import projection

    class OnlyNullChecks:
        """A stand-in for a later transform: projects IS NULL only."""

        def inclusive(self, pred: BoundPredicate, field: Any) -> Any:
            return IdentityProjection().inclusive(pred, field) \
                if pred.op.name == "IS_NULL" else None

        def strict(self, pred: BoundPredicate, field: Any) -> Any:
            return self.inclusive(pred, field)

    saved = dict(projection._PROJECTIONS)
    register_projection("zorder", OnlyNullChecks())
    yield
    projection._PROJECTIONS.clear()
    projection._PROJECTIONS.update(saved)


@pytest.mark.usefixtures("zorder_projection_registered")
def test_registered_projections_are_used_for_their_transform() -> None:
    projected = inclusive("i IS NULL AND i = 3")
    assert isinstance(projected, BoundPredicate)
    assert (projected.field_id, str(projected)) == (1002, "i_zorder IS NULL")
