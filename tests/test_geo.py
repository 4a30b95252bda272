"""Checks on the shipped reference geography in ``sim/data/`` (no downloads)."""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from sim import geo
from sim.errors import PlaceError

DATA = files("sim") / "data"
GEOD = Geod(ellps="WGS84")
TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)

CITY_POPULATION_2020 = 2_855_131
TOWN_COLUMNS = [
    "code", "name", "county_code", "county", "pinyin", "kind", "lon", "lat",
    "location_source", "is_county_seat", "villages", "communities", "population", "note",
]  # fmt: skip
COUNTY_COLUMNS = [
    "code", "name", "name_short", "pinyin", "population_2020", "area_km2_official",
    "seat_town_code",
]  # fmt: skip


@cache
def _geojson(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.geojson").read_text(encoding="utf-8"))


@cache
def _csv(name: str) -> tuple[list[str], list[dict[str, str]]]:
    text = (DATA / f"{name}.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    return list(reader.fieldnames or []), list(reader)


@cache
def _county_shapes() -> dict[str, Any]:
    return {f["properties"]["code"]: shape(f["geometry"]) for f in _geojson("counties")["features"]}


def _metric(geom: Any) -> Any:
    return shapely.transform(
        geom, lambda xy: np.column_stack(TO_METRIC.transform(xy[:, 0], xy[:, 1]))
    )


def _area_km2(geom: Any) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def test_ten_valid_county_polygons() -> None:
    """The county file holds the ten county-level units as valid polygons, same codes as the CSV."""
    shapes = _county_shapes()
    _, rows = _csv("counties")
    assert len(shapes) == 10
    assert set(shapes) == {r["code"] for r in rows}
    for code, geom in shapes.items():
        assert geom.geom_type == "Polygon", code
        assert geom.is_valid, code


def test_counties_do_not_overlap() -> None:
    """Shared borders were simplified once, so neighbouring counties neither overlap nor gap."""
    shapes = list(_county_shapes().values())
    union_area = unary_union(shapes).area
    assert sum(g.area for g in shapes) == pytest.approx(union_area, rel=1e-9)


def test_county_areas_within_half_percent_of_official() -> None:
    """The geodesic area of each shipped polygon is within 0.5 % of the official area."""
    for f in _geojson("counties")["features"]:
        p = f["properties"]
        area = _area_km2(shape(f["geometry"]))
        assert area == pytest.approx(p["area_km2_official"], rel=0.005), p["name"]
        assert p["area_km2"] == pytest.approx(area, abs=0.01), p["name"]


def test_county_csv_matches_geojson_and_census_total() -> None:
    """counties.csv has the exact columns, agrees with the GeoJSON, and sums to the 2020 total."""
    header, rows = _csv("counties")
    assert header == COUNTY_COLUMNS
    props = {f["properties"]["code"]: f["properties"] for f in _geojson("counties")["features"]}
    for r in rows:
        p = props[r["code"]]
        for key in ("name", "name_short", "pinyin"):
            assert r[key] == p[key], (r["code"], key)
        assert int(r["population_2020"]) == p["population_2020"]
        assert float(r["area_km2_official"]) == p["area_km2_official"]
    assert sum(int(r["population_2020"]) for r in rows) == CITY_POPULATION_2020


def test_towns_columns_codes_and_kinds() -> None:
    """towns.csv lists at least 105 regular units with unique NBS codes inside their county."""
    header, rows = _csv("towns")
    assert header == TOWN_COLUMNS
    assert len(rows) >= 105
    codes = [r["code"] for r in rows]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    county_names = {r["code"]: r["name"] for r in _csv("counties")[1]}
    for r in rows:
        assert re.fullmatch(r"\d{9}", r["code"]), r
        assert r["code"].startswith(r["county_code"]), r
        assert r["county"] == county_names[r["county_code"]], r
        assert r["kind"] in {"镇", "乡", "街道"}, r
        assert r["name"].endswith(r["kind"]), r
        assert r["code"][6] not in "45", f"non-standard unit shipped: {r['name']}"
        assert re.fullmatch(r"[A-Z][a-z]+(?:'[a-z]+)*", r["pinyin"]), r
        assert r["location_source"] in {"geonames", "manual"}, r
        assert r["note"], r


def test_every_county_has_towns_and_exactly_one_seat() -> None:
    """Each county has towns and exactly one seat, the one named in counties.csv."""
    _, towns = _csv("towns")
    for county in _csv("counties")[1]:
        mine = [t for t in towns if t["county_code"] == county["code"]]
        assert mine, county["name"]
        seats = [t["code"] for t in mine if t["is_county_seat"] == "1"]
        assert seats == [county["seat_town_code"]], county["name"]
    assert {t["is_county_seat"] for t in towns} == {"0", "1"}


def test_town_populations_add_up_to_the_county_census() -> None:
    """Every county's towns add up exactly to its 2020 census population (counties.csv)."""
    _, towns = _csv("towns")
    for county in _csv("counties")[1]:
        mine = [int(t["population"]) for t in towns if t["county_code"] == county["code"]]
        assert min(mine) > 0, county["name"]
        assert sum(mine) == int(county["population_2020"]), county["name"]


def _units(town: dict[str, str]) -> tuple[int, int]:
    """(rural, urban) village-level units: residents' committees of 街道 and county seats are
    urban, those of ordinary towns count with the village committees (DATA.md)."""
    v, c = int(town["villages"]), int(town["communities"])
    urban = town["kind"] == "街道" or town["is_county_seat"] == "1"
    return (v, c) if urban else (v + c, 0)


def test_town_populations_follow_village_level_units() -> None:
    """Within a county, population is proportional to a·rural + b·urban units (±1 person).

    a and b (residents per rural unit and per urban residents' committee) are refitted here by
    least squares on the ten county census totals, as DATA.md "Township populations" describes;
    an urban residents' committee must be larger than a rural unit.
    """
    _, towns = _csv("towns")
    counties = _csv("counties")[1]
    units = np.array(
        [
            np.sum([_units(t) for t in towns if t["county_code"] == c["code"]], axis=0)
            for c in counties
        ],
        dtype=float,
    )
    census = np.array([int(c["population_2020"]) for c in counties], dtype=float)
    a, b = np.linalg.lstsq(units, census, rcond=None)[0]
    assert 0 < a < b
    for c in counties:
        mine = [t for t in towns if t["county_code"] == c["code"]]
        w = np.array([a * _units(t)[0] + b * _units(t)[1] for t in mine])
        expected = int(c["population_2020"]) * w / w.sum()
        got = np.array([int(t["population"]) for t in mine])
        # the build rounds by largest remainder: every town within one person
        np.testing.assert_allclose(got, expected, rtol=0, atol=1, err_msg=c["name"])


def test_town_positions_lie_in_their_county() -> None:
    """GeoNames seats lie inside their county polygon; manual ones at most 3 km from it."""
    shapes = _county_shapes()
    metric = {code: _metric(geom) for code, geom in shapes.items()}
    for t in _csv("towns")[1]:
        pt = Point(float(t["lon"]), float(t["lat"]))
        if t["location_source"] == "geonames":
            assert shapes[t["county_code"]].contains(pt), t["name"]
        else:
            assert metric[t["county_code"]].distance(_metric(pt)) <= 3000, t["name"]


def test_rivers_named_and_plausible_lengths() -> None:
    """The WDBII rivers are present with lengths inside the city close to the known ones."""
    rivers = {f["properties"]["name"]: f for f in _geojson("rivers")["features"]}
    assert {"武江", "北江", "浈江", "新丰江"} <= set(rivers)

    def km(name: str) -> float:
        return GEOD.geometry_length(shape(rivers[name]["geometry"])) / 1000

    assert 150 <= km("武江") + km("北江") <= 180
    assert 130 <= km("浈江") <= 160
    assert 20 <= km("新丰江") <= 60
    for name, f in rivers.items():
        assert f["properties"]["length_km"] == pytest.approx(km(name), abs=0.05), name


def test_manual_rivers_are_flagged_and_inside_the_city() -> None:
    """Hand-drawn tributaries are marked approximate; every line stays inside the city."""
    # Coordinates are rounded to 1e-5 degrees, so a clipped end may stick out by about 1 m.
    city = unary_union(list(_county_shapes().values())).buffer(1e-5)
    features = _geojson("rivers")["features"]
    manual = {f["properties"]["name"] for f in features if f["properties"]["approximate"]}
    assert manual == {"南水", "锦江", "墨江", "滃江"}
    for f in features:
        p = f["properties"]
        wdbii = p["source"].startswith("WDBII")
        assert wdbii != p["approximate"], p["name"]
        assert wdbii or p["source"] == "manual (approximate, through town seats)", p["name"]
        assert city.contains(shape(f["geometry"])), p["name"]


def test_shipped_files_are_small() -> None:
    """The package data stay small enough to commit."""
    assert len((DATA / "counties.geojson").read_bytes()) <= 300_000
    assert len((DATA / "rivers.geojson").read_bytes()) <= 60_000


def test_a_town_in_the_wrong_county_is_named_with_its_county() -> None:
    """`{town: 乐城街道, county: 南雄}` says where the town is, not 'unknown place'."""
    with pytest.raises(PlaceError, match=r"place '乐城街道' is in 乐昌市, not in 南雄市"):
        geo.resolve_town("乐城街道", county="南雄")
    with pytest.raises(PlaceError, match=r"unknown county '火星'"):
        geo.resolve_town("乐城街道", county="火星")
    # County by pinyin works too, and picks one of the two 黄坑镇.
    assert geo.resolve_town("黄坑镇", county="Nanxiong").county == "南雄市"
