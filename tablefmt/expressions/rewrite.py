"""Tree rewrites: push NOT into predicates (Iceberg's `rewriteNot`) and fold constants.

After `rewrite_not`, NOT(a > 5) is `a <= 5`: a row whose `a` is null matches neither, as in
SQL, and every evaluator (Arrow, metrics, partitions) reads the same NOT-free tree.
"""

from __future__ import annotations

import dataclasses

from tablefmt.expressions.bound import BoundPredicate
from tablefmt.expressions.tree import (
    NEGATED,
    AlwaysFalse,
    AlwaysTrue,
    And,
    Expression,
    Not,
    Or,
    Predicate,
    balanced,
)


def rewrite_not(expr: Expression) -> Expression:
    """`expr` without `Not` nodes: De Morgan on And/Or, negated operators on predicates.

    Example:
        >>> from tablefmt.expressions.tree import col
        >>> str(rewrite_not(~((col("a") > 5) | col("b").is_null())))
        'a <= 5 AND b IS NOT NULL'
    """
    return _push(expr, negate=False)


def _push(expr: Expression, negate: bool) -> Expression:
    if isinstance(expr, Not):
        return _push(expr.child, not negate)
    if isinstance(expr, And):
        left, right = _push(expr.left, negate), _push(expr.right, negate)
        return Or(left, right) if negate else And(left, right)
    if isinstance(expr, Or):
        left, right = _push(expr.left, negate), _push(expr.right, negate)
        return And(left, right) if negate else Or(left, right)
    if not negate:
        return expr
    if isinstance(expr, AlwaysTrue):
        return AlwaysFalse()
    if isinstance(expr, AlwaysFalse):
        return AlwaysTrue()
    if isinstance(expr, Predicate | BoundPredicate):
        return dataclasses.replace(expr, op=NEGATED[expr.op])
    raise TypeError(f"Cannot negate {expr!r}")


def simplify(expr: Expression) -> Expression:
    """Fold AlwaysTrue/AlwaysFalse: `x AND TRUE` is `x`, `x OR TRUE` is `TRUE`, ...

    Example:
        >>> from tablefmt.expressions.tree import col
        >>> str(simplify((col("a") > 5) & AlwaysTrue()))
        'a > 5'
    """
    if isinstance(expr, And):
        left, right = simplify(expr.left), simplify(expr.right)
        if isinstance(left, AlwaysFalse) or isinstance(right, AlwaysFalse):
            return AlwaysFalse()
        if isinstance(left, AlwaysTrue):
            return right
        return left if isinstance(right, AlwaysTrue) else And(left, right)
    if isinstance(expr, Or):
        left, right = simplify(expr.left), simplify(expr.right)
        if isinstance(left, AlwaysTrue) or isinstance(right, AlwaysTrue):
            return AlwaysTrue()
        if isinstance(left, AlwaysFalse):
            return right
        return left if isinstance(right, AlwaysFalse) else Or(left, right)
    if isinstance(expr, Not):
        child = simplify(expr.child)
        if isinstance(child, AlwaysTrue):
            return AlwaysFalse()
        if isinstance(child, AlwaysFalse):
            return AlwaysTrue()
        return child.child if isinstance(child, Not) else Not(child)
    return expr


def rebalance(expr: Expression) -> Expression:
    """The same filter with chains of AND (or of OR) as balanced trees, built without
    recursion along the chain: `reduce(operator.or_, thousands_of_terms)` stays usable."""
    if isinstance(expr, Not):
        return Not(rebalance(expr.child))
    if not isinstance(expr, And | Or):
        return expr
    node = type(expr)
    parts: list[Expression] = []
    stack: list[Expression] = [expr]
    while stack:
        current = stack.pop()
        if isinstance(current, node):
            stack.extend((current.right, current.left))
        else:
            parts.append(rebalance(current))
    return balanced(node, parts)
