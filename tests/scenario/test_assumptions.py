"""Tests of sim.scenario.assumptions: paths with patterns, the checks at load, samples put in."""

from __future__ import annotations

import warnings

import pytest
import yaml

from sim.errors import ScenarioError
from sim.scenario import (
    assumption_settings,
    expand_path,
    load_scenario,
    resolve_assumptions,
    scenario_data_with,
    scenario_from_dict,
    scenario_to_dict,
)
from tests.helpers import BASELINE, SCENARIO_DATA, SMALL
from tests.helpers import minimal as _minimal

SENS = SCENARIO_DATA / "valid" / "sensitivity_small.yaml"


def _a(aid: str, path, low=1.0, high=2.0, **kw) -> dict:
    return {
        "id": aid,
        "label": {"zh": aid, "en": aid},
        "path": path,
        "low": low,
        "high": high,
        "source": "test",
        **kw,
    }


def _problems(*assumptions: dict) -> str:
    data = _minimal()
    data["assumptions"] = list(assumptions)
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(data, source="min.yaml")
    return str(e.value)


def test_patterns_expand_over_ids_keys_and_positions():
    """Segments match list items by id (or position without one) and mapping keys by pattern."""
    data = scenario_to_dict(load_scenario(SMALL))
    found, why = expand_path(data, "facilities.*.units.engine.turnout_s")
    assert [p for p, _ in found] == [
        "facilities.fs_xinshao.units.engine.turnout_s",
        "facilities.fs_maba.units.engine.turnout_s",
        "facilities.tt_datang.units.engine.turnout_s",
    ]
    assert [v for _, v in found] == [60.0, 60.0, 240.0]
    assert why == ""
    found, _ = expand_path(data, "facilities.fs_*.units.*.count")
    assert len(found) == 5  # 3 unit types at fs_xinshao, 2 at fs_maba
    found, _ = expand_path(data, "targets.0.threshold_h")  # ids win, positions are not ids
    assert found == []
    base = scenario_to_dict(load_scenario(BASELINE))
    found, _ = expand_path(base, "incidents.flood.disruption.rules.0.probability")
    assert found == [("incidents.flood.disruption.rules.0.probability", 0.3)]
    found, _ = expand_path(data, "access.speed_kph")  # a default, not written in the file
    assert found == [("access.speed_kph", 30.0)]


def test_a_path_that_matches_nothing_says_where_it_stopped():
    """The message names the deepest segment that matched nothing, with a close match."""
    data = scenario_to_dict(load_scenario(SMALL))
    found, why = expand_path(data, "facilities.fs_xinshao.units.enigne.turnout_s")
    assert found == []
    assert "no key matches 'enigne' in facilities.fs_xinshao.units" in why
    assert "did you mean 'engine'?" in why
    _, why = expand_path(data, "facilities.fs_nowhere.units.engine.turnout_s")
    assert "no item id matches 'fs_nowhere' in facilities" in why
    assert "fs_xinshao" in why


def test_problems_are_reported_with_the_file_and_assumption():
    """Each wrong assumption gives one line naming assumptions[id].path and what is wrong."""
    msg = _problems(
        _a("typo", "access.speed_kp", 20, 40),
        _a("count", "facilities.*.units.engine.count", 1, 3),
        _a("mapping", "incidents.building_fire.on_scene"),
        _a("twice", "facilities.fs_lecheng.units.engine.turnout_s", 30, 90),
        _a("again", ["facilities.*.units.engine.turnout_s"], 30, 90),
    )
    assert msg.startswith("min.yaml: 4 problems")
    assert (
        "assumptions[typo].path: 'access.speed_kp' matches no setting of the scenario: no key "
        "matches 'speed_kp' in access (did you mean 'speed_kph'?" in msg
    )
    assert "assumptions[count].path: 'facilities.*.units.engine.count' matches " in msg
    assert "an integer setting: add `integer: true`" in msg
    assert "matches incidents.building_fire.on_scene, which is a mapping, not a number" in msg
    assert (
        "assumptions[again].path[0]: facilities.fs_lecheng.units.engine.turnout_s is also set "
        "by assumption 'twice'"
    ) in msg


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"low": 2.0, "high": 1.0}, "expected high > low, got low=2, high=1"),
        ({"distribution": "triangular"}, "distribution 'triangular' needs `peak`"),
        ({"distribution": "triangular", "peak": 2.0}, "expected low <= peak < high"),
        ({"peak": 1.5}, "`peak` is only used by distribution 'triangular'"),
        ({"distribution": "loguniform", "low": 0.0}, "'loguniform' needs low > 0"),
        ({"mode": "factor", "low": -1.0}, "mode 'factor' needs low >= 0"),
        ({"distribution": "normal"}, "distribution"),
    ],
)
def test_impossible_ranges_are_errors(extra, needle):
    """The range itself is checked with the other keys (before the paths)."""
    a = _a("r", "access.speed_kph", 1.0, 2.0)
    a.update(extra)
    msg = _problems(a)
    assert "assumptions[r]" in msg
    assert needle in msg


def test_a_range_without_the_scenario_value_is_a_warning():
    """A range that leaves out the file's own value is allowed, with a warning."""
    data = _minimal()
    data["assumptions"] = [
        _a("fast", "access.speed_kph", 40, 60),
        _a("big", "access.circuity", 1.5, 2.0, mode="factor"),
    ]
    with pytest.warns(UserWarning, match="leaves out") as rec:
        scenario_from_dict(data, source="min.yaml")
    text = " ".join(str(w.message) for w in rec)
    assert "assumptions[fast]: the range [40, 60] leaves out the scenario's value 30" in text
    assert "assumptions[big]: the range [1.5, 2] leaves out factor 1" in text


def test_samples_are_put_in_by_value_by_factor_and_rounded():
    """value sets every path; factor multiplies each base; integers round halves up."""
    sc = load_scenario(SENS)
    data = scenario_to_dict(sc)
    resolved, problems, notes = resolve_assumptions(data, sc.assumptions)
    assert problems == []
    assert notes == []
    by_id = {r.assumption.id: r for r in resolved}
    assert by_id["engine_turnout"].base == (60.0, 60.0, 240.0)
    values = {
        "engine_turnout": 2.5,
        "access_speed": 27.5,
        "relief_stock": 0.75,  # 2000 x 0.75 = 1500
        "water_turnout": 300.0,
        "flood_people": 2.0,
        "township_staff": 10.5,  # half: up to 11
    }
    settings = dict(assumption_settings(resolved, [values[r.assumption.id] for r in resolved]))
    assert settings["facilities.fs_maba.units.engine.turnout_s"] == 150.0
    assert settings["facilities.tt_datang.units.engine.turnout_s"] == 600.0
    assert settings["access.speed_kph"] == 27.5
    assert settings["facilities.depot_city.stock.relief_kit"] == 1500
    assert settings["incidents.flood.affected_people.sd"] == 400.0
    assert settings["facilities.tt_datang.full_time_staff"] == 11
    assert isinstance(settings["facilities.tt_datang.full_time_staff"], int)
    point = scenario_from_dict(
        scenario_data_with(
            data, resolved, [values[r.assumption.id] for r in resolved], source=str(SENS)
        )
    )
    assert point.facilities[2].units["engine"].turnout_s == 600.0
    assert point.facilities[2].full_time_staff == 11
    assert point.access.speed_kph == 27.5
    assert sc.facilities[2].full_time_staff == 10  # the scenario itself is unchanged


def test_baseline_declares_at_least_twenty_sourced_assumptions():
    """The baseline varies >= 20 of its ASSUMPTION numbers, each with a source, ranges around
    its own values (no warning), and the other commands run it unchanged."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sc = load_scenario(BASELINE)
    resolved, problems, notes = resolve_assumptions(scenario_to_dict(sc), sc.assumptions)
    assert problems == []
    assert notes == []
    assert len(resolved) >= 20
    assert all(len(r.assumption.source) > 10 for r in resolved)
    kinds = {r.paths[0].split(".")[0] for r in resolved}
    assert {"access", "facilities", "unit_types", "incidents", "relief"} <= kinds


def test_variants_add_and_remove_assumptions_by_id(tmp_path):
    """`extends` merges the list by id like facilities and targets."""
    variant = tmp_path / "v.yaml"
    variant.write_text(
        yaml.safe_dump(
            {
                "extends": str(SENS),
                "assumptions": [
                    {"id": "relief_stock", "remove": True},
                    {"id": "access_speed", "high": 40},
                ],
            }
        ),
        encoding="utf-8",
    )
    sc = load_scenario(variant)
    ids = [a.id for a in sc.assumptions]
    assert "relief_stock" not in ids
    assert next(a for a in sc.assumptions if a.id == "access_speed").high == 40
