"""Engine tests on hand-made fleets: exact timelines, invariants, M/M/c, mutual aid, fires."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.aircraft import AirPlan, AirState, MissionPlan
from sim.model.engine import Demand, FirePlan, ReliefPlan, simulate
from sim.model.staffing import StaffState
from sim.model.travel import AirFleet, TravelModel, is_daylight
from sim.physics import aviation
from tests.helpers import ROOT
from tests.model.helpers import make_fleet, make_incidents, make_staff_plan, one_type_demand


def test_single_incident_timeline():
    """Turnout, travel, work and return follow each other exactly."""
    fleet = make_fleet([[0.0, 600.0]], [(0, 0)], turnout_s=60)
    inc = make_incidents([100.0], [1800.0])
    out = simulate(
        fleet, inc, np.array([1]), np.array([30.0]), one_type_demand(), relief=None, until_s=1e5
    )
    assert out.first_dispatch_s[0] == 100.0
    assert out.first_arrival_s[0] == pytest.approx(100 + 60 + 600 + 30)
    assert out.cleared_s[0] == pytest.approx(790 + 1800)
    # Busy from dispatch to return home: eta + work + return (600 + 30).
    assert out.unit_busy_s[0] == pytest.approx(690 + 1800 + 630)


def test_nearest_unit_is_sent_and_second_incident_gets_the_other():
    """The nearer station answers; while busy, the next call goes to the farther one."""
    fleet = make_fleet([[100.0, 0.0], [500.0, 0.0]], [(0, 0), (1, 0)])
    inc = make_incidents([0.0, 10.0], [3600.0, 3600.0])
    out = simulate(
        fleet, inc, np.array([0, 0]), np.zeros(2), one_type_demand(), relief=None, until_s=1e5
    )
    assert out.units_sent == ((0,), (1,))
    assert out.first_arrival_s.tolist() == [100.0, 510.0]


def test_queue_serves_higher_priority_first():
    """The only unit busy: a later priority-1 call is served before an earlier priority-3 call."""
    fleet = make_fleet([[0.0]], [(0, 0)])
    demand = Demand(units=np.array([[1], [1]]), priority=np.array([3, 1]))
    inc = make_incidents([0.0, 10.0, 20.0], [100.0, 100.0, 100.0], type_idx=np.array([0, 0, 1]))
    out = simulate(
        fleet, inc, np.zeros(3, dtype=np.int64), np.zeros(3), demand, relief=None, until_s=1e4
    )
    assert out.first_arrival_s.tolist() == [0.0, 200.0, 100.0]
    assert out.queued.tolist() == [False, True, True]


def test_partial_dispatch_then_reinforcement():
    """Two units needed, one free: one goes at once, the second when the other incident clears."""
    fleet = make_fleet([[0.0]], [(0, 0), (0, 0)])
    demand = Demand(units=np.array([[1], [2]]), priority=np.array([1, 1]))
    inc = make_incidents([0.0, 1.0], [50.0, 100.0], type_idx=np.array([0, 1]))
    out = simulate(
        fleet, inc, np.zeros(2, dtype=np.int64), np.zeros(2), demand, relief=None, until_s=1e4
    )
    assert out.first_arrival_s[1] == 1.0
    assert out.all_arrived_s[1] == 50.0  # the first incident's unit comes back at t=50
    assert out.cleared_s[1] == 101.0  # work started at first arrival and took 100 s
    assert out.n_sent.tolist() == [1, 2]


def test_incident_clears_with_partial_crew_after_two_work_times():
    """If the complement never arrives, a partial crew works at most 2 × the on-scene time."""
    fleet = make_fleet([[0.0]], [(0, 0)])
    inc = make_incidents([0.0], [100.0])
    out = simulate(
        fleet,
        inc,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        one_type_demand(2),
        relief=None,
        until_s=1e4,
    )
    assert out.cleared_s[0] == 200.0
    assert math.isnan(out.all_arrived_s[0])


def test_unserved_incidents_are_reported_not_dropped():
    """An incident needing a unit type nobody has stays in the output with NaN times."""
    fleet = make_fleet([[0.0]], [(0, 0)], n_types=2)
    demand = Demand(units=np.array([[0, 1]]), priority=np.array([1]))
    inc = make_incidents([0.0, 5.0], [10.0, 10.0])
    out = simulate(
        fleet, inc, np.zeros(2, dtype=np.int64), np.zeros(2), demand, relief=None, until_s=100
    )
    assert np.isnan(out.first_arrival_s).all()
    assert out.queued.all()


def test_relief_from_nearest_depot_then_next():
    """Relief goes to the nearest depot with stock; the overflow goes to the next one."""
    travel = np.array([[3600.0], [7200.0]])
    fleet = make_fleet(travel, [(0, 0), (1, 0)], capacity_people=1000)
    plan = ReliefPlan(
        depot_facility=np.array([0, 1]),
        stock=np.array([[300.0], [5000.0]]),
        per_person=np.array([1.0]),
        depot_trucks=(np.array([0]), np.array([1])),
        truck_profile="light",
        assessment_delay_s=1800.0,
        loading_s=600.0,
        max_depots=3,
    )
    demand = Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1]))
    inc = make_incidents([0.0], [10.0], people=np.array([800]))
    out = simulate(
        fleet, inc, np.zeros(1, dtype=np.int64), np.zeros(1), demand, relief=plan, until_s=1e5
    )
    assert out.relief_s[0] == pytest.approx(1800 + 600 + 3600)
    assert out.relief_depots[0] == (0, 1)
    assert out.final_stock[:, 0].tolist() == [0.0, 4500.0]
    assert out.relief_unmet_people[0] == 0


def test_relief_unmet_when_stock_runs_out():
    """Need beyond all stock is recorded as unmet, and relief still starts from what exists."""
    fleet = make_fleet([[600.0]], [(0, 0)], capacity_people=100)
    plan = ReliefPlan(
        np.array([0]), np.array([[150.0]]), np.array([1.0]), (np.array([0]),), "light", 0.0, 0.0, 3
    )
    demand = Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1]))
    inc = make_incidents([0.0], [10.0], people=np.array([400]))
    out = simulate(
        fleet, inc, np.zeros(1, dtype=np.int64), np.zeros(1), demand, relief=plan, until_s=1e5
    )
    assert out.relief_unmet_people[0] == 250
    assert out.relief_s[0] == 600.0
    # 150 people in truckloads of 100: two round trips of 1,200 s.
    assert out.unit_trips[0] == 2


def _erlang_c_wait(lam: float, mu: float, c: int) -> float:
    a = lam / mu
    s = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (s + top) / (c * mu - lam)


def test_mmc_waiting_time_matches_erlang_c():
    """With zero travel, the engine is an M/M/c queue: mean wait matches Erlang C within the CI."""
    lam, mu, c = 3.0, 1.0, 4  # per hour; utilisation 0.75
    fleet = make_fleet([[0.0]], [(0, 0)] * c)
    waits = []
    for r in range(20):
        rng = np.random.default_rng(1000 + r)
        n = rng.poisson(lam * 2000)
        t = np.sort(rng.uniform(0, 2000 * 3600, n))
        dur = rng.exponential(3600 / mu, n)
        out = simulate(
            fleet,
            make_incidents(t, dur),
            np.zeros(n, dtype=np.int64),
            np.zeros(n),
            one_type_demand(),
            relief=None,
            until_s=2000 * 3600 + 1e6,
        )
        waits.append(float(np.mean(out.first_dispatch_s - t)) / 3600)
    m = np.mean(waits)
    half = 2.093 * np.std(waits, ddof=1) / math.sqrt(len(waits))  # t(0.975, 19)
    expected = _erlang_c_wait(lam, mu, c)
    assert abs(m - expected) < max(half, 0.02 * expected), (m, half, expected)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 40),
    n_units=st.integers(1, 4),
    need=st.integers(1, 3),
    seed=st.integers(0, 10_000),
)
def test_invariants(n, n_units, need, seed):
    """Response ≥ travel ≥ 0; no unit on two incidents at once; every incident accounted for."""
    rng = np.random.default_rng(seed)
    travel = rng.uniform(0, 3000, size=(2, 5))
    fleet = make_fleet(travel, [(int(rng.integers(2)), 0) for _ in range(n_units)], turnout_s=60)
    t = np.sort(rng.uniform(0, 20_000, n))
    dur = rng.uniform(100, 5000, n)
    node = rng.integers(0, 5, n)
    access = rng.uniform(0, 300, n)
    out = simulate(
        fleet, make_incidents(t, dur), node, access, one_type_demand(need), relief=None, until_s=1e7
    )
    assert len(out.first_arrival_s) == n
    assert not np.isnan(out.cleared_s).any()  # with a long drain everything clears
    min_travel = travel[:, node].min(axis=0) + 60 + access
    assert (out.first_arrival_s - t >= min_travel - 1e-6).all()
    assert (out.first_dispatch_s >= t - 1e-6).all()  # simpy adds delays to `now`: float rounding
    log = out.journey_log
    for u in np.unique(log[:, 0]):
        spans = log[log[:, 0] == u][:, 2:]
        spans = spans[np.argsort(spans[:, 0])]
        assert (spans[1:, 0] >= spans[:-1, 1] - 1e-9).all(), spans
    assert sorted(log[:, 1].astype(int).tolist()) == sorted(
        i for i, s in enumerate(out.units_sent) for _ in s
    )
    assert (out.n_sent <= need).all()


@pytest.mark.parametrize("seed", range(8))
def test_engine_matches_independent_heapq_loop(seed):
    """The simpy engine and a hand-written heapq loop with the same rules agree on every time."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bare_loop import simulate_heapq

    rng = np.random.default_rng(seed)
    fleet = make_fleet(
        rng.uniform(0, 3000, (3, 6)),
        [(int(rng.integers(3)), int(rng.integers(2))) for _ in range(5)],
        turnout_s=60,
        n_types=2,
    )
    n = 200
    demand = Demand(units=np.array([[1, 1], [2, 0]]), priority=np.array([2, 1]))
    inc = make_incidents(
        np.sort(rng.uniform(0, 50_000, n)),
        rng.uniform(100, 5000, n),
        type_idx=rng.integers(0, 2, n),
    )
    node, acc = rng.integers(0, 6, n), rng.uniform(0, 300, n)
    a = simulate(fleet, inc, node, acc, demand, relief=None, until_s=1e7)
    first, allarr, cleared = simulate_heapq(fleet, inc, node, acc, demand, until_s=1e7)
    np.testing.assert_allclose(a.first_arrival_s, first)
    np.testing.assert_allclose(a.all_arrived_s, allarr)
    np.testing.assert_allclose(a.cleared_s, cleared)
    assert a.queued.any()  # the workload really exercises the queue


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


def _one_fire(
    t_s: float, *, ros: float, heli: bool, detect_s: float = 0.0, ground_travel_s: float = 7200.0
):
    """Simulate one fire on an abstract network: one ground team and optionally one helicopter."""
    units = [(0, 0)] + ([(1, 1)] if heli else [])
    fleet = make_fleet([[ground_travel_s], [ground_travel_s]], units, n_types=2)
    inc = make_incidents([t_s], [3600.0])
    need = np.array([[1, 1 if heli else 0]])
    from sim.model.engine import Demand

    demand = Demand(units=need, priority=np.array([1]))
    mode = np.array([0] + ([1] if heli else []))
    air = AirFleet(
        speed_m_per_s=np.array([np.nan, 0.8 * 232 / 3.6][: len(units)]),
        night_capable=np.zeros(len(units), dtype=bool),
        base_lon=np.array([113.60, 113.60][: len(units)]),
        base_lat=np.array([24.80, 24.80][: len(units)]),
    )
    inc = inc.__class__(
        **{
            **{f: getattr(inc, f) for f in inc.__dataclass_fields__},
            "lon": np.array([113.9]),
            "lat": np.array([24.9]),
        }
    )
    start = date(2025, 1, 15)
    travel = TravelModel(
        fleet,
        node=np.zeros(1, dtype=np.int64),
        access_s=np.zeros(1),
        walk_s=np.zeros(1),
        lon=inc.lon,
        lat=inc.lat,
        unit_mode=mode,
        air=air,
        start=start,
    )
    n_u = len(units)
    plan = FirePlan(
        is_fire=np.array([True]),
        ros_m_per_h=np.array([ros]),
        lb_ratio=np.array([2.0]),
        back_ratio=np.array([0.1]),
        night_factor=np.array([0.4]),
        initial_radius_m=np.array([0.0]),
        step_s=np.array([600.0]),
        water_dist_m=np.array([10_000.0]),
        unit_fireline_m_per_h=np.array([150.0, 0.0][:n_u]),
        unit_line_per_drop_m=np.array([0.0, 30.0][:n_u]),
        unit_bucket_speed_kph=np.array([np.nan, 130.0][:n_u]),
        unit_fill_s=np.array([0.0, 90.0][:n_u]),
        unit_drop_s=np.array([0.0, 30.0][:n_u]),
        unit_night_capable=np.zeros(n_u, dtype=bool),
        start=start,
    )
    return simulate(
        fleet,
        inc,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        demand,
        relief=None,
        until_s=30 * 86400.0,
        travel=travel,
        fires=plan,
        report_s=np.array([t_s + detect_s]),
    ), start


def test_no_helicopter_flies_at_night():
    """A fire reported at 23:00 gets its helicopter only after sunrise (and before sunset)."""
    t = 23 * 3600.0
    # Fast enough that one ground team cannot hold it overnight, so the helicopter is still needed.
    out, start = _one_fire(t, ros=400.0, heli=True)
    sunrise = aviation.next_daylight_start_s(t, start, 24.81, 113.60)
    assert sunrise > t + 6 * 3600  # next morning
    assert out.first_air_arrival_s[0] > sunrise
    assert is_daylight(out.first_air_arrival_s[0], start)
    # The ground team drove through the night and was first.
    assert out.first_ground_arrival_s[0] == pytest.approx(t + 7200.0)
    assert out.first_mode[0] == "road"


def test_zero_growth_fire_is_out_when_the_first_crew_arrives():
    """Zero rate of spread and initial size: contained the moment the first crew is on scene."""
    out, _ = _one_fire(10 * 3600.0, ros=0.0, heli=False)
    assert out.contained_s[0] == pytest.approx(out.first_arrival_s[0])
    assert out.burned_ha[0] == 0.0


@pytest.mark.parametrize("t_h", [2.0, 10.0, 15.0])
def test_burned_area_grows_with_detection_delay(t_h):
    """The later a fire is reported, the larger it is when contained (same crews, same fire)."""
    areas = [
        _one_fire(t_h * 3600.0, ros=80.0, heli=False, detect_s=d * 3600.0)[0].burned_ha[0]
        for d in (0, 1, 3, 6)
    ]
    assert all(b >= a for a, b in itertools.pairwise(areas)), areas
    assert areas[-1] > areas[0]


def test_relief_reaches_every_household_after_last_mile_and_hand_out():
    """One truck of 100 people's supplies, 250 people: three loads, each handed out at 50/h.

    Request at 1,800 s; each trip: loading 600 s, 3,600 s out, 3,600 s back. Loads arrive at
    6,000, 13,800 and 21,600 s; each takes the 1,800 s last mile and 100 (then 50) people /
    50 per h to hand out. The households are all served at 21,600 + 1,800 + 3,600 s; the first
    delivery at the scene is still the first arrival.
    """
    fleet = make_fleet([[3600.0]], [(0, 0)], capacity_people=100)
    plan = ReliefPlan(
        depot_facility=np.array([0]),
        stock=np.array([[1000.0]]),
        per_person=np.array([1.0]),
        depot_trucks=(np.array([0]),),
        truck_profile="light",
        assessment_delay_s=1800.0,
        loading_s=600.0,
        max_depots=1,
        handout_people_per_h=50.0,
        last_mile_s=1800.0,
    )
    demand = Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1]))
    inc = make_incidents([0.0], [10.0], people=np.array([250]))
    out = simulate(
        fleet, inc, np.zeros(1, dtype=np.int64), np.zeros(1), demand, relief=plan, until_s=1e5
    )
    assert out.relief_s[0] == 1800 + 600 + 3600
    assert out.unit_trips[0] == 3
    assert out.relief_done_s[0] == pytest.approx(21600 + 1800 + 50 / 50 * 3600)
    # Without hand-out and last mile the households count as served when the last load arrives.
    quick = simulate(
        fleet,
        inc,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        demand,
        relief=replace(plan, handout_people_per_h=math.inf, last_mile_s=0.0),
        until_s=1e5,
    )
    assert quick.relief_done_s[0] == 21600


def test_relief_never_reaches_every_household_when_stock_runs_out():
    """Need beyond all stock: the first load still arrives, the households are never all served."""
    fleet = make_fleet([[600.0]], [(0, 0)], capacity_people=100)
    plan = ReliefPlan(
        np.array([0]), np.array([[150.0]]), np.array([1.0]), (np.array([0]),), "light", 0.0, 0.0, 3
    )
    demand = Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1]))
    inc = make_incidents([0.0], [10.0], people=np.array([400]))
    out = simulate(
        fleet, inc, np.zeros(1, dtype=np.int64), np.zeros(1), demand, relief=plan, until_s=1e5
    )
    assert out.relief_s[0] == 600.0
    assert math.isnan(out.relief_done_s[0])


# -- staff and aircraft ---------------------------------------------------------------------
def test_a_unit_waits_for_its_crew_to_come_on_duty():
    """The engine's crew (watch 1 of two 24 h watches changing at 08:00) is off at 09:00; the
    call waits and the engine leaves at the change of shift, 32 h, exactly."""
    fleet = make_fleet([[0.0, 600.0]], [(0, 0)], turnout_s=60)
    plan = make_staff_plan([(0, 0, 1, 5)], unit_crew=np.array([[5, 0]]), watches=2)
    staff = StaffState(plan, np.zeros((5, 10), dtype=bool))
    inc = make_incidents([9 * 3600.0], [1800.0])
    out = simulate(
        fleet,
        inc,
        np.array([1]),
        np.zeros(1),
        one_type_demand(),
        relief=None,
        until_s=3 * 86400.0,
        staff=staff,
    )
    assert out.first_dispatch_s[0] == 32 * 3600.0
    assert out.first_arrival_s[0] == pytest.approx(32 * 3600.0 + 60 + 600)
    assert out.queued[0]
    assert out.crew_log == ((0, 0, 32 * 3600.0, (0, 1, 2, 3, 4)),)


def test_two_units_share_one_crew_pool():
    """Two engines, 7 firefighters on duty, 5 per engine: the second call waits for the first
    crew to come back, although the second engine stands idle."""
    fleet = make_fleet([[0.0, 300.0]], [(0, 0), (0, 0)])
    plan = make_staff_plan([(0, 0, 0, 7)], unit_crew=np.array([[5, 0], [5, 0]]))
    staff = StaffState(plan, np.zeros((7, 10), dtype=bool))
    inc = make_incidents([10 * 3600.0, 10 * 3600.0 + 60], [1200.0, 600.0])
    out = simulate(
        fleet,
        inc,
        np.array([1, 1]),
        np.zeros(2),
        one_type_demand(),
        relief=None,
        until_s=2 * 86400.0,
        staff=staff,
    )
    back = 10 * 3600.0 + 300 + 1200 + 300  # first crew home
    assert out.first_dispatch_s[1] == pytest.approx(back)
    assert out.units_sent == ((0,), (0,))  # the same engine: the first one is nearer in order


@pytest.mark.parametrize("delay_h", [0.0, 0.5])
def test_called_back_staff_crew_the_idle_engine_as_soon_as_they_arrive(delay_h):
    """Two engines, 5 firefighters a crew, watch 0 (5) on duty from 08:00, watch 1 (5) off.

    09:00: a fire takes engine 0 and the whole watch (2 h on scene, 600 s away: home at
    09:00 + 60 + 600 + 7,200 + 600 s = 11:21). 09:01: a flood with 20 people (threshold 10)
    finds engine 1 idle without a crew and calls the off watch back (share 1): they arrive
    `delay_h` later and take engine 1 out at once: 09:01 + delay. Not when engine 0 comes home
    (11:21), whatever the delay, zero included.
    """
    fleet = make_fleet([[0.0, 600.0]], [(0, 0), (0, 0)], turnout_s=60)
    plan = make_staff_plan(
        [(0, 0, 0, 5), (0, 0, 1, 5)],
        unit_crew=np.array([[5, 0], [5, 0]]),
        watches=2,
        callback=(delay_h, 1.0, 4.0),
    )
    staff = StaffState(replace(plan, callback_threshold_people=10), np.zeros((10, 10), dtype=bool))
    t0, t1 = 9 * 3600.0, 9 * 3600.0 + 60
    inc = make_incidents([t0, t1], [7200.0, 1800.0], people=np.array([0, 20]))
    out = simulate(
        fleet,
        inc,
        np.array([1, 1]),
        np.zeros(2),
        one_type_demand(),
        relief=None,
        until_s=86400.0,
        staff=staff,
    )
    assert out.first_dispatch_s.tolist() == [t0, t1 + delay_h * 3600]
    assert out.units_sent == ((0,), (1,))
    assert out.crew_log[1] == (1, 1, t1 + delay_h * 3600, (5, 6, 7, 8, 9))


def _air_setup(start: date, lon: float = 113.9, lat: float = 24.9):
    fleet = make_fleet([[0.0]], [(0, 0)], turnout_s=600)
    air = AirFleet(
        speed_m_per_s=np.array([50.0]),
        night_capable=np.zeros(1, dtype=bool),
        base_lon=np.array([113.60]),
        base_lat=np.array([24.80]),
    )
    travel = TravelModel(
        fleet,
        node=np.zeros(1, dtype=np.int64),
        access_s=np.zeros(1),
        walk_s=np.full(1, np.nan),
        lon=np.array([lon]),
        lat=np.array([lat]),
        unit_mode=np.array([1]),
        air=air,
        start=start,
    )
    return fleet, travel


def _air_plan(failures: list[float], repairs: list[float]) -> AirPlan:
    return AirPlan(
        inspection_every_s=np.array([math.inf]),
        inspection_s=np.zeros(1),
        annual_at_s=np.array([math.nan]),
        annual_s=np.zeros(1),
        failure_at_s=(np.array(failures),),
        repair_s=(np.array(repairs),),
        no_fly_day=None,
        usable_range_m=np.array([math.inf]),
        refuel_s=np.zeros(1),
        air_units=np.array([0]),
    )


def test_an_aircraft_under_repair_is_not_sent():
    """A helicopter failing at 10:00 with a 2 h repair takes a 11:00 call at 12:00."""
    start = date(2025, 6, 1)
    fleet, travel = _air_setup(start)
    air = AirState(_air_plan([10 * 3600.0], [2 * 3600.0]))
    inc = make_incidents([11 * 3600.0], [1800.0])
    out = simulate(
        fleet,
        inc,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        one_type_demand(),
        relief=None,
        until_s=86400.0,
        travel=travel,
        air=air,
        ops=True,
    )
    flight = travel.flight_s(0, 0)
    assert out.first_dispatch_s[0] == pytest.approx(12 * 3600.0)
    assert out.first_arrival_s[0] == pytest.approx(12 * 3600.0 + 600 + flight)
    assert air.log == [(0, 10 * 3600.0, 12 * 3600.0, "failure")]


def test_a_mission_aircraft_leaves_after_its_mission():
    """A hoist mission works 30 min on scene and flies home; the incident clears later."""
    start = date(2025, 6, 1)
    fleet, travel = _air_setup(start)
    missions = MissionPlan(
        kind=np.array([0]),
        unit_type=np.array([0]),
        units=np.array([1]),
        drawn=np.array([True]),
        min_ground_eta_s=np.array([math.inf]),
        on_scene_s=np.array([1800.0]),
        handover_s=np.zeros(1),
        hospital_lon=np.full(1, np.nan),
        hospital_lat=np.full(1, np.nan),
    )
    demand = Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1]))
    inc = make_incidents([11 * 3600.0], [4 * 3600.0])
    out = simulate(
        fleet,
        inc,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        demand,
        relief=None,
        until_s=86400.0,
        travel=travel,
        missions=missions,
        ops=True,
    )
    flight = travel.flight_s(0, 0)
    arrive = 11 * 3600.0 + 600 + flight
    assert out.air_mission == ("hoist",)
    assert out.first_air_arrival_s[0] == pytest.approx(arrive)
    assert out.journey_log[0, 3] == pytest.approx(arrive + 1800 + flight)  # home
    assert out.cleared_s[0] == pytest.approx(arrive + 4 * 3600.0)
    assert out.unit_flight_s[0] == pytest.approx(2 * flight + 1800)  # hovering is flying


def test_without_aircraft_rules_only_the_flights_out_and_back_are_flight_time():
    """The same hoist mission with the aircraft rules off (`ops`): the helicopter still works
    30 min on scene, but only its flights out and back count as flight time (2 × the flight);
    under the rules the 1,800 s of hovering count too (the test above)."""
    start = date(2025, 6, 1)
    fleet, travel = _air_setup(start)
    missions = MissionPlan(
        kind=np.array([0]),
        unit_type=np.array([0]),
        units=np.array([1]),
        drawn=np.array([True]),
        min_ground_eta_s=np.array([math.inf]),
        on_scene_s=np.array([1800.0]),
        handover_s=np.zeros(1),
        hospital_lon=np.full(1, np.nan),
        hospital_lat=np.full(1, np.nan),
    )
    demand = Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1]))
    out = simulate(
        fleet,
        make_incidents([11 * 3600.0], [4 * 3600.0]),
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        demand,
        relief=None,
        until_s=86400.0,
        travel=travel,
        missions=missions,
    )
    flight = travel.flight_s(0, 0)
    assert out.journey_log[0, 3] == pytest.approx(11 * 3600.0 + 600 + flight + 1800 + flight)
    assert out.unit_flight_s[0] == pytest.approx(2 * flight)


# -- forest fires on the engine's own path: containment by hand -------------------------------
#
# A point fire (r0 = 0) keeps its shape, so its perimeter is K · h with h the head's distance
# from the ignition point: a = (1 + back) h / 2, b = a / LB and, exactly, P = 4 a E(1 − b²/a²).
# One crew building line at w m/h from t_a on contains a fire spreading at a constant R at
# t = w · t_a / (w − K · R) (times from ignition). scipy's complete elliptic integral is the
# reference, independent of the Ramanujan formula the model uses (they differ by < 1e-6).
FIRE_DAY = date(2025, 6, 21)  # Shaoguan: sunrise 05:37, sunset 19:18 (docs/fire-aviation.md)
FIRE_LON, FIRE_LAT = 113.70, 24.80
HELI_LON, HELI_LAT = 113.60, 24.80
HELI_KPH = 232.0


def _k_perimeter(lb: float = 2.0, back: float = 0.1) -> float:
    """Perimeter per metre of head advance of a point fire, by the exact ellipse perimeter."""
    from scipy.special import ellipe

    a = (1.0 + back) / 2.0
    b = a / lb
    return float(4 * a * ellipe(1.0 - (b / a) ** 2))


def _area_ha(head_m: float, lb: float = 2.0, back: float = 0.1) -> float:
    a = (1.0 + back) / 2.0 * head_m
    return math.pi * a * (a / lb) / 10_000.0


def _bucket_line_m_per_h(water_m: float, duty: float = 1.0) -> float:
    """30 m of line per drop; a drop every 2 · d / (130 km/h) + 90 s fill + 30 s drop."""
    return 30.0 * 3600.0 / (2 * water_m / (130 / 3.6) + 90 + 30) * duty


def _heli_flight_s() -> float:
    from sim.geo import haversine_m

    return float(haversine_m(HELI_LON, HELI_LAT, FIRE_LON, FIRE_LAT)) / (0.8 * HELI_KPH / 3.6)


def _sun_s(day: int) -> tuple[float, float]:
    rise_h, set_h = aviation.sun_times(24.81, 113.60, FIRE_DAY + timedelta(days=day))
    return day * 86400 + rise_h * 3600, day * 86400 + set_h * 3600


def _fire(
    t0_s: float,
    *,
    ros: float,
    ground_s: float | None = 3600.0,
    fireline: float = 150.0,
    heli: bool = False,
    night_capable: bool = False,
    water_m: float = 2_000.0,
    detect_s: float = 0.0,
    rain_day: int | None = None,
    rain_factor: float = 0.5,
    duty: float | None = None,
    max_area_ha: float = math.inf,
    until_s: float = 4 * 86400.0,
    on_scene_s: float = 3600.0,
):
    """One forest fire simulated by the engine: a ground team `ground_s` away by road (None:
    none) and/or a helicopter ~10 km away (no turnout); optional rain on one calendar day."""
    units = ([(0, 0)] if ground_s is not None else []) + ([(1, 1)] if heli else [])
    n_u = len(units)
    air_u = np.array([k == 1 for _, k in units], dtype=bool)
    fleet = make_fleet([[ground_s or 0.0], [0.0]], units, n_types=2)
    need = np.array([[int(ground_s is not None), int(heli)]])
    inc = replace(
        make_incidents([t0_s], [on_scene_s]), lon=np.array([FIRE_LON]), lat=np.array([FIRE_LAT])
    )
    air = AirFleet(
        speed_m_per_s=np.where(air_u, 0.8 * HELI_KPH / 3.6, np.nan),
        night_capable=air_u & night_capable,
        base_lon=np.full(n_u, HELI_LON),
        base_lat=np.full(n_u, HELI_LAT),
    )
    travel = TravelModel(
        fleet,
        node=np.zeros(1, dtype=np.int64),
        access_s=np.zeros(1),
        walk_s=np.zeros(1),
        lon=inc.lon,
        lat=inc.lat,
        unit_mode=air_u.astype(np.int64),
        air=air,
        start=FIRE_DAY,
    )
    rain = np.zeros((1, 16), dtype=bool)
    if rain_day is not None:
        rain[0, rain_day] = True
    plan = FirePlan(
        is_fire=np.array([True]),
        ros_m_per_h=np.array([ros]),
        lb_ratio=np.array([2.0]),
        back_ratio=np.array([0.1]),
        night_factor=np.array([0.4]),
        initial_radius_m=np.array([0.0]),
        step_s=np.array([600.0]),
        water_dist_m=np.array([water_m]),
        unit_fireline_m_per_h=np.where(air_u, 0.0, fireline),
        unit_line_per_drop_m=np.where(air_u, 30.0, 0.0),
        unit_bucket_speed_kph=np.where(air_u, 130.0, np.nan),
        unit_fill_s=np.where(air_u, 90.0, 0.0),
        unit_drop_s=np.where(air_u, 30.0, 0.0),
        unit_night_capable=air_u & night_capable,
        start=FIRE_DAY,
        rain_days=rain,
        rain_factor=np.array([rain_factor]),
        max_area_ha=np.array([max_area_ha]),
        unit_bucket_duty=None if duty is None else np.where(air_u, duty, 1.0),
    )
    return simulate(
        fleet,
        inc,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        Demand(units=need, priority=np.array([1])),
        relief=None,
        until_s=until_s,
        travel=travel,
        fires=plan,
        report_s=np.array([t0_s + detect_s]),
    )


def test_one_ground_team_contains_a_fire_when_its_line_catches_the_perimeter():
    """08:00 ignition, reported after 30 min, a team 1 h away: work starts at 1.5 h. R = 40 m/h,
    w = 150 m/h: contained 150 · 1.5 / (150 − 40 K) = 5.18 h after ignition, in daylight;
    the burned area is that of the ellipse then; mop-up (1 h) follows."""
    t0 = 8 * 3600.0
    out = _fire(t0, ros=40.0, detect_s=1800.0)
    k = _k_perimeter()
    t_c = 150 * 1.5 / (150 - k * 40) * 3600
    assert k == pytest.approx(2.6644, abs=1e-4)
    assert out.first_arrival_s[0] == t0 + 1800 + 3600
    assert out.contained_s[0] == pytest.approx(t0 + t_c, rel=1e-6)
    assert out.burned_ha[0] == pytest.approx(_area_ha(40 * t_c / 3600), rel=1e-5)
    assert out.cleared_s[0] == pytest.approx(t0 + t_c + 3600, rel=1e-6)


def test_rain_slows_the_fire_before_and_after_the_crew_arrives():
    """The same fire on a rainy ignition day (spread × 0.5, free burning included): R = 20."""
    t0 = 8 * 3600.0
    out = _fire(t0, ros=40.0, detect_s=1800.0, rain_day=0, rain_factor=0.5)
    t_c = 150 * 1.5 / (150 - _k_perimeter() * 20) * 3600
    assert out.contained_s[0] == pytest.approx(t0 + t_c, rel=1e-6)
    assert out.burned_ha[0] == pytest.approx(_area_ha(20 * t_c / 3600), rel=1e-5)
    # Rain on the next calendar day does not touch a fire contained on the first.
    dry = _fire(t0, ros=40.0, detect_s=1800.0, rain_day=1)
    assert dry.contained_s[0] == pytest.approx(t0 + 150 * 1.5 / (150 - _k_perimeter() * 40) * 3600)


def test_a_fire_spreads_at_the_night_factor_until_sunrise():
    """Ignition at 22:00, the team arrives at 23:00; at night R × 0.4 = 40 m/h: contained
    150 / (150 − 40 K) h after ignition, before sunrise."""
    t0 = 22 * 3600.0
    out = _fire(t0, ros=100.0)
    t_c = 150 * 1.0 / (150 - _k_perimeter() * 40) * 3600
    assert t0 + t_c < _sun_s(1)[0]
    assert out.contained_s[0] == pytest.approx(t0 + t_c, rel=1e-6)


def test_one_helicopter_contains_a_fire_with_its_bucket_drops():
    """A helicopter alone, 09:00: it flies 10.1 km (0.8 × 232 km/h) and drops 30 m of line
    every 2 · 2 km / (130 km/h) + 120 s = 230.8 s, 468 m/h; R = 100 m/h."""
    t0 = 9 * 3600.0
    out = _fire(t0, ros=100.0, ground_s=None, heli=True)
    w = _bucket_line_m_per_h(2_000.0)
    t_a = _heli_flight_s()
    assert w == pytest.approx(468.0, abs=0.1)
    assert out.first_air_arrival_s[0] == pytest.approx(t0 + t_a)
    t_c = w * t_a / (w - _k_perimeter() * 100)
    assert out.contained_s[0] == pytest.approx(t0 + t_c, rel=1e-6)
    # Half the time spent refuelling halves the line: 234 m/h.
    half = _fire(t0, ros=60.0, ground_s=None, heli=True, duty=0.5)
    t_c = w / 2 * t_a / (w / 2 - _k_perimeter() * 60)
    assert half.contained_s[0] == pytest.approx(t0 + t_c, rel=1e-6)


def test_a_day_only_helicopter_waits_for_sunrise_and_a_night_capable_one_works_at_night():
    """Ignition at 23:00, R = 100 m/h. A day-only helicopter takes off at sunrise: the head has
    gone 40 m/h until sunrise, then 100 m/h, and the line starts at sunrise + flight. A
    night-capable helicopter is there after its flight and drops at night (R × 0.4)."""
    t0 = 23 * 3600.0
    sunrise = _sun_s(1)[0] - t0  # from ignition
    t_a = sunrise + _heli_flight_s()
    w, k = _bucket_line_m_per_h(2_000.0), _k_perimeter()
    # w (t − t_a) = K (40 · sunrise + 100 (t − sunrise)), times in h
    t_c = (w * t_a / 3600 + k * (40 - 100) * sunrise / 3600) / (w - k * 100) * 3600
    day_only = _fire(t0, ros=100.0, ground_s=None, heli=True)
    assert day_only.first_air_arrival_s[0] == pytest.approx(t0 + t_a)
    assert day_only.contained_s[0] == pytest.approx(t0 + t_c, rel=1e-6)
    night = _fire(t0, ros=100.0, ground_s=None, heli=True, night_capable=True)
    t_n = w * _heli_flight_s() / (w - k * 40)
    assert night.contained_s[0] == pytest.approx(t0 + t_n, rel=1e-6)


def test_a_helicopter_on_scene_stops_dropping_at_sunset():
    """Ignition at 18:00, R = 200 m/h; a helicopter (468 m/h) and, one hour later, a team
    (150 m/h) cannot hold it before sunset. A day-only helicopter's line stops at sunset: the
    team alone (150 m/h) loses ground to the night fire (K · 80 m/h) until sunrise, when the
    helicopter resumes and both contain it. A night-capable one contains it in the evening."""
    t0 = 18 * 3600.0
    t_ah = _heli_flight_s() / 3600
    t_ag = t_ah + 1.0  # on the fire's 10-minute step: the team's line counts from its arrival
    w_h, w_g, k, r = _bucket_line_m_per_h(2_000.0), 150.0, _k_perimeter(), 200.0
    t_ss, t_sr = ((_sun_s(0)[1] - t0) / 3600, (_sun_s(1)[0] - t0) / 3600)
    line_ss = w_h * (t_ss - t_ah) + w_g * (t_ss - t_ag)
    assert line_ss < k * r * t_ss  # not contained by sunset
    line_sr = line_ss + w_g * (t_sr - t_ss)
    perim_sr = k * (r * t_ss + 0.4 * r * (t_sr - t_ss))
    assert line_sr < perim_sr  # nor overnight by the team alone
    t_c = t_sr + (perim_sr - line_sr) / (w_h + w_g - k * r)
    kw = {"ros": r, "ground_s": t_ag * 3600, "heli": True}
    day_only = _fire(t0, **kw)
    assert day_only.contained_s[0] == pytest.approx(t0 + t_c * 3600, rel=1e-6)
    t_n = t_ss + (k * r * t_ss - line_ss) / (w_h + w_g - 0.4 * k * r)
    night = _fire(t0, night_capable=True, **kw)
    assert night.contained_s[0] == pytest.approx(t0 + t_n * 3600, rel=1e-6)


def test_a_fire_nobody_reaches_burns_freely_until_the_end_of_the_run():
    """No unit: the head advances R by day, 0.4 R by night and × 0.5 on the rainy day 1,
    from ignition at 10:00 to the end of the run (3 days), split at each sunrise and sunset."""
    t0, until = 10 * 3600.0, 3 * 86400.0
    out = _fire(t0, ros=10.0, ground_s=None, rain_day=1, until_s=until)
    head = 0.0
    for d in range(3):
        rise, sset = _sun_s(d)
        for lo, hi, f in ((d * 86400, rise, 0.4), (rise, sset, 1.0), (sset, (d + 1) * 86400, 0.4)):
            span = max(0.0, min(hi, until) - max(lo, t0))
            head += 10.0 * f * (0.5 if d == 1 else 1.0) * span / 3600
    assert math.isnan(out.contained_s[0])
    assert out.burned_ha[0] == pytest.approx(_area_ha(head), rel=1e-9)
    # A landscape limit of 1 ha stops it: at most one hour-step of growth beyond the limit.
    capped = _fire(t0, ros=10.0, ground_s=None, max_area_ha=1.0, until_s=until)
    assert 1.0 <= capped.burned_ha[0] < _area_ha(math.sqrt(1.0 / _area_ha(1.0)) + 10.0)


@settings(max_examples=60, deadline=None)
@given(
    ros=st.floats(0.0, 200.0),
    travel_h=st.floats(0.0, 6.0),
    fireline=st.floats(50.0, 1000.0),
    extra=st.floats(0.0, 1000.0),
    t0_h=st.floats(0.0, 23.9),
    heli=st.booleans(),
)
def test_more_line_never_delays_containment_on_the_engine(
    ros, travel_h, fireline, extra, t0_h, heli
):
    """The engine's own fire path: a stronger crew never contains later or burns more."""
    kw = {"ros": ros, "ground_s": travel_h * 3600, "heli": heli, "until_s": 6 * 86400.0}
    a = _fire(t0_h * 3600, fireline=fireline, **kw)
    b = _fire(t0_h * 3600, fireline=fireline + extra, **kw)
    ta = np.nan_to_num(a.contained_s, nan=np.inf)[0]
    tb = np.nan_to_num(b.contained_s, nan=np.inf)[0]
    assert tb <= ta + 1e-6
    assert b.burned_ha[0] <= a.burned_ha[0] + 1e-9


@settings(max_examples=60, deadline=None)
@given(
    ros=st.floats(1.0, 100.0),
    delay_h=st.floats(0.0, 6.0),
    more_h=st.floats(0.0, 6.0),
    t0_h=st.floats(0.0, 23.9),
)
def test_later_detection_never_means_a_smaller_fire_on_the_engine(ros, delay_h, more_h, t0_h):
    """Same fire, same crew (800 m/h): a later report never gives an earlier containment or a
    smaller burned area; a report more than 0.1 h later gives a strictly larger one."""
    kw = {"ros": ros, "fireline": 800.0, "until_s": 6 * 86400.0}
    a = _fire(t0_h * 3600, detect_s=delay_h * 3600, **kw)
    b = _fire(t0_h * 3600, detect_s=(delay_h + more_h) * 3600, **kw)
    assert b.contained_s[0] >= a.contained_s[0] - 1e-6
    assert b.burned_ha[0] >= a.burned_ha[0] - 1e-9
    if more_h > 0.1:
        assert b.burned_ha[0] > a.burned_ha[0]


def test_one_boat_timeline_out_and_home_by_river():
    """The boat unit of `boat_travel` at a river incident (on scene 30 min): on scene at 1,680 s
    by boat, cleared at 3,480 s, home by boat at 5,100 s; with the road cut, the same."""
    from tests.model.helpers import boat_travel

    for road_s in (5000.0, math.inf):
        travel = boat_travel(road_s=road_s)
        inc = make_incidents([0.0], [1800.0])
        out = simulate(
            travel.fleet,
            inc,
            np.zeros(1, dtype=np.int64),
            np.array([30.0]),
            one_type_demand(),
            relief=None,
            until_s=86400.0,
            travel=travel,
        )
        assert out.first_mode == ("boat",)
        assert out.first_arrival_s[0] == pytest.approx(1680.0)
        assert (out.first_road_s[0], out.first_boat_s[0]) == (720.0, 600.0)
        assert out.cleared_s[0] == pytest.approx(3480.0)
        assert out.journey_log[0, 3] == pytest.approx(5100.0)
        assert out.unit_busy_s[0] == pytest.approx(5100.0)


# --------------------------------------------------------------------------- command-centre rules


def _line_case(stations: list[tuple[int, int]], n_nodes: int = 5, edge_s: float = 600.0):
    """A line network (600 s edges) with stations at nodes: `stations` = (node, engines)."""
    from sim.model.position import Router
    from tests.model.test_position import line_network

    net = line_network(n_nodes, edge_s)
    router = Router(net)
    nodes = np.array([nd for nd, _ in stations])
    travel = np.stack([router.times_from(int(nd), "light") for nd in nodes])
    units = [(f, 0) for f, (_, c) in enumerate(stations) for _ in range(c)]
    fleet = replace(make_fleet(travel, units), facility_node=nodes)
    return net, fleet


def _rules(net, *, reassign=None, cover=None, coverage=None):
    from sim.model.dispatch import DispatchRules
    from sim.model.position import Router

    return DispatchRules(reassignment=reassign, cover=cover, coverage=coverage, router=Router(net))


def _reassign(**kw):
    from sim.model.dispatch import Reassignment

    args = {"returning": True, "divert": True, "max_priority": 1, "min_priority_gap": 1}
    return Reassignment(**(args | {"min_gain_s": 0.0} | kw))


def _simulate_rules(fleet, inc, nodes, demand, net, **rules):
    """`simulate` on a line case with the command-centre `rules` (`_rules` keywords): the
    incidents at road `nodes` with no access leg, no relief, a horizon of 1e5 s."""
    nodes = np.asarray(nodes)
    return simulate(
        fleet,
        inc,
        nodes,
        np.zeros(nodes.size),
        demand,
        relief=None,
        until_s=1e5,
        rules=_rules(net, **rules),
    )


def test_returning_unit_is_sent_from_where_it_is():
    """A priority-1 call while the only engine drives home from a priority-3 call: with the rule
    it turns at the next junction (no turnout), without it the call waits for the engine."""
    net, fleet = _line_case([(0, 1)])
    demand = Demand(units=np.array([[1], [1]]), priority=np.array([3, 1]))
    # A at node 4 (t 0, 600 s work): arrival 2400, leaves 3000, on edge 4 -> 3 until 3600.
    # B at node 2 at t 3100: the engine is 500 s from node 3, then 600 s to node 2.
    inc = make_incidents([0.0, 3100.0], [600.0, 600.0], type_idx=np.array([0, 1]))
    args = (fleet, inc, np.array([4, 2]), np.zeros(2), demand)
    off = simulate(*args, relief=None, until_s=1e5)
    on = simulate(*args, relief=None, until_s=1e5, rules=_rules(net, reassign=_reassign()))
    assert off.first_arrival_s[1] == pytest.approx(5400.0 + 1200.0)  # home at 5400, back out
    assert on.first_arrival_s[1] == pytest.approx(3100.0 + 500.0 + 600.0)
    t = on.trip_log
    assert [(r.incident, r.origin, r.end) for r in t] == [
        (0, "station", "reassigned"),
        (1, "returning", "home"),
    ]
    assert t[0].end_s == t[1].dispatch_s == 3100.0
    assert t[1].from_incident == 0
    assert t[1].from_priority == 3
    assert t[1].priority == 1
    # Busy from leaving home to home again, in one journey: 3100 + 1100 + 600 + 1200.
    assert on.unit_busy_s[0] == pytest.approx(6000.0)
    assert on.journey_log.tolist() == [[0.0, 0.0, 0.0, 6000.0]]
    assert on.dispatch_counts == {"reassigned": 1, "diverted": 0, "cover_moves": 0}


def test_unit_en_route_to_a_lower_priority_call_is_diverted():
    """The engine on its way to a priority-3 call (0 -> 4) is diverted to a priority-1 call at
    node 1 from the junction ahead; the priority-3 call asks again and waits for it."""
    net, fleet = _line_case([(0, 1)])
    demand = Demand(units=np.array([[1], [1]]), priority=np.array([3, 1]))
    # At t 700 the engine passed node 1 (600) and is 500 s from node 2.
    inc = make_incidents([0.0, 700.0], [600.0, 600.0], type_idx=np.array([0, 1]))
    rules = _rules(net, reassign=_reassign())
    out = simulate(
        fleet, inc, np.array([4, 1]), np.zeros(2), demand, relief=None, until_s=1e5, rules=rules
    )
    assert out.first_arrival_s[1] == pytest.approx(700.0 + 500.0 + 600.0)
    t = out.trip_log
    assert [(r.incident, r.origin, r.end) for r in t] == [
        (0, "station", "diverted"),
        (1, "en_route", "home"),  # priority 3 is not urgent enough to take it on its way home
        (0, "station", "home"),
    ]
    assert math.isnan(t[0].arrive_s)
    assert t[0].end_s == 700.0
    assert out.queued[0]
    assert out.units_sent[0] == (0,)
    # B works 600 s from 1800, leaves at 2400; A is queued (priority 3 > max_priority 1), so
    # the engine drives home first (600 s) and then out to A (2400 s).
    assert out.first_arrival_s[0] == pytest.approx(2400.0 + 600.0 + 2400.0)
    off_gap = _simulate_rules(
        fleet,
        inc,
        np.array([4, 1]),
        Demand(units=np.array([[1], [1]]), priority=np.array([2, 1])),
        net,
        reassign=_reassign(min_priority_gap=2),
    )
    # Gap 1 < 2: not diverted; B waits and takes the engine as it leaves A for home.
    assert [(r.origin, r.end) for r in off_gap.trip_log] == [
        ("station", "reassigned"),
        ("returning", "home"),
    ]


def test_diversion_needs_the_minimum_gain_over_a_free_unit():
    """A free engine at node 4 reaches node 2 at 1200 s; the diverted one would take 1100 s:
    diverted with a 60 s minimum gain, not with 120 s."""
    net, fleet = _line_case([(0, 1), (4, 1)])
    demand = Demand(units=np.array([[1], [1]]), priority=np.array([3, 1]))
    inc = make_incidents([0.0, 100.0], [600.0, 600.0], type_idx=np.array([0, 1]))
    # A at node 1 takes engine 0 (600 s); at t 100 it is 500 s from node 1, so 1100 s from B.
    node = np.array([1, 2])
    for gain, origin in ((60.0, "en_route"), (120.0, "station")):
        out = _simulate_rules(fleet, inc, node, demand, net, reassign=_reassign(min_gain_s=gain))
        b = next(r for r in out.trip_log if r.incident == 1)
        assert b.origin == origin, gain


def test_cover_move_stands_by_and_goes_home():
    """Station 1's only engine leaves: one of station 0's two engines moves to stand by there
    (2400 s) and drives home when station 1's engine is back."""
    from sim.model.dispatch import CoveragePlan, CoverMoves

    net, fleet = _line_case([(0, 2), (4, 1)])
    cover = CoverMoves(
        unit_type=0,
        group_of_facility=np.array([0, 1]),
        target=np.array([0, 1]),
        donor_group=np.array([0, 1]),
        donors_keep=1,
        max_travel_s=3600.0,
        delay_s=0.0,
    )
    cov = CoveragePlan(
        unit_type=0,
        threshold_s=700.0,
        town_node=np.array([0, 4]),
        town_access_s=np.zeros(2),
        town_weight=np.array([1.0, 3.0]),
        horizon_s=86400.0,
    )
    # The call at node 4 at t 0 (work 7200 s) takes station 1's engine (unit 2); it is home at
    # 7200 (arrival 0, clear 7200, 0 s drive back). The cover engine arrives at 2400.
    inc = make_incidents([0.0], [7200.0])
    out = simulate(
        fleet,
        inc,
        np.array([4]),
        np.zeros(1),
        one_type_demand(),
        relief=None,
        until_s=86400.0,
        rules=_rules(net, cover=cover, coverage=cov),
    )
    rows = [(r.unit, r.kind, r.origin, r.end) for r in out.trip_log]
    assert rows == [
        (2, "response", "station", "home"),
        (0, "cover", "station", "released"),
        (0, "cover_return", "cover_post", "home"),
    ]
    mv, back = out.trip_log[1], out.trip_log[2]
    assert (mv.dispatch_s, mv.arrive_s, mv.end_s, mv.post) == (0.0, 2400.0, 7200.0, 1)
    assert back.end_s == pytest.approx(7200.0 + 2400.0)
    assert out.dispatch_counts["cover_moves"] == 1
    assert out.unit_busy_s[0] == 0.0  # standing by is not busy time
    # Coverage by hand: town 1 (weight 3) uncovered from 0 to 2400 s, hour 0 of one day.
    by_hour = out.coverage_by_hour
    assert by_hour[0] == pytest.approx(1 - 0.75 * 2400.0 / 3600.0)
    assert by_hour[1:] == pytest.approx(np.ones(23))


def test_cover_moves_wait_until_the_call_has_its_units():
    """A call at station A (node 0, one engine) asks for two engines; station B (node 2, two
    engines, 1200 s away) sends the second. Cover moves are decided once the call is served:
    B then keeps one engine, which may not leave (donors_keep 1), so no cover move is made.
    Deciding in the middle would have moved a B engine to empty A and sent B's last engine to
    the call, leaving B empty."""
    from sim.model.dispatch import CoverMoves

    net, fleet = _line_case([(0, 1), (2, 2)])
    cover = CoverMoves(
        unit_type=0,
        group_of_facility=np.array([0, 1]),
        target=np.array([0, 1]),
        donor_group=np.array([0, 1]),
        donors_keep=1,
        max_travel_s=3600.0,
        delay_s=0.0,
    )
    demand = Demand(units=np.array([[2]]), priority=np.array([1]))
    inc = make_incidents([0.0], [600.0])
    out = _simulate_rules(fleet, inc, [0], demand, net, cover=cover)
    assert [(r.unit, r.kind, r.origin) for r in out.trip_log] == [
        (0, "response", "station"),
        (1, "response", "station"),
    ]
    assert out.dispatch_counts["cover_moves"] == 0
    assert out.all_arrived_s[0] == pytest.approx(1200.0)


@pytest.mark.parametrize("leaving_type", [0, 1])
def test_coverage_counts_an_engine_only_with_its_crew_on_duty(leaving_type):
    """One station: an engine (type 0, crew 5) and a second unit (crew 5) sharing 7
    firefighters. At 10:00 the second unit - another engine, or a rescue vehicle (type 1) -
    leaves for 2,400 s (600 s out, 1,200 s on scene, 600 s back); the engine left behind has
    2 firefighters, so the town at the station is uncovered until the crew is back: hour 10 of
    the single day is covered 1,200 s of 3,600 (1/3), every other hour fully."""
    from sim.model.dispatch import CoveragePlan

    net, fleet = _line_case([(0, 2)])
    fleet = replace(
        fleet,
        unit_type=np.array([0, leaving_type]),
        type_names=("t0", "t1"),
        units_of_type=(np.array([0, 1]), np.array([], np.int64))
        if leaving_type == 0
        else (np.array([0]), np.array([1])),
    )
    plan = make_staff_plan([(0, 0, 0, 7)], unit_crew=np.array([[5, 0], [5, 0]]))
    staff = StaffState(plan, np.zeros((7, 10), dtype=bool))
    need = np.zeros((1, 2), dtype=np.int64)
    need[0, leaving_type] = 1
    cov = CoveragePlan(
        unit_type=0,
        threshold_s=3600.0,
        town_node=np.array([0]),
        town_access_s=np.zeros(1),
        town_weight=np.array([1.0]),
        horizon_s=86400.0,
    )
    inc = make_incidents([10 * 3600.0], [1200.0])
    fleet = replace(fleet, unit_facility=np.array([0, 0]))
    if leaving_type == 0:
        # Both engines are nearest alike: unit 0 goes first; make unit 1 the one that leaves.
        fleet = replace(fleet, unit_turnout_s=np.array([10.0, 0.0]))
    out = simulate(
        fleet, inc, np.array([1]), np.zeros(1), Demand(units=need, priority=np.array([1])),
        relief=None, until_s=86400.0, staff=staff, rules=_rules(net, coverage=cov),
    )  # fmt: skip
    assert out.units_sent == ((1,),)
    by_hour = out.coverage_by_hour
    assert by_hour[10] == pytest.approx(1 / 3)
    assert np.delete(by_hour, 10) == pytest.approx(np.ones(23))


def test_escalation_requests_the_next_plan_and_lengthens_the_work():
    """A general-level call (1 engine) grows 600 s after the first arrival to large (3 engines,
    on-scene factor 2): two more engines are requested and the work ends 1000 s later."""
    from sim.model.severity import SeverityPlan, SeverityTable

    fleet = make_fleet([[0.0, 300.0]], [(0, 0)] * 3)
    units = np.zeros((1, 4, 1), dtype=np.int64)
    units[0, 0, 0], units[0, 1, 0] = 1, 3
    table = SeverityTable(
        has_levels=np.array([True]),
        probability=np.array([[1.0, 0.0, 0.0, 0.0]]),
        units=units,
        priority=np.array([[3, 1, 1, 1]]),
        on_scene_factor=np.array([[1.0, 2.0, 1.0, 1.0]]),
        escalate_p=np.array([[1.0, 0.0, 0.0, 0.0]]),
        escalate_after_s=np.array([[600.0, np.inf, np.inf, np.inf]]),
        next_level=np.array([[1, -1, -1, -1]]),
    )
    plan = SeverityPlan(
        table=table, level=np.array([0]), escalates=np.array([[True] + [False] * 3])
    )
    inc = make_incidents([0.0], [1000.0])
    out = simulate(
        fleet, inc, np.array([1]), np.zeros(1), one_type_demand(), relief=None, until_s=1e5,
        severity=plan,
    )  # fmt: skip
    assert out.n_required[0] == 3
    assert out.n_sent[0] == 3
    assert out.escalations[0] == 1
    assert out.level[0] == 0
    assert out.priority[0] == 3
    assert out.all_arrived_s[0] == pytest.approx(300.0 + 600.0 + 300.0)
    assert out.cleared_s[0] == pytest.approx(300.0 + 2 * 1000.0)
    no = simulate(
        fleet, inc, np.array([1]), np.zeros(1), one_type_demand(), relief=None, until_s=1e5,
        severity=replace(plan, escalates=np.zeros((1, 4), dtype=bool)),
    )  # fmt: skip
    assert no.n_sent[0] == 1
    assert no.cleared_s[0] == pytest.approx(1300.0)


def test_a_day_only_helicopter_leaves_the_scene_to_be_home_by_sunset():
    """A day-only helicopter (600 s turnout) called at 16:00 on 1 June to a 4 h job: under the
    aircraft rules it leaves the scene so as to land at base exactly at sunset (it leaves at
    sunset − the flight back), long before the job ends (16:00 + 600 s + flight + 4 h)."""
    from sim.model.travel import sunset_after

    start = date(2025, 6, 1)
    fleet, travel = _air_setup(start)
    t0 = 16 * 3600.0
    out = simulate(
        fleet,
        make_incidents([t0], [4 * 3600.0]),
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        one_type_demand(),
        relief=None,
        until_s=86400.0,
        travel=travel,
        ops=True,
    )
    flight = travel.flight_s(0, 0)
    arrive = t0 + 600 + flight
    sunset = sunset_after(arrive, start)
    assert arrive < sunset - flight < arrive + 4 * 3600.0  # the limit falls inside the job
    assert out.first_air_arrival_s[0] == pytest.approx(arrive)
    assert out.journey_log[0, 3] == pytest.approx(sunset)  # home at sunset, not after the job


def test_a_night_capable_helicopter_leaves_when_the_no_fly_day_ends():
    """A night-capable helicopter (600 s turnout) with day 0 a no-fly day: a 10:00 call waits
    and it leaves at midnight, when the flyable day 1 begins (86,400 s), not at day 1's sunrise."""
    start = date(2025, 6, 1)
    fleet, travel = _air_setup(start)
    no_fly = np.array([True, False])
    travel.air = replace(travel.air, night_capable=np.ones(1, dtype=bool))
    travel.no_fly = no_fly
    plan = replace(_air_plan([], []), no_fly_day=no_fly)
    out = simulate(
        fleet,
        make_incidents([10 * 3600.0], [1800.0]),
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        one_type_demand(),
        relief=None,
        until_s=2 * 86400.0,
        travel=travel,
        air=AirState(plan),
        ops=True,
    )
    assert out.first_dispatch_s[0] == 86400.0
    assert out.first_air_arrival_s[0] == pytest.approx(86400.0 + 600 + travel.flight_s(0, 0))


def test_cover_move_and_call_under_staff_rules_take_their_crews():
    """The cover case above with crews: station 0 has 10 firefighters (persons 0-9) for its two
    engines, station 1 has 5 (persons 10-14), 5 a crew, one watch always on duty. The call at
    t 0 takes engine 2 with station 1's crew, and engine 0 moves to stand by at station 1 with
    the first 5 of station 0, both at t 0; the cover engine arrives at 2,400 s as without staff."""
    from sim.model.dispatch import CoverMoves

    net, fleet = _line_case([(0, 2), (4, 1)])
    cover = CoverMoves(
        unit_type=0,
        group_of_facility=np.array([0, 1]),
        target=np.array([0, 1]),
        donor_group=np.array([0, 1]),
        donors_keep=1,
        max_travel_s=3600.0,
        delay_s=0.0,
    )
    plan = make_staff_plan([(0, 0, 0, 10), (1, 0, 0, 5)], unit_crew=np.array([[5, 0]] * 3))
    staff = StaffState(plan, np.zeros((15, 10), dtype=bool))
    out = simulate(
        fleet,
        make_incidents([0.0], [7200.0]),
        np.array([4]),
        np.zeros(1),
        one_type_demand(),
        relief=None,
        until_s=86400.0,
        rules=_rules(net, cover=cover),
        staff=staff,
    )
    assert sorted(out.crew_log) == [
        (0, -1, 0.0, (0, 1, 2, 3, 4)),
        (2, 0, 0.0, (10, 11, 12, 13, 14)),
    ]
    mv = next(r for r in out.trip_log if r.kind == "cover")
    assert (mv.unit, mv.dispatch_s, mv.arrive_s, mv.post) == (0, 0.0, 2400.0, 1)


def test_a_diversion_records_its_gain_over_the_nearest_free_unit():
    """The diversion case above with two free engines, at nodes 4 and 5 (1,200 s and 1,800 s
    from B at node 2): the diverted engine (1,100 s) is recorded as 1,200 − 1,100 = 100 s
    ahead of the nearest free one, not of the farther."""
    net, fleet = _line_case([(0, 1), (4, 1), (5, 1)], n_nodes=6)
    demand = Demand(units=np.array([[1], [1]]), priority=np.array([3, 1]))
    inc = make_incidents([0.0, 100.0], [600.0, 600.0], type_idx=np.array([0, 1]))
    out = _simulate_rules(
        fleet, inc, np.array([1, 2]), demand, net, reassign=_reassign(min_gain_s=60.0)
    )
    b = next(r for r in out.trip_log if r.incident == 1)
    assert (b.unit, b.origin) == (0, "en_route")
    assert b.gain_s == pytest.approx(100.0)


def test_a_medevac_refuels_before_the_flight_home_when_the_hospital_leg_uses_up_its_range():
    """Medevac at 11:00, June: base → scene ~10.1 km, scene → hospital ~10.1 km, hospital →
    base ~20.2 km (due east along 24.80° N, 50 m/s, 600 s turnout, no time on scene, 600 s
    handover). Usable range 35 km: 10.1 + 10.1 = 20.2 km flown at the hospital, 20.2 km more
    do not fit (40.4 > 35), so one 1,800 s fuel stop before the flight home. Home at
    11:00 + 600 + the three flights + 600 + 1,800."""
    from sim.geo import haversine_m

    start = date(2025, 6, 1)
    fleet, travel = _air_setup(start, lon=113.70, lat=24.80)
    missions = MissionPlan(
        kind=np.array([1]),  # medevac
        unit_type=np.array([0]),
        units=np.array([1]),
        drawn=np.array([True]),
        min_ground_eta_s=np.array([math.inf]),
        on_scene_s=np.zeros(1),
        handover_s=np.array([600.0]),
        hospital_lon=np.array([113.80]),
        hospital_lat=np.array([24.80]),
    )
    plan = replace(
        _air_plan([], []), usable_range_m=np.array([35_000.0]), refuel_s=np.array([1800.0])
    )
    t0 = 11 * 3600.0
    out = simulate(
        fleet,
        # the scene's own position: the hospital leg starts there
        replace(make_incidents([t0], [4 * 3600.0]), lon=np.array([113.70]), lat=np.array([24.80])),
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1])),
        relief=None,
        until_s=86400.0,
        travel=travel,
        air=AirState(plan),
        missions=missions,
        ops=True,
    )
    d = [
        float(haversine_m(113.60, 24.80, 113.70, 24.80)),
        float(haversine_m(113.70, 24.80, 113.80, 24.80)),
        float(haversine_m(113.80, 24.80, 113.60, 24.80)),
    ]
    assert d[0] + d[1] < 35_000.0 < sum(d)
    assert out.air_mission == ("medevac",)
    flights = sum(d) / 50.0
    assert out.journey_log[0, 3] == pytest.approx(t0 + 600 + flights + 600 + 1800)


def test_a_unit_diverted_from_a_cleared_call_leaves_no_request_behind():
    """Call A (priority 3, node 4) needs two engines: Y at node 4 is there at once, X from node
    0 needs 2,400 s. Y works 600 s and waits 600 s more for X, so A is cleared at 1,200 s while
    X is still driving. At 1,300 s call B (priority 1, node 1) diverts X (back from beyond node
    2: on scene at 3,000 s, 100 s before Y could be). A, cleared, must not ask again: Y makes
    its one trip to A (home at 1,200 s) and no second one (it did, at 1,300 s, before the fix)."""
    net, fleet = _line_case([(0, 1), (4, 1)], n_nodes=6)
    demand = Demand(units=np.array([[2], [1]]), priority=np.array([3, 1]))
    inc = make_incidents([0.0, 1300.0], [600.0, 600.0], type_idx=np.array([0, 1]))
    out = _simulate_rules(fleet, inc, np.array([4, 1]), demand, net, reassign=_reassign())
    assert out.cleared_s.tolist() == [1200.0, 3600.0]
    assert out.first_arrival_s[1] == pytest.approx(3000.0)
    assert [(r.unit, r.incident, r.end) for r in out.trip_log] == [
        (1, 0, "home"),
        (0, 0, "diverted"),
        (0, 1, "home"),
    ]
    assert out.unit_trips.tolist() == [2, 1]
    assert out.units_sent == ((1,), (0,))
