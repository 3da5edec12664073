"""`tablefmt sql`: a query from the argument or stdin, aligned text or JSON; SQL errors
are one-line user errors; a prompt on a terminal runs statements until `.quit`."""

from __future__ import annotations

import io
import json

import pytest

from tablefmt.cli import sql as sql_cli
from tablefmt.cli.main import main


@pytest.fixture
def wh(local_cat, make_events) -> str:
    t = local_cat.create_table("db.events", make_events(0, 1).schema, partition_by=["region"])
    t.append(make_events(0, 6))
    local_cat.create_namespace("a.b")
    local_cat.create_table("a.b.t", make_events(0, 1).schema).append(make_events(0, 2))
    return local_cat.warehouse


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sql_prints_an_aligned_table(wh, capsys) -> None:
    code, out, err = run(capsys, "--warehouse", wh, "sql",
                         "SELECT region, count(*) AS n FROM db.events GROUP BY 1 ORDER BY 1")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["region  n", "apac    2", "eu      2", "us      2"]


def test_sql_json_prints_row_objects(wh, capsys) -> None:
    code, out, _ = run(capsys, "--warehouse", wh, "--json", "sql",
                       "SELECT id, ts, amount, 1 AS id FROM db.events WHERE id < 2 ORDER BY 1")
    assert code == 0
    assert json.loads(out) == [
        {"id": 0, "ts": "2024-01-01T00:00:00.000Z", "amount": 0.0, "id_2": 1},
        {"id": 1, "ts": "2024-01-01T01:00:00.000Z", "amount": 1.5, "id_2": 1}]


def test_sql_reads_nested_namespaces_as_double_underscore_schemas(wh, capsys) -> None:
    code, out, _ = run(capsys, "--warehouse", wh, "sql", "SELECT count(*) AS n FROM a__b.t")
    assert (code, out) == (0, "n\n2\n")


def test_sql_errors_are_one_line_user_errors(wh, capsys) -> None:
    code, out, err = run(capsys, "--warehouse", wh, "sql", "SELECT * FROM db.nope")
    assert (code, out) == (1, "")
    assert err.startswith("tablefmt: error: SQL error: Catalog Error") and err.count("\n") == 1


def test_sql_reads_the_query_from_stdin(wh, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT max(id) AS m FROM db.events"))
    assert run(capsys, "--warehouse", wh, "sql")[:2] == (0, "m\n5\n")


def test_the_prompt_runs_statements_until_quit(wh, capsys, monkeypatch) -> None:
    lines = iter([".tables", "SELECT count(*) AS n", "FROM db.events;", "SELECT nope;",
                  "", ".quit"])
    stdin = io.StringIO("")
    stdin.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", stdin)
    monkeypatch.setattr("builtins.input", lambda prompt: next(lines))
    code, out, err = run(capsys, "--warehouse", wh, "sql")
    assert code == 0
    assert "a__b.t\ndb.events" in out
    assert "n\n6" in out
    assert 'error: SQL error: Binder Error: Referenced column "nope"' in err


def test_the_prompt_ends_on_end_of_input(wh, capsys, monkeypatch) -> None:
    def eof(prompt: str) -> str:
        raise EOFError

    stdin = io.StringIO("")
    stdin.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", stdin)
    monkeypatch.setattr("builtins.input", eof)
    assert run(capsys, "--warehouse", wh, "sql")[0] == 0


def test_unique_names_suffixes_repeats() -> None:
    assert sql_cli.unique_names(["a", "a", "a_2", "b"]) == ["a", "a_3", "a_2", "b"]

