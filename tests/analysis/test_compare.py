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
    ScenarioRun,
    comparison_rows,
    county_equity,
    county_missed,
    dispatch_comparison,
    distinct_labels,
    incident_town_index,
    same_incidents,
)
from sim.model.compile import prepare
from sim.scenario import load_scenario
from sim.workflows.common import compile_scenario, load
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


def test_county_shares_of_a_population_under_one_person(ags_run):
    """Aguascalientes scaled to a population of 1 (the schema allows any total > 0): Centro
    Poniente holds 60,000 / 140,000 = 0.43 of a person, Centro Oriente 0.57. The shares are
    ratios of town populations and stay those of the full-size region: with no incident at all,
    no town is sampled and every target's pop_no_sample_share is the whole unit, 1.0, and no
    one lives beyond (0.0); the population rounds to 0 and 1 persons."""
    _, result = ags_run
    prep = prepare(load(AGS, population=1), result.prepared.net)
    table = {k: v[:0] for k, v in result.table.items()}
    eq = county_equity(prep, table)
    west, east = eq["counties"]["Centro Poniente"], eq["counties"]["Centro Oriente"]
    assert (west["population"], east["population"]) == (0, 1)
    for row in (west, east):
        for tid in ("fire_4min", "medical_5min"):
            t = row["targets"][tid]
            assert (t["pop_beyond_share"], t["pop_no_sample_share"]) == (0.0, 1.0), tid


# --------------------------------------------------------------------------- dispatch block


def _dispatch_runs() -> list[ScenarioRun]:
    """small_test, 2 replications, as two hand-made runs "a" (the reference) and "b".

    Its top-priority types are building_fire, water_rescue and flood (priority 1, all with
    units). First arrivals (h) of those, per replication: a: (0.2, 0.4) and (0.5), b: (0.1, 0.3)
    and (0.3); a relief-only flood (no units) in replication 1 with an arrival of 9 h is left
    out. Coverage of engines within 0.25 h: a 0.75 and 0.85
    (mean 0.8, [0.7, 0.9]), b 0.8 and 0.9 (mean 0.85, [0.8, 0.9]). The reference's reports
    have no engine among their unit types (a reference without engines), so the unit is named
    by its id. a's command centre reassigned 3, diverted 1.5 and moved 12 units a year; b has
    no dispatch rules.
    """
    prep = compile_scenario(load(SMALL, replications=2, horizon_days=7))

    def table(first: list[float], rep: list[int], types: list[str], need: list[int]) -> dict:
        return {
            "type": np.array(types, dtype=object),
            "units_required": np.array(need, dtype=np.int64),
            "first_arrival_h": np.array(first),
            "replication": np.array(rep, dtype=np.int64),
        }

    types = ["building_fire", "flood", "water_rescue", "flood"]
    ta = table([0.2, 0.4, 0.5, 9.0], [0, 0, 1, 1], types, [2, 2, 1, 0])
    tb = table([0.1, 0.3, 0.3, 9.0], [0, 0, 1, 1], types, [2, 2, 1, 0])
    cov = {"unit_type": "engine", "threshold_h": 0.25}
    ma = {
        "coverage": cov | {"share_mean": 0.8, "ci95": [0.7, 0.9], "per_replication": [0.75, 0.85]},
        "dispatch": {
            "reassigned_per_year": 3.0,
            "diverted_per_year": 1.5,
            "cover_moves_per_year": 12.0,
        },
        "utilisation": {"by_unit_type": {"rescue_vehicle": {"label": {"zh": "抢险", "en": "R"}}}},
    }
    mb = {
        "coverage": cov | {"share_mean": 0.85, "ci95": [0.8, 0.9], "per_replication": [0.8, 0.9]},
    }
    return [ScenarioRun("a", "a.yaml", prep, ma, ta), ScenarioRun("b", "b.yaml", prep, mb, tb)]


def test_dispatch_block_by_hand():
    """`_dispatch_runs`: top-priority mean first arrival per replication a 0.3, 0.5 h (mean
    0.4 h), b 0.2, 0.3 h (mean 0.25 h); b − a per replication −0.1, −0.2: −0.15 h, sd 0.0707,
    t(0.975, 1 df) = 12.706, half-width 12.706 × 0.0707 / √2 = 0.6353: [−0.7853, 0.4853], not
    significant. Coverage b − a: 0.05 in both replications, interval [0.05, 0.05] (sd 0),
    significant and better (a share: higher is better). The coverage block names the engine
    by its id, in both languages; b's actions a year are all 0."""
    disp = dispatch_comparison(_dispatch_runs())
    top = disp["top_priority_first_arrival"]
    assert top["types"] == ["building_fire", "water_rescue", "flood"]
    assert top["by_scenario"]["a"]["mean_h"] == pytest.approx(0.4)
    assert top["by_scenario"]["b"]["mean_h"] == pytest.approx(0.25)
    d = top["diff_vs_reference"]["b"]
    assert d["diff"] == pytest.approx(-0.15)
    assert d["ci95"] == pytest.approx([-0.7853, 0.4853], abs=5e-4)
    assert (d["significant"], d["verdict"]) == (False, "not significant")
    cov = disp.get("coverage") or {}
    assert cov.get("unit_label") == {"zh": "engine", "en": "engine"}
    assert (cov.get("unit_type"), cov.get("threshold_h")) == ("engine", 0.25)
    assert cov.get("by_scenario") == {
        "a": {"share_mean": 0.8, "ci95": [0.7, 0.9]},
        "b": {"share_mean": 0.85, "ci95": [0.8, 0.9]},
    }
    cd = cov["diff_vs_reference"]["b"]
    assert cd["diff"] == pytest.approx(0.05)
    assert cd["ci95"] == pytest.approx([0.05, 0.05])
    assert (cd["significant"], cd["verdict"]) == (True, "better")
    assert disp["actions_per_year"] == {
        "a": {"reassigned": 3.0, "diverted": 1.5, "cover_moves": 12.0},
        "b": {"reassigned": 0.0, "diverted": 0.0, "cover_moves": 0.0},
    }


def test_dispatch_rows_of_comparison_csv_by_hand():
    """The dispatch block of `test_dispatch_block_by_hand` as rows of comparison.csv (section
    dispatch): per scenario the top-priority mean first arrival (a 0.4 h with difference 0 and
    interval [0, 0] to itself; b 0.25 h, −0.15 h [−0.7853, 0.4853]), the coverage share with its
    interval (a 0.8 [0.7, 0.9]; b 0.85 [0.8, 0.9], +0.05 [0.05, 0.05]) and the three actions a
    year without interval."""
    comparison = {
        "reference": "a",
        "targets": {},
        "response_times": {},
        "counties": {},
        "dispatch": dispatch_comparison(_dispatch_runs()),
    }
    got = [
        (
            r["item"],
            r["metric"],
            r["scenario"],
            r["value"],
            r["ci95_low"],
            r["ci95_high"],
            r["diff_vs_reference"],
            r["diff_ci95_low"],
            r["diff_ci95_high"],
        )
        for r in comparison_rows(comparison)
        if r["section"] == "dispatch"
    ]
    none = (None, None)
    want = [
        ("top_priority", "first_arrival_mean_h", "a", 0.4, *none, 0.0, 0.0, 0.0),
        ("top_priority", "first_arrival_mean_h", "b", 0.25, *none, -0.15, -0.7853, 0.4853),
        ("coverage", "share_mean", "a", 0.8, 0.7, 0.9, 0.0, 0.0, 0.0),
        ("coverage", "share_mean", "b", 0.85, 0.8, 0.9, 0.05, 0.05, 0.05),
        ("reassigned", "per_year", "a", 3.0, *none, *none, None),
        ("diverted", "per_year", "a", 1.5, *none, *none, None),
        ("cover_moves", "per_year", "a", 12.0, *none, *none, None),
        ("reassigned", "per_year", "b", 0.0, *none, *none, None),
        ("diverted", "per_year", "b", 0.0, *none, *none, None),
        ("cover_moves", "per_year", "b", 0.0, *none, *none, None),
    ]
    assert got == [pytest.approx(w, abs=5e-4) for w in want]
