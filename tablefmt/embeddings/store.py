"""Index files (spec/embeddings.md "Index files"): one directory per index,
`<table location>/indexes/<index id>/`, holding numpy `.npy` arrays and `files.json`
(the data files the index rows point into). Written once, never changed; loaded arrays
are cached by path."""

from __future__ import annotations

import io as stdio
import json
from typing import Any

import numpy as np
import numpy.typing as npt

from tablefmt.embeddings.cache import CACHE
from tablefmt.embeddings.ivf import IvfIndex
from tablefmt.embeddings.pq import ProductQuantizer
from tablefmt.errors import CorruptMetadataError, StorageError
from tablefmt.io import FileIO

_ARRAYS = ("centroids", "offsets", "row_file", "row_pos", "vectors", "codes", "codebooks")


def index_dir(table_location: str, index_id: str) -> str:
    return f"{table_location}/indexes/{index_id}"


def write_index(io: FileIO, location: str, index: IvfIndex, written: list[str]) -> list[str]:
    """Write the index's files under `location`; returns their paths (also appended to
    `written` as they land, so a failure can remove them)."""
    arrays: dict[str, Any] = {"centroids": index.centroids, "offsets": index.offsets,
                              "row_file": index.row_file, "row_pos": index.row_pos}
    if index.vectors is not None:
        arrays["vectors"] = index.vectors
    if index.pq is not None:
        arrays["codebooks"] = index.pq.codebooks
        arrays["codes"] = index.codes
    paths = []
    for name, arr in arrays.items():
        path = f"{location}/{name}.npy"
        written.append(path)
        with io.open_output(path) as out:
            np.save(out, np.ascontiguousarray(arr), allow_pickle=False)
        paths.append(path)
    path = f"{location}/files.json"
    written.append(path)
    io.write(path, json.dumps({"kind": index.kind, "metric": index.metric,
                               "files": list(index.files)}).encode())
    paths.append(path)
    return paths


def read_index(io: FileIO, location: str, files: tuple[str, ...]) -> IvfIndex:
    """The index stored under `location` (whose files are `files`), cached."""
    key = ("index", location)
    found: IvfIndex | None = CACHE.get(key)
    if found is not None:
        return found
    names = {p.rsplit("/", 1)[-1]: p for p in files}
    try:
        head = json.loads(io.read(names["files.json"]))
        arrays = {n: _load(io, names[f"{n}.npy"]) for n in _ARRAYS if f"{n}.npy" in names}
    except (KeyError, ValueError) as exc:
        raise CorruptMetadataError(f"Vector index at {location} is incomplete or unreadable: "
                                   f"{exc}") from exc
    index = _assemble(head, arrays)
    CACHE.put(key, index, index.nbytes)
    return index


def _assemble(head: dict[str, Any], a: dict[str, npt.NDArray[Any]]) -> IvfIndex:
    from tablefmt.embeddings.metrics import row_norms

    vectors = a.get("vectors")
    sq, neg_inv = row_norms(vectors) if vectors is not None else (None, None)
    pq = ProductQuantizer(a["codebooks"]) if "codebooks" in a else None
    return IvfIndex(kind=head["kind"], metric=head["metric"], centroids=a["centroids"],
                    offsets=a["offsets"], row_file=a["row_file"], row_pos=a["row_pos"],
                    files=tuple(head["files"]), vectors=vectors, sq=sq, neg_inv=neg_inv, pq=pq,
                    codes=a.get("codes"))


def _load(io: FileIO, path: str) -> npt.NDArray[Any]:
    try:
        data = io.read(path)
    except StorageError as exc:
        raise CorruptMetadataError(f"Vector index file {path} is missing: {exc}") from exc
    buf = stdio.BytesIO(data)
    version = np.lib.format.read_magic(buf)
    shape, fortran, dtype = (np.lib.format.read_array_header_1_0(buf) if version == (1, 0)
                             else np.lib.format.read_array_header_2_0(buf))
    if fortran or dtype.hasobject:
        raise CorruptMetadataError(f"Vector index file {path} is not a plain C-order array")
    count = int(np.prod(shape)) if shape else 1
    return np.frombuffer(data, dtype=dtype, count=count, offset=buf.tell()).reshape(shape)
