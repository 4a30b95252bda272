"""The optimize command: MILP placement, a runnable new scenario, re-scored by simulation."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import pytest

from sim.cli import main
from sim.scenario import load_scenario
from sim.workflows.optimize import optimize_placement
from tests.helpers import AGS, BASELINE


@pytest.fixture(scope="module")
def depot_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("opt")
    code = main(
        [
            "optimize",
            str(BASELINE),
            "--kind",
            "depot",
            "--add",
            "2",
            "--objective",
            "pmedian",
            "--replications",
            "3",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def test_placement_json_is_optimal_and_scenario_runs(depot_run):
    """placement.json says optimal with two new sites; scenario.yaml loads with them and runs."""
    p = json.loads((depot_run / "placement.json").read_text(encoding="utf-8"))
    assert p["status"] == "optimal"
    assert p["mip_gap"] == 0
    assert len(p["added"]) == 2
    assert p["mean_travel_time_h"] <= p["before"]["mean_travel_time_h"] + 1e-9
    sc = load_scenario(depot_run / "scenario.yaml")
    ids = {f.id for f in sc.facilities}
    assert {a["id"] for a in p["added"]} <= ids
    assert (depot_run / "placement_map.png").stat().st_size > 10_000


def test_optimised_plan_relief_at_least_baseline(depot_run):
    """Under the same seed the optimised plan's initial_relief share is at least the baseline's."""
    cmp = json.loads((depot_run / "compare" / "comparison.json").read_text(encoding="utf-8"))
    base, new = cmp["scenarios"][0]["label"], cmp["scenarios"][1]["label"]
    share = {
        s: json.loads((depot_run / "compare" / s / "metrics.json").read_text())["targets"][
            "initial_relief"
        ]["share"]
        for s in (base, new)
    }
    assert share[new] >= share[base]
    m0 = json.loads((depot_run / "compare" / base / "metrics.json").read_text())
    m1 = json.loads((depot_run / "compare" / new / "metrics.json").read_text())
    assert m1["relief"]["relief_h"]["mean"] <= m0["relief"]["relief_h"]["mean"] + 1e-9


@pytest.mark.parametrize("objective", ["mclp", "pcenter"])
def test_other_objectives_run(objective, tmp_path):
    """MCLP (with a threshold) and p-center also solve to optimality on the baseline."""
    args = [
        "optimize",
        str(BASELINE),
        "--kind",
        "water_rescue_base",
        "--add",
        "1",
        "--objective",
        objective,
        "--no-compare",
        "--no-plots",
        "--quiet",
        "--out",
        str(tmp_path / objective),
    ]
    if objective == "mclp":
        args += ["--threshold-h", "1"]
    assert main(args) == 0
    p = json.loads((tmp_path / objective / "placement.json").read_text())
    assert p["status"] == "optimal"
    assert len(p["added"]) == 1
    assert np.isfinite(p["max_travel_time_h"])


def test_optimize_on_a_loaded_region_uses_its_towns_and_fills_placements(tmp_path):
    """Aguascalientes: candidates and demand points are its four towns (not Shaoguan's 105);
    the p-median site is the best by enumeration; results.gpkg's placements layer holds the
    existing and the new station with the demand each serves."""
    out = tmp_path / "opt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the network's dropped-component notice
        res = optimize_placement(AGS, kind="fire_station", add=1, objective="pmedian",
                                 compare=False, out=out, workers=1)  # fmt: skip
    towns = {t.name: t for t in load_scenario(AGS).study_region.towns}
    assert set(towns) == {"Zona Centro", "San Marcos", "La Purísima", "Héroes"}
    prob = res.problem
    assert prob.candidates[0].name == "Estación Centro"  # the existing station, kept open
    assert {c.name for c in prob.candidates[1:]} <= set(towns)
    assert set(prob.demand_towns) <= set(towns)
    for name, lon, lat in zip(prob.demand_towns, prob.demand_lon, prob.demand_lat, strict=True):
        assert (lon, lat) == (towns[name].lon, towns[name].lat)
    # p-median by enumeration: the existing station plus the one site minimising weighted time
    w, cost = prob.weights, prob.cost_s
    best = min(range(1, len(prob.candidates)),
               key=lambda k: float((np.minimum(cost[0], cost[k]) * w).sum()))  # fmt: skip
    assert [int(k) for k in res.solution.added] == [best]
    layer = gpd.read_file(out / "results.gpkg", layer="placements")
    assert list(layer["status"]) == ["existing", "new"]
    assert list(layer["id"]) == ["station_centro", res.placement["added"][0]["id"]]
    new_site = towns[prob.candidates[best].name]
    assert layer.geometry.iloc[1].x == pytest.approx(new_site.lon)
    assert layer.geometry.iloc[1].y == pytest.approx(new_site.lat)
    # each demand point counts at its nearer open site; together they serve all demand
    nearer_new = cost[best] < cost[0]
    assert layer["demand_served"].iloc[1] == pytest.approx(float(w[nearer_new].sum()))
    assert layer["demand_served"].sum() == pytest.approx(float(w.sum()))
    # the new plan's other layers: its facilities, incidents none (not simulated)
    facilities = gpd.read_file(out / "results.gpkg", layer="facilities")
    assert len(facilities) == 3
    assert len(gpd.read_file(out / "results.gpkg", layer="incidents")) == 0
