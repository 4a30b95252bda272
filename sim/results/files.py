"""Result files: stable JSON, ``incidents.csv`` and tidy CSV tables, run information.

Everything except ``run_info.json`` is a pure function of the scenario and seed, written with
fixed float formatting and key order, so reruns are byte-identical.
"""

from __future__ import annotations

import csv
import json
import math
import platform
import socket
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.results.schema import TRIP_COLUMNS, TableError, check_table, unit_arrival_types


def clean(x: Any) -> Any:
    """Round floats to 6 decimals, map NaN/inf to None and −0.0 to 0.0 (stable, valid JSON)."""
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return round(v, 6) + 0.0 if math.isfinite(v) else None
    return x


def fmt_cell(v: Any) -> str:
    """Format one CSV cell: floats with up to 6 decimals, booleans 1/0, None/NaN empty."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if not math.isfinite(f):
            return ""
        return f"{f:.6f}".rstrip("0").rstrip(".") if f != 0 else "0"
    return str(v)


def write_incidents_csv(path: Path, table: Mapping[str, np.ndarray]) -> Path:
    """Write the incident table in schema order with fixed formatting (empty cell = did not happen).

    Parameters
    ----------
    path
        File to write.
    table
        An incident table as `sim.results.schema` defines it (checked before writing).
    """
    check_table(table, unit_arrival_types(table))
    n = len(next(iter(table.values()))) if table else 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(list(table))
        columns = list(table.values())
        for i in range(n):
            w.writerow([fmt_cell(col[i]) for col in columns])
    return path


def write_trips_csv(path: Path, trips: Mapping[str, np.ndarray]) -> Path:
    """Write ``trips.csv``: the per-trip log in `sim.results.schema.TRIP_COLUMNS` order."""
    names = [c.name for c in TRIP_COLUMNS]
    if list(trips) != names:
        msg = f"trip table columns {list(trips)} differ from the schema {names}"
        raise TableError(msg)
    n = len(trips["unit"])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(names)
        columns = list(trips.values())
        for i in range(n):
            w.writerow([fmt_cell(col[i]) for col in columns])
    return path


def write_rows_csv(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Path:
    """Write tidy rows (one mapping per row) with fixed float formatting (empty cell = no value)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([fmt_cell(r.get(c)) for c in columns])
    return path


def write_json(path: Path, data: Any) -> Path:
    """Write JSON with stable formatting (UTF-8, indented, no NaN)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def write_run_info(
    path: Path, *, wall_s: float, workers: int, extra: Mapping[str, Any] | None = None
) -> Path:
    """Write what is not reproducible (wall-clock time, host) apart from the metrics."""
    info = {
        "wall_clock_s": round(wall_s, 3),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": socket.gethostname(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "workers": workers,
        "sim_version": __version__,
        **(extra or {}),
    }
    return write_json(path, info)


def read_incidents_csv(path: Path) -> list[dict[str, str]]:
    """Read ``incidents.csv`` back as a list of string rows (for tests and reports)."""
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
