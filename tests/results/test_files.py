"""Result files: CSV bytes (UTF-8, one newline per row, fixed number formats) and reading back."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.results.files import (
    clean,
    fmt_cell,
    read_incidents_csv,
    write_incidents_csv,
    write_json,
    write_rows_csv,
    write_run_info,
)
from sim.results.schema import empty_table


def test_rows_csv_bytes_by_hand(tmp_path: Path) -> None:
    """Header, then one line per row ending in a bare newline (no \\r), Chinese kept as UTF-8,
    floats to at most 6 decimals, booleans 1/0, missing and NaN cells empty."""
    path = write_rows_csv(
        tmp_path / "t.csv",
        [{"county": "乐昌", "share": 0.8125, "met": True, "n": np.int64(3)}, {"share": math.nan}],
        ["county", "share", "met", "n"],
    )
    assert path.read_bytes() == "county,share,met,n\n乐昌,0.8125,1,3\n,,,\n".encode()


def test_incidents_csv_reads_back_as_rows(tmp_path: Path) -> None:
    """What `write_rows_csv` wrote comes back as string rows keyed by the header."""
    path = write_rows_csv(tmp_path / "i.csv", [{"town": "坪石镇", "t_h": 1.5}], ["town", "t_h"])
    assert read_incidents_csv(path) == [{"town": "坪石镇", "t_h": "1.5"}]


def test_cells_and_json_values_by_hand() -> None:
    """fmt_cell: 6 decimals without trailing zeros; clean: 6 decimals, NaN → None, −0.0 → 0.0."""
    assert [fmt_cell(v) for v in (None, False, 2, 1 / 3, 2.0, 0.0, math.inf, "x")] == [
        "",
        "0",
        "2",
        "0.333333",
        "2",
        "0",
        "",
        "x",
    ]
    assert clean({"a": [np.float64(1 / 3), math.nan, -0.0], 2: (np.bool_(True), np.int32(4))}) == {
        "a": [0.333333, None, 0.0],
        "2": [True, 4],
    }
    assert str(clean(-0.0)) == "0.0"


def test_run_info_holds_what_is_not_reproducible(tmp_path: Path) -> None:
    """Wall time to the millisecond, an ISO time stamp with offset, host, versions, workers."""
    import json
    import platform
    import re

    info = json.loads(
        write_run_info(tmp_path / "run.json", wall_s=1.23456, workers=2, extra={"x": 1}).read_text(
            encoding="utf-8"
        )
    )
    assert info["wall_clock_s"] == 1.235
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", info["finished_at"])
    assert (info["python"], info["workers"], info["x"]) == (platform.python_version(), 2, 1)
    assert {"host", "platform", "sim_version"} <= info.keys()


def test_incident_table_with_unit_columns_is_written_in_schema_order(tmp_path: Path) -> None:
    """A table with one unit type's arrival column: the header is the schema's columns with that
    column last, and no row."""
    from sim.results.schema import column_names

    path = write_incidents_csv(tmp_path / "incidents.csv", empty_table(["engine"]))
    assert path.read_text(encoding="utf-8") == ",".join(column_names(["engine"])) + "\n"


def test_incidents_csv_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """Under the POSIX "C" locale (its encoding is ASCII, Python's UTF-8 mode off as here; a
    GBK locale would be the same story), incidents.csv still holds the town 坪石镇 as its 9 UTF-8
    bytes (e5 9d aa e7 9f b3 e9 95 87): the file does not follow the user's locale."""
    import locale
    import sys

    assert not sys.flags.utf8_mode  # else the locale's encoding would not be used at all
    table = {k: np.zeros(1, dtype=v.dtype) for k, v in empty_table().items()}
    table["town"] = np.array(["坪石镇"], dtype=object)
    saved = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        assert locale.getpreferredencoding(False) == "ANSI_X3.4-1968"  # ASCII
        path = write_incidents_csv(tmp_path / "incidents.csv", table)
    finally:
        locale.setlocale(locale.LC_CTYPE, saved)
    row = path.read_bytes().split(b"\n")[1].split(b",")
    assert row[list(table).index("town")] == b"\xe5\x9d\xaa\xe7\x9f\xb3\xe9\x95\x87"


def test_json_refuses_nan_and_writes_nothing(tmp_path: Path) -> None:
    """A NaN that escaped `clean` is an error, not the token NaN (not JSON under RFC 8259;
    strict readers such as JavaScript's JSON.parse reject the file): ValueError and no file. The
    cleaned value (None) is written as null."""
    path = tmp_path / "metrics.json"
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        write_json(path, {"share": math.nan})
    assert not path.exists()
    assert write_json(path, clean({"share": math.nan})).read_text(encoding="utf-8") == (
        '{\n  "share": null\n}\n'
    )
