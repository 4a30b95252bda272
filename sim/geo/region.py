"""The study region: outline, administrative units with population, towns, rivers, forest, zone.

A `Region` is what the rest of the simulator knows about the place it simulates. The default,
`shaoguan_region`, is built from the shipped tables of `sim.geo.shaoguan`; `load_region` builds
one from files a scenario names (GeoJSON or GeoPackage layers, CSV tables), so the simulator
runs anywhere a road network covers. All coordinates are WGS84 longitude/latitude.

Files of a region (see ``docs/scenario-reference.md``, section *RegionSpec*):

* ``units`` (required): polygons of the administrative units (counties, municipalities,
  districts) with properties ``name`` and ``population``; optional ``code`` and ``name_en``.
* ``towns`` (optional): a CSV with ``name``, ``lon``, ``lat`` and optional ``unit`` (the
  unit's name; else found by point-in-polygon), ``population``, ``name_en``, ``code``. Without
  it, every unit has one town at a point inside it carrying the unit's population.
* ``outline`` (optional): the region's boundary polygon(s); default the union of the units.
* ``rivers`` (optional): lines with a ``name`` property.
* ``forest`` (optional): forest polygons; their geodesic area is the forest area of the
  ``burn_ratio`` measure unless ``forest_area_ha`` is given.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyogrio
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString
from shapely.ops import nearest_points

from sim.errors import PlaceError, ScenarioError
from sim.geo.shaoguan import (
    _LONLAT,
    CITY_BBOX,
    SHAOGUAN_FOREST_HA,
    County,
    Place,
    Town,
    county_polygons,
    haversine_m,
    load_counties,
    load_towns,
    resolve_county,
    resolve_town,
    river_lines,
)

_GEOD = Geod(ellps="WGS84")
#: Shaoguan: city centre (DATA.md, "City centre") and China Standard Time (UTC+8, no DST).
SHAOGUAN_CENTRE = (113.60, 24.81)
SHAOGUAN_TIMEZONE = "Asia/Shanghai"
#: A coordinate this far outside a loaded region's outline is still accepted (m): points on
#: the border, rounding of published coordinates.
DEFAULT_MARGIN_M = 1000.0
#: Vector file endings read with pyogrio (GDAL); anything else is an error.
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb")


@dataclass(frozen=True, eq=False)
class Region:
    """Everything the simulator knows about the study region (immutable).

    Attributes
    ----------
    name, name_en
        Display names (``韶关市`` / ``Shaoguan``).
    towns
        Populated places, each in one unit (`Town.county` is the unit's name).
    counties
        Administrative units with population (`County.population_2020`) and area.
    county_shapes
        Unit name → shapely (Multi)Polygon.
    outline
        The region's boundary (shapely geometry).
    rivers
        River name → tuple of ``(n, 2)`` lon/lat vertex arrays.
    forest
        Forest polygons, or None (forest incidents then fall anywhere in the units away from
        towns, as in Shaoguan, which is 74.5 % forest).
    forest_area_ha
        Forest area for the ``burn_ratio`` measure (ha); None when the region gives none (a
        ``burn_ratio`` target is then an error). Shaoguan: 74.52 % of 18,413 km².
    timezone
        IANA time-zone name of local clock times (``Asia/Shanghai``).
    centre
        (lon, lat) where daylight is computed.
    check_box
        Shaoguan only: the bounding box coordinates are checked against (historical
        behaviour); None for loaded regions, which check against the outline.
    margin_m
        Tolerance of the outline check (m).
    builtin
        True for the shipped Shaoguan region.
    source
        Where the region came from (file names), for messages.
    """

    name: str
    name_en: str
    towns: tuple[Town, ...]
    counties: tuple[County, ...]
    county_shapes: Mapping[str, Any]
    outline: Any
    rivers: Mapping[str, tuple[np.ndarray, ...]]
    forest: Any | None
    forest_area_ha: float | None
    timezone: str
    centre: tuple[float, float]
    check_box: tuple[float, float, float, float] | None = None
    margin_m: float = DEFAULT_MARGIN_M
    builtin: bool = False
    source: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ---- places ---------------------------------------------------------------------------

    def check_lonlat(self, lon: float, lat: float) -> None:
        """Raise `PlaceError` if a WGS84 coordinate lies outside the region.

        Shaoguan checks its bounding box; a loaded region checks its outline with a margin of
        `margin_m`.
        """
        if not (math.isfinite(lon) and math.isfinite(lat)):
            msg = f"coordinate lon={lon}, lat={lat} is not a finite number"
            raise PlaceError(msg)
        if self.check_box is not None:
            w, s, e, n = self.check_box
            if not (w <= lon <= e and s <= lat <= n):
                msg = (
                    f"coordinate lon={lon}, lat={lat} is outside {self.name_en} "
                    f"(lon {w}..{e}, lat {s}..{n}); give lon,lat in WGS84 degrees, lon first"
                )
                raise PlaceError(msg)
            return
        if shapely.contains_xy(self.outline, lon, lat):
            return
        d_m = self.distance_to_outline_m(lon, lat)
        if d_m > self.margin_m:
            w, s, e, n = (round(v, 4) for v in self.outline.bounds)
            msg = (
                f"coordinate lon={lon}, lat={lat} is {d_m / 1000:,.1f} km outside the region "
                f"{self.name_en} (lon {w}..{e}, lat {s}..{n}; {self.margin_m:g} m margin); "
                "give lon,lat in WGS84 degrees, lon first"
            )
            raise PlaceError(msg)

    def distance_to_outline_m(self, lon: float, lat: float) -> float:
        """Return the great-circle distance from a point to the region outline (m; 0 inside)."""
        if shapely.contains_xy(self.outline, lon, lat):
            return 0.0
        near = nearest_points(self.outline, shapely.Point(lon, lat))[0]
        return float(haversine_m(lon, lat, near.x, near.y))

    def resolve_town(self, name: str, *, county: str | None = None) -> Town:
        """Find a town by name, short name, romanised name or unit name (= its seat)."""
        if self.builtin:
            return resolve_town(name, county=county)
        return resolve_town(name, county=county, towns=self.towns, counties=self.counties)

    def resolve_county(self, name: str) -> County:
        """Find an administrative unit by name, short name or romanised name."""
        if self.builtin:
            return resolve_county(name)
        return resolve_county(name, counties=self.counties)

    def resolve_place(self, text: str) -> Place:
        """Resolve ``lon,lat`` (checked against the region) or a town name to a `Place`."""
        m = _LONLAT.match(text)
        if m:
            lon, lat = float(m.group(1)), float(m.group(2))
            self.check_lonlat(lon, lat)
            return Place(lon=lon, lat=lat, label=f"{lon:.4f},{lat:.4f}")
        town = self.resolve_town(text)
        return Place(lon=town.lon, lat=town.lat, label=town.name, town=town)

    # ---- population and time ----------------------------------------------------------------

    @property
    def population_total(self) -> int:
        """Resident population of the region (sum over units, persons)."""
        return int(sum(c.population_2020 for c in self.counties))

    def county_population(self) -> dict[str, int]:
        """Population by unit name (persons)."""
        return {c.name: c.population_2020 for c in self.counties}

    def utc_offset_h(self, day: date) -> float:
        """Offset of the region's local clock from UTC on `day` (h), e.g. 8.0 for Shaoguan."""
        off = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(self.timezone))
        delta = off.utcoffset()
        return 0.0 if delta is None else delta.total_seconds() / 3600.0

    @property
    def unit_words(self) -> tuple[str, str]:
        """What headings call the units (zh, en): 县（市、区）/county, or 行政单元/unit."""
        return ("县（市、区）", "county") if self.builtin else ("行政单元", "unit")

    def unit_seats(self) -> dict[str, Town]:
        """Unit name → its seat town.

        The seat is the town the unit table names (Shaoguan's county seats), else the unit's
        town flagged as a seat, else its most populous town (the first in file order on ties).
        Units without a town are left out.
        """
        by_code = {t.code: t for t in self.towns}
        out: dict[str, Town] = {}
        for c in self.counties:
            seat = by_code.get(c.seat_town_code) if c.seat_town_code else None
            if seat is None:
                mine = [t for t in self.towns if t.county == c.name]
                pool = [t for t in mine if t.is_county_seat] or mine
                if pool:
                    seat = pool[int(np.argmax([t.population or 0 for t in pool]))]
            if seat is not None:
                out[c.name] = seat
        return out

    def unit_label(self, name: str, lang: str) -> str:
        """Display label of a unit: its name (zh), or its romanised name with it (en)."""
        for c in self.counties:
            if c.name == name:
                if lang == "zh" or not c.pinyin or c.pinyin == c.name:
                    return c.name
                return f"{c.pinyin} ({c.name})"
        return name


@cache
def shaoguan_region() -> Region:
    """Return the shipped Shaoguan region (sim/data/ tables, China Standard Time)."""
    shapes = county_polygons()
    outline = shapely.union_all(list(shapes.values())) if shapes else shapely.box(*CITY_BBOX)
    return Region(
        name="韶关市",
        name_en="Shaoguan",
        towns=load_towns(),
        counties=load_counties(),
        county_shapes=shapes,
        outline=outline,
        rivers=river_lines(),
        forest=None,
        forest_area_ha=SHAOGUAN_FOREST_HA,
        timezone=SHAOGUAN_TIMEZONE,
        centre=SHAOGUAN_CENTRE,
        check_box=CITY_BBOX,
        builtin=True,
        source="sim/data (shipped)",
    )


# --------------------------------------------------------------------------- loading


def _problem(key: str, path: str | None, what: str) -> ScenarioError:
    where = f" ({path})" if path else ""
    return ScenarioError(f"region.{key}{where}: {what}")


def _read_layer(key: str, path: str) -> Any:
    """Read a vector file (GeoJSON, GeoPackage, ...) as a GeoDataFrame in WGS84."""
    p = Path(path)
    if not p.is_file():
        raise _problem(key, path, "file not found")
    if not p.name.lower().endswith(VECTOR_SUFFIXES):
        raise _problem(
            key, path, f"expected a vector file ({', '.join(VECTOR_SUFFIXES)}), got {p.suffix!r}"
        )
    try:
        df = pyogrio.read_dataframe(p)
    except Exception as e:  # GDAL raises its own error types for every kind of bad file
        raise _problem(key, path, f"cannot read it ({type(e).__name__}: {e})") from e
    if df.crs is not None and df.crs.to_epsg() != 4326:
        df = df.to_crs(4326)
    if len(df) == 0:
        raise _problem(key, path, "the layer has no features")
    return df


def _area_km2(geom: Any) -> float:
    return abs(_GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def _units(path: str) -> tuple[tuple[County, ...], dict[str, Any]]:
    df = _read_layer("units", path)
    for col in ("name", "population"):
        if col not in df.columns:
            raise _problem(
                "units", path, f"each unit needs a {col!r} property; found {list(df.columns)}"
            )
    counties: list[County] = []
    shapes: dict[str, Any] = {}
    for i, row in enumerate(df.itertuples(index=False)):
        name = str(row.name).strip()
        try:
            pop = int(float(row.population))
        except (TypeError, ValueError):
            pop = -1
        if pop < 0:
            raise _problem(
                "units",
                path,
                f"feature {i} ({name}): population must be a number >= 0, got {row.population!r}",
            )
        if not name or name in shapes:
            raise _problem("units", path, f"feature {i}: empty or repeated name {name!r}")
        geom = row.geometry
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise _problem("units", path, f"feature {i} ({name}): expected a polygon")
        code = str(getattr(row, "code", "") or i + 1)
        name_en = str(getattr(row, "name_en", "") or "") or name
        shapes[name] = geom
        counties.append(
            County(
                code=code,
                name=name,
                name_short=name,
                pinyin=name_en,
                population_2020=pop,
                area_km2_official=round(_area_km2(geom), 3),
                seat_town_code="",
            )
        )
    return tuple(counties), shapes


def _towns(
    path: str | None, counties: tuple[County, ...], shapes: Mapping[str, Any]
) -> tuple[Town, ...]:
    by_name = {c.name: c for c in counties}
    if path is None:  # one town per unit, at a point inside it, with the unit's population
        return tuple(
            Town(
                code=c.code,
                name=c.name,
                county_code=c.code,
                county=c.name,
                pinyin=c.pinyin,
                kind="unit",
                lon=(pt := shapes[c.name].representative_point()).x,
                lat=pt.y,
                location_source="unit",
                is_county_seat=True,
                population=c.population_2020,
            )
            for c in counties
        )
    p = Path(path)
    if not p.is_file():
        raise _problem("towns", path, "file not found")
    try:
        rows = list(csv.DictReader(p.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as e:
        raise _problem("towns", path, f"cannot read it as UTF-8 CSV ({e})") from e
    if not rows or not {"name", "lon", "lat"} <= set(rows[0]):
        found = sorted(rows[0]) if rows else "no rows"
        raise _problem("towns", path, f"expected columns name, lon, lat; found {found}")
    towns: list[Town] = []
    for line, r in enumerate(rows, start=2):
        try:
            lon, lat = float(r["lon"]), float(r["lat"])
        except (TypeError, ValueError):
            raise _problem(
                "towns",
                path,
                f"line {line}: lon/lat must be numbers, got {r['lon']!r}, {r['lat']!r}",
            ) from None
        unit = (r.get("unit") or "").strip()
        if unit and unit not in by_name:
            raise _problem(
                "towns", path, f"line {line}: unknown unit {unit!r} (units: {', '.join(by_name)})"
            )
        if not unit:
            hits = [n for n, g in shapes.items() if shapely.contains_xy(g, lon, lat)]
            if not hits:
                raise _problem(
                    "towns", path, f"line {line}: {r['name']} at {lon},{lat} is in no unit"
                )
            unit = hits[0]
        pop_text = (r.get("population") or "").strip()
        try:
            pop = int(float(pop_text)) if pop_text else None
        except ValueError:
            raise _problem(
                "towns", path, f"line {line}: population must be a number, got {pop_text!r}"
            ) from None
        c = by_name[unit]
        towns.append(
            Town(
                code=(r.get("code") or "").strip() or f"{c.code}-{line}",
                name=r["name"].strip(),
                county_code=c.code,
                county=c.name,
                pinyin=(r.get("name_en") or "").strip() or r["name"].strip(),
                kind="town",
                lon=lon,
                lat=lat,
                location_source="file",
                is_county_seat=False,
                population=pop,
            )
        )
    return tuple(towns)


def _rivers(path: str | None) -> dict[str, tuple[np.ndarray, ...]]:
    if path is None:
        return {}
    df = _read_layer("rivers", path)
    out: dict[str, list[np.ndarray]] = {}
    for i, row in enumerate(df.itertuples(index=False)):
        geom = row.geometry
        if not isinstance(geom, (LineString, MultiLineString)):
            raise _problem("rivers", path, f"feature {i}: expected a line, got {geom.geom_type}")
        name = str(getattr(row, "name", "") or f"river {i + 1}")
        parts = [geom] if isinstance(geom, LineString) else list(geom.geoms)
        out.setdefault(name, []).extend(np.asarray(g.coords, dtype=float)[:, :2] for g in parts)
    return {k: tuple(v) for k, v in out.items()}


@cache
def load_region(
    *,
    name: str,
    name_en: str,
    units: str,
    towns: str | None = None,
    outline: str | None = None,
    rivers: str | None = None,
    forest: str | None = None,
    forest_area_ha: float | None = None,
    timezone: str = "UTC",
    margin_m: float = DEFAULT_MARGIN_M,
) -> Region:
    """Build a `Region` from files (cached per argument set).

    Parameters
    ----------
    name, name_en
        Display names (local and English).
    units
        Vector file of administrative units (``name``, ``population``; ``code``, ``name_en``).
    towns
        CSV of towns (``name``, ``lon``, ``lat``; ``unit``, ``population``, ``name_en``).
    outline
        Vector file of the region boundary; default the union of the units.
    rivers
        Vector file of river lines with ``name``.
    forest
        Vector file of forest polygons.
    forest_area_ha
        Forest area (ha); default the geodesic area of `forest`.
    timezone
        IANA time-zone name of the local clock (``America/Mexico_City``).
    margin_m
        Coordinates up to this far outside the outline are accepted (m).

    Returns
    -------
    region
        The region.

    Raises
    ------
    ScenarioError
        Naming the ``region.<key>``, the file and what is wrong with it.
    """
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _problem(
            "timezone", None, f"unknown time zone {timezone!r} (an IANA name like Asia/Shanghai)"
        ) from None
    counties, shapes = _units(units)
    town_list = _towns(towns, counties, shapes)
    if outline is not None:
        df = _read_layer("outline", outline)
        boundary = shapely.union_all(list(df.geometry))
    else:
        boundary = shapely.union_all(list(shapes.values()))
    forest_geom = None
    if forest is not None:
        forest_geom = shapely.union_all(list(_read_layer("forest", forest).geometry))
        if forest_area_ha is None:
            forest_area_ha = _area_km2(forest_geom) * 100.0
    c = boundary.centroid
    files = ", ".join(str(f) for f in (units, towns, outline, rivers, forest) if f)
    return Region(
        name=name,
        name_en=name_en,
        towns=town_list,
        counties=counties,
        county_shapes=shapes,
        outline=boundary,
        rivers=_rivers(rivers),
        forest=forest_geom,
        forest_area_ha=forest_area_ha,
        timezone=timezone,
        centre=(float(c.x), float(c.y)),
        margin_m=margin_m,
        source=files,
    )
