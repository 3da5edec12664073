"""Manifest merging in size tiers: the manifest count stays near
`commit.manifest.min-count-to-merge` and an old file's entry is not rewritten at every
merge (which made commit latency grow with table size)."""

from __future__ import annotations

import tablefmt as tf
from tablefmt.scan.manifests import entries, manifest_list


def test_tiered_merging_bounds_manifests_and_rewrites(local_cat: tf.Catalog, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema,
                               properties={"commit.manifest.min-count-to-merge": "10"})
    appends = 150
    homes: dict[str, set[str]] = {}  # data file -> every manifest that ever listed it
    counts = []
    for i in range(appends):
        t.append(make_events(i, 1))
        ms = manifest_list(t.io, t.current_snapshot().manifest_list)
        counts.append(len(ms))
        for m in ms:
            for e in entries(t.io, m, t.metadata):
                homes.setdefault(e.data_file.file_path, set()).add(m.manifest_path)
    assert max(counts) <= 10 + 1  # the threshold and the new manifest
    # Merging everything at each merge would move the first file about 150 / 10 = 15 times.
    assert max(len(h) for h in homes.values()) <= 8
    assert sorted(t.to_arrow().column("id").to_pylist()) == list(range(appends))
    assert len(t.scan().plan_files()) == appends
    for snap in t.snapshots()[::7]:
        assert t.to_arrow(snapshot_id=snap.snapshot_id).num_rows == snap.sequence_number


def test_merging_can_be_switched_off(local_cat: tf.Catalog, make_events) -> None:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, properties={
        "commit.manifest.min-count-to-merge": "2", "commit.manifest-merge.enabled": "false"})
    for i in range(6):
        t.append(make_events(i, 1))
    assert len(manifest_list(t.io, t.current_snapshot().manifest_list)) == 6
    assert sorted(t.to_arrow().column("id").to_pylist()) == list(range(6))
