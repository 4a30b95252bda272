"""Tests of sim.model.travel: closures on the road state, the flight-window rule."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import networkx as nx
import numpy as np
import pytest

from sim.model.travel import AirFleet, RoadState, TravelModel
from sim.physics import aviation
from sim.workflows.common import load_network
from tests.helpers import town_code as _code
from tests.model.helpers import boat_travel, make_fleet


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


def test_flight_window_rule():
    """Take-off waits for daylight and a flight must land before sunset."""
    from sim.model.travel import next_flight_window

    start = date(2025, 6, 21)
    rise, sset = aviation.sun_times(24.81, 113.60, start)
    assert next_flight_window(2 * 3600.0, 1800.0, start) == pytest.approx(rise * 3600, abs=1)
    late = sset * 3600 - 600  # 10 min before sunset, 30 min flight: wait for tomorrow
    nxt = next_flight_window(late, 1800.0, start)
    assert nxt > 86400
    assert math.isfinite(nxt)


def test_crews_on_foot_walk_in_and_vehicles_stop_at_the_road_end():
    """At a forest fire the crew's last leg is the walk-in, a vehicle's the drive to the road end.

    Two units at one facility 1,000 s from the fire's node; the fire's access is 600 s for
    drivers off the network, 300 s to the road end, then a walk of 3,000 s more. Elsewhere (no
    walk) both take the access leg.
    """
    fleet = make_fleet([[1000.0, 1000.0]], [(0, 0), (0, 1)], turnout_s=60.0, n_types=2)
    travel = TravelModel(
        fleet,
        node=np.array([0, 1]),
        access_s=np.array([600.0, 600.0]),
        walk_s=np.array([3300.0, np.nan]),
        lon=np.zeros(2),
        lat=np.zeros(2),
        unit_mode=np.zeros(2, dtype=np.int64),
        air=None,
        start=date(2025, 1, 1),
        unit_walks=np.array([True, False]),
        drive_s=np.array([300.0, np.nan]),
    )
    both = np.array([0, 1])
    assert travel.eta_s(both, 0, 0.0).tolist() == [60 + 1000 + 3300, 60 + 1000 + 300]
    assert travel.legs(1, 0, 0.0).road_s == 1000 + 300
    assert travel.return_s(0, 0, 0.0) == 1000 + 3300
    assert travel.return_s(1, 0, 0.0) == 1000 + 300
    assert travel.eta_s(both, 1, 0.0).tolist() == [60 + 1000 + 600] * 2


# --------------------------------------------------------------------------- boats
def test_a_boat_unit_goes_and_comes_back_the_faster_way():
    """By boat: turnout 60 + road 600 + to the water 120 + put-in 300 + 6 km at 10 m/s 600 =
    1,680 s against 60 + 5,000 + 30 by road. Back: 600 + 300 + 120 + 600 = 1,620 s, no
    turnout. Off the river: road both ways."""
    t = boat_travel()
    u = np.array([0])
    assert t.eta_s(u, 0, 0.0)[0] == pytest.approx(1680.0)
    legs = t.legs(0, 0, 0.0)
    assert (legs.mode, legs.road_s, legs.boat_s) == ("boat", 720.0, 600.0)
    assert legs.total_s == pytest.approx(1680.0)
    assert t.return_s(0, 0, 0.0) == pytest.approx(1620.0)
    assert t.eta_s(u, 1, 0.0)[0] == 60 + 5000 + 30
    assert t.return_s(0, 1, 0.0) == 5000 + 30

    # Road faster than the boat: road both ways, and the legs say so.
    near = boat_travel(road_s=1000.0)
    assert near.eta_s(u, 0, 0.0)[0] == 60 + 1000 + 30
    assert near.legs(0, 0, 0.0).mode == "road"
    assert near.return_s(0, 0, 0.0) == 1000 + 30


def test_a_boat_trip_includes_the_stations_access_leg_both_ways():
    """The same boat unit at a station 90 s off the road network: by boat 60 + 90 + 600 + 120 +
    300 + 600 = 1,770 s out (by road 60 + 90 + 5,000 + 30 = 5,180 s) and 600 + 300 + 120 +
    600 + 90 = 1,710 s back."""
    t = boat_travel(facility_access_s=90.0)
    assert t.eta_s(np.array([0]), 0, 0.0)[0] == pytest.approx(1770.0)
    assert t.return_s(0, 0, 0.0) == pytest.approx(1710.0)
    assert t.eta_s(np.array([0]), 1, 0.0)[0] == pytest.approx(5180.0)


def test_a_river_incident_cut_off_by_road_is_reached_and_left_by_boat():
    """No road to the incident's node (inf): the boat is the only way there and back."""
    t = boat_travel(road_s=math.inf)
    assert t.eta_s(np.array([0]), 0, 0.0)[0] == pytest.approx(1680.0)
    assert t.return_s(0, 0, 0.0) == pytest.approx(1620.0)


# --------------------------------------------------------------------------- daylight
def test_daylight_on_the_simulation_clock_of_a_solar_clock():
    """The engine's daylight: [sunrise, sunset) of `sun_times` on each day of the clock; the
    next change is the next sunrise or sunset; a clock in another time zone shifts both."""
    from sim.model.travel import (
        SolarClock,
        is_daylight,
        next_daylight_change,
        sunrises,
        sunset_after,
    )

    start = date(2025, 2, 15)
    H, D = 3600.0, 86400.0
    rise, sset = aviation.sun_times(24.81, 113.60, start)
    rise2, sset2 = aviation.sun_times(24.81, 113.60, date(2025, 2, 16))
    assert not is_daylight(rise * H - 1, start)
    assert is_daylight(rise * H, start)  # sunrise inclusive
    assert is_daylight(sset * H - 1, start)
    assert not is_daylight(sset * H, start)  # sunset exclusive
    assert next_daylight_change(0.0, start) == pytest.approx(rise * H)
    assert next_daylight_change(rise * H, start) == pytest.approx(sset * H)
    assert next_daylight_change(sset * H, start) == pytest.approx(D + rise2 * H)
    assert sunset_after(sset * H + 1, start) == pytest.approx(D + sset2 * H)
    assert sunrises(2 * D, start) == pytest.approx([rise * H, D + rise2 * H])
    # Aguascalientes (UTC−6, 21.88 N 102.29 W): its own sun on its own clock.
    ags = SolarClock(start, lat=21.88, lon=-102.29, utc_offset_h=-6.0)
    r_ags, s_ags = aviation.sun_times(21.88, -102.29, start, utc_offset_h=-6.0)
    assert 7.0 < r_ags < 7.8  # about 07:25 local in mid-February
    assert next_daylight_change(0.0, ags) == pytest.approx(r_ags * H)
    assert not is_daylight(s_ags * H, ags)
    assert is_daylight(s_ags * H - 1, ags)


def _fresh(net, fnode, closed, profile, reverse):
    """Travel times of a new Dijkstra search on the roads with `closed` edges cut (float32)."""
    factor = np.where(closed, np.inf, 1.0)
    T = net.travel_time_matrix(fnode, profile=profile, reverse=reverse, edge_factor=factor)
    return T.astype(np.float32)


@pytest.mark.parametrize("two_way", [True, False])
def test_road_state_equals_a_fresh_search_after_every_change(two_way):
    """After any sequence of nested closures and reopenings, every facility row equals a new
    Dijkstra search on the current roads, bit for bit, in both directions and profiles.

    Closing recomputes only the trees that used a cut edge; reopening only the rows a reopened
    edge shortens; on two-way closures one search serves both directions. Cutting one
    direction only (``two_way=False``) takes the general path with a search per direction.
    """
    from sim.model.travel import intact_trees

    net = load_network("shaoguan")
    rng = np.random.default_rng(7)
    fnode = np.sort(rng.choice(net.n, size=12, replace=False))
    fnode = np.r_[fnode, fnode[:3]]  # facilities sharing a node share a row
    profiles = ("heavy", "light")
    base_out = {p: _fresh(net, fnode, np.zeros(len(net.edge_u), bool), p, False) for p in profiles}
    base_back = {p: _fresh(net, fnode, np.zeros(len(net.edge_u), bool), p, True) for p in profiles}
    trees = intact_trees(net, fnode, profiles)
    assert trees.twin is not None  # the embedded network is two-way
    road = RoadState(net, fnode, base_out, base_back, profiles=profiles, trees=trees)
    pair = {
        (int(u), int(v)): k for k, (u, v) in enumerate(zip(net.edge_u, net.edge_v, strict=True))
    }
    open_events: list[np.ndarray] = []
    checked = 0
    for step in range(40):
        if open_events and (step % 3 == 2 or len(open_events) > 3):
            road.reopen(open_events.pop(int(rng.integers(len(open_events)))))
        else:
            e = rng.choice(len(net.edge_u), size=int(rng.integers(1, 6)), replace=False)
            if two_way:
                e = np.unique(np.r_[e, [pair[(int(net.edge_v[k]), int(net.edge_u[k]))] for k in e]])
            road.close(e)
            open_events.append(e)
        closed = road.count > 0
        for p in profiles:
            assert np.array_equal(road.out[p], _fresh(net, fnode, closed, p, False))
            assert np.array_equal(road.back[p], _fresh(net, fnode, closed, p, True))
            checked += 1
    while open_events:
        road.reopen(open_events.pop())
    assert road.out is base_out
    assert checked == 80


def test_unit_tables_and_memos_change_no_number(monkeypatch):
    """The per-unit travel tables, the per-incident memos of `TravelModel` and the remembered
    trees of `SearchMemo` change no number.

    Replications of the baseline from March to July (forest fires, boats, helicopters, road
    closures, relief) give the same incident table, bit for bit, with them as without them
    (the per-profile matrix lookups, every tree searched), and when run again with every tree
    under closures remembered from the first run.
    """
    from sim.model import travel
    from sim.model.compile import prepare
    from sim.model.replication import run_replication
    from sim.workflows.common import load
    from tests.helpers import ROOT

    sc = load(
        ROOT / "scenarios" / "shaoguan_baseline.yaml", horizon_days=150, start_date="2025-03-01"
    )
    prep = prepare(sc, load_network(sc.network))
    assert prep.road_trees is not None
    memo = prep.road_trees.searched
    memo.clear()  # nothing remembered from other tests
    fast = [run_replication(prep, r) for r in range(2)]
    rows = len(memo)
    assert rows > 0  # closures were searched and remembered
    again = [run_replication(prep, r) for r in range(2)]  # every tree now remembered
    assert len(memo) == rows
    monkeypatch.setattr(travel, "UNIT_ROWS_MAX_CELLS", 0)
    memo.clear()
    # and now nothing is (restored after the test: the memo is shared by every preparation of
    # this network in the process)
    monkeypatch.setattr(memo, "max_bytes", 0)
    slow = [run_replication(prep, r) for r in range(2)]
    modes = set()
    for a, b in [*zip(fast, slow, strict=True), *zip(again, slow, strict=True)]:
        assert a.incidents.keys() == b.incidents.keys()
        for col, x in a.incidents.items():
            y = b.incidents[col]
            if x.dtype.kind == "f":
                assert np.array_equal(x, y, equal_nan=True), col
            else:
                assert np.array_equal(x, y), col
        assert np.array_equal(a.unit_busy_s, b.unit_busy_s)
        assert a.road_events == b.road_events
        modes |= set(a.incidents["first_mode"])
        assert a.road_events["rerouted"] + a.road_events["recalled"] > 0
    assert {"road", "boat", "air"} <= modes  # every kind of trip was compared


def test_search_memo_gives_back_what_it_kept_and_counts_its_bytes():
    """put/get round trip (read-only arrays), least recently used dropped beyond max_bytes, and
    clear forgets everything including the byte count."""
    from sim.model.travel import SearchMemo

    memo = SearchMemo(max_bytes=160)
    t, p = np.arange(5, dtype=float), np.arange(5, dtype=np.int64)  # 80 bytes together
    memo.put(("a",), t, p)
    got = memo.get(("a",))
    assert got is not None
    assert got[0] is t
    assert not got[0].flags.writeable
    assert (len(memo), memo.bytes) == (1, 80)
    memo.put(("b",), t.copy(), p.copy())
    memo.get(("a",))  # a is now the most recently used
    memo.put(("c",), t.copy(), p.copy())  # 240 > 160: b goes
    assert (memo.get(("b",)), len(memo), memo.bytes) == (None, 2, 160)
    memo.clear()
    assert (len(memo), memo.bytes, memo.get(("a",))) == (0, 0, None)


def test_a_day_only_aircraft_waits_out_a_no_fly_day():
    """A day-only helicopter (no turnout, 50 m/s, 10.1 km from the incident) called at 10:00 on
    a day the weather grounds every aircraft takes off at the next day's sunrise (2025-06-02
    in Shaoguan, about 05:38): ETA = 86,400 + sunrise − 36,000 + 202 s. A night-capable one
    waits for the next flyable day's midnight: 86,400 − 36,000 + 202 s."""
    fleet = make_fleet([[0.0]], [(0, 0), (0, 0)])
    air = AirFleet(
        speed_m_per_s=np.array([50.0, 50.0]),
        night_capable=np.array([False, True]),
        base_lon=np.array([113.60, 113.60]),
        base_lat=np.array([24.80, 24.80]),
    )
    start = date(2025, 6, 1)
    travel = TravelModel(
        fleet,
        node=np.zeros(1, dtype=np.int64),
        access_s=np.zeros(1),
        walk_s=np.full(1, np.nan),
        lon=np.array([113.70]),
        lat=np.array([24.80]),
        unit_mode=np.ones(2, dtype=np.int64),
        air=air,
        start=start,
        no_fly=np.array([True, False]),
    )
    flight = travel.leg_m(113.60, 24.80, 113.70, 24.80) / 50.0
    # 0.1° of longitude at 24.8° N: 111,195 m × 0.1 × cos 24.8° = 10,094 m
    assert flight * 50.0 == pytest.approx(10_094.0, rel=1e-3)
    rise_h = aviation.sun_times(24.81, 113.60, date(2025, 6, 2))[0]
    assert 5.5 < rise_h < 5.75
    eta = travel.eta_s(np.array([0, 1]), 0, 10 * 3600.0)
    assert eta[0] == pytest.approx(86400 + rise_h * 3600 - 36000 + flight, abs=1.0)
    assert eta[1] == pytest.approx(86400 - 36000 + flight)


@pytest.mark.parametrize("tables", [True, False])
def test_a_return_takes_the_reverse_road_home_from_a_cover_post(monkeypatch, tables):
    """Roads differ by direction: home (facility 0) → the incident's node 1,000 s, back
    1,500 s; the cover post (facility 1) → the node 400 s, back 700 s. A unit of facility 0
    standing by at the post drives out from the post but returns home on the reverse matrix:
    1,500 s + the incident's access leg 600 s = 2,100 s, with the per-unit tables and without
    them (a network too large for them: `UNIT_ROWS_MAX_CELLS` = 0 here)."""
    from sim.model import travel as tr

    if not tables:
        monkeypatch.setattr(tr, "UNIT_ROWS_MAX_CELLS", 0)
    back = np.array([[1500.0], [700.0]])
    fleet = make_fleet([[1000.0], [400.0]], [(0, 0)])
    fleet = replace(fleet, travel_back_s={"light": back, "heavy": back})
    t = TravelModel(
        fleet,
        node=np.array([0]),
        access_s=np.array([600.0]),
        walk_s=np.array([np.nan]),
        lon=np.zeros(1),
        lat=np.zeros(1),
        unit_mode=np.zeros(1, dtype=np.int64),
        air=None,
        start=date(2025, 1, 1),
    )
    t.set_base(0, 1)
    assert t.eta_s(np.array([0]), 0, 0.0).tolist() == [400.0 + 600.0]
    assert t.return_s(0, 0, 0.0) == 1500.0 + 600.0
