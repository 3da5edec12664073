"""Copy-on-write row operations and compaction: tablefmt vs PyIceberg 0.12 vs delta-rs
(`deltalake`), on the same data in the same run, each side starting every repetition from
an identical fresh copy of its table.

Data: N rows (TABLEFMT_BENCH_ROWOPS_ROWS, 10,000,000) over 30 days: id int64 (sequential),
ts timestamp[us, UTC] (evenly spread, increasing with id), day date32 (the day of ts),
category string (100 values, uniform), value float64, payload string (30 B). The Iceberg
tables are partitioned by day(ts), the Delta table by day (Delta has no hidden
partitioning); each was written by one append, so one file per day. zstd everywhere.

delete   rows where category = 'c007' (1%, in every partition).
update   value = 0.0 where category = 'c013' (1%). PyIceberg 0.12 has no update: it runs
         scan(row_filter).to_arrow(), sets the column and overwrite(rows, overwrite_filter).
upsert   TABLEFMT_BENCH_ROWOPS_UPSERT (100,000) source rows keyed by id, half existing keys
         (random, every partition; new value/payload/category), half new keys (random
         days): tablefmt merge(...).when_matched_update_all().when_not_matched_insert_all(),
         PyIceberg upsert(df, join_cols=["id"]), delta-rs DeltaTable.merge (same clauses).
         A side that does not finish in TABLEFMT_BENCH_ROWOPS_TIMEOUT seconds is stopped;
         then the upsert also runs at TABLEFMT_BENCH_ROWOPS_SMALL_ROWS (1,000,000) rows with
         a source of 1% of them, all three sides, printed as its own block.
compact  the same N rows as TABLEFMT_BENCH_ROWOPS_SMALL_FILES (2,000) small files, one
         append (commit) each, cut at day boundaries, compacted into 128 MiB-target files:
         tablefmt compact(), delta-rs optimize.compact(). PyIceberg 0.12 has no compaction.

Every timed operation runs alone in a freshly spawned process (opening the table is not
timed); its peak RSS is that process's VmHWM, so it includes the interpreter and the
imported libraries (the `before` column is the RSS just before the operation). `cpu` is the
process's CPU seconds (all threads) during the operation, the least of the runs.

TABLEFMT_BENCH_ROWOPS_PEERS (default "pyiceberg,delta-rs") names the peers to run; e.g.
"delta-rs" skips PyIceberg (its table is then not even built) while iterating.

Targets (issue #6): each tablefmt operation <= 0.5x the faster peer; peak RSS <= 2 GB.
Only sanity is asserted (row counts, the changed rows); the printed ratios are the result.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.benchmarks._data import (
    Timing,
    category_name,
    env_int,
    fmt_s,
    make_table,
    pyiceberg_catalog,
    tablefmt_catalog,
)

ROWS = env_int("TABLEFMT_BENCH_ROWOPS_ROWS", 10_000_000)
UPSERT_ROWS = env_int("TABLEFMT_BENCH_ROWOPS_UPSERT", 100_000)
SMALL_ROWS = env_int("TABLEFMT_BENCH_ROWOPS_SMALL_ROWS", 1_000_000)
SMALL_FILES = env_int("TABLEFMT_BENCH_ROWOPS_SMALL_FILES", 2_000)
REPEAT = max(1, env_int("TABLEFMT_BENCH_ROWOPS_REPEAT", 2))
TIMEOUT = env_int("TABLEFMT_BENCH_ROWOPS_TIMEOUT", 600)
DAYS = 30
DAY_US = 86_400_000_000
TS0_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z
COMPACT_TARGET = 128 * 1024 * 1024
TARGET_RATIO = 0.5
TARGET_RSS_MB = 2048
DELETE_CATEGORY, UPDATE_CATEGORY = category_name(7), category_name(13)
PEERS = ("pyiceberg", "delta-rs")
SYSTEMS = ("tablefmt", *(p for p in PEERS if p in os.environ.get(
    "TABLEFMT_BENCH_ROWOPS_PEERS", ",".join(PEERS)).split(",")))

SCHEMA = pa.schema([
    pa.field("id", pa.int64()),
    pa.field("ts", pa.timestamp("us", tz="UTC")),
    pa.field("day", pa.date32()),
    pa.field("category", pa.string()),
    pa.field("value", pa.float64()),
    pa.field("payload", pa.string()),
])


# -- data ----------------------------------------------------------------------------------
def _with_time(base: pa.Table, ts_us: np.ndarray) -> pa.Table:
    ts = pa.array(ts_us, type=pa.int64()).view(pa.timestamp("us", tz="UTC"))
    day = pa.array(ts_us // DAY_US, type=pa.int32()).view(pa.date32())
    return pa.table([base.column("id"), ts, day, base.column("category"),
                     base.column("value"), base.column("payload")], schema=SCHEMA)


def make_rows(n: int) -> pa.Table:
    """`n` rows over 30 days, ts increasing with id (so each day is a run of ids)."""
    ids = np.arange(n, dtype=np.int64)
    return _with_time(make_table(n), TS0_US + ids * (DAYS * DAY_US // n))


def make_source(n: int, size: int) -> pa.Table:
    """Half existing keys (random, with their original ts), half new keys (random ts)."""
    rng = np.random.default_rng(1)
    half = size // 2
    existing = np.sort(rng.choice(n, size - half, replace=False))
    fresh = make_table(size, seed=2)
    ids = np.concatenate([existing, np.arange(n, n + half, dtype=np.int64)])
    ts = np.concatenate([TS0_US + existing * (DAYS * DAY_US // n),
                         TS0_US + rng.integers(0, DAYS * DAY_US, half)])
    return _with_time(fresh.set_column(0, "id", pa.array(ids)), ts)


def small_file_slices(n: int, files: int) -> list[tuple[int, int]]:
    """(start, length) of `files` slices, none crossing a day, spread evenly over days."""
    day = (np.arange(n, dtype=np.int64) * (DAYS * DAY_US // n)) // DAY_US
    edges = np.searchsorted(day, np.arange(DAYS + 1))
    out = []
    for d, per_day in enumerate(np.array_split(np.arange(files), DAYS)):
        cuts = np.linspace(edges[d], edges[d + 1], len(per_day) + 1).astype(np.int64)
        out += [(int(a), int(b - a)) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
    return out


# -- the tables each side starts from ---------------------------------------------------
@dataclass(frozen=True)
class Setup:
    rows: int
    warehouse: str
    tf_base: str     # metadata location
    pi_base: str     # metadata location
    delta_base: str  # table directory
    source: str = ""
    source_rows: int = 0
    source_new: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # rows per category


def _delta_writer_properties() -> Any:
    from deltalake import WriterProperties

    return WriterProperties(compression="ZSTD")


def _pyiceberg_table(wh: Path, name: str) -> Any:
    from pyiceberg.transforms import DayTransform

    pt = pyiceberg_catalog(wh).create_table(name, schema=SCHEMA)
    with pt.update_spec() as u:
        u.add_field("ts", DayTransform(), "ts_day")
    return pt


def build_setup(wh: Path, n: int, source_rows: int) -> Setup:
    from deltalake import write_deltalake

    data = make_rows(n)
    t = tablefmt_catalog(wh).create_table("db.tf_base", SCHEMA, partition_by=["day(ts)"])
    t.append(data)
    pi_base = ""
    if "pyiceberg" in SYSTEMS:
        pt = _pyiceberg_table(wh, "db.pi_base")
        pt.append(data)
        pi_base = pt.refresh().metadata_location
    delta = str(wh / "delta_base")
    write_deltalake(delta, data, partition_by=["day"], writer_properties=_delta_writer_properties())
    source = make_source(n, source_rows)
    pq.write_table(source, str(wh / "source.parquet"))
    cats = pc.value_counts(data.column("category")).to_pylist()
    counts = {c["values"]: c["counts"] for c in cats}
    return Setup(n, str(wh), t.refresh().metadata_location,
                 pi_base, delta, str(wh / "source.parquet"),
                 source_rows, source_rows // 2, counts)


def build_small_files(wh: Path, n: int, files: int) -> Setup:
    from deltalake import write_deltalake

    data = make_rows(n)
    t = tablefmt_catalog(wh).create_table("db.tf_small", SCHEMA, partition_by=["day(ts)"])
    delta = str(wh / "delta_small")
    props = _delta_writer_properties()
    for start, length in small_file_slices(n, files):
        part = data.slice(start, length)
        t.append(part)
        write_deltalake(delta, part, partition_by=["day"], mode="append", writer_properties=props)
    return Setup(n, str(wh), t.refresh().metadata_location, "", delta)


# -- the sides: open (untimed), the operations (timed), sanity reads (untimed) -----------
@dataclass(frozen=True)
class Job:
    system: str
    op: str
    setup: Setup
    table: str  # catalog identifier, or the Delta table directory


class _Side:
    def __init__(self, job: Job) -> None:
        # The upsert source is read before the clock starts.
        self.src = pq.read_table(job.setup.source) if job.op == "upsert" else None


class TablefmtSide(_Side):
    def __init__(self, job: Job) -> None:
        super().__init__(job)
        self.t = tablefmt_catalog(Path(job.setup.warehouse)).load_table(job.table)

    def delete(self, job: Job) -> None:
        self.t.delete(f"category = '{DELETE_CATEGORY}'")

    def update(self, job: Job) -> None:
        self.t.update(f"category = '{UPDATE_CATEGORY}'", set={"value": 0.0})

    def upsert(self, job: Job) -> None:
        self.t.merge(self.src, on="id").when_matched_update_all().when_not_matched_insert_all().execute()

    def compact(self, job: Job) -> None:
        self.t.compact(target_file_size_bytes=COMPACT_TARGET)

    def state(self) -> tuple[int, int]:
        t = self.t.refresh()
        tasks = t.scan().plan_files()
        return sum(x.record_count for x in tasks), len(tasks)

    def read(self, where: str, columns: list[str]) -> pa.Table:
        return self.t.refresh().to_arrow(where=where, columns=columns)


class PyicebergSide(_Side):
    def __init__(self, job: Job) -> None:
        super().__init__(job)
        self.t = pyiceberg_catalog(Path(job.setup.warehouse)).load_table(job.table)

    def delete(self, job: Job) -> None:
        self.t.delete(f"category = '{DELETE_CATEGORY}'")

    def update(self, job: Job) -> None:
        where = f"category = '{UPDATE_CATEGORY}'"
        rows = self.t.scan(row_filter=where).to_arrow()
        i = rows.schema.get_field_index("value")
        rows = rows.set_column(i, rows.schema.field(i), pa.array(np.zeros(rows.num_rows)))
        self.t.overwrite(rows, overwrite_filter=where)

    def upsert(self, job: Job) -> None:
        self.t.upsert(self.src, join_cols=["id"])

    def compact(self, job: Job) -> None:
        raise NotImplementedError("PyIceberg 0.12 has no compaction")

    def state(self) -> tuple[int, int]:
        self.t.refresh()
        tasks = list(self.t.scan().plan_files())
        return sum(x.file.record_count for x in tasks), len(tasks)

    def read(self, where: str, columns: list[str]) -> pa.Table:
        return self.t.refresh().scan(row_filter=where, selected_fields=tuple(columns)).to_arrow()


class DeltaSide(_Side):
    def __init__(self, job: Job) -> None:
        from deltalake import DeltaTable

        super().__init__(job)
        self.path = job.table
        self.t = DeltaTable(job.table)

    def delete(self, job: Job) -> None:
        self.t.delete(f"category = '{DELETE_CATEGORY}'",
                      writer_properties=_delta_writer_properties())

    def update(self, job: Job) -> None:
        self.t.update(updates={"value": "0.0"}, predicate=f"category = '{UPDATE_CATEGORY}'",
                      writer_properties=_delta_writer_properties())

    def upsert(self, job: Job) -> None:
        (self.t.merge(self.src, predicate="t.id = s.id", source_alias="s", target_alias="t",
                      writer_properties=_delta_writer_properties())
         .when_matched_update_all().when_not_matched_insert_all().execute())

    def compact(self, job: Job) -> None:
        self.t.optimize.compact(target_size=COMPACT_TARGET,
                                writer_properties=_delta_writer_properties())

    def state(self) -> tuple[int, int]:
        from deltalake import DeltaTable

        self.t = DeltaTable(self.path)
        return self.t.to_pyarrow_dataset().count_rows(), len(self.t.file_uris())

    def read(self, where: str, columns: list[str]) -> pa.Table:
        column, value = (s.strip(" '") for s in where.split(" = "))  # only "col = 'text'"
        # delta-rs's dataset types strings as string_view, which Arrow's filter cannot
        # compare with its files' strings: filter after reading.
        rows = self.t.to_pyarrow_dataset().to_table(columns=[column, *columns])
        mask = pc.equal(rows.column(column).cast(pa.string()), value)
        return rows.filter(mask).select(columns)


SIDES: dict[str, Callable[[Job], Any]] = {
    "tablefmt": TablefmtSide, "pyiceberg": PyicebergSide, "delta-rs": DeltaSide}


def _status_mb(key: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process. Not ru_maxrss: across exec() Linux
    carries the parent's peak into it, and the parent holds the whole data set."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no {key} in /proc/self/status")


def run_job(job: Job) -> dict[str, Any]:
    """In a spawned process: open (untimed), run the operation (timed), then read back."""
    side = SIDES[job.system](job)
    before_rows, before_files = side.state()
    op = getattr(side, job.op)
    before = _status_mb("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    op(job)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _status_mb("VmHWM")
    rows, files = side.state()
    out = {"seconds": seconds, "cpu": cpu, "peak_mb": peak, "before_mb": before, "rows": rows,
           "files_before": before_files, "files": files, "rows_before": before_rows}
    if job.op == "delete":
        out["left"] = side.read(f"category = '{DELETE_CATEGORY}'", ["id"]).num_rows
    elif job.op == "update":
        got = side.read(f"category = '{UPDATE_CATEGORY}'", ["value"]).column("value")
        out["updated"], out["nonzero"] = len(got), pc.sum(pc.not_equal(got, 0.0)).as_py() or 0
    return out


def spawn(job: Job) -> dict[str, Any] | None:
    """`run_job` in a fresh process; None when it runs past TIMEOUT (the process is
    terminated)."""
    with mp.get_context("spawn").Pool(1) as pool:
        pending = pool.apply_async(run_job, (job,))
        try:
            return pending.get(timeout=TIMEOUT)
        except mp.TimeoutError:
            return None


# -- fresh copies ------------------------------------------------------------------------
def _files_under(path: str) -> set[str]:
    return {os.path.join(root, f) for root, _, files in os.walk(path) for f in files}


def run_fresh(setup: Setup, system: str, op: str, name: str) -> dict[str, Any] | None:
    """Run one operation on a fresh copy: Iceberg tables are registered anew from the base
    metadata file (new files are deleted afterwards), the Delta directory is copied."""
    if system == "delta-rs":
        src = setup.delta_base
        copy = f"{setup.warehouse}/{name}"
        shutil.copytree(src, copy)
        try:
            return spawn(Job(system, op, setup, copy))
        finally:
            shutil.rmtree(copy, ignore_errors=True)
    pcat = pyiceberg_catalog(Path(setup.warehouse))
    base = setup.tf_base if system == "tablefmt" else setup.pi_base
    location = base.rsplit("/metadata/", 1)[0].removeprefix("file://")
    existing = _files_under(location)
    pcat.register_table(f"db.{name}", base)
    try:
        return spawn(Job(system, op, setup, f"db.{name}"))
    finally:
        pcat.drop_table(f"db.{name}")  # the catalog row only: no purge
        for path in _files_under(location) - existing:
            os.remove(path)


@dataclass
class Result:
    timing: Timing
    runs: list[dict[str, Any]] = field(default_factory=list)
    timed_out: bool = False

    @property
    def peak_mb(self) -> float:
        return max(r["peak_mb"] for r in self.runs)

    @property
    def before_mb(self) -> float:
        return max(r["before_mb"] for r in self.runs)

    @property
    def cpu(self) -> float:
        return min(r["cpu"] for r in self.runs)


def run_op(setup: Setup, op: str, systems: tuple[str, ...]) -> dict[str, Result]:
    """REPEAT rounds; each round runs every side once, the order rotating between rounds.
    A side that timed out is not run again."""
    results = {s: Result(Timing(s)) for s in systems}
    for rep in range(REPEAT):
        order = systems[rep % len(systems):] + systems[:rep % len(systems)]
        for system in order:
            res = results[system]
            if res.timed_out:
                continue
            name = f"{system.replace('-', '_')}_{op}_{rep}"
            out = run_fresh(setup, system, op, name)
            if out is None:
                res.timed_out = True
                continue
            res.runs.append(out)
            res.timing.seconds.append(out["seconds"])
            res.timing.note = (f"files {out['files_before']:,} -> {out['files']:,}, "
                               f"rows {out['rows_before']:,} -> {out['rows']:,}")
    return results


# -- the printed block -------------------------------------------------------------------
def print_block(title: str, results: dict[str, Result], notes: list[str]) -> None:
    width = 112
    print()
    print("=" * width)
    print(title)
    print("-" * width)
    print(f"{'':12}{'best':>12}{'median':>12}{'runs':>5}{'cpu':>12}{'peak RSS':>10}{'before':>9}"
          "   note")
    for name, res in results.items():
        if res.timed_out and not res.runs:
            print(f"{name:12}{'':>12}{'':>12}{0:>5}{'':>12}{'':>10}{'':>9}   "
                  f"stopped after {TIMEOUT} s (TABLEFMT_BENCH_ROWOPS_TIMEOUT)")
            continue
        t = res.timing
        print(f"{name:12}{fmt_s(t.best):>12}{fmt_s(t.median):>12}{len(t.seconds):>5}"
              f"{fmt_s(res.cpu):>12}{res.peak_mb:>7.0f} MB{res.before_mb:>6.0f} MB   {t.note}")
    print("-" * width)
    _print_ratios(results)
    for note in notes:
        print(f"  {note}")
    print("=" * width)


def _print_ratios(results: dict[str, Result]) -> None:
    ours = results["tablefmt"]
    peers = [r for n, r in results.items() if n != "tablefmt" and r.runs]
    print(f"{'ratio':24}{'best':>12}{'median':>12}")
    for peer in peers:
        print(f"{'tablefmt/' + peer.timing.label:24}{ours.timing.best / peer.timing.best:>11.2f}x"
              f"{ours.timing.median / peer.timing.median:>11.2f}x")
    if peers:
        faster = min(peers, key=lambda r: r.timing.best)
        ratio = ours.timing.best / faster.timing.best
        verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
        print(f"{'tablefmt/faster peer':24}{ratio:>11.2f}x{'':12}   "
              f"({faster.timing.label}) target <= {TARGET_RATIO:.2f}: {verdict}")
        print(f"{'  same, CPU seconds':24}{ours.cpu / faster.cpu:>11.2f}x{'':12}   "
              "(context: less sensitive to a busy machine than wall time)")
    verdict = "ok" if ours.peak_mb <= TARGET_RSS_MB else "MISSED"
    print(f"{'tablefmt peak RSS':24}{ours.peak_mb:>9.0f} MB{'':12}   "
          f"target <= {TARGET_RSS_MB} MB: {verdict}")


# -- the benchmarks ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return build_setup(tmp_path_factory.mktemp("rowops"), ROWS, UPSERT_ROWS)


def _scale(s: Setup) -> str:
    return f"{s.rows:,} rows, {DAYS} day partitions (id, ts, day, category x100, value, payload 30 B)"


def test_delete_one_percent(setup: Setup) -> None:
    results = run_op(setup, "delete", SYSTEMS)
    expected = setup.rows - setup.counts[DELETE_CATEGORY]
    for res in results.values():
        for run in res.runs:
            assert run["rows"] == expected and run["left"] == 0
    print_block(f"delete where category = '{DELETE_CATEGORY}' "
                f"({setup.counts[DELETE_CATEGORY]:,} rows, every partition): {_scale(setup)}",
                results, [])


def test_update_one_percent(setup: Setup) -> None:
    results = run_op(setup, "update", SYSTEMS)
    for res in results.values():
        for run in res.runs:
            assert run["rows"] == setup.rows
            assert run["updated"] == setup.counts[UPDATE_CATEGORY] and run["nonzero"] == 0
    print_block(f"update set value = 0.0 where category = '{UPDATE_CATEGORY}' "
                f"({setup.counts[UPDATE_CATEGORY]:,} rows, every partition): {_scale(setup)}",
                results, ["pyiceberg: scan(row_filter).to_arrow() + set column + "
                          "overwrite(rows, overwrite_filter) (0.12 has no update)"])


def _upsert_block(s: Setup, label: str) -> dict[str, Result]:
    results = run_op(s, "upsert", SYSTEMS)
    for res in results.values():
        for run in res.runs:
            assert run["rows"] == s.rows + s.source_new
    print_block(f"upsert{label} of {s.source_rows:,} rows by id ({s.source_rows - s.source_new:,} "
                f"existing keys in every partition, {s.source_new:,} new): {_scale(s)}", results, [])
    return results


def test_upsert_hundred_thousand_rows(setup: Setup, tmp_path_factory: pytest.TempPathFactory) -> None:
    results = _upsert_block(setup, "")
    if not any(r.timed_out for r in results.values()) or setup.rows <= SMALL_ROWS:
        return
    small = build_setup(tmp_path_factory.mktemp("rowops_small"), SMALL_ROWS,
                        max(2, SMALL_ROWS // 100))
    print(f"\nA side did not finish in {TIMEOUT} s at {setup.rows:,} rows; the same upsert at "
          f"{SMALL_ROWS:,} rows (TABLEFMT_BENCH_ROWOPS_SMALL_ROWS), source 1% of them:")
    _upsert_block(small, " (REDUCED SCALE)")


def test_compact_small_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    s = build_small_files(tmp_path_factory.mktemp("rowops_compact"), ROWS, SMALL_FILES)
    results = run_op(s, "compact", tuple(x for x in SYSTEMS if x != "pyiceberg"))
    for res in results.values():
        for run in res.runs:
            assert run["rows"] == run["rows_before"] == s.rows
            assert run["files"] < run["files_before"]
    print_block(f"compact {SMALL_FILES:,} small files (one append each) into "
                f"{COMPACT_TARGET >> 20} MiB-target files: {_scale(s)}", results,
                ["pyiceberg 0.12 has no compaction; the target ratio is against delta-rs "
                 "optimize.compact()"])

