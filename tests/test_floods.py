"""Floods and their aftermath through the simulator.

Boats, cut roads, relief stock, mutual aid, comms.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sim.model.engine import Demand, simulate
from sim.model.travel import RoadState
from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import load_network
from sim.workflows.run import run_scenario
from tests.engine_helpers import make_fleet, make_incidents

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "shaoguan_baseline.yaml"
SMALL = ROOT / "scenarios" / "small_test.yaml"


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
    assert comms["required_share"] == 1.0
    assert comms["n_incidents"] > 0
    t = res.table
    wr = t["type"] == "water_rescue"
    boat = wr & (t["first_mode"] == "boat")
    assert boat.any()
    assert (t["boat_h"][boat] > 0).all()
    assert (t["road_h"][boat] > 0).all()
    # The boat option is only taken when it beats driving: never slower than the road option.
    assert m["response_times"]["by_type"]["water_rescue"]["boat_leg_share"] > 0


def test_closing_a_bridge_on_the_fastest_route():
    """Closing a bridge on the fastest route: the time rises to the next-best route's time."""
    net = load_network("shaoguan")
    route = None
    for a, b in [
        ("乐城街道", "新华街道"),
        ("十里亭镇", "西河镇"),
        ("雄州街道", "太平镇"),
        ("马坝镇", "新韶镇"),
    ]:
        ia, ib = net.town_index(_code(a)), net.town_index(_code(b))
        r = net.route(ia, ib)
        pairs = set(zip(r.nodes[:-1], r.nodes[1:], strict=False))
        bridges = [
            e for e in np.flatnonzero(net.edge_bridge) if (net.edge_u[e], net.edge_v[e]) in pairs
        ]
        if bridges:
            route = (ia, ib, r, bridges[0])
            break
    assert route is not None, "no route with a bridge found"
    ia, ib, r, e = route
    u, v = net.edge_u[e], net.edge_v[e]
    both = np.flatnonzero(
        ((net.edge_u == u) & (net.edge_v == v)) | ((net.edge_u == v) & (net.edge_v == u))
    )
    fnode = np.array([ia])
    base_out = {"light": net.travel_time_matrix(fnode, profile="light")}
    base_back = {"light": net.travel_time_matrix(fnode, profile="light", reverse=True)}
    road = RoadState(net, fnode, base_out, base_back, profiles=("light",))
    road.close(both)
    after = road.out["light"][0, ib]
    assert after > r.travel_time_s
    # Reference: Dijkstra on the graph without that road.
    G = nx.DiGraph()
    t = net.edge_time_s("light")
    for k in range(len(net.edge_u)):
        if k in set(both.tolist()):
            continue
        a_, b_ = int(net.edge_u[k]), int(net.edge_v[k])
        if not G.has_edge(a_, b_) or G[a_][b_]["w"] > t[k]:
            G.add_edge(a_, b_, w=float(t[k]))
    assert after == pytest.approx(nx.shortest_path_length(G, ia, ib, weight="w"))
    road.reopen(both)
    assert road.out["light"][0, ib] == pytest.approx(r.travel_time_s)


def _code(name: str) -> str:
    from sim.geo import resolve_town

    return resolve_town(name).code


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


def test_mutual_aid_only_when_locals_are_exhausted():
    """Reserve forces answer only when every local unit of the type is busy.

    They answer after their activation delay.
    """
    # Unit 0 local (far: 1,000 s), unit 1 mutual aid (near, but 3,600 s activation in its turnout).
    fleet = make_fleet([[1000.0], [0.0]], [(0, 0), (1, 0)])
    fleet = fleet.__class__(
        **{
            **{f: getattr(fleet, f) for f in fleet.__dataclass_fields__},
            "unit_turnout_s": np.array([0.0, 3600.0]),
        }
    )
    demand = Demand(units=np.array([[1]]), priority=np.array([1]))
    inc = make_incidents([0.0, 10.0], [5000.0, 100.0])
    out = simulate(
        fleet,
        inc,
        np.zeros(2, dtype=np.int64),
        np.zeros(2),
        demand,
        relief=None,
        until_s=1e6,
        mutual=np.array([False, True]),
    )
    assert out.units_sent == ((0,), (1,))
    assert out.mutual_aid_sent.tolist() == [0, 1]
    assert out.first_arrival_s[1] == pytest.approx(10.0 + 3600.0)
    # Above the people threshold, reserves are considered at once (here the local one is nearer).
    inc2 = make_incidents([0.0], [100.0], people=np.array([5000]))
    out2 = simulate(
        fleet,
        inc2,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        demand,
        relief=None,
        until_s=1e6,
        mutual=np.array([False, True]),
        mutual_threshold=1000,
    )
    assert out2.units_sent == ((0,),)


def test_relief_metrics_report_days_of_need():
    """The relief section reports days of need met and first relief flown in."""
    _, res = _flood_season()
    rel = res.metrics["relief"]
    assert rel["days_of_need"] == 3
    assert 0 < rel["days_of_need_met_mean"] <= 3
    assert 0 < rel["share_of_need_met"] <= 1
    assert "first_relief_by_air" in rel
    assert res.metrics["road_events"]["rerouted"] >= 0
