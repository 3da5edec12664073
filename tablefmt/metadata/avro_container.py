"""Avro object container files (Avro 1.11 "Object Container Files") assembled from records
encoded one at a time, so a writer can cache each record's bytes: a manifest list repeats
almost every record of its parent's, and re-encoding them was most of a commit's Avro work.

A file is the magic, a metadata map (which holds `avro.schema` and `avro.codec`), a random
16-byte sync marker, then one block: record count, byte size, the (deflated) records, the
marker. fastavro reads it back like any other container file.
"""

from __future__ import annotations

import io
import json
import os
import zlib
from typing import Any

import fastavro

MAGIC = b"Obj\x01"


def encode_record(parsed_schema: Any, record: dict[str, Any]) -> bytes:
    """One record in Avro binary encoding, without any container framing."""
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, parsed_schema, record)
    return buf.getvalue()


def container(schema: dict[str, Any], metadata: dict[str, str], records: list[bytes]) -> bytes:
    """A deflate-compressed container file of the encoded `records`, with `metadata` and
    `schema` (written as `avro.schema`, so readers find field ids in it) in its header."""
    sync = os.urandom(16)
    meta = {**metadata, "avro.schema": json.dumps(schema), "avro.codec": "deflate"}
    header = [MAGIC, _long(len(meta))]
    for key, value in meta.items():
        header += [_bytes(key.encode()), _bytes(value.encode())]
    header += [_long(0), sync]
    if not records:
        return b"".join(header)
    squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)  # Avro's deflate is raw (RFC 1951)
    payload = squeeze.compress(b"".join(records)) + squeeze.flush()
    return b"".join([*header, _long(len(records)), _long(len(payload)), payload, sync])


def _long(n: int) -> bytes:
    """Avro's long: zig-zag, then base-128 varint, low groups first."""
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while z > 0x7F:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _bytes(b: bytes) -> bytes:
    return _long(len(b)) + b
