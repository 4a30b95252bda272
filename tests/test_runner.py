"""End-to-end runs: reproducibility, consistency of outputs, and directional checks under CRN."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.scenario import load_scenario
from sim.workflows.run import run_scenario

SMALL = Path(__file__).resolve().parents[1] / "scenarios" / "small_test.yaml"


def _run(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    code = main(["run", str(SMALL), "--out", str(out), "--no-plots", "--quiet", *extra])
    assert code == 0
    return out


def test_same_seed_is_byte_identical_and_other_seed_differs(tmp_path):
    """Same seed twice ⇒ identical bytes (also across worker counts); another seed ⇒ different."""
    a = _run(tmp_path, "a", "--workers", "1")
    b = _run(tmp_path, "b", "--workers", "2")
    c = _run(tmp_path, "c", "--workers", "1", "--seed", "999")
    for f in ("metrics.json", "incidents.csv"):
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
        assert (a / f).read_bytes() != (c / f).read_bytes(), f
    info = json.loads((a / "run_info.json").read_text())
    assert "wall_clock_s" in info
    assert "wall_clock" not in (a / "metrics.json").read_text()


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


def _shares(scenario):
    return run_scenario(scenario, workers=1, plots=False)


def test_adding_a_unit_never_lowers_a_target_share():
    """Common random numbers: one more water-rescue team does not lower the inland-water share."""
    sc = load_scenario(SMALL)
    base = _shares(sc)
    fac = list(sc.facilities)
    i = next(k for k, f in enumerate(fac) if "water_rescue_team" in f.units)
    units = dict(fac[i].units)
    units["water_rescue_team"] = units["water_rescue_team"].model_copy(
        update={"count": units["water_rescue_team"].count + 1}
    )
    fac[i] = fac[i].model_copy(update={"units": units})
    more = _shares(sc.model_copy(update={"facilities": tuple(fac)}))
    # Same incidents (CRN): identical onset times and places.
    np.testing.assert_array_equal(base.table["t_h"], more.table["t_h"])
    for tid, t in base.metrics["targets"].items():
        if "share" in t and t["share"] is not None:
            assert more.metrics["targets"][tid]["share"] >= t["share"] - 1e-12, tid


def test_removing_a_depot_never_shortens_relief():
    """Common random numbers: without a depot's stock, no first relief arrives earlier."""
    sc = load_scenario(SMALL)
    base = _shares(sc)
    fac = tuple(f.model_copy(update={"stock": {}}) if f.stock else f for f in sc.facilities)
    depots = [f for f in sc.facilities if f.stock]
    assert depots
    less = _shares(sc.model_copy(update={"facilities": fac}))
    a = base.table["relief_h"]
    b = less.table["relief_h"]
    mask = base.table["affected_people"] > 0
    assert mask.any()
    a = np.where(np.isnan(a), math.inf, a)[mask]
    b = np.where(np.isnan(b), math.inf, b)[mask]
    assert (b >= a).all()
    assert (
        less.metrics["targets"]["initial_relief"]["share"]
        <= base.metrics["targets"]["initial_relief"]["share"]
    )


def test_cli_bare_scenario_argument_means_run(tmp_path, monkeypatch):
    """`run_scenario.py SCENARIO` is `run SCENARIO`."""
    monkeypatch.chdir(tmp_path)
    assert main([str(SMALL), "--no-plots", "--quiet", "--replications", "1"]) == 0
    assert (tmp_path / "results" / "small_test" / "metrics.json").is_file()


def test_dask_local_gives_the_same_bytes(tmp_path):
    """Replications on a dask LocalCluster give byte-identical results to one local process."""
    pytest.importorskip("distributed")
    a = _run(tmp_path, "a", "--workers", "1")
    d = _run(tmp_path, "d", "--workers", "2", "--dask", "local")
    for f in ("metrics.json", "incidents.csv"):
        assert (a / f).read_bytes() == (d / f).read_bytes(), f
    assert json.loads((d / "run_info.json").read_text())["dask"] == "local"


def test_unreachable_dask_scheduler_exits_2(capsys):
    """A scheduler address that does not answer is a clear error, not a traceback."""
    pytest.importorskip("distributed")
    code = main(
        [
            "run",
            str(SMALL),
            "--no-plots",
            "--quiet",
            "--dask",
            "tcp://127.0.0.1:9",
            "--out",
            "/tmp/x-never",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "dask scheduler" in err
    assert "Traceback" not in err


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
