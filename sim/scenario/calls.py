"""Historical calls: read a CSV of real incidents for replay (``calls:``) or for ``fit``.

The file has one row per call, UTF-8 (a BOM is allowed, as Excel writes it):

========================  ==========================================================
column                    meaning
========================  ==========================================================
``time``                  local clock time of the call, ISO 8601 (``2024-07-03 14:05``);
                          a time with a UTC offset is converted to the region's zone
``type``                  incident type id of the scenario (``building_fire``)
``lon``, ``lat``          WGS84 position; or
``town``                  a town name of the region (its seat is used)
``on_scene_h``            optional: work time on scene (h); sampled from the type if empty
``affected_people``       optional: people needing relief; sampled if empty
========================  ==========================================================
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from sim import geo
from sim.errors import PlaceError, ScenarioError

#: Columns every calls file needs; one of the two location forms is needed too.
REQUIRED_COLUMNS = ("time", "type")
#: Problems listed before the rest are summarised (a bad file should not print 10,000 lines).
MAX_PROBLEMS = 20


@dataclass(frozen=True, eq=False)
class CallTable:
    """The calls of a file, in file order (struct of arrays).

    Attributes
    ----------
    time
        ``datetime64[s]`` local clock times.
    type
        Incident type ids (object array of str).
    lon, lat
        WGS84 degrees; NaN where the file gives neither a position nor a town we could place.
    on_scene_h
        Work time on scene (h); NaN where not given.
    people
        Affected people; -1 where not given.
    source
        The file name.
    """

    time: np.ndarray
    type: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    on_scene_h: np.ndarray
    people: np.ndarray
    source: str

    def __len__(self) -> int:
        return int(self.time.size)


def _parse_time(text: str, zone: ZoneInfo | None) -> datetime:
    t = datetime.fromisoformat(text.strip())
    if t.tzinfo is not None:
        t = t.astimezone(zone).replace(tzinfo=None) if zone else t.replace(tzinfo=None)
    return t


def _number(text: str | None) -> float | None:
    text = (text or "").strip()
    return None if not text else float(text)


def read_calls(
    path: str | Path,
    *,
    region: geo.Region | None = None,
    types: tuple[str, ...] | None = None,
) -> CallTable:
    """Read and check a calls CSV.

    Parameters
    ----------
    path
        The CSV file.
    region
        Town names and coordinates are checked against it; without a region, locations are
        not needed (``fit`` uses times, types and on-scene times only).
    types
        Allowed incident type ids (the scenario's); any when None.

    Returns
    -------
    calls
        The calls.

    Raises
    ------
    ScenarioError
        Naming the file, the line and column, what was expected and what was found (up to
        `MAX_PROBLEMS` problems, then a count of the rest).
    """
    table, problems = _read(str(path), region, types)
    if problems:
        more = len(problems) - MAX_PROBLEMS
        text = "\n".join(f"  - {p}" for p in problems[:MAX_PROBLEMS])
        if more > 0:
            text += f"\n  - ... and {more} more"
        msg = f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}\n{text}"
        raise ScenarioError(msg)
    assert table is not None
    return table


def calls_problems(path: str, region: geo.Region, types: tuple[str, ...]) -> list[str]:
    """Return the problems of a calls file (empty when it is fine); used by scenario checks."""
    _table, problems = _read(path, region, types)
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more"]
    return problems


@cache
def _read(
    path: str, region: geo.Region | None, types: tuple[str, ...] | None
) -> tuple[CallTable | None, list[str]]:
    p = Path(path)
    if not p.is_file():
        return None, [f"calls file {path!r} not found"]
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        return None, [f"cannot read calls file {path!r} as UTF-8 text ({e})"]
    reader = csv.DictReader(text.splitlines())
    cols = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    has_xy = "lon" in cols and "lat" in cols
    if missing or (region is not None and not has_xy and "town" not in cols):
        need = [*missing] + (
            [] if has_xy or "town" in cols or region is None else ["lon+lat or town"]
        )
        return None, [
            f"{path}: missing column(s) {', '.join(need)}; found {', '.join(cols) or 'none'}"
        ]
    zone = ZoneInfo(region.timezone) if region is not None else None
    times: list[datetime] = []
    kinds: list[str] = []
    lon: list[float] = []
    lat: list[float] = []
    scene: list[float] = []
    people: list[int] = []
    problems: list[str] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        where = f"line {line}"
        try:
            t = _parse_time(row["time"], zone)
        except ValueError:
            problems.append(
                f"{where}, time: expected an ISO date-time like 2024-07-03 14:05, "
                f"got {row['time']!r}"
            )
            continue
        kind = row["type"]
        if types is not None and kind not in types:
            problems.append(
                f"{where}, type: unknown incident type {kind!r} "
                f"(scenario types: {', '.join(types)})"
            )
            continue
        x = y = math.nan
        try:
            fx, fy = _number(row.get("lon")), _number(row.get("lat"))
        except ValueError:
            problems.append(
                f"{where}, lon/lat: expected numbers, got {row.get('lon')!r}, {row.get('lat')!r}"
            )
            continue
        if fx is not None and fy is not None:
            x, y = fx, fy
            if region is not None:
                try:
                    region.check_lonlat(x, y)
                except PlaceError as e:
                    problems.append(f"{where}, lon/lat: {e}")
                    continue
        elif row.get("town") and region is not None:
            try:
                town = region.resolve_town(row["town"])
            except PlaceError as e:
                problems.append(f"{where}, town: {e}")
                continue
            x, y = town.lon, town.lat
        elif region is not None:
            problems.append(f"{where}: expected lon and lat, or town; got neither")
            continue
        try:
            h = _number(row.get("on_scene_h"))
            n = _number(row.get("affected_people"))
        except ValueError:
            problems.append(
                f"{where}, on_scene_h/affected_people: expected numbers, got "
                f"{row.get('on_scene_h')!r}, {row.get('affected_people')!r}"
            )
            continue
        if h is not None and not (math.isfinite(h) and h > 0):
            problems.append(f"{where}, on_scene_h: expected a number of hours > 0, got {h!r}")
            continue
        times.append(t)
        kinds.append(kind)
        lon.append(x)
        lat.append(y)
        scene.append(math.nan if h is None else h)
        people.append(-1 if n is None else max(0, round(n)))
    if not problems and not times:
        problems.append(f"calls file {path!r} has no calls")
    if problems:
        return None, problems
    return (
        CallTable(
            time=np.array(times, dtype="datetime64[s]"),
            type=np.array(kinds, dtype=object),
            lon=np.array(lon, dtype=float),
            lat=np.array(lat, dtype=float),
            on_scene_h=np.array(scene, dtype=float),
            people=np.array(people, dtype=np.int64),
            source=path,
        ),
        [],
    )
