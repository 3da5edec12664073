"""DuckDB extensions tablefmt needs at run time — httpfs for S3 tables (and aws when
credentials come from AWS's default chain) — loaded offline from the
`duckdb-extension-<name>` packages when installed, else by DuckDB's own INSTALL/LOAD; and
the S3 secret built from the catalog's storage options. Secrets never reach an error
message: DuckDB's errors for the statements that carry them are replaced by our own."""

from __future__ import annotations

import importlib
import uuid
from pathlib import Path
from typing import Any

import duckdb

from tablefmt.duckdb.sqltext import string
from tablefmt.errors import StorageError
from tablefmt.io.options import S3Options


def package_extension(name: str) -> Path | None:
    """The extension file the `duckdb-extension-<name>` package ships for this duckdb."""
    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError:
        return None
    if module.__file__ is None:
        return None
    path = (Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}"
            / f"{name}.duckdb_extension")
    return path if path.exists() else None


def is_loaded(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = ?",
                      [name]).fetchone()
    return bool(row and row[0])


def load_extension(con: duckdb.DuckDBPyConnection, name: str, why: str) -> None:
    """Load extension `name`: from its package, else DuckDB's install; a StorageError that
    names the package when neither works."""
    if is_loaded(con, name):
        return
    path = package_extension(name)
    try:
        if path is not None:
            con.execute(f"LOAD {string(str(path))}")
        else:
            con.execute(f"INSTALL {name}")
            con.execute(f"LOAD {name}")
    except duckdb.Error as exc:
        raise StorageError(
            f"DuckDB needs its {name} extension {why}, and it could not be loaded "
            f"({' '.join(str(exc).split())[:200]}); install it offline with "
            f"`pip install duckdb-extension-{name}=={duckdb.__version__}`") from None


def configure_s3(con: duckdb.DuckDBPyConnection, options: S3Options, buckets: list[str]) -> str:
    """Create a DuckDB S3 secret scoped to `buckets` from the catalog's storage options;
    returns its generated name."""
    load_extension(con, "httpfs", "to read tables on S3")
    fields = _secret_fields(options)
    if "PROVIDER" in fields:
        load_extension(con, "aws", "to use AWS's default credential chain for S3")
    name = f"tablefmt_s3_{uuid.uuid4().hex[:12]}"
    scope = ", ".join(string(f"s3://{b}/") for b in sorted(set(buckets)))
    body = ", ".join(f"{k} {v}" for k, v in fields.items())
    try:
        con.execute(f"CREATE TEMPORARY SECRET {name} (TYPE s3, {body}, SCOPE ({scope}))")
    except duckdb.Error as exc:
        # DuckDB may quote the statement, which holds the keys: report only the error kind.
        raise StorageError(f"Cannot configure DuckDB for S3 ({type(exc).__name__}); check "
                           "the catalog's storage_options") from None
    return name


def _secret_fields(o: S3Options) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if o.access_key_id:
        fields["KEY_ID"] = string(o.access_key_id)
        fields["SECRET"] = string(o.secret_access_key.reveal() if o.secret_access_key else "")
        if o.session_token:
            fields["SESSION_TOKEN"] = string(o.session_token.reveal())
    else:
        fields["PROVIDER"] = "credential_chain"
    if o.region:
        fields["REGION"] = string(o.region)
    if o.endpoint_url:
        scheme, _, host = o.endpoint_url.partition("://")
        host = (host or scheme).rstrip("/")
        fields["ENDPOINT"] = string(host)
        fields["USE_SSL"] = "false" if scheme == "http" else "true"
    fields["URL_STYLE"] = string("path" if o.path_style else "vhost")
    return fields
