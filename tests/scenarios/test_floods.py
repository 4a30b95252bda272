"""Floods and their aftermath through the simulator.

Boats, cut-off towns, relief stock, surge days, comms.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import load_network
from sim.workflows.run import run_scenario
from tests.helpers import BASELINE, SMALL
from tests.helpers import town_code as _code


def _baseline(**changes):
    data = scenario_to_dict(load_scenario(BASELINE))
    data.update(changes)
    return scenario_from_dict(data, source="test")


@cache
def _flood_season():
    """Baseline over the flood season (May-September), 3 replications, run once per test session."""
    sc = _baseline(start_date="2025-05-01", horizon_days=150, replications=3)
    return sc, run_scenario(sc, workers=1, plots=False)


def test_baseline_has_comms_target_and_boat_legs():
    """metrics.json holds comms_on_scene; some water-rescue rows arrive by boat with a boat leg."""
    _, res = _flood_season()
    m = res.metrics
    comms = m["targets"]["comms_on_scene"]
    assert comms["max_failures_per_year"] == 0  # the plan's 100 %
    assert comms["n_incidents"] > 0
    # Failures are the incidents of the target's types with communications up after 3 h.
    covered = np.isin(res.table["type"], comms["incident_types"])
    late = covered & ~(np.nan_to_num(res.table["comms_h"], nan=np.inf) < 3.0)
    years = 3 * 150 / 365.25
    assert comms["failures"] == int(late.sum())
    assert comms["value"] == pytest.approx(late.sum() / 3 / years)
    t = res.table
    wr = t["type"] == "water_rescue"
    boat = wr & (t["first_mode"] == "boat")
    assert boat.any()
    assert (t["boat_h"][boat] > 0).all()
    assert (t["road_h"][boat] > 0).all()
    # The boat option is only taken when it beats driving: never slower than the road option.
    assert m["response_times"]["by_type"]["water_rescue"]["boat_leg_share"] > 0


def test_town_with_no_other_route_is_reported_isolated():
    """Static closures of every road of one town: the run reports it cut off for the whole run."""
    net = load_network("shaoguan")
    town = "九峰镇"
    k = net.town_index(_code(town))
    nbrs = sorted({net.node_town[int(x)] for x in net.edge_v[net.edge_u == k]})
    data = scenario_to_dict(load_scenario(SMALL))
    data["closures"] = [{"between": [town, n], "reason": "test"} for n in nbrs]
    data["replications"] = 1
    sc = scenario_from_dict(data, source="test")
    res = run_scenario(sc, workers=1, plots=False)
    iso = res.metrics["isolation"]["towns"]
    assert town in iso
    horizon_h = sc.horizon_days * 24 + 72  # horizon plus the drain period
    assert iso[town]["hours_per_year_mean"] == pytest.approx(
        horizon_h * 365.25 / sc.horizon_days, rel=1e-6
    )
    assert set(iso) == {town}


def test_removing_a_depots_stock_never_improves_initial_relief():
    """Common random numbers: emptying one depot never raises the initial-relief share."""
    sc, res = _flood_season()
    data = scenario_to_dict(sc)
    for f in data["facilities"]:
        if f["id"] == "depot_lechang":
            f["stock"] = dict.fromkeys(f["stock"], 0)
    less = run_scenario(scenario_from_dict(data, source="test"), workers=1, plots=False)
    np.testing.assert_array_equal(res.table["t_h"], less.table["t_h"])
    a = res.metrics["targets"]["initial_relief"]["share"]
    b = less.metrics["targets"]["initial_relief"]["share"]
    assert b <= a
    ra = np.nan_to_num(res.table["relief_h"], nan=math.inf)
    rb = np.nan_to_num(less.table["relief_h"], nan=math.inf)
    need = res.table["affected_people"] > 0
    assert np.mean(rb[need] >= ra[need] - 1e-9) > 0.95


def test_a_surge_day_lowers_initial_relief():
    """A typhoon day hitting three counties lowers the initial-relief share.

    Ordinary incidents are unchanged.
    """
    sc, res = _flood_season()
    data = scenario_to_dict(sc)
    data["surge"] = [
        {
            "day": 45,
            "duration_h": 24,
            "counties": ["乐昌", "乳源", "武江"],
            "label": "typhoon",
            "incidents": {"flood": 25, "landslide": 15, "water_rescue": 20},
        }
    ]
    surged = run_scenario(scenario_from_dict(data, source="test"), workers=1, plots=False)
    ordinary = ~surged.table["surge"].astype(bool)
    np.testing.assert_array_equal(surged.table["t_h"][ordinary], res.table["t_h"])
    assert surged.table["surge"].sum() == 3 * 60
    a = res.metrics["targets"]["initial_relief"]["share"]
    b = surged.metrics["targets"]["initial_relief"]["share"]
    assert b < a, (a, b)


def test_relief_metrics_report_days_of_need():
    """The relief section reports days of need met and first relief flown in."""
    _, res = _flood_season()
    rel = res.metrics["relief"]
    assert rel["days_of_need"] == 3
    assert 0 < rel["days_of_need_met_mean"] <= 3
    assert 0 < rel["share_of_need_met"] <= 1
    assert "first_relief_by_air" in rel
    assert res.metrics["road_events"]["rerouted"] >= 0
