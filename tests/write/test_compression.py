"""`write.parquet.compression-codec` takes Iceberg's codec names; an unknown one is refused
with a typed error before any file is written."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tablefmt.errors import ValidationError

DATA = pa.table({"id": pa.array(range(100), pa.int64()), "s": [f"v{i}" for i in range(100)]})


@pytest.mark.parametrize(("codec", "stored"), [("uncompressed", "UNCOMPRESSED"),
                                               ("ZSTD", "ZSTD"), ("gzip", "GZIP"),
                                               ("snappy", "SNAPPY"), ("lz4_raw", "LZ4"),
                                               ("lz4", "LZ4")])
def test_iceberg_codec_names(local_cat, codec: str, stored: str) -> None:
    t = local_cat.create_table("db.c", DATA.schema,
                               properties={"write.parquet.compression-codec": codec})
    t.append(DATA)
    (task,) = t.scan().plan_files()
    meta = pq.read_metadata(task.data_file.file_path.removeprefix("file://"))
    assert {meta.row_group(0).column(j).compression for j in range(2)} == {stored}
    assert t.to_arrow().equals(DATA)


def test_an_unknown_codec_is_refused_and_nothing_written(local_cat, warehouse: Path) -> None:
    t = local_cat.create_table("db.c", DATA.schema,
                               properties={"write.parquet.compression-codec": "zstdd"})
    with pytest.raises(ValidationError, match="zstdd"):
        t.append(DATA)
    assert t.refresh().current_snapshot() is None
    assert not list(warehouse.rglob("*.parquet"))
