"""DuckDB's iceberg extension (loaded offline; an oracle, tests only) reads tablefmt tables
by metadata file and by table folder, with the same snapshots."""

from __future__ import annotations

import pytest

from tests.core.test_roundtrip import ALL_TYPES, all_types_table

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("partition_by", [None, ["region"]])
def test_duckdb_iceberg_scan_returns_identical_rows_and_snapshots(local_cat, duck, make_events,
                                                                  partition_by) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=partition_by)
    s1 = t.append(make_events(0, 10))
    s2 = t.append(make_events(10, 10))
    meta = t.metadata_location
    rows = duck.sql(f"SELECT id, region, amount FROM iceberg_scan('{meta}') ORDER BY id").fetchall()
    mine = sorted((r["id"], r["region"], r["amount"]) for r in t.to_arrow().to_pylist())
    assert rows == mine
    snaps = duck.sql(f"SELECT snapshot_id, sequence_number FROM iceberg_snapshots('{meta}') "
                     "ORDER BY sequence_number").fetchall()
    assert snaps == [(s1.snapshot_id, 1), (s2.snapshot_id, 2)]
    old = duck.sql(f"SELECT count(*) FROM iceberg_scan('{meta}', "
                   f"snapshot_from_id={s1.snapshot_id})").fetchone()
    assert old == (10,)


def test_duckdb_reads_every_type(local_cat, duck) -> None:
    t = local_cat.create_table("db.all_types", ALL_TYPES)
    t.append(all_types_table())
    got = duck.sql(f"SELECT l, s, dec, day, epoch_us(tstz), lst, nested FROM iceberg_scan('{t.metadata_location}') "
                   "ORDER BY l").fetchall()
    mine = sorted(((r["l"], r["s"], r["dec"], r["day"], r["tstz"], r["lst"])
                   for r in t.to_arrow().to_pylist()), key=lambda r: r[0])
    assert [r[:4] for r in got] == [r[:4] for r in mine]
    assert [r[5] for r in got] == [r[5] for r in mine]
    nested = {r["l"]: r["nested"] for r in t.to_arrow().to_pylist()}
    assert [r[6] for r in got] == [nested[r[0]] for r in got] and got[1][6] is None
    assert [r[4] for r in got] == \
        [None if r[4] is None else round(r[4].timestamp() * 1_000_000) for r in mine]
