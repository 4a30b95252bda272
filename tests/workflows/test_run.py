"""The run command's results: metrics.json agrees with incidents.csv; charts are written."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from sim.cli import main
from sim.results.folder import OutputError
from sim.scenario import load_scenario
from sim.workflows.compare import compare_scenarios
from sim.workflows.optimize import optimize_placement
from sim.workflows.run import run_scenario
from sim.workflows.sweep import sweep_scenario
from tests.helpers import SMALL
from tests.helpers import run_small as _run


def test_outputs_are_consistent(tmp_path):
    """metrics.json's target shares can be recomputed from incidents.csv."""
    out = _run(tmp_path, "r")
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for key in ("inland_water_arrival", "initial_relief", "firefighter_ratio"):
        assert key in metrics["targets"]
        t = metrics["targets"][key]
        assert {"label", "ci95", "met"} <= set(t)
        assert ("share" in t) or ("value" in t)
    rows = list(csv.DictReader((out / "incidents.csv").open(encoding="utf-8")))
    sc = load_scenario(SMALL)
    reps = sc.replications
    assert {int(r["replication"]) for r in rows} == set(range(reps))
    for tg in sc.targets:
        if tg.measure == "firefighter_ratio":
            continue
        col = {
            "first_arrival": "first_arrival_h",
            "all_arrived": "all_arrived_h",
            "relief": "relief_h",
        }[tg.measure]
        shares = []
        for r in range(reps):
            sel = [
                x
                for x in rows
                if int(x["replication"]) == r
                and x["type"] in tg.incident_types
                and (tg.measure != "relief" or int(x["affected_people"]) > 0)
            ]
            if sel:
                shares.append(
                    np.mean([x[col] != "" and float(x[col]) < tg.threshold_h for x in sel])
                )
        got = metrics["targets"][tg.id]["share"]
        assert got == pytest.approx(float(np.mean(shares)), abs=1e-6)
    # Every incident is in the CSV, including unserved ones (empty arrival cells).
    per_rep = metrics["run"]["incidents_per_replication_mean"]
    assert len(rows) == pytest.approx(per_rep * reps)
    staff = sum(f.full_time_staff for f in sc.facilities)
    assert metrics["targets"]["firefighter_ratio"]["value"] == pytest.approx(
        staff / 2_855_131 * 1000, abs=1e-6
    )


def test_response_not_faster_than_travel(tmp_path):
    """Every first arrival is at least the access leg and never negative."""
    out = _run(tmp_path, "r")
    for row in csv.DictReader((out / "incidents.csv").open(encoding="utf-8")):
        if row["first_arrival_h"]:
            assert float(row["first_arrival_h"]) >= float(row["access_h"]) - 1e-9
            assert float(row["wait_h"]) >= -1e-9


def test_time_targets_only_writes_charts(tmp_path):
    """A scenario whose targets are all time measures (no ratio target) writes its charts."""
    variant = tmp_path / "time_only.yaml"
    variant.write_text(
        f"extends: {SMALL}\nname: time_only\ntargets:\n"
        "  - {id: firefighter_ratio, remove: true}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["run", str(variant), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    assert (out / "targets.png").stat().st_size > 10_000
    assert (
        "firefighter_ratio"
        not in json.loads((out / "metrics.json").read_text(encoding="utf-8"))["targets"]
    )


def _no_simulation(*args, **kwargs):
    raise AssertionError("simulated before the output folder was checked")


@pytest.mark.parametrize(
    "workflow", ["run", "compare", "sweep", "optimize"], ids=lambda w: f"{w} workflow"
)
def test_a_bad_output_folder_stops_every_workflow_before_simulating(
    workflow, tmp_path, monkeypatch
):
    """--out below a file: OutputError before any replication (the runner is never called)."""
    monkeypatch.setattr("sim.workflows.common.run_replications", _no_simulation)
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "out"
    calls = {
        "run": lambda: run_scenario(load_scenario(SMALL), out=out),
        "compare": lambda: compare_scenarios([SMALL, SMALL], out=out),
        "sweep": lambda: sweep_scenario(SMALL, ["seed=1,2"], out=out),
        "optimize": lambda: optimize_placement(SMALL, kind="depot", out=out),
    }
    with pytest.raises(OutputError, match="is a file, so no folder can be made below it"):
        calls[workflow]()
