"""The size command's search: cost order, early stop, the cheapest configuration, its files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sim.analysis.resources import annual_cost
from sim.errors import ScenarioError
from sim.scenario import load_scenario
from sim.workflows.size import size_scenario
from tests.helpers import SCENARIO_DATA

CENTRE = SCENARIO_DATA / "valid" / "centre_small.yaml"
FIREFIGHTERS = "facilities.fs_maba.staff.firefighter.per_shift"
HELICOPTERS = "facilities.centre.units.helicopter.count"


def _variant(tmp_path: Path) -> Path:
    """centre_small with a building-fire target some staffing levels meet and others do not."""
    path = tmp_path / "centre_size.yaml"
    data = {
        "extends": str(CENTRE),
        "replications": 4,
        "targets": [{"id": "fire_arrival", "required_share": 0.4}],
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def searches(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path]:
    tmp = tmp_path_factory.mktemp("size")
    path = _variant(tmp)
    varies = [f"{FIREFIGHTERS}=5,6,8,10", f"{HELICOPTERS}=1,2"]
    early = size_scenario(
        path, varies, targets=["fire_arrival"], out=tmp / "early", workers=1, plots=False
    )
    full = size_scenario(
        path, varies, targets=["fire_arrival"], exhaustive=True, write=False, workers=1
    )
    assert early.out_dir is not None
    return early.size, full.size, early.out_dir


def test_the_search_stops_at_the_cheapest_configuration_the_full_grid_finds(searches):
    """Early stop (largest first, then by cost, then --beyond 2 more) and the exhaustive run
    name the same cheapest configuration; every cheaper configuration was run and fails."""
    early, full, _ = searches
    assert full["evaluated"] == full["grid_points"] == 8
    ok = [p for p in full["points"] if p["feasible"]]
    assert ok
    assert len(ok) < len(full["points"])  # the question is not trivial
    best = min(ok, key=lambda p: p["cost_per_year"])
    assert early["cheapest"]["setting"] == best["setting"] == full["cheapest"]["setting"]
    assert early["stopped_because"] == "found"
    run = {p["index"] for p in early["points"]}
    cheaper = [p for p in full["points"] if p["cost_per_year"] < best["cost_per_year"]]
    assert {p["index"] for p in cheaper} <= run
    assert not any(p["feasible"] for p in cheaper)
    order = sorted(early["points"], key=lambda p: p["order"])
    assert order[0]["index"] == 7  # the largest configuration first
    rest = [p["cost_per_year"] for p in order[1:]]
    assert rest == sorted(rest)
    after = [p for p in order[1:] if p["cost_per_year"] > best["cost_per_year"]]
    assert len(after) == 2  # --beyond 2
    assert early["evaluated"] < early["grid_points"]


def test_costs_are_the_scenario_costs(searches):
    """Each configuration's cost is `annual_cost` of its scenario: 3 firefighter posts per
    person per shift at 13万, and a helicopter at 3,000万."""
    _, full, _ = searches
    by = {tuple(p["setting"].values()): p["cost_per_year"] for p in full["points"]}
    base = annual_cost(load_scenario(CENTRE))["total_per_year"]
    assert by[(8, 2)] == pytest.approx(base)
    assert by[(10, 2)] - by[(8, 2)] == pytest.approx(2 * 3 * 130_000.0)
    assert by[(8, 2)] - by[(8, 1)] == pytest.approx(30_000_000.0)


def test_the_folder_has_the_results_and_the_staffing_of_the_cheapest(searches):
    """size.json, size.csv (one row per run configuration and target) and staffing.csv of the
    cheapest configuration, whose required firefighters per hour are its per_shift."""
    early, _, out = searches
    saved = json.loads((out / "size.json").read_text(encoding="utf-8"))
    assert saved["cheapest"] == early["cheapest"]
    csv_rows = (out / "size.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_rows) == 1 + early["evaluated"] * 3  # three targets in centre_small
    staffing = (out / "staffing.csv").read_text(encoding="utf-8").splitlines()
    ff = [r.split(",") for r in staffing if r.startswith("fs_maba,firefighter,")]
    need = early["cheapest"]["setting"][FIREFIGHTERS]
    assert {float(r[3]) for r in ff} == {float(need)}


def test_largest_failing_stops_the_search(tmp_path):
    """When even the largest configuration fails, nothing smaller is run."""
    path = _variant(tmp_path)
    res = size_scenario(path, [f"{FIREFIGHTERS}=5,6"], targets=["air_2h"], write=False, workers=1)
    assert res.size["stopped_because"] == "largest_fails"
    assert res.size["evaluated"] == 1
    assert res.size["cheapest"] is None


def test_bad_requests_name_the_option(tmp_path):
    path = _variant(tmp_path)
    with pytest.raises(ScenarioError, match="--target nope: no such target"):
        size_scenario(path, [f"{HELICOPTERS}=1,2"], targets=["nope"], write=False)
    with pytest.raises(ScenarioError, match=r"--vary facilities.centre.units.helicoptr.count=1"):
        size_scenario(path, ["facilities.centre.units.helicoptr.count=1,2"], write=False)
