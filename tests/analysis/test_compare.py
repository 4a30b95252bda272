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


def test_county_equity_by_hand_on_the_loaded_region(ags_run):
    """Aguascalientes' towns (towns.csv): Zona Centro and San Marcos, 30,000 each, in Centro
    Poniente (60,000); La Purísima 50,000 and Héroes 30,000 in Centro Oriente (80,000).

    Hand-made incidents, each at its town's seat:

    * Centro Poniente: three fires in Zona Centro, reached after 0.05 h and 0.06 h, the third
      never (NaN); nothing in San Marcos. fire_4min (< 0.0667 h): n 3, missed 1 of 3; p90 of
      the two reached = 0.05 + 0.9 × (0.06 − 0.05) = 0.059 h (the unreached one is not a
      time); Zona Centro met 2 of 3 ≥ half, so no one lives beyond; San Marcos had no fire:
      30,000 / 60,000 = 0.5 of the people live where the simulation sampled nothing, and for
      medical_5min (no call at all) the whole unit, 1.0.
    * Centro Oriente: medical calls in La Purísima (0.04 h, 0.2 h) and Héroes (0.1 h).
      medical_5min (< 0.0833 h): n 3, missed 2 of 3; p90 of 0.04, 0.1, 0.2 = 0.1 + 0.8 × 0.1
      = 0.18 h; La Purísima met 1 of 2 (not fewer than half), Héroes 0 of 1: 30,000 / 80,000
      = 0.375 beyond; every town sampled, 0.0 unsampled. fire_4min: no fire, 1.0 unsampled.
    """
    _, result = ags_run
    prep = result.prepared
    seat = {"Zona Centro": (-102.2720, 21.8690), "Héroes": (-102.2660, 21.8650)}
    seat["La Purísima"] = (-102.2670, 21.8700)
    rows = [  # (town, unit, type, first arrival h)
        ("Zona Centro", "Centro Poniente", "building_fire", 0.05),
        ("Zona Centro", "Centro Poniente", "building_fire", 0.06),
        ("Zona Centro", "Centro Poniente", "building_fire", np.nan),
        ("La Purísima", "Centro Oriente", "medical", 0.04),
        ("La Purísima", "Centro Oriente", "medical", 0.2),
        ("Héroes", "Centro Oriente", "medical", 0.1),
    ]
    table = {
        "town": np.array([r[0] for r in rows], dtype=object),
        "lon": np.array([seat[r[0]][0] for r in rows]),
        "lat": np.array([seat[r[0]][1] for r in rows]),
        "county": np.array([r[1] for r in rows], dtype=object),
        "type": np.array([r[2] for r in rows], dtype=object),
        "units_required": np.ones(len(rows), dtype=np.int64),
        "first_arrival_h": np.array([r[3] for r in rows]),
        "affected_people": np.zeros(len(rows), dtype=np.int64),
    }
    eq = county_equity(prep, table)
    west, east = eq["counties"]["Centro Poniente"], eq["counties"]["Centro Oriente"]
    assert (west["population"], east["population"]) == (60000, 80000)
    assert (west["n_incidents"], east["n_incidents"]) == (3, 3)
    assert west["first_arrival_p90_h"] == pytest.approx(0.059, abs=5e-7)
    assert west["targets"]["fire_4min"] == pytest.approx(
        {
            "n": 3,
            "p90_h": 0.059,
            "missed_share": 1 / 3,
            "pop_beyond_share": 0.0,
            "pop_no_sample_share": 0.5,
        },
        abs=5e-7,
    )
    assert west["targets"]["medical_5min"] == {
        "n": 0,
        "p90_h": None,
        "missed_share": None,
        "pop_beyond_share": 0.0,
        "pop_no_sample_share": 1.0,
    }
    assert east["targets"]["medical_5min"] == pytest.approx(
        {
            "n": 3,
            "p90_h": 0.18,
            "missed_share": 2 / 3,
            "pop_beyond_share": 0.375,
            "pop_no_sample_share": 0.0,
        },
        abs=5e-7,
    )
    assert east["targets"]["fire_4min"]["pop_no_sample_share"] == 1.0
