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
    years = 150 / 365.25  # each replication
    assert comms["failures"] == int(late.sum())
    assert sum(comms["failures_by_type"].values()) == comms["failures"]
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


def test_short_relief_capacity_misses_the_8_hour_target():
    """The same floods (CRN) with one small truck per depot: first supplies reach every household
    too late for the 8 h target, although the first truck still comes in time almost everywhere.

    Baseline: 2 trucks of 300 people per county depot (6 in the city); short: 1 truck of 100.
    """
    sc, res = _flood_season()
    data = scenario_to_dict(sc)
    for f in data["facilities"]:
        if "relief_truck" in f["units"]:
            f["units"]["relief_truck"].update(count=1, capacity_people=100)
    short = run_scenario(scenario_from_dict(data, source="test"), workers=1, plots=False)
    np.testing.assert_array_equal(res.table["t_h"], short.table["t_h"])
    full = res.metrics["targets"]["initial_relief"]
    cut = short.metrics["targets"]["initial_relief"]
    assert full["measure"] == cut["measure"] == "relief_households"
    assert full["share"] >= 0.95
    assert cut["share"] < 0.9
    assert (cut["met"], cut["met_95"]) == (False, False)
    # Households are served no earlier than the first delivery, never earlier than the full plan.
    need = res.table["affected_people"] > 0
    done_full = np.nan_to_num(res.table["relief_done_h"][need], nan=np.inf)
    done_cut = np.nan_to_num(short.table["relief_done_h"][need], nan=np.inf)
    assert (done_cut >= done_full - 1e-9).all()
    assert (res.table["relief_done_h"][need] >= res.table["relief_h"][need]).all()


def test_comms_column_is_the_first_link_of_any_unit_carrying_comms():
    """comms_h = min over unit types with comms_setup_min of (first arrival + setup).

    In the baseline: comms vehicle 15 min, rescue vehicle and forest team 10 min.
    """
    data = scenario_to_dict(load_scenario(BASELINE))
    data.update(start_date="2025-05-01", horizon_days=60, replications=1)
    data["targets"] += [
        {
            "id": f"arr_{u}",
            "label": {"zh": u, "en": u},
            "measure": "unit_arrival",
            "unit_type": u,
            "incident_types": ["flood", "landslide", "forest_fire"],
            "threshold_h": 3,
        }
        for u in ("comms_vehicle", "rescue_vehicle", "forest_team")
    ]
    res = run_scenario(scenario_from_dict(data, source="test"), workers=1, plots=False)
    t = res.table
    with np.errstate(invalid="ignore"):
        expected = np.fmin(
            np.fmin(t["comms_vehicle_arrival_h"] + 15 / 60, t["rescue_vehicle_arrival_h"] + 1 / 6),
            t["forest_team_arrival_h"] + 1 / 6,
        )
    covered = np.isin(t["type"], ["flood", "landslide", "forest_fire"])
    assert covered.sum() > 5
    np.testing.assert_allclose(t["comms_h"][covered], expected[covered], rtol=0, atol=1e-9)
    # Building fires send no unit carrying comms: never established.
    assert np.isnan(t["comms_h"][t["type"] == "building_fire"]).all()
