"""Tests of sim.analysis.sweep: option parsing, grid expansion, the smallest meeting setting."""

from __future__ import annotations

import pytest

from sim.analysis.sweep import expand_grid, parse_set, parse_until, smallest_meeting
from sim.errors import ScenarioError
from sim.scenario import load_scenario, scenario_to_dict
from tests.helpers import SMALL, WATER_TEAMS


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
