"""Row filters: build (`col`), parse (`parse_filter`), bind to a schema, run in Arrow, and
prune manifests and data files with them (Iceberg spec "Scan Planning")."""

from __future__ import annotations

from tablefmt.expressions.arrow import to_arrow_expr
from tablefmt.expressions.binding import bind
from tablefmt.expressions.bound import BoundExpression, BoundPredicate, referenced_columns
from tablefmt.expressions.evaluate import evaluate
from tablefmt.expressions.metrics import (
    FileStats,
    InclusiveMetricsEvaluator,
    StrictMetricsEvaluator,
)
from tablefmt.expressions.parser import parse_filter, to_expression
from tablefmt.expressions.partition import (
    FieldSummaryLike,
    ManifestEvaluator,
    PartitionEvaluator,
    residual_for,
)
from tablefmt.expressions.projection import (
    PartitionFieldLike,
    TransformProjection,
    project_inclusive,
    project_strict,
    projection_for,
    register_projection,
)
from tablefmt.expressions.rewrite import rewrite_not, simplify
from tablefmt.expressions.tree import (
    AlwaysFalse,
    AlwaysTrue,
    And,
    Expression,
    Not,
    Op,
    Or,
    Predicate,
    Reference,
    col,
)

__all__ = [
    "AlwaysFalse",
    "AlwaysTrue",
    "And",
    "BoundExpression",
    "BoundPredicate",
    "Expression",
    "FieldSummaryLike",
    "FileStats",
    "InclusiveMetricsEvaluator",
    "ManifestEvaluator",
    "Not",
    "Op",
    "Or",
    "PartitionEvaluator",
    "PartitionFieldLike",
    "Predicate",
    "Reference",
    "StrictMetricsEvaluator",
    "TransformProjection",
    "bind",
    "col",
    "evaluate",
    "parse_filter",
    "project_inclusive",
    "project_strict",
    "projection_for",
    "referenced_columns",
    "register_projection",
    "residual_for",
    "rewrite_not",
    "simplify",
    "to_arrow_expr",
    "to_expression",
]
