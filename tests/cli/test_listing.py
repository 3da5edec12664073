"""`tablefmt namespaces` and `tablefmt tables [NS]`."""

from __future__ import annotations

from tests.cli.conftest import EVENTS_SCHEMA


def test_namespaces_lists_every_namespace_of_the_catalog_in_text_and_json(wh, cli):
    wh.catalog.create_namespace("ops")

    text = cli("--warehouse", wh.path, "namespaces")
    as_json = cli("--warehouse", wh.path, "--json", "namespaces")

    assert text.code == 0 and text.err == ""
    assert text.out.splitlines() == ["namespace", "db", "ops"]
    assert as_json.json() == [{"namespace": ns} for ns in wh.catalog.list_namespaces()]
    assert [row["namespace"] for row in as_json.json()] == ["db", "ops"]


def test_tables_without_a_namespace_lists_the_tables_of_every_namespace(wh, cli):
    wh.catalog.create_namespace("ops")
    wh.catalog.create_table("ops.jobs", EVENTS_SCHEMA)

    run = cli("--warehouse", wh.path, "--json", "tables")

    assert run.code == 0
    assert run.json() == [
        {"identifier": "db.events", "namespace": "db", "name": "events"},
        {"identifier": "ops.jobs", "namespace": "ops", "name": "jobs"},
    ]
    assert cli("--warehouse", wh.path, "tables").out.splitlines() == \
        ["table", "db.events", "ops.jobs"]


def test_tables_of_one_namespace_lists_only_that_namespace(wh, cli):
    wh.catalog.create_namespace("ops")
    wh.catalog.create_table("ops.jobs", EVENTS_SCHEMA)

    run = cli("--warehouse", wh.path, "--json", "tables", "ops")

    assert [row["identifier"] for row in run.json()] == wh.catalog.list_tables("ops") \
        == ["ops.jobs"]


def test_an_empty_namespace_prints_only_the_header_or_an_empty_json_list(wh, cli):
    wh.catalog.create_namespace("empty")

    assert cli("--warehouse", wh.path, "tables", "empty").out == "table\n"
    assert cli("--warehouse", wh.path, "--json", "tables", "empty").json() == []
