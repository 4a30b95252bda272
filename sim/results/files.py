"""Run folders: ``metrics.json``, ``incidents.csv``, the resolved scenario and run information.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Column order of ``incidents.csv``.
INCIDENT_COLUMNS = (
    "replication", "id", "type", "priority", "t_h", "lon", "lat", "county", "town", "node",
    "access_h", "report_h", "first_arrival_h", "first_mode", "road_h", "boat_h", "air_h",
    "first_ground_h", "first_air_h", "all_arrived_h", "cleared_h", "wait_h", "queued",
    "contained_h", "burned_ha",
    "units_required", "units_sent_n", "units_sent", "affected_people", "relief_h",
    "relief_unmet_people", "relief_depots", "relief_air", "mutual_aid_units", "surge",
)  # fmt: skip


def _fmt(v: Any) -> str:
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
    """Write the per-incident table with fixed formatting (empty cell = did not happen)."""
    cols = [c for c in INCIDENT_COLUMNS if c in table] + [c for c in table if c not in INCIDENT_COLUMNS]
    n = len(next(iter(table.values()))) if table else 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        columns = [table[c] for c in cols]
        for i in range(n):
            w.writerow([_fmt(col[i]) for col in columns])
    return path


def write_json(path: Path, data: Any) -> Path:
    """Write JSON with stable formatting (UTF-8, indented, no NaN)."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


def write_run_info(path: Path, *, wall_s: float, workers: int, extra: Mapping[str, Any] | None = None) -> Path:
    """Write what is not reproducible (wall-clock time, host) apart from the metrics."""
    import sim

    info = {
        "wall_clock_s": round(wall_s, 3),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": socket.gethostname(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "workers": workers,
        "sim_version": sim.__version__,
        **(extra or {}),
    }
    return write_json(path, info)


def read_incidents_csv(path: Path) -> list[dict[str, str]]:
    """Read ``incidents.csv`` back as a list of string rows (for tests and reports)."""
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
