"""Text tables and JSON values of `tablefmt.cli.output`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal

from tablefmt.cli.output import Column, cell, format_table, iso_timestamp, jsonable, to_json


def test_format_table_left_aligns_text_and_right_aligns_numbers_under_a_header():
    rows = [{"name": "a", "n": 5}, {"name": "longer", "n": 1234}]

    assert format_table(rows, [Column("name"), Column("n", "count")]).splitlines() == [
        "name    count",
        "a           5",
        "longer   1234",
    ]


def test_format_table_of_no_rows_is_the_header_alone():
    assert format_table([], [Column("namespace")]) == "namespace"


def test_missing_values_and_empty_partitions_render_as_a_dash():
    assert cell(None) == "-" and cell({}) == "-"
    assert cell({"region": "eu", "day": date(2024, 1, 2)}) == "region=eu,day=2024-01-02"


def test_timestamps_are_iso_8601_utc_with_a_z_and_keep_their_microseconds():
    assert iso_timestamp(datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)) == \
        "2024-05-01T12:00:00.250Z"
    assert iso_timestamp(datetime(2024, 5, 1, 12, 0, 0, 250001, tzinfo=UTC)) == \
        "2024-05-01T12:00:00.250001Z"


def test_json_values_are_numbers_strings_or_null_never_python_reprs():
    doc = {"id": 9223372036854775807, "when": datetime(2024, 1, 1, tzinfo=UTC),
           "day": date(2024, 1, 2), "at": time(1, 2, 3), "price": Decimal("1.50"),
           "raw": b"\x01\xff", "nan": float("nan"), "none": None, "ok": True}

    assert json.loads(to_json(doc)) == {
        "id": 9223372036854775807, "when": "2024-01-01T00:00:00.000Z", "day": "2024-01-02",
        "at": "01:02:03", "price": "1.50", "raw": "01ff", "nan": "nan", "none": None,
        "ok": True}
    assert jsonable((1, 2)) == [1, 2]
