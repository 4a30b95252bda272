"""Sweeps: option parsing, grid validation, monotone shares under CRN, smallest setting.

Also --until-met and errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sim.analysis.sweep import expand_grid, parse_set, parse_until, smallest_meeting
from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario, scenario_to_dict

SMALL = Path(__file__).resolve().parents[1] / "scenarios" / "small_test.yaml"
WATER_TEAMS = "facilities.fs_xinshao.units.water_rescue_team.count"


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


def test_parse_set_sorts_numbers_and_keeps_lists():
    """Numeric values are sorted and de-duplicated; commas inside brackets do not split."""
    p = parse_set(f"{WATER_TEAMS}=3,1, 2,1")
    assert p.key == WATER_TEAMS
    assert p.values == (1, 2, 3)
    q = parse_set("incidents.flood.seasonality=[1, 2],[3, 4]")
    assert q.values == ([1, 2], [3, 4])
    r = parse_set("network=b,a")
    assert r.values == ("b", "a")
    for bad in ("no_equals_sign", "=1,2", f"{WATER_TEAMS}=1,,2", f"{WATER_TEAMS}="):
        with pytest.raises(ScenarioError, match="--set"):
            parse_set(bad)


def test_parse_until():
    """START[:STEP] gives max_steps values; STEP must be a positive number."""
    assert parse_until(f"{WATER_TEAMS}=2", 4).values == (2, 3, 4, 5)
    assert parse_until("targets.x.threshold_h=0.5:0.25", 3).values == (0.5, 0.75, 1.0)
    for bad in (f"{WATER_TEAMS}=a", f"{WATER_TEAMS}=1:0", f"{WATER_TEAMS}=1:-1", f"{WATER_TEAMS}"):
        with pytest.raises(ScenarioError, match="--set"):
            parse_until(bad, 3)
    with pytest.raises(ScenarioError, match="max-steps"):
        parse_until(f"{WATER_TEAMS}=1", 0)


def test_expand_grid_is_the_cartesian_product():
    """Two keys with 2 and 3 values give 6 validated points, the last key varying fastest."""
    base = scenario_to_dict(load_scenario(SMALL))
    params = [
        parse_set(f"{WATER_TEAMS}=1,2"),
        parse_set("facilities.fs_maba.units.engine.count=1,2,3"),
    ]
    points = expand_grid(base, params, source="small_test.yaml", updates={"replications": 2})
    assert len(points) == 6
    assert [dict(p.setting)["facilities.fs_maba.units.engine.count"] for p in points] == [
        1,
        2,
        3,
        1,
        2,
        3,
    ]
    last = points[-1].scenario
    fac = {f.id: f for f in last.facilities}
    assert fac["fs_xinshao"].units["water_rescue_team"].count == 2
    assert fac["fs_maba"].units["engine"].count == 3
    assert last.replications == 2
    with pytest.raises(ScenarioError, match="more than once"):
        expand_grid(base, [params[0], params[0]], source="s.yaml")


def test_smallest_meeting_finds_minimal_settings():
    """1-D: first meeting value and stability; 2-D: every minimal meeting setting."""

    def pt(a, b, ok):
        return {
            "setting": {"a": a, "b": b},
            "targets": {
                "t": {
                    "measure": "first_arrival",
                    "met_95": ok,
                    "share": 0.9 if ok else 0.5,
                    "ci95": [0, 1],
                }
            },
        }

    params = [parse_set("a=1,2,3"), parse_set("b=1,2")]
    grid = [
        pt(1, 1, False),
        pt(1, 2, True),
        pt(2, 1, False),
        pt(2, 2, True),
        pt(3, 1, True),
        pt(3, 2, True),
    ]
    res = smallest_meeting(grid, params, ["t"])
    assert res["t"]["met"] is True
    assert res["t"]["settings"] == [{"a": 1, "b": 2}, {"a": 3, "b": 1}]
    assert res["t"]["stable"] is True
    one = [parse_set("a=1,2,3")]
    flaky = [
        {
            "setting": {"a": v},
            "targets": {
                "t": {"measure": "first_arrival", "met_95": ok, "share": s, "ci95": [0, 1]}
            },
        }
        for v, ok, s in ((1, False, 0.5), (2, True, 0.96), (3, False, 0.94))
    ]
    res = smallest_meeting(flaky, one, ["t"])
    assert res["t"]["settings"] == [{"a": 2}]
    assert res["t"]["stable"] is False
    none = smallest_meeting([flaky[0]], one, ["t"])
    assert none["t"]["met"] is False
    assert none["t"]["best"]["setting"] == {"a": 1}


def test_sweep_over_unit_count_is_monotone_and_names_smallest(tmp_path, capsys):
    """More water-rescue teams never lower a share (each replication, CRN).

    The smallest meeting count is named.
    """
    s, out = _sweep(tmp_path, "--set", f"{WATER_TEAMS}=3,0,1,2")
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
    """From 0 teams (share 0), one step meets an 80 % requirement: 2 settings run, then stop."""
    s, _ = _sweep(
        tmp_path, "--set", f"{WATER_TEAMS}=0", "--until-met", scenario=_water_only(tmp_path, 0.8)
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


@pytest.mark.parametrize(
    ("set_option", "expected"),
    [
        (
            "facilities.fs_nowhere.units.engine.count=1,2",
            "facilities.fs_nowhere.units.engine.count",
        ),
        ("facilities.fs_xinshao.units.engine.cuont=1", "facilities.fs_xinshao.units.engine.cuont"),
        (f"{WATER_TEAMS}=1,-1", WATER_TEAMS),
        (f"{WATER_TEAMS}=1,two", WATER_TEAMS),
        (f"{WATER_TEAMS}=[1,", WATER_TEAMS),
        (WATER_TEAMS, WATER_TEAMS),
        (f"{WATER_TEAMS}=", WATER_TEAMS),
    ],
)
def test_bad_set_exits_2_naming_the_path(tmp_path, capsys, set_option, expected):
    """Bad path, malformed option or bad value: exit 2 naming the path; nothing run or written."""
    out = tmp_path / "never"
    code = main(
        ["sweep", str(SMALL), "--set", set_option, "--out", str(out), "--quiet", "--no-plots"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err
    assert "Traceback" not in err
    assert not out.exists()


def test_until_met_with_two_keys_is_an_error(tmp_path, capsys):
    """--until-met searches exactly one key."""
    code = main(
        [
            "sweep",
            str(SMALL),
            "--set",
            f"{WATER_TEAMS}=1",
            "--set",
            "facilities.fs_maba.units.engine.count=1",
            "--until-met",
            "--out",
            str(tmp_path / "x"),
            "--quiet",
        ]
    )
    assert code == 2
    assert "one key" in capsys.readouterr().err


def test_until_met_with_target_waits_only_for_that_target(tmp_path, capsys):
    """--target: stop as soon as the chosen target is met, even if others never are."""
    s, _ = _sweep(
        tmp_path, "--set", f"{WATER_TEAMS}=0", "--until-met", "--target", "initial_relief"
    )
    assert [p["setting"][WATER_TEAMS] for p in s["points"]] == [0]
    assert s["stop_targets"] == ["initial_relief"]
    assert s["until_met"]["stopped_because"] == "met"
    assert s["smallest_meeting"]["selected_targets"]["settings"] == [{WATER_TEAMS: 0}]
    assert s["smallest_meeting"]["all_time_targets"]["met"] is False
    assert "selected targets (initial_relief)" in capsys.readouterr().out


def test_unknown_target_exits_2(tmp_path, capsys):
    """A --target id that the scenario does not define is a usage error naming it."""
    code = main(
        [
            "sweep",
            str(SMALL),
            "--set",
            f"{WATER_TEAMS}=0",
            "--until-met",
            "--target",
            "no_such_target",
            "--out",
            str(tmp_path / "x"),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "no_such_target" in err
    assert "building_fire_arrival" in err  # the known ids are listed
    assert not (tmp_path / "x").exists()


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
