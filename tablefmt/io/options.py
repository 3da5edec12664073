"""Storage options for object stores, with credentials that never print.

Keys follow API.md: endpoint_url, region, access_key_id, secret_access_key,
session_token, path_style (bool-like), plus the boto3-style aliases
aws_access_key_id / aws_secret_access_key / aws_session_token / region_name."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from tablefmt.errors import ValidationError

_ALIASES = {"aws_access_key_id": "access_key_id", "aws_secret_access_key": "secret_access_key",
            "aws_session_token": "session_token", "region_name": "region",
            "endpoint": "endpoint_url", "aws_region": "region", "s3.endpoint": "endpoint_url",
            "force_path_style": "path_style"}
_KNOWN = {"endpoint_url", "region", "access_key_id", "secret_access_key", "session_token",
          "path_style", "max_attempts", "connect_timeout", "read_timeout"}


class Secret:
    """A string that shows as '***' in repr, str and f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class S3Options:
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: Secret | None = field(default=None, repr=True)
    session_token: Secret | None = field(default=None, repr=True)
    path_style: bool = False
    max_attempts: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 60.0

    @classmethod
    def parse(cls, options: dict[str, Any] | None) -> S3Options:
        values: dict[str, Any] = {}
        for key, value in (options or {}).items():
            name = _ALIASES.get(key, key)
            if name not in _KNOWN:
                raise ValidationError(f"Unknown storage option {key!r}; known: "
                                      f"{', '.join(sorted(_KNOWN))}")
            values[name] = value
        # boto3's environment names for what the credential chain does not cover.
        env_endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if "endpoint_url" not in values and env_endpoint:
            values["endpoint_url"] = env_endpoint
        env_region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if "region" not in values and env_region:
            values["region"] = env_region
        for secret in ("secret_access_key", "session_token"):
            if values.get(secret) is not None and not isinstance(values[secret], Secret):
                values[secret] = Secret(str(values[secret]))
        if "path_style" in values:
            values["path_style"] = str(values["path_style"]).lower() in ("1", "true", "yes")
        elif values.get("endpoint_url"):
            values["path_style"] = True  # S3-compatible endpoints (MinIO, moto) want it
        for num in ("max_attempts",):
            if num in values:
                values[num] = int(values[num])
        for num in ("connect_timeout", "read_timeout"):
            if num in values:
                values[num] = float(values[num])
        return cls(**values)
