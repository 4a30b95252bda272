"""Tests of sim.analysis.compare: distinct labels, the common-random-numbers check.

Also the paired difference of sim.results.stats that compare reports for every target.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from sim.analysis.compare import (
    county_equity,
    county_missed,
    distinct_labels,
    incident_town_index,
    same_incidents,
)
from sim.scenario import load_scenario
from tests.helpers import AGS, SMALL


def test_distinct_labels():
    """Scenarios with the same name get distinct, folder-safe labels."""
    assert distinct_labels(["a", "b"], ["x/a.yaml", "y/b.yaml"]) == ["a", "b"]
    assert distinct_labels(["a", "a"], ["x/a.yaml", "y/a.yaml"]) == ["a", "a-2"]
    assert distinct_labels(["a", "a"], ["x/p.yaml", "y/q.yaml"]) == ["a@p", "a@q"]
    labels = distinct_labels(["基线 <1>", "基线 <1>", "b"], ["p.yaml", "p.yaml", "b.yaml"])
    assert len(set(labels)) == 3
    assert all("<" not in lab and "/" not in lab for lab in labels)


def test_same_incidents_detects_a_demand_change():
    """A changed incident rate breaks common random numbers, a changed unit count does not."""
    a = load_scenario(SMALL)
    more_units = a.model_copy(update={"facilities": a.facilities[:-1]})
    inc = dict(a.incidents)
    inc["flood"] = inc["flood"].model_copy(
        update={"rate": inc["flood"].rate.model_copy(update={"per_year": 99.0})}
    )
    assert same_incidents(a, more_units)
    assert not same_incidents(a, a.model_copy(update={"incidents": inc}))


# --------------------------------------------------------------------------- region's units


def _ags_units() -> dict[str, Any]:
    """Unit name → (polygon, population) read straight from the Aguascalientes GeoJSON."""
    data = json.loads((AGS.parent / "units.geojson").read_text(encoding="utf-8"))
    return {
        f["properties"]["name"]: (shape(f["geometry"]), f["properties"]["population"])
        for f in data["features"]
    }


def _unit_of(units: dict[str, Any], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Each point's unit by point-in-polygon (the file's polygons, not the simulator's)."""
    out = np.full(lon.size, "", dtype=object)
    for name, (poly, _) in units.items():
        out[shapely.contains_xy(poly, lon, lat)] = name
    return out


def test_county_equity_follows_the_loaded_region(ags_run):
    """Aguascalientes: one row per unit of units.geojson (no Shaoguan county), with the file's
    populations, the incidents inside each polygon and the missed share counted by hand."""
    _, result = ags_run
    units = _ags_units()
    eq = county_equity(result.prepared, result.table)
    assert list(eq["counties"]) == list(units) == ["Centro Poniente", "Centro Oriente"]
    table = result.table
    where = _unit_of(units, table["lon"], table["lat"])
    first = np.asarray(table["first_arrival_h"], dtype=float)
    fires = np.asarray(table["type"]) == "building_fire"
    threshold_h = 0.0667  # fire_4min in aguascalientes.yaml
    for name, (_, population) in units.items():
        row = eq["counties"][name]
        assert row["population"] == population  # towns' model populations add up to the unit
        assert row["n_incidents"] == int((where == name).sum())  # every call needs a unit
        sel = fires & (where == name)
        missed = np.mean(~(first[sel] < threshold_h))  # never reached counts as missed
        assert row["targets"]["fire_4min"]["n"] == int(sel.sum())
        share = row["targets"]["fire_4min"]["missed_share"]
        assert share == pytest.approx(missed, abs=5e-7)  # metrics keep 6 decimals
    # the station is in the west: the east misses the 4 minutes more often (not a trivial 0/1)
    east = eq["counties"]["Centro Oriente"]["targets"]["fire_4min"]["missed_share"]
    west = eq["counties"]["Centro Poniente"]["targets"]["fire_4min"]["missed_share"]
    assert 0 < east < 1
    assert west < east


def test_county_missed_follows_the_loaded_region(ags_run):
    """county_missed: the two units, with incidents missing any time target counted by hand."""
    _, result = ags_run
    sc = result.prepared.scenario
    units = _ags_units()
    missed = county_missed(result.table, sc)
    assert list(missed) == list(units)
    table = result.table
    where = _unit_of(units, table["lon"], table["lat"])
    first = np.asarray(table["first_arrival_h"], dtype=float)
    kind = np.asarray(table["type"])
    limit_h = np.where(kind == "building_fire", 0.0667, 0.0833)  # the two targets' thresholds
    miss = ~(first < limit_h)
    for name in units:
        sel = where == name
        assert missed[name]["n"] == int(sel.sum())
        assert missed[name]["share"] == pytest.approx(miss[sel].mean(), abs=1e-12)


def test_distinct_names_keep_their_names_whatever_their_files():
    assert distinct_labels(["a", "b"], ["x/p.yaml", "y/q.yaml"]) == ["a", "b"]


def test_namesake_towns_go_to_the_nearest_seat():
    """Three towns called A at (0, 0), (10, 0) and (0, 10) (lon, lat): A incidents at (4, 0) and
    (0, 4) are the first (squared distances 16 against 36 and 116), at (9, 1) the second and at
    (1, 9) the third; B has one seat; an unknown town gets -1."""
    table = {
        "town": np.array(["A", "A", "A", "A", "B", "C"], dtype=object),
        "lon": np.array([4.0, 0.0, 9.0, 1.0, 5.0, 0.0]),
        "lat": np.array([0.0, 4.0, 1.0, 9.0, 0.0, 0.0]),
    }
    idx = incident_town_index(
        table,
        ["A", "A", "A", "B"],
        np.array([0.0, 10.0, 0.0, 5.0]),
        np.array([0.0, 0.0, 10.0, 0.0]),
    )
    assert idx.tolist() == [0, 0, 1, 2, 3, -1]
