"""The optimize command: MILP placement, a runnable new scenario, re-scored by simulation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "shaoguan_baseline.yaml"


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


def test_infeasible_lscp_is_reported_with_numbers(capsys, tmp_path):
    """An LSCP threshold no site can meet exits 2 with the distances, before solving."""
    cands = tmp_path / "cands.csv"
    cands.write_text("name,town\nsite A,九峰镇\n", encoding="utf-8")
    code = main(
        [
            "optimize",
            str(BASELINE),
            "--kind",
            "depot",
            "--objective",
            "lscp",
            "--threshold-h",
            "0.5",
            "--candidates",
            str(cands),
            "--no-compare",
            "--no-plots",
            "--quiet",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "infeasible" in err.lower()
    assert "Traceback" not in err
    assert any(ch.isdigit() for ch in err)


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


def test_unknown_kind_and_template_exit_2(capsys, tmp_path):
    """A kind nobody needs, or a template id that does not exist, is a clear error."""
    assert (
        main(
            [
                "optimize",
                str(BASELINE),
                "--kind",
                "helicopter_base",
                "--no-compare",
                "--quiet",
                "--out",
                str(tmp_path / "a"),
            ]
        )
        == 2
    )
    assert "no incident type needs" in capsys.readouterr().err
    assert (
        main(
            [
                "optimize",
                str(BASELINE),
                "--kind",
                "depot",
                "--template",
                "nope",
                "--no-compare",
                "--quiet",
                "--out",
                str(tmp_path / "b"),
            ]
        )
        == 2
    )
    assert "--template 'nope'" in capsys.readouterr().err
