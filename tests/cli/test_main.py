"""The entry point: warehouse resolution, option placement, exit statuses, error lines, and
the real process (`python -m tablefmt.cli`, the `tablefmt` console script)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tablefmt.connect import WAREHOUSE_ENV


def _assert_one_line_error(run, *fragments: str) -> None:
    assert run.code == 1
    assert run.out == ""
    assert run.err.endswith("\n") and run.err.count("\n") == 1, run.err
    assert run.err.startswith("tablefmt: error: ")
    assert "Traceback" not in run.err
    for fragment in fragments:
        assert fragment in run.err


@pytest.mark.parametrize(("argv", "fragments"), [
    (["describe", "db.nope"], ["db.nope", "does not exist"]),
    (["snapshots", "nowhere.events"], ["nowhere.events"]),
    (["tables", "nowhere"], ["Namespace nowhere does not exist"]),
    (["files", "db.events", "--snapshot", "12345"], ["db.events", "no snapshot 12345"]),
    (["files", "db.events", "--ref", "nope"], ["db.events", "'nope'"]),
    (["history", "not-an-identifier"], ["not-an-identifier"]),
], ids=["unknown-table", "unknown-namespace-of-table", "unknown-namespace",
        "unknown-snapshot", "unknown-ref", "bad-identifier"])
def test_a_user_error_exits_1_with_one_line_on_stderr(wh, cli, argv, fragments):
    _assert_one_line_error(cli("--warehouse", wh.path, *argv), *fragments)


def test_a_user_error_with_json_still_prints_nothing_on_stdout(wh, cli):
    _assert_one_line_error(cli("--warehouse", wh.path, "--json", "describe", "db.nope"))


@pytest.mark.parametrize("argv", [
    ["bogus"],
    [],
    ["describe"],
    ["snapshots", "db.events", "--limit", "0"],
    ["files", "db.events", "--snapshot", "abc"],
    ["files", "db.events", "--snapshot", "1", "--ref", "main"],
], ids=["unknown-command", "no-command", "missing-table", "zero-limit", "non-numeric-snapshot",
        "snapshot-and-ref"])
def test_a_usage_error_exits_2_with_usage_on_stderr(wh, cli, argv):
    run = cli("--warehouse", wh.path, *argv)

    assert run.code == 2
    assert run.out == ""
    assert "usage: tablefmt" in run.err


def test_no_warehouse_and_no_environment_variable_is_a_usage_error(cli, monkeypatch):
    monkeypatch.delenv(WAREHOUSE_ENV, raising=False)

    run = cli("namespaces")

    assert run.code == 2
    assert WAREHOUSE_ENV in run.err and "usage: tablefmt" in run.err


def test_the_warehouse_environment_variable_is_the_default(wh, cli, monkeypatch):
    monkeypatch.setenv(WAREHOUSE_ENV, wh.path)

    run = cli("--json", "tables")

    assert run.code == 0
    assert [r["identifier"] for r in run.json()] == ["db.events"]


def test_the_warehouse_option_wins_over_the_environment_variable(wh, cli, monkeypatch, tmp_path):
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "elsewhere"))

    run = cli("--json", "--warehouse", wh.path, "namespaces")

    assert run.code == 0 and run.json() == [{"namespace": "db"}]


def test_json_and_warehouse_are_accepted_after_the_command(wh, cli):
    before = cli("--warehouse", wh.path, "--json", "snapshots", "db.events")
    after = cli("snapshots", "db.events", "--json", "--warehouse", wh.path)

    assert after.code == 0
    assert after.out == before.out
    assert [r["snapshot_id"] for r in after.json()] == \
        [s.snapshot_id for s in wh.table().snapshots()]


def test_a_warehouse_that_does_not_exist_is_an_error_and_is_not_created(cli, tmp_path):
    missing = tmp_path / "typo"

    run = cli("--warehouse", str(missing), "namespaces")

    _assert_one_line_error(run, str(missing), "does not exist")
    assert not missing.exists()


def test_a_folder_without_a_catalog_is_not_a_warehouse_and_is_left_untouched(cli, tmp_path):
    run = cli("--warehouse", str(tmp_path), "namespaces")

    _assert_one_line_error(run, "not a tablefmt warehouse")
    assert list(tmp_path.iterdir()) == []


def test_a_file_uri_warehouse_works_like_its_path(wh, cli):
    run = cli("--json", "--warehouse", "file://" + wh.path, "tables", "db")

    assert run.code == 0 and [r["identifier"] for r in run.json()] == ["db.events"]


# -- the real process ---------------------------------------------------------------------

def _run(argv: list[str], env_warehouse: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != WAREHOUSE_ENV}
    if env_warehouse is not None:
        env[WAREHOUSE_ENV] = env_warehouse
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120,
                          check=False)


def test_python_m_tablefmt_cli_prints_json_snapshots_in_a_real_process(wh):
    t = wh.table()

    proc = _run([sys.executable, "-m", "tablefmt.cli", "--warehouse", wh.path, "--json",
                 "snapshots", "db.events"])

    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["snapshot_id"] for r in rows] == [s.snapshot_id for s in t.snapshots()]
    assert [r["total_records"] for r in rows] == [3, 5]


def test_python_m_tablefmt_cli_prints_text_files_from_the_environment_warehouse(wh):
    planned = {task.file_path for task in wh.table().scan().plan_files()}

    proc = _run([sys.executable, "-m", "tablefmt.cli", "files", "db.events"],
                env_warehouse=wh.path)

    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[0] == "file_path"
    assert {line.split()[0] for line in lines[1:]} == planned


def test_a_real_process_reports_a_user_error_in_one_line_without_traceback(wh):
    proc = _run([sys.executable, "-m", "tablefmt.cli", "--warehouse", wh.path,
                 "describe", "db.nope"])

    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == ["tablefmt: error: Table db.nope does not exist"]


def test_a_real_process_exits_2_on_an_unknown_command_and_on_a_missing_warehouse(wh):
    unknown = _run([sys.executable, "-m", "tablefmt.cli", "--warehouse", wh.path, "bogus"])
    no_warehouse = _run([sys.executable, "-m", "tablefmt.cli", "namespaces"])

    assert (unknown.returncode, no_warehouse.returncode) == (2, 2)
    assert "invalid choice: 'bogus'" in unknown.stderr
    assert WAREHOUSE_ENV in no_warehouse.stderr


def test_the_installed_console_script_lists_tables(wh):
    script = Path(sys.executable).parent / "tablefmt"
    if not script.exists():
        pytest.skip("the tablefmt console script is not installed next to this interpreter")

    proc = _run([str(script), "--warehouse", wh.path, "--json", "tables"])

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"identifier": "db.events", "namespace": "db",
                                        "name": "events"}]


def test_an_explicit_sqlite_catalog_is_used_and_a_missing_one_is_an_error(wh, cli, tmp_path):
    db = Path(wh.path) / "catalog.db"
    found = cli("--json", "--warehouse", wh.path, "--catalog", f"sqlite:///{db}", "tables")
    missing = cli("--warehouse", wh.path, "--catalog", f"sqlite:///{tmp_path / 'no.db'}",
                  "tables")

    assert found.code == 0 and [r["identifier"] for r in found.json()] == ["db.events"]
    _assert_one_line_error(missing, "no.db", "does not exist")
    assert not (tmp_path / "no.db").exists()
