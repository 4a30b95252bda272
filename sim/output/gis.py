"""GIS output: a GeoPackage of a run for QGIS or geopandas, and an Excel-friendly incident CSV.

``results.gpkg`` (EPSG:4326, one layer each):

* ``facilities`` - points: id, name, kind, units held (``engine×2; tanker×1``).
* ``incidents`` - points: every column of ``incidents.csv`` plus ``met_<target>`` (1 met,
  0 missed, empty when the target does not cover the incident).
* ``towns`` - points: name, unit, population and, per time target, the incidents covered
  (``n_<target>``) and the share met (``share_<target>``), over all replications.
* ``coverage`` - polygons: per time target, the area from which today's resources (units of
  the types the target's incidents need, turnout included) reach within the threshold: road
  nodes reached in time, each with the off-road distance the time left allows.
* ``placements`` - the open sites of an ``optimize`` solution (``results.gpkg`` of its
  folder): id, name, kind, ``status`` (existing / new), unit, the yearly demand each serves
  and its demand-weighted mean and worst travel time (`sim.analysis.placement.placement_sites`);
  empty for ``run``.

The CSV for Excel is UTF-8 *with* a byte-order mark, which zh-CN Excel needs to show Chinese;
``incidents.csv`` itself stays without one (it is compared byte for byte in tests).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sim.analysis.compare import incident_town_index
from sim.model.compile import Prepared
from sim.results.measures import TimeShare, measure_of, per_incident_targets

CRS = "EPSG:4326"
GPKG_NAME = "results.gpkg"
EXCEL_CSV_NAME = "incidents_excel.csv"
#: Layers of the GeoPackage, in writing order.
LAYERS = ("facilities", "incidents", "towns", "coverage", "placements")


def _time_targets(prep: Prepared) -> list[tuple[Any, TimeShare]]:
    """The time targets with their measures (those that judge incidents one by one)."""
    out = []
    for tg in per_incident_targets(prep.scenario.targets):
        m = measure_of(tg)
        if isinstance(m, TimeShare):
            out.append((tg, m))
    return out


def _points(df: pd.DataFrame, lon: Any, lat: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=CRS)


def facilities_layer(prep: Prepared) -> gpd.GeoDataFrame:
    """Facilities as points with their kinds and the units they hold."""
    sc = prep.scenario
    df = pd.DataFrame(
        {
            "id": [f.id for f in sc.facilities],
            "name": [f.name for f in sc.facilities],
            "kind": [f.kind for f in sc.facilities],
            "units": [
                "; ".join(f"{k}×{u.count}" for k, u in f.units.items()) for f in sc.facilities
            ],
            "full_time_staff": [f.full_time_staff for f in sc.facilities],
        }
    )
    return _points(df, prep.facility_lon, prep.facility_lat)


def incidents_layer(prep: Prepared, table: Mapping[str, np.ndarray]) -> gpd.GeoDataFrame:
    """Incidents of all replications as points, with a met/missed column per time target."""
    df = pd.DataFrame({c: np.asarray(table[c]) for c in table})
    for tg, m in _time_targets(prep):
        covered = m.mask(table, tg)
        met = m.met_by_incident(table, tg)
        col = pd.array(met.astype(np.int64), dtype="Int64")
        col[~covered] = pd.NA
        df[f"met_{tg.id}"] = col
    return _points(df, table["lon"], table["lat"])


def towns_layer(prep: Prepared, table: Mapping[str, np.ndarray]) -> gpd.GeoDataFrame:
    """Towns with population and, per time target, incidents covered and the share met."""
    region = prep.region
    towns = region.towns
    names = [t.name for t in towns]
    lon = np.array([t.lon for t in towns])
    lat = np.array([t.lat for t in towns])
    df = pd.DataFrame(
        {
            "name": names,
            "name_en": [t.pinyin for t in towns],
            "unit": [t.county for t in towns],
            "population": pd.array(
                [t.population if t.population is not None else None for t in towns],
                dtype="Int64",
            ),
        }
    )
    geo_ = prep.geography
    if tuple(geo_.town_names) == tuple(names):
        df["population_model"] = np.round(geo_.town_weight).astype(np.int64)
    idx = incident_town_index(table, names, lon, lat)
    inside = idx >= 0  # incidents outside the region's towns (a neighbouring prefecture)
    for tg, m in _time_targets(prep):
        covered = m.mask(table, tg) & inside
        met = m.met_by_incident(table, tg) & covered
        n = np.bincount(idx[covered], minlength=len(names))
        k = np.bincount(idx[met], minlength=len(names))
        df[f"n_{tg.id}"] = n
        df[f"share_{tg.id}"] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    return _points(df, lon, lat)


def coverage_layer(prep: Prepared) -> gpd.GeoDataFrame:
    """Per time target: where today's resources arrive within the threshold (polygons).

    A road node is covered when some facility holding a unit of a type the target's incidents
    need reaches it in time (turnout + facility access + road on the unit's profile); around
    it, the time left buys an off-road leg at the scenario's access speed and circuity.
    """
    sc = prep.scenario
    fleet = prep.fleet
    net = prep.net
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    speed_m_per_s = sc.access.speed_kph / 3.6 / sc.access.circuity
    for tg, _m in _time_targets(prep):
        threshold_s = float(tg.threshold_h or 0.0) * 3600.0
        kinds = tg.incident_types or ()
        need = {u for k in kinds if k in sc.incidents for u in sc.incidents[k].units}
        if getattr(tg, "unit_type", None):
            need = {str(tg.unit_type)}
        best = np.full(net.n, np.inf)
        for u in np.flatnonzero(np.isin(np.array(fleet.type_names)[fleet.unit_type], list(need))):
            f = int(fleet.unit_facility[u])
            prof = "heavy" if fleet.unit_profile[u] == 1 else "light"
            t = (
                float(fleet.unit_turnout_s[u])
                + float(fleet.facility_access_s[f])
                + fleet.travel_out_s[prof][f].astype(float)
            )
            best = np.minimum(best, t)
        left = threshold_s - best
        ok = np.flatnonzero(left > 0)
        if ok.size == 0:
            geom = shapely.Polygon()
        else:
            pts = gpd.GeoSeries(gpd.points_from_xy(net.lon[ok], net.lat[ok]), crs=CRS)
            utm = pts.estimate_utm_crs()
            radius = np.minimum(left[ok] * speed_m_per_s, float(sc.access.max_distance_m))
            geom = (
                gpd.GeoSeries(pts.to_crs(utm).buffer(radius, quad_segs=8), crs=utm)
                .union_all()
                .simplify(10.0)
            )
            geom = gpd.GeoSeries([geom], crs=utm).to_crs(CRS).iloc[0]
        rows.append(
            {
                "target": tg.id,
                "label_zh": tg.label.zh,
                "label_en": tg.label.en,
                "threshold_h": float(tg.threshold_h or 0.0),
                "unit_types": ", ".join(sorted(need)),
                "nodes_covered": int(ok.size),
                "nodes_total": int(net.n),
            }
        )
        geoms.append(geom)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=CRS)


#: Columns of the placements layer when it is empty (a run proposes no sites).
PLACEMENT_COLUMNS = ("id", "name", "kind", "status", "lon", "lat")


def placements_layer(sites: Sequence[Mapping[str, Any]] = ()) -> gpd.GeoDataFrame:
    """Sites (``{"id", "name", "kind", "lon", "lat", ...}``) as points, every other key a column."""
    cols = list(dict.fromkeys([*PLACEMENT_COLUMNS, *(k for s in sites for k in s)]))
    df = pd.DataFrame(list(sites), columns=cols)
    return _points(
        df.drop(columns=["lon", "lat"]), df["lon"].astype(float), df["lat"].astype(float)
    )


def write_geopackage(
    path: Path,
    prep: Prepared,
    table: Mapping[str, np.ndarray],
    *,
    placements: Sequence[Mapping[str, Any]] = (),
    coverage: gpd.GeoDataFrame | None = None,
) -> Path:
    """Write ``results.gpkg`` with the layers of `LAYERS` (see the module docstring).

    `coverage` is `coverage_layer`'s result when the caller has it already (the map page
    shows the same areas); else it is computed here.

    Returns
    -------
    path
        The file written.
    """
    layers = {
        "facilities": facilities_layer(prep),
        "incidents": incidents_layer(prep, table),
        "towns": towns_layer(prep, table),
        "coverage": coverage_layer(prep) if coverage is None else coverage,
        "placements": placements_layer(placements),
    }
    path.unlink(missing_ok=True)
    for name in LAYERS:
        layers[name].to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


def write_excel_csv(path: Path, table: Mapping[str, np.ndarray]) -> Path:
    """Write the incident table as UTF-8 with a byte-order mark, for Excel (zh-CN included)."""
    names = list(table)
    cols = [np.asarray(table[c]) for c in names]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for row in zip(*cols, strict=True):
            w.writerow(["" if (isinstance(v, float) and np.isnan(v)) else v for v in row])
    return path
