"""Reference geography: the study region, Shaoguan's shipped tables, place names, distances.

Modules (the second imports the first, never this package):

* `sim.geo.shaoguan` - the shipped Shaoguan tables under ``sim/data/`` (counties, towns,
  rivers), great-circle distances and the place-name lookup.
* `sim.geo.region` - `Region`: outline, administrative units with population, towns, rivers,
  forest and time zone, from the shipped tables (`shaoguan_region`) or from files a scenario
  names (`load_region`).

This package re-exports the names other code uses.
"""

from __future__ import annotations

from sim.geo.region import DEFAULT_MARGIN_M, Region, load_region, shaoguan_region
from sim.geo.shaoguan import (
    CITY_BBOX,
    DATA,
    EARTH_RADIUS_M,
    SHAOGUAN_AREA_KM2,
    SHAOGUAN_FOREST_HA,
    SHAOGUAN_FOREST_SHARE,
    County,
    Place,
    Town,
    check_lonlat,
    county_polygons,
    county_population,
    farthest_from_seats_m,
    haversine_m,
    load_counties,
    load_county_shapes,
    load_geojson,
    load_rivers,
    load_towns,
    resolve_county,
    resolve_place,
    resolve_town,
    river_lines,
    seat_distance_m,
)

__all__ = [
    "CITY_BBOX",
    "DATA",
    "DEFAULT_MARGIN_M",
    "EARTH_RADIUS_M",
    "SHAOGUAN_AREA_KM2",
    "SHAOGUAN_FOREST_HA",
    "SHAOGUAN_FOREST_SHARE",
    "County",
    "Place",
    "Region",
    "Town",
    "check_lonlat",
    "county_polygons",
    "county_population",
    "farthest_from_seats_m",
    "haversine_m",
    "load_counties",
    "load_county_shapes",
    "load_geojson",
    "load_region",
    "load_rivers",
    "load_towns",
    "resolve_county",
    "resolve_place",
    "resolve_town",
    "river_lines",
    "seat_distance_m",
    "shaoguan_region",
]
