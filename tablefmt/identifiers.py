"""Table and namespace identifiers: parsed and validated, never trusted as paths.

`"db.events"` -> namespace `("db",)`, name `"events"`. Each part is a plain name: letters,
digits, `_` and `-`, starting with a letter or `_`, at most 128 characters, so no part
can escape the warehouse (`..`, `/`, URL schemes, quotes and `;` are rejected).
"""

from __future__ import annotations

import re

from tablefmt.errors import ValidationError

MAX_PART = 128
_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def validate_part(part: str, what: str, full: str) -> str:
    if not part:
        raise ValidationError(f"Invalid {what} {full!r}: empty name part "
                              "(use 'namespace.table', parts separated by single dots)")
    if len(part) > MAX_PART:
        raise ValidationError(f"Invalid {what} {full[:40]!r}...: a name part is {len(part)} "
                              f"characters long, the limit is {MAX_PART}")
    if not _PART.fullmatch(part):
        raise ValidationError(f"Invalid {what} {full!r}: {part!r} may contain only letters, "
                              "digits, '_' and '-', and must start with a letter or '_'")
    return part


def parse_namespace(namespace: str | tuple[str, ...]) -> tuple[str, ...]:
    full = namespace if isinstance(namespace, str) else ".".join(namespace)
    if not isinstance(full, str):
        raise ValidationError(f"Invalid namespace {namespace!r}")
    parts = full.split(".") if isinstance(namespace, str) else list(namespace)
    return tuple(validate_part(p, "namespace", full) for p in parts)


def parse_identifier(identifier: str) -> tuple[tuple[str, ...], str]:
    """`"a.b.t"` -> `(("a", "b"), "t")`."""
    if not isinstance(identifier, str):
        raise ValidationError(f"Table identifier must be a string, got {type(identifier).__name__}")
    parts = identifier.split(".")
    if len(parts) < 2:
        raise ValidationError(f"Invalid table identifier {identifier!r}: expected "
                              "'namespace.table'")
    for p in parts:
        validate_part(p, "table identifier", identifier)
    return tuple(parts[:-1]), parts[-1]
