"""Which files a merge rewrites: only files holding a matched key (key bounds that merely
overlap the source are not enough), and new rows join the rewritten file of their own
partition instead of adding files."""

from __future__ import annotations

import pyarrow as pa

import tablefmt as tf


def paths(t: tf.Table, where: str | None = None) -> set[str]:
    return {task.file_path for task in t.scan(where=where).plan_files()}


def ids(t: tf.Table, where: str | None = None) -> list[int]:
    return sorted(t.to_arrow(where=where, columns=["id"]).column("id").to_pylist())


def test_upsert_touching_every_partition_puts_new_rows_in_its_rewritten_files(
        local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 30))  # one file per region: eu, us, apac
    before = paths(t)
    assert len(before) == 3
    source = make_events(24, 12)  # 24..29 exist, 30..35 are new: both in every region

    snap = t.merge(source, on="id").when_matched_update_all().when_not_matched_insert_all() \
        .execute()

    assert snap.summary["deleted-data-files"] == "3"
    assert snap.summary["added-data-files"] == "3"
    after = paths(t)
    assert len(after) == 3 and not after & before  # each file rewritten once, none added
    for region in ("eu", "us", "apac"):
        (path,) = paths(t, f"region = '{region}'")  # new and old rows share one file
        want = [i for i in range(36) if make_events(i, 1)["region"][0].as_py() == region]
        assert ids(t, f"region = '{region}'") == want
        assert path in after
    assert ids(t) == list(range(36))


def test_new_rows_of_a_partition_without_a_rewritten_file_get_a_file_of_their_own(
        local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 30))
    source = pa.concat_tables([make_events(3, 1),                          # eu, exists
                               make_events(40, 1, regions=("latam",))])    # new partition

    t.merge(source, on="id").when_matched_update_all().when_not_matched_insert_all().execute()

    assert len(paths(t)) == 4
    assert ids(t, "region = 'latam'") == [40]
    assert ids(t) == [*range(30), 40]


def test_a_file_whose_key_bounds_overlap_the_source_but_holds_no_key_is_not_rewritten(
        local_cat) -> None:
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), ("v", pa.string())])
    t = local_cat.create_table("db.kv", schema)
    evens = list(range(0, 100, 2))
    odds = list(range(1, 100, 2))
    t.append(pa.table({"id": evens, "v": ["even"] * 50}, schema=schema))
    t.append(pa.table({"id": odds, "v": ["odd"] * 50}, schema=schema))
    even_file = paths(t, "v = 'even'")
    odd_file = paths(t, "v = 'odd'")
    source = pa.table({"id": [11, 51, 200], "v": ["new"] * 3}, schema=schema)  # 0..200 spans both

    snap = t.merge(source, on="id").when_matched_update_all().when_not_matched_insert_all() \
        .execute()

    assert snap.summary["deleted-data-files"] == "1"
    after = paths(t)
    assert even_file <= after  # bounds 0..98 overlap 11..200, no key matched: kept as is
    assert not odd_file & after  # rewritten with the updates and the new key
    assert len(after) == 2
    got = {r["id"]: r["v"] for r in t.to_arrow().to_pylist()}
    assert got[11] == got[51] == got[200] == "new" and got[13] == "odd" and got[10] == "even"


def test_string_keys_at_the_truncated_bounds_of_a_file_still_match(local_cat) -> None:
    schema = pa.schema([pa.field("k", pa.string(), nullable=False), ("v", pa.int64())])
    t = local_cat.create_table("db.s", schema)
    keys = ["a" * 20 + "1", "a" * 20 + "2", "m" * 30, "z" * 20 + "\u00e9", "z" * 20 + "\u00ff"]
    t.append(pa.table({"k": keys, "v": [0] * 5}, schema=schema))  # bounds cut at 16 chars
    source = pa.table({"k": [keys[0], keys[-1], "zz"], "v": [1, 2, 3]}, schema=schema)

    t.merge(source, on="k").when_matched_update_all().when_not_matched_insert_all().execute()

    got = {r["k"]: r["v"] for r in t.to_arrow().to_pylist()}
    assert got == {keys[0]: 1, keys[1]: 0, keys[2]: 0, keys[3]: 0, keys[4]: 2, "zz": 3}


def test_an_upsert_moving_a_matched_row_to_another_partition_rewrites_it_there(
        local_cat, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 30))
    moved = make_events(3, 2)  # id 3 (eu) and 4 (us), now both in us
    moved = moved.set_column(1, "region", pa.array(["us", "us"]))

    t.merge(moved, on="id").when_matched_update_all().execute()

    assert 3 in ids(t, "region = 'us'") and 3 not in ids(t, "region = 'eu'")
    for task in t.scan().plan_files():  # every file holds only its own partition's rows
        region = task.partition["region"]
        got = t.to_arrow(where=f"region = '{region}'")
        assert set(got.column("region").to_pylist()) == {region}
    assert ids(t) == list(range(30))
