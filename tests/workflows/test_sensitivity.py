"""The sensitivity workflow on a synthetic scenario: Morris finds the dominant input, common
random numbers give exact zeros, every way of running gives the same bytes."""

from __future__ import annotations

import json

import pytest
import yaml

from sim.errors import ScenarioError
from sim.workflows.sensitivity import sensitivity_scenario
from tests.helpers import ROOT, SCENARIO_DATA, SMALL

SENS = SCENARIO_DATA / "valid" / "sensitivity_small.yaml"
#: Population of the census total: the firefighter ratio's denominator (persons).
POPULATION = 2_855_131


@pytest.fixture(scope="module")
def morris(tmp_path_factory):
    """Morris screening of tests/data/scenarios/valid/sensitivity_small.yaml (6 inputs, 6
    trajectories = 42 points, 3 replications × 30 days each), folder written with charts."""
    out = tmp_path_factory.mktemp("sens") / "morris"
    res = sensitivity_scenario(SENS, trajectories=6, out=out, workers=1, lang="en")
    return res.sensitivity, out


def test_morris_ranks_the_dominant_input_first(morris):
    """Engine turnout ×1–×15 decides the building-fire target; nothing else comes close.

    Stretching the turnout of every engine from 1 to 15 times (60 s → 15 min at the stations)
    moves the share of fires reached within 30 min by tens of points; the access speed
    (25–35 km/h) moves it by a few. Required margin: 5 times the second input's μ*.
    """
    sens, _ = morris
    fire = sens["targets"]["building_fire_arrival"]["analysis"]
    assert fire["inputs"][0]["id"] == "engine_turnout"
    assert fire["inputs"][0]["rank"] == 1
    assert fire["inputs"][0]["mu"] < 0  # slower turnout, fewer fires reached in time
    assert fire["inputs"][0]["mu_star"] > 5 * fire["inputs"][1]["mu_star"]
    assert fire["inputs"][1]["id"] == "access_speed"


def test_inputs_that_cannot_touch_a_target_have_exactly_zero_effect(morris):
    """Common random numbers: the depot's stock, the water-rescue turnout, people per flood and
    township staff change nothing about building fires (other units, same incidents), so every
    elementary effect on that target is exactly 0, not just small."""
    sens, _ = morris
    rows = {r["id"]: r for r in sens["targets"]["building_fire_arrival"]["analysis"]["inputs"]}
    for aid in ("relief_stock", "water_turnout", "flood_people", "township_staff"):
        assert rows[aid]["mu_star"] == 0.0
        assert rows[aid]["sigma"] == 0.0
        assert rows[aid]["negligible"] is True


def test_firefighter_ratio_effect_is_the_staff_range_over_the_population(morris):
    """The ratio is staff / population: township staff 8–14 (levels 8, 10, 12, 14) moves it by
    exactly 6 / 2,855,131 × 1000 ‰ across the range, and nothing else moves it."""
    sens, _ = morris
    rows = sens["targets"]["firefighter_ratio"]["analysis"]["inputs"]
    assert rows[0]["id"] == "township_staff"
    assert rows[0]["mu_star"] == pytest.approx(6 / POPULATION * 1000, abs=1e-6)  # JSON: 6 d.p.
    assert all(r["mu_star"] == 0.0 for r in rows[1:])


def test_folder_holds_the_results_and_charts(morris):
    """json, csv (one row per target and input), points, a tornado per target, reports."""
    sens, out = morris
    names = {p.name for p in out.iterdir()}
    targets = list(sens["targets"])
    assert {
        "sensitivity.json",
        "sensitivity.csv",
        "points.csv",
        "scenario.yaml",
        "report.html",
        "report.md",
        "run_info.json",
    } <= names
    assert {f"tornado_{t}.png" for t in targets} <= names
    assert "INCOMPLETE" not in names
    assert sens["design"] == {"points": 42, "trajectories": 6, "levels": 4}
    assert len(sens["points"]) == 42
    assert [i["id"] for i in sens["inputs"]][:2] == ["engine_turnout", "access_speed"]
    assert sens["inputs"][0]["settings"] == 3
    rows = (out / "sensitivity.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("target,measure,method,rank,input,label_zh,label_en,mu_star,")
    assert len(rows) == 1 + len(targets) * 6
    assert rows[1].startswith("building_fire_arrival,first_arrival,morris,1,engine_turnout,")
    points = (out / "points.csv").read_text(encoding="utf-8").splitlines()
    assert len(points) == 43
    assert points[0].split(",")[:3] == ["point", "engine_turnout", "access_speed"]
    assert sens["what_to_measure"]["en"][0].startswith("Building fire first arrival")
    assert sens["what_to_measure"]["zh"][0].startswith("建筑火灾首车到场时间")
    base = sens["targets"]["building_fire_arrival"]["base"]
    # The unperturbed point is small_test itself: the same estimate as its golden output.
    golden = json.loads((ROOT / "tests/golden/small_test/metrics.json").read_text("utf-8"))
    assert base["value"] == pytest.approx(golden["targets"]["building_fire_arrival"]["share"])
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## 1\\. What to measure first" in report or "## 1. What to measure first" in report
    assert "中文：" in report  # the other language below it


def test_same_results_with_one_two_workers_and_dask(tmp_path):
    """Points are independent tasks with their own seeds: 1 worker, 2 workers and a Dask
    LocalCluster write byte-identical sensitivity.json files."""
    texts = []
    for kw in ({"workers": 1}, {"workers": 2}, {"workers": 2, "dask": "local"}):
        out = tmp_path / "_".join(str(v) for v in kw.values())
        sensitivity_scenario(SENS, trajectories=2, replications=2, out=out, plots=False, **kw)
        texts.append((out / "sensitivity.json").read_text(encoding="utf-8"))
    assert texts[0] == texts[1] == texts[2]
    assert json.loads(texts[0])["design"]["points"] == 14


def test_sobol_gives_indices_with_intervals(tmp_path):
    """--method sobol: S1 and ST with intervals; engine turnout has the largest total effect."""
    res = sensitivity_scenario(
        SENS, method="sobol", samples=8, replications=2, write=False, workers=2
    )
    sens = res.sensitivity
    assert sens["design"] == {"points": 8 * 8, "samples": 8}
    fire = sens["targets"]["building_fire_arrival"]["analysis"]
    assert fire["index"] == "ST"
    assert fire["inputs"][0]["id"] == "engine_turnout"
    assert set(fire["inputs"][0]) >= {"S1", "S1_ci95", "ST", "ST_ci95", "rank"}


def test_a_scenario_without_assumptions_is_refused():
    """Nothing to vary: a clear error, nothing run."""
    with pytest.raises(ScenarioError, match="declares no assumptions"):
        sensitivity_scenario(SMALL, write=False)


def test_a_range_the_scenario_cannot_take_is_named_before_running(tmp_path):
    """A probability range above 1 is reported with the assumption, its end and the setting."""
    data = yaml.safe_load(SENS.read_text(encoding="utf-8"))
    data["extends"] = str(SMALL)
    data["assumptions"] = [
        {
            "id": "flood_share",
            "label": {"zh": "x", "en": "x"},
            "path": "targets.inland_water_arrival.required_share",
            "low": 0.9,
            "high": 1.2,
            "source": "test",
        }
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        sensitivity_scenario(bad, write=False)
    msg = str(e.value)
    assert msg.startswith(
        "assumptions[flood_share].high = 1.2 sets targets.inland_water_arrival.required_share = "
        "1.2: "
    )
    assert "targets[inland_water_arrival].required_share" in msg


def test_the_docs_table_comes_from_the_results(morris, tmp_path):
    """tools/sensitivity_table.py prints one row per target from sensitivity.json."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    _, out = morris
    text = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "sensitivity_table.py"),
            str(out / "sensitivity.json"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = text.strip().splitlines()
    assert rows[0].startswith("| target | baseline | required | points meeting it |")
    assert len(rows) == 2 + 4  # header, rule, four targets
    fire = next(r for r in rows if "`building_fire_arrival`" in r)
    assert "| Engine turnout (factor) " in fire  # ranked first
    assert " ↓; Off-network access speed" in fire  # slower turnout, fewer fires in time
