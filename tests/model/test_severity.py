"""Tests of sim.model.severity: levels compiled from the scenario and drawn on their own streams."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.model.incidents import generate_incidents
from sim.model.severity import build_severity_table, draw_levels
from sim.scenario import scenario_from_dict
from sim.scenario.schema import LEVEL_IDS
from sim.workflows.common import compile_scenario
from tests.helpers import minimal as _minimal

LEVELS = {
    "general": {"probability": 0.7, "escalation": {"probability": 0.25, "after_min": 10}},
    "major": {"probability": 0.3, "units": {"engine": 5, "rescue_vehicle": 1}, "priority": 1},
}


def _scenario(levels=LEVELS, rate=20000.0):
    data = _minimal()
    fire = data["incidents"]["building_fire"]
    fire["rate"] = {"per_year": rate}
    fire["priority"] = 2
    if levels is not None:
        fire["levels"] = levels
    return scenario_from_dict(data)


def test_table_gives_plans_priorities_and_the_next_defined_level():
    """A level without units takes the type's; `general` grows to `major` (no `large`)."""
    sc = _scenario()
    prep = compile_scenario(sc)
    tab = prep.severity
    assert tab is not None
    assert tab.has_levels.tolist() == [True, False]
    g, m = LEVEL_IDS.index("general"), LEVEL_IDS.index("major")
    engine, rescue = (
        prep.fleet.type_names.index("engine"),
        prep.fleet.type_names.index("rescue_vehicle"),
    )
    assert tab.units[0, g, engine] == 2  # the type's units
    assert tab.units[0, m, engine] == 5
    assert tab.units[0, m, rescue] == 1
    assert tab.priority[0, g] == 2
    assert tab.priority[0, m] == 1
    assert tab.next_level[0, g] == m
    assert tab.next_level[0, m] == -1
    assert tab.escalate_after_s[0, g] == 600.0
    # The landslide type has no levels: one level with its own units.
    assert tab.units[1, g].tolist() == prep.demand.units[1].tolist()
    assert build_severity_table(_scenario(None), prep.fleet.type_names, prep.demand.units).any is (
        False
    )


def test_levels_and_escalations_follow_their_probabilities():
    """About 1,640 calls in 30 days: the share at `major` and the share that would grow are
    binomial with p = 0.3 and 0.25; each lies within its 99.9 % binomial interval (fixed seed)."""
    sc = _scenario()
    prep = compile_scenario(sc)
    inc = generate_incidents(sc, prep.geography, prep.population, 0)
    plan = draw_levels(prep.severity, sc, inc, 0)
    fire = inc.type_idx == 0
    n = int(fire.sum())
    assert n > 1000
    major = int((plan.level[fire] == LEVEL_IDS.index("major")).sum())
    lo, hi = stats.binom.interval(0.999, n, 0.3)
    assert lo <= major <= hi
    grows = int(plan.escalates[fire, 0].sum())
    lo, hi = stats.binom.interval(0.999, n, 0.25)
    assert lo <= grows <= hi
    assert not plan.escalates[fire, LEVEL_IDS.index("major")].any()  # the last level never grows
    assert (plan.level[~fire] == 0).all()


def test_levels_keep_common_random_numbers():
    """Switching levels on changes no call: times, places and on-scene times are the same; a
    different escalation probability leaves the levels unchanged (separate streams)."""
    with_levels, without = _scenario(), _scenario(None)
    p1, p0 = compile_scenario(with_levels), compile_scenario(without)
    a = generate_incidents(with_levels, p1.geography, p1.population, 3)
    b = generate_incidents(without, p0.geography, p0.population, 3)
    for col in ("t_s", "lon", "lat", "on_scene_s", "type_idx"):
        assert np.array_equal(getattr(a, col), getattr(b, col)), col
    other = dict(
        LEVELS, general={"probability": 0.7, "escalation": {"probability": 0.9, "after_min": 5}}
    )
    sc2 = _scenario(other)
    p2 = compile_scenario(sc2)
    lv1 = draw_levels(p1.severity, with_levels, a, 3)
    lv2 = draw_levels(p2.severity, sc2, a, 3)
    assert np.array_equal(lv1.level, lv2.level)
    assert lv2.escalates[:, 0].sum() > lv1.escalates[:, 0].sum()


@pytest.mark.parametrize("replication", [0, 1])
def test_replication_table_has_level_columns(replication):
    """With levels the incident table holds each call's level, its level after escalation and
    the escalation count, and the priority of its level; without levels the columns are absent."""
    from sim.model.replication import run_replication

    sc = _scenario(rate=300.0)
    prep = compile_scenario(sc)
    t = run_replication(prep, replication).incidents
    fire = t["type"] == "building_fire"
    assert set(t["level"][fire]) <= {"general", "major"}
    assert (t["level"][~fire] == "").all()
    grew = t["escalations"] > 0
    assert grew.any()
    assert (t["level"][grew] == "general").all()
    assert (t["level_final"][grew] == "major").all()
    assert (t["level_final"][fire & ~grew] == t["level"][fire & ~grew]).all()
    assert (t["priority"][fire] == np.where(t["level"][fire] == "major", 1, 2)).all()
    # A major call asks for its plan (6 units); a grown one for 2 + the difference (6).
    assert (t["units_required"][fire & ((t["level"] == "major") | grew)] == 6).all()
    assert (t["units_required"][fire & (t["level"] == "general") & ~grew] == 2).all()
    plain = run_replication(compile_scenario(_scenario(None, rate=300.0)), replication).incidents
    assert "level" not in plain
    assert np.array_equal(plain["t_h"], t["t_h"])
