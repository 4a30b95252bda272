"""Shaoguan reference geography: counties, township seats, rivers, and place-name lookup.

The files under ``sim/data/`` are produced by ``tools/build_geodata.py`` (see ``DATA.md`` for
sources and licences). This module only reads them; it never downloads anything. The place-name
lookup (`resolve_town`, `resolve_county`) also serves other regions: pass their towns and
counties (see `sim.geo.region`).
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
from scipy.spatial import cKDTree
from shapely import contains_xy, prepare, union_all
from shapely.geometry import shape

from sim.errors import PlaceError

DATA = files("sim") / "data"

EARTH_RADIUS_M = 6_371_008.8
#: Bounding box of the city (WGS84 degrees) with a small margin; coordinates outside are errors.
CITY_BBOX = (112.80, 23.85, 114.80, 25.56)
#: 2023 forest cover of Shaoguan: 74.52 % (mayor's 2024 work report; DATA.md, "Forest cover").
SHAOGUAN_FOREST_SHARE = 0.7452
#: Official land area of the city (DATA.md, "Census population and official areas").
SHAOGUAN_AREA_KM2 = 18413.0
#: Forest area implied by the two constants above (ha): the ``burn_ratio`` denominator.
SHAOGUAN_FOREST_HA = SHAOGUAN_AREA_KM2 * 100.0 * SHAOGUAN_FOREST_SHARE

# Suffixes stripped when matching names (乐城街道 -> 乐城, 乳源瑶族自治县 -> 乳源).
_SUFFIXES = ("瑶族自治县", "瑶族乡", "街道", "自治县", "镇", "乡", "县", "市", "区")


@dataclass(frozen=True, slots=True)
class Town:
    """A township-level unit (镇, 乡 or 街道) with the WGS84 position of its seat."""

    code: str
    name: str
    county_code: str
    county: str
    pinyin: str
    kind: str
    lon: float
    lat: float
    location_source: str
    is_county_seat: bool
    #: Estimated 2020 resident population (persons): the county's census split in proportion to
    #: the town's village and residents' committees (DATA.md, "Township populations"); None if
    #: the town table has no ``population`` column.
    population: int | None = None


@dataclass(frozen=True, slots=True)
class County:
    """A county-level unit (区, 县 or 市) with its 2020 census population."""

    code: str
    name: str
    name_short: str
    pinyin: str
    population_2020: int
    area_km2_official: float
    seat_town_code: str


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved location: coordinates plus the town it names, if any."""

    lon: float
    lat: float
    label: str
    town: Town | None = None


@cache
def load_towns() -> tuple[Town, ...]:
    """Return every township seat, in code order.

    Returns
    -------
    towns
        Immutable tuple of `Town` records read from ``sim/data/towns.csv``.
    """
    text = (DATA / "towns.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    towns = [
        Town(
            code=r["code"],
            name=r["name"],
            county_code=r["county_code"],
            county=r["county"],
            pinyin=r["pinyin"],
            kind=r["kind"],
            lon=float(r["lon"]),
            lat=float(r["lat"]),
            location_source=r["location_source"],
            is_county_seat=r["is_county_seat"] in {"1", "true", "True"},
            # township populations, where the table has them (DATA.md, "Township populations")
            population=int(float(r["population"])) if r.get("population") else None,
        )
        for r in rows
    ]
    return tuple(sorted(towns, key=lambda t: t.code))


@cache
def load_counties() -> tuple[County, ...]:
    """Return the ten county-level units, in code order."""
    text = (DATA / "counties.csv").read_text(encoding="utf-8")
    return tuple(
        County(
            code=r["code"],
            name=r["name"],
            name_short=r["name_short"],
            pinyin=r["pinyin"],
            population_2020=int(r["population_2020"]),
            area_km2_official=float(r["area_km2_official"]),
            seat_town_code=r["seat_town_code"],
        )
        for r in csv.DictReader(text.splitlines())
    )


@cache
def load_geojson(name: str) -> dict[str, Any]:
    """Return a GeoJSON document shipped in ``sim/data/`` (``counties`` or ``rivers``)."""
    return json.loads((DATA / f"{name}.geojson").read_text(encoding="utf-8"))


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Return the great-circle distance in metres; works on scalars and numpy arrays."""

    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


def _norm_zh(name: str) -> str:
    name = name.strip()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _norm_latin(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


@cache
def _name_index(
    towns: tuple[Town, ...] | None = None, counties: tuple[County, ...] | None = None
) -> dict[str, list[Town]]:
    """Map every accepted spelling of a place to the towns it may mean (default: Shaoguan's)."""
    towns = load_towns() if towns is None else towns
    counties = load_counties() if counties is None else counties
    by_code = {t.code: t for t in towns}
    index: dict[str, list[Town]] = {}

    def add(key: str, town: Town) -> None:
        bucket = index.setdefault(key, [])
        if town not in bucket:
            bucket.append(town)

    for t in towns:
        for key in {t.name, _norm_zh(t.name), _norm_latin(t.pinyin)} - {""}:
            add(key, t)
    # A county name means its seat: 乐昌市, 乐昌, Lechang -> 乐城街道.
    for c in counties:
        seat = by_code.get(c.seat_town_code)
        if seat is None:
            continue
        for key in {c.name, c.name_short, _norm_zh(c.name), _norm_latin(c.pinyin)} - {""}:
            # County names win over a town of the same spelling.
            index[key] = [seat]
    return index


def _suggest(query: str, index: dict[str, list[Town]]) -> list[str]:
    keys = [k for k in index if k]
    q = _norm_latin(query) if query.isascii() else _norm_zh(query)
    close = difflib.get_close_matches(q, keys, n=5, cutoff=0.5)
    names: list[str] = []
    for key in close:
        for town in index[key]:
            label = f"{town.name} ({town.county}, {town.pinyin})"
            if label not in names:
                names.append(label)
    return names[:5]


def resolve_town(
    name: str,
    *,
    county: str | None = None,
    towns: tuple[Town, ...] | None = None,
    counties: tuple[County, ...] | None = None,
) -> Town:
    """Find a township seat by Chinese name, short name, county name or pinyin.

    Parameters
    ----------
    name
        For example ``乐城街道``, ``乐城``, ``Lecheng``; a county name (``乐昌市``, ``乐昌``,
        ``Lechang``) means that county's seat.
    county
        Optional county name to disambiguate names that exist twice (two 大桥镇, two 黄坑镇).
    towns, counties
        The gazetteer to search (a region's); default Shaoguan's shipped tables.

    Returns
    -------
    town
        The matching `Town`.

    Raises
    ------
    PlaceError
        If nothing matches (the message lists close matches) or the name is ambiguous.
    """
    index = _name_index(towns, counties)
    key = name.strip()
    candidates = index.get(key) or index.get(_norm_zh(key)) or index.get(_norm_latin(key)) or []
    if county is not None and candidates:
        found = resolve_county(county, counties=counties).name  # an unknown one is named
        in_county = [t for t in candidates if t.county == found]
        if not in_county:
            where = ", ".join(sorted({t.county for t in candidates}))
            msg = f"place {name!r} is in {where}, not in {found}; correct or drop `county`"
            raise PlaceError(msg)
        candidates = in_county
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        hint = _suggest(name, index)
        msg = f"unknown place {name!r}"
        if hint:
            msg += "; did you mean: " + ", ".join(hint) + "?"
        raise PlaceError(msg)
    options = ", ".join(f"{t.name} ({t.county})" for t in candidates)
    msg = f"place {name!r} is ambiguous ({options}); give the county too"
    raise PlaceError(msg)


_LONLAT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def check_lonlat(lon: float, lat: float) -> None:
    """Raise `PlaceError` if a WGS84 coordinate lies outside the Shaoguan bounding box."""
    w, s, e, n = CITY_BBOX
    if not (math.isfinite(lon) and math.isfinite(lat) and w <= lon <= e and s <= lat <= n):
        msg = (
            f"coordinate lon={lon}, lat={lat} is outside Shaoguan "
            f"(lon {w}..{e}, lat {s}..{n}); give lon,lat in WGS84 degrees, lon first"
        )
        raise PlaceError(msg)


def resolve_place(text: str) -> Place:
    """Resolve ``lon,lat`` or a place name (see `resolve_town`) to a `Place`."""
    m = _LONLAT.match(text)
    if m:
        lon, lat = float(m.group(1)), float(m.group(2))
        check_lonlat(lon, lat)
        return Place(lon=lon, lat=lat, label=f"{lon:.4f},{lat:.4f}")
    town = resolve_town(text)
    return Place(lon=town.lon, lat=town.lat, label=town.name, town=town)


def county_population() -> dict[str, int]:
    """Return the 2020 census population by county name."""
    return {c.name: c.population_2020 for c in load_counties()}


@cache
def county_polygons() -> dict[str, Any]:
    """Return the county polygons as shapely geometries keyed by full county name (WGS84).

    Returns an empty dict if ``counties.geojson`` has not been built.
    """
    if not (DATA / "counties.geojson").is_file():
        return {}
    shapes = load_county_shapes()
    return {c.name: shapes[c.code] for c in load_counties() if c.code in shapes}


@cache
def river_lines() -> dict[str, tuple[Any, ...]]:
    """Return river polylines as ``{name: (array[(n, 2)] lon/lat, ...)}``; empty if not built."""

    if not (DATA / "rivers.geojson").is_file():
        return {}
    out: dict[str, list[Any]] = {}
    for f in load_geojson("rivers")["features"]:
        geom = f["geometry"]
        parts = [geom["coordinates"]] if geom["type"] == "LineString" else geom["coordinates"]
        for part in parts:
            out.setdefault(f["properties"]["name"], []).append(np.asarray(part, dtype=float))
    return {k: tuple(v) for k, v in out.items()}


def resolve_county(name: str, *, counties: tuple[County, ...] | None = None) -> County:
    """Find a county by full name, short name or pinyin; raise `PlaceError` with suggestions.

    `counties` is the table to search (a region's administrative units); default Shaoguan's.
    """
    key = name.strip()
    counties = load_counties() if counties is None else counties
    for c in counties:
        latin = _norm_latin(c.pinyin)
        if key in {c.name, c.name_short} or (latin and _norm_latin(key) == latin):
            return c
    names = [c.name for c in counties]
    close = difflib.get_close_matches(key, names + [c.name_short for c in counties], n=3)
    msg = f"unknown county {name!r}" + (f"; did you mean {', '.join(close)}?" if close else "")
    msg += f" (counties: {', '.join(names)})"
    raise PlaceError(msg)


@cache
def load_county_shapes() -> dict[str, Any]:
    """Return the county polygons from ``sim/data/counties.geojson``, keyed by county code.

    Returns
    -------
    shapes
        County code (``"440203"``) → shapely (Multi)Polygon in WGS84 lon/lat, in file order.
        Features without a ``code`` property are keyed by their ``name``.

    Raises
    ------
    FileNotFoundError
        If ``counties.geojson`` has not been generated.
    """

    doc = load_geojson("counties")
    shapes: dict[str, Any] = {}
    for feature in doc.get("features", []):
        props = feature.get("properties") or {}
        key = str(props.get("code") or props.get("name") or len(shapes))
        shapes[key] = shape(feature["geometry"])
    return shapes


@cache
def load_rivers() -> dict[str, Any]:
    """Return the river lines from ``sim/data/rivers.geojson``, merged by river name.

    Returns
    -------
    rivers
        River name (``武江``, ``北江``, ...) → shapely (Multi)LineString in WGS84 lon/lat, in
        order of first appearance. Features without a name are collected under ``""``.

    Raises
    ------
    FileNotFoundError
        If ``rivers.geojson`` has not been generated.
    """

    parts: dict[str, list[Any]] = {}
    for feature in load_geojson("rivers").get("features", []):
        name = str((feature.get("properties") or {}).get("name") or "")
        parts.setdefault(name, []).append(shape(feature["geometry"]))
    return {name: union_all(geoms) if len(geoms) > 1 else geoms[0] for name, geoms in parts.items()}


#: Mean Earth radius (m), as in the forest sampler's haversine distances.
EARTH_RADIUS_M = 6_371_008.8
#: Grid step (degrees) of `farthest_from_seats_m`: about 1.1 km.
_SEAT_GRID_DEG = 0.01


def _unit_vectors(lon: Any, lat: Any) -> np.ndarray:
    la, ph = np.radians(np.asarray(lon, dtype=float)), np.radians(np.asarray(lat, dtype=float))
    return np.column_stack((np.cos(ph) * np.cos(la), np.cos(ph) * np.sin(la), np.sin(ph)))


@cache
def _seat_tree() -> cKDTree:
    towns = load_towns()
    return cKDTree(_unit_vectors([t.lon for t in towns], [t.lat for t in towns]))


def seat_distance_m(lon: Any, lat: Any) -> np.ndarray:
    """Great-circle distance (m) from each point to the nearest town seat of ``towns.csv``."""
    chord, _ = _seat_tree().query(_unit_vectors(lon, lat))
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.minimum(chord / 2, 1.0)))


@cache
def farthest_from_seats_m(counties: tuple[str, ...] | None) -> float:
    """Upper bound (m) of the distance to the nearest town seat over some counties.

    Parameters
    ----------
    counties
        Full county names; None for the whole city.

    Returns
    -------
    bound
        No point inside the counties lies farther than this from every town seat; inf when
        ``counties.geojson`` has not been built (nothing can be checked).

    Notes
    -----
    The distance to the nearest seat changes by at most the distance moved (it is a distance
    to a set), so its maximum over the counties is at most its maximum over a grid of step
    `_SEAT_GRID_DEG` covering them (each point lies within half a cell diagonal of a grid node
    inside the counties grown by one step) plus half a cell diagonal.
    """
    polys = [p for name, p in county_polygons().items() if counties is None or name in counties]
    if not polys:
        return math.inf
    region = union_all(polys).buffer(_SEAT_GRID_DEG)
    w, s, e, n = region.bounds
    lon, lat = np.meshgrid(
        np.arange(w, e + _SEAT_GRID_DEG, _SEAT_GRID_DEG),
        np.arange(s, n + _SEAT_GRID_DEG, _SEAT_GRID_DEG),
    )
    lon, lat = lon.ravel(), lat.ravel()
    prepare(region)
    inside = contains_xy(region, lon, lat)
    if not inside.any():  # pragma: no cover - a county smaller than a grid cell
        return math.inf
    half_diagonal_m = _SEAT_GRID_DEG * math.sqrt(2) / 2 * math.pi / 180 * EARTH_RADIUS_M
    return float(seat_distance_m(lon[inside], lat[inside]).max()) + half_diagonal_m
