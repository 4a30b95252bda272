"""Road closures on the engine's own path: units en route re-routed or recalled, cut-off towns.

A hand-made network (`_roads`) goes through the real closure machinery (`RoadNetwork`,
`RoadState`, `DisruptionPlan`) into `simulate`::

    station 0 --600 s-- 1 --600 s-- 2 (fire)        heavy appliances: 1.5 × the light time
          \\                        /
           --1000 s-- 3 --1000 s--

and, for the isolation test, a town at node 4 reached from node 1 by a lane (300 s by car) that
heavy appliances cannot use. Incident 0 (a fire at node 2, one engine, 1,800 s on scene) is
called at t = 0; incident 1 (a flood, no unit needed) closes roads at its call.
"""

from __future__ import annotations

import math
from dataclasses import replace

import networkx as nx
import numpy as np
import pytest

from sim.model.engine import Demand, DisruptionPlan, simulate
from sim.model.travel import RoadState
from sim.network import edges_of
from sim.network.roads import RoadNetwork
from tests.model.helpers import make_fleet, make_incidents

LIGHT = {(0, 1): 600.0, (1, 2): 600.0, (0, 3): 1000.0, (3, 2): 1000.0}
LANE = (1, 4)  # light 300 s, heavy: no way


def _roads(*, lane: bool = False) -> RoadNetwork:
    G = nx.MultiDiGraph(crs="epsg:4326", name="roads")
    for k in range(5 if lane else 4):
        G.add_node(k, x=113.5 + 0.05 * k, y=24.8)
    roads = dict(LIGHT)
    if lane:
        roads[LANE] = 300.0
    for (a, b), t in roads.items():
        heavy = math.inf if (a, b) == LANE else 1.5 * t
        for u, v in ((a, b), (b, a)):
            G.add_edge(u, v, length=10 * t, travel_time=t, travel_time_heavy=heavy)
    return RoadNetwork.from_graph(G)


def _run(
    closed: list[tuple[int, int]],
    close_at_s: float,
    *,
    duration_s: float = 10_000.0,
    lane: bool = False,
    profile: int = 0,
    until_s: float = 50_000.0,
    stations: tuple[int, ...] = (0,),
):
    """One engine (road profile `profile`: 0 light, 1 heavy) at each node of `stations` (unit
    j at station j); the fire at node 2 is called at t = 0; the flood at `close_at_s` closes the
    roads `closed` (both ways) for `duration_s`. Towns watched for isolation: node 4 when there
    is a lane."""
    net = _roads(lane=lane)
    fnode = np.array(stations)
    profiles = ("heavy", "light")
    out = {p: net.travel_time_matrix(fnode, profile=p) for p in profiles}
    back = {p: net.travel_time_matrix(fnode, profile=p, reverse=True) for p in profiles}
    fleet = replace(
        make_fleet(out["light"], [(j, 0) for j in range(fnode.size)]),
        facility_node=fnode,
        unit_profile=np.full(fnode.size, profile),
        travel_out_s=out,
        travel_back_s=back,
    )
    road = RoadState(net, fnode, out, back, profiles=profiles)
    plan = DisruptionPlan(
        road=road,
        static_edges=np.zeros(0, dtype=np.int64),
        event_edges={1: edges_of(net, closed)},
        event_duration_s={1: duration_s},
        town_nodes=np.array([4]) if lane else np.zeros(0, dtype=np.int64),
        town_names=("town",) if lane else (),
    )
    inc = make_incidents([0.0, close_at_s], [1800.0, 60.0], type_idx=np.array([0, 1]))
    demand = Demand(units=np.array([[1], [0]]), priority=np.array([1, 2]))
    return simulate(
        fleet,
        inc,
        np.array([2, 1]),
        np.zeros(2),
        demand,
        relief=None,
        until_s=until_s,
        disruption=plan,
    )


def test_a_unit_en_route_when_its_road_closes_takes_the_detour():
    """The engine leaves at 0 by 0-1-2 (1,200 s). At 300 s the bridge 1-2 closes: its trip is
    re-timed as if it had taken the detour 0-3-2 from the start, on scene at 0 + 2,000 s (not
    sent home and out again: 300 back + 2,000 = 2,600 s)."""
    out = _run([(1, 2)], 300.0)
    assert (out.rerouted, out.recalled) == (1, 0)
    assert out.first_arrival_s[0] == pytest.approx(2000.0)
    assert out.cleared_s[0] == pytest.approx(2000.0 + 1800.0)
    assert out.units_sent == ((0,), ())
    assert out.n_sent.tolist() == [1, 0]
    # Home by the detour too (the bridge reopens only at 10,300 s): 3,800 + 2,000.
    assert out.journey_log.tolist() == [[0.0, 0.0, 0.0, 5800.0]]


def test_a_road_closing_the_instant_the_unit_arrives_changes_nothing():
    """The bridge 1-2 closes at 1,200 s, the very instant the engine reaches the fire (the
    closure is handled first): the engine is there, not re-routed to 2,000 s."""
    out = _run([(1, 2)], 1200.0)
    assert (out.rerouted, out.recalled) == (0, 0)
    assert out.first_arrival_s[0] == pytest.approx(1200.0)
    assert out.cleared_s[0] == pytest.approx(1200.0 + 1800.0)
    # A heavy appliance is not there yet at 1,200 s (1,800 s by 0-1-2): it takes the detour,
    # 1.5 × 2,000 = 3,000 s.
    heavy = _run([(1, 2)], 1200.0, profile=1)
    assert (heavy.rerouted, heavy.recalled) == (1, 0)
    assert heavy.first_arrival_s[0] == pytest.approx(3000.0)


def test_a_unit_whose_destination_is_cut_off_is_recalled():
    """At 300 s both roads into node 2 close (1-2 and 3-2): no way to the fire. The engine
    turns back, home at 300 + 300 = 600 s (its first trip ends 'recalled'), and the fire asks
    for a unit again (queued, nobody on the way: not re-timed to an infinite arrival)."""
    out = _run([(1, 2), (3, 2)], 300.0, duration_s=1000.0)
    assert (out.rerouted, out.recalled) == (0, 1)
    t = out.trip_log[0]
    assert (t.incident, t.end, t.end_s) == (0, "recalled", 600.0)
    assert math.isnan(t.arrive_s)
    assert out.journey_log[0].tolist() == [0.0, 0.0, 0.0, 600.0]
    assert out.queued[0]


def test_a_town_is_cut_off_when_no_light_vehicle_can_reach_it():
    """The town at node 4 is reached by a lane that heavy appliances cannot use: by car it is
    0-1-4, 900 s, so it is not cut off at the start. At 300 s roads 0-1 and 1-2 close for
    1,000 s: node 1, and the town behind it, is cut off until 1,300 s: one event of
    1,000 s = 0.2778 h (isolation is judged by light vehicles, which reach the most places)."""
    out = _run([(0, 1), (1, 2)], 300.0, duration_s=1000.0, lane=True)
    assert out.isolation_events == 1
    assert out.isolation_h == {"town": pytest.approx(1000.0 / 3600.0)}


def test_a_call_queued_while_cut_off_gets_the_idle_unit_when_the_roads_reopen():
    """As above; the roads reopen at 1,300 s with the engine idle at home since 600 s: it is
    sent to the queued fire then, on scene at 1,300 + 1,200 = 2,500 s, cleared 1,800 s later,
    home at 4,300 + 1,200 = 5,500 s (not left waiting for a unit that never comes home)."""
    out = _run([(1, 2), (3, 2)], 300.0, duration_s=1000.0)
    assert out.first_dispatch_s[0] == 0.0
    assert out.first_arrival_s[0] == pytest.approx(2500.0)
    assert out.cleared_s[0] == pytest.approx(4300.0)
    assert out.units_sent[0] == (0,)
    assert out.journey_log.tolist() == [[0.0, 0.0, 0.0, 600.0], [0.0, 0.0, 1300.0, 5500.0]]
    assert out.unit_busy_s[0] == pytest.approx(600.0 + 4200.0)


def test_on_reopening_the_queued_call_gets_the_nearest_idle_unit():
    """Two engines: unit 0 at node 0 (1,200 s from the fire by 0-1-2), unit 1 at node 3
    (1,000 s by 3-2). Unit 1, the nearer, goes at 0 and is recalled at 300 s (home at 600 s).
    At the reopening (1,300 s) both are idle: the call asks again as at call time, and the
    nearer unit 1 goes again, on scene at 1,300 + 1,000 = 2,300 s (unit 0 would be there at
    2,500 s)."""
    out = _run([(1, 2), (3, 2)], 300.0, duration_s=1000.0, stations=(0, 3))
    assert out.recalled == 1
    assert out.units_sent[0] == (1,)  # the recalled trip is not counted as sent
    assert out.first_arrival_s[0] == pytest.approx(2300.0)
    assert out.unit_trips.tolist() == [0, 2]
    # Home by 3-2 once cleared: 2,300 + 1,800 + 1,000 = 5,100 s.
    assert out.journey_log.tolist() == [[1.0, 0.0, 0.0, 600.0], [1.0, 0.0, 1300.0, 5100.0]]
