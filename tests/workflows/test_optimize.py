"""The optimize command: MILP placement, a runnable new scenario, re-scored by simulation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.cli import main
from sim.scenario import load_scenario
from tests.helpers import BASELINE


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
