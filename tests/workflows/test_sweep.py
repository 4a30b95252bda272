"""The sweep command's results: monotone shares under CRN, smallest setting, --until-met."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.scenario import load_scenario
from tests.helpers import SMALL, WATER_TEAMS


def _sweep(
    tmp_path: Path, *args: str, scenario: Path = SMALL, name: str = "sw"
) -> tuple[dict, Path]:
    out = tmp_path / name
    code = main(
        [
            "sweep",
            str(scenario),
            *args,
            "--out",
            str(out),
            "--no-plots",
            "--quiet",
            "--replications",
            "3",
            "--workers",
            "1",
            "--lang",
            "en",
        ]
    )
    assert code == 0
    assert not (out / "INCOMPLETE").exists()
    return json.loads((out / "sweep.json").read_text(encoding="utf-8")), out


def test_sweep_over_unit_count_is_monotone_and_names_smallest(tmp_path, capsys):
    """More water-rescue teams never lower a share (each replication, CRN).

    The smallest meeting count is named.
    """
    s, out = _sweep(tmp_path, "--set", f"{WATER_TEAMS}=3,0,1,2", scenario=_relief_at(tmp_path, 0.7))
    printed = capsys.readouterr().out
    assert s["parameters"] == [{"key": WATER_TEAMS, "values": [0, 1, 2, 3]}]
    counts = [p["setting"][WATER_TEAMS] for p in s["points"]]
    assert counts == [0, 1, 2, 3]
    assert "no facility has a 'water_rescue_team' unit" in " ".join(s["points"][0]["warnings"])
    time_ids = [tid for tid, t in s["targets"].items() if t["measure"] != "firefighter_ratio"]
    for tid in time_ids:
        shares = [p["targets"][tid]["share"] for p in s["points"]]
        assert shares == sorted(shares), (tid, shares)
        per_rep = [p["targets"][tid]["per_replication"] for p in s["points"]]
        for r in range(3):
            col = [x[r] for x in per_rep]
            assert col == sorted(col), (tid, r, col)
    water = [p["targets"]["inland_water_arrival"]["share"] for p in s["points"]]
    assert water[0] == 0.0
    assert water[1] > 0.5  # one team reaches most water incidents: the sweep has signal
    for tid in s["targets"]:
        res = s["smallest_meeting"][tid]
        met = [p["targets"][tid]["met_95"] for p in s["points"]]
        if any(met):
            assert res["met"] is True
            assert res["settings"] == [{WATER_TEAMS: counts[met.index(True)]}]
        else:
            assert res["met"] is False
            assert res["settings"] == []
    # Relief is 100 % at every setting, yet 10 floods in 3 replications cannot rule out a 28 %
    # miss rate (Wilson lower end 10 / (10 + 1.96²) = 72.2 %): met at 70 %, never at 95 %.
    relief = [p["targets"]["initial_relief"] for p in s["points"]]
    assert [r["share"] for r in relief] == [1.0] * 4
    assert all(r["ci95"][0] == pytest.approx(10 / (10 + 1.959964**2)) for r in relief)
    assert s["smallest_meeting"]["initial_relief"]["settings"] == [{WATER_TEAMS: 0}]
    assert not s["smallest_meeting"]["building_fire_arrival"]["met"]
    assert "no setting in the grid meets it" in printed
    assert "smallest setting that meets it" in printed
    rows = (out / "sweep.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith(f"point,{WATER_TEAMS},target,")
    assert len(rows) == 1 + 4 * len(s["targets"])
    with pytest.warns(UserWarning, match="no facility has a 'water_rescue_team' unit"):
        load_scenario(out / "points" / "00" / "scenario.yaml")
    for i in range(1, 4):
        sc = load_scenario(out / "points" / f"{i:02d}" / "scenario.yaml")
        assert {f.id: f for f in sc.facilities}["fs_xinshao"].units["water_rescue_team"].count == i


def _relief_at(tmp_path: Path, required: float) -> Path:
    """small_test with the initial-relief requirement changed."""
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    for t in data["targets"]:
        if t["id"] == "initial_relief":
            t["required_share"] = required
    path = tmp_path / "relief_at.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _water_only(tmp_path: Path, required: float, threshold_h: float = 2.0) -> Path:
    """small_test with the inland-water target only (so --until-met can stop on it)."""
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["name"] = "water_only"
    data["targets"] = [t for t in data["targets"] if t["id"] == "inland_water_arrival"]
    data["targets"][0]["required_share"] = required
    data["targets"][0]["threshold_h"] = threshold_h
    path = tmp_path / "water_only.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_until_met_stops_at_the_first_setting_that_meets(tmp_path, capsys):
    """From 0 teams (share 0), one step meets a 60 % requirement: 2 settings run, then stop.

    (With one team the three replications give 93.9 % [67.9 %, 100 %]; the lower bound clears
    60 %, and 0 teams reach nobody.)
    """
    s, _ = _sweep(
        tmp_path, "--set", f"{WATER_TEAMS}=0", "--until-met", scenario=_water_only(tmp_path, 0.6)
    )
    assert s["mode"] == "until_met"
    assert [p["setting"][WATER_TEAMS] for p in s["points"]] == [0, 1]
    assert [p["targets"]["inland_water_arrival"]["met_95"] for p in s["points"]] == [False, True]
    assert s["until_met"]["stopped_because"] == "met"
    assert s["smallest_meeting"]["all_time_targets"]["settings"] == [{WATER_TEAMS: 1}]
    assert "Stopped: every time target" in capsys.readouterr().out


def test_until_met_gives_up_after_max_steps(tmp_path, capsys):
    """An unreachable threshold stops after --max-steps settings and says so."""
    s, _ = _sweep(
        tmp_path,
        "--set",
        f"{WATER_TEAMS}=1:2",
        "--until-met",
        "--max-steps",
        "3",
        scenario=_water_only(tmp_path, 0.95, threshold_h=0.05),
    )
    assert [p["setting"][WATER_TEAMS] for p in s["points"]] == [1, 3, 5]
    assert s["until_met"] == {"start": 1, "step": 2, "max_steps": 3, "stopped_because": "max_steps"}
    assert s["smallest_meeting"]["all_time_targets"]["met"] is False
    out = capsys.readouterr().out
    assert "no setting in the searched range" in out
    assert "--max-steps 3 reached" in out


def test_until_met_with_target_waits_only_for_that_target(tmp_path, capsys):
    """--target: stop as soon as the chosen target is met, even if others never are."""
    s, _ = _sweep(
        tmp_path,
        "--set",
        f"{WATER_TEAMS}=0",
        "--until-met",
        "--target",
        "initial_relief",
        scenario=_relief_at(tmp_path, 0.7),
    )
    assert [p["setting"][WATER_TEAMS] for p in s["points"]] == [0]
    assert s["stop_targets"] == ["initial_relief"]
    assert s["until_met"]["stopped_because"] == "met"
    assert s["smallest_meeting"]["selected_targets"]["settings"] == [{WATER_TEAMS: 0}]
    assert s["smallest_meeting"]["all_time_targets"]["met"] is False
    assert "selected targets (initial_relief)" in capsys.readouterr().out


def test_sweep_over_a_threshold(tmp_path):
    """Sweeping a target's threshold: shares rise with it.

    The varying threshold is not reported as one value.
    """
    s, out = _sweep(tmp_path, "--set", "targets.building_fire_arrival.threshold_h=0.5,1,2")
    assert s["targets"]["building_fire_arrival"]["threshold_h"] is None
    assert s["targets"]["inland_water_arrival"]["threshold_h"] == 2
    shares = [p["targets"]["building_fire_arrival"]["share"] for p in s["points"]]
    assert shares == sorted(shares)
    assert shares[0] < shares[-1]
    assert [p["targets"]["building_fire_arrival"]["threshold_h"] for p in s["points"]] == [
        0.5,
        1,
        2,
    ]
    assert "≥ 90% &lt; varies h" in (out / "report.html").read_text(encoding="utf-8")
