"""Relief on the engine's own path: the provincial reserve's refills, relief by helicopter."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from sim.geo import haversine_m
from sim.model.engine import Demand, ReliefPlan, simulate
from sim.model.travel import AirFleet, TravelModel
from tests.model.helpers import make_fleet, make_incidents

DAY = 86400.0


def _one_depot_plan(**kw) -> ReliefPlan:
    """One depot (facility 0) of 1,000 people's supplies with one truck (unit 0), no delays."""
    base = {
        "depot_facility": np.array([0]),
        "stock": np.array([[1000.0]]),
        "per_person": np.array([1.0]),
        "depot_trucks": (np.array([0]),),
        "truck_profile": "light",
        "assessment_delay_s": 0.0,
        "loading_s": 0.0,
        "max_depots": 1,
    }
    return ReliefPlan(**(base | kw))


def test_a_depot_orders_from_the_reserve_again_after_each_refill():
    """A depot of 1,000 people's supplies refilled to 1,000 one day after falling below half.

    Day 0: 600 people take 600, 400 left < 500: refill at day 1 (back to 1,000). Day 2: another
    600: 400 left, a second order, refill at day 3. At the end (day 4) the depot holds 1,000;
    had the first order never been closed, the second would not go out and 400 would be left.
    """
    fleet = make_fleet([[600.0]], [(0, 0)], capacity_people=1000)
    plan = _one_depot_plan(reorder_fraction=0.5, reserve_lead_s=DAY)
    demand = Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1]))
    inc = make_incidents([0.0, 2 * DAY], [10.0, 10.0], people=np.array([600, 600]))
    args = (fleet, inc, np.zeros(2, dtype=np.int64), np.zeros(2), demand)
    out = simulate(*args, relief=plan, until_s=4 * DAY)
    assert out.final_stock[0, 0] == 1000.0
    assert out.relief_s.tolist() == [600.0, 2 * DAY + 600.0]
    # Half a day before the second refill is due: 1,000 − 600 = 400.
    early = simulate(*args, relief=plan, until_s=2.5 * DAY)
    assert early.final_stock[0, 0] == 400.0


VILLAGE = (113.70, 24.80)
HELI_BASE = (113.60, 24.80)
HELI_M_PER_S = 50.0


def _cut_off_village(people: int, capacity: int, *, ops: bool = False):
    """A village (called at 10:00 in June) no truck can reach: the depot's truck (unit 0) has
    no road there, a helicopter (unit 1) is 10.1 km away (50 m/s, no turnout), a fire engine
    (unit 2) 60 s by road. Assessment 1,800 s, loading 600 s; `capacity` people a flight."""
    # units: 0 the depot's truck, 1 the helicopter, 2 a fire engine 60 s from the village
    fleet = make_fleet([[math.inf], [0.0], [60.0]], [(0, 0), (1, 1), (2, 2)], n_types=3)
    is_air = np.array([False, True, False])
    air = AirFleet(
        speed_m_per_s=np.where(is_air, HELI_M_PER_S, np.nan),
        night_capable=np.zeros(3, dtype=bool),
        base_lon=np.full(3, HELI_BASE[0]),
        base_lat=np.full(3, HELI_BASE[1]),
    )
    travel = TravelModel(
        fleet,
        node=np.zeros(1, dtype=np.int64),
        access_s=np.zeros(1),
        walk_s=np.full(1, np.nan),
        lon=np.array([VILLAGE[0]]),
        lat=np.array([VILLAGE[1]]),
        unit_mode=is_air.astype(np.int64),
        air=air,
        start=date(2025, 6, 1),
    )
    plan = _one_depot_plan(assessment_delay_s=1800.0, loading_s=600.0, air_capacity_people=capacity)
    demand = Demand(units=np.zeros((1, 3), dtype=np.int64), priority=np.array([1]))
    inc = make_incidents([10 * 3600.0], [10.0], people=np.array([people]))
    return simulate(
        fleet,
        inc,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        demand,
        relief=plan,
        until_s=DAY,
        travel=travel,
        ops=ops,
    )


def test_a_village_cut_off_by_road_gets_its_first_supplies_by_helicopter():
    """The depot's truck has no road to the village; a helicopter 10.1 km away (50 m/s, no
    turnout) flies the first load, though a fire engine could drive there in 60 s: relief by
    air is for aircraft only.

    Called at 10:00 (June): assessment 1,800 s, loading 600 s, flight d / 50 m/s, so the load
    is there at 36,000 + 2,400 + 202 s; it serves min(100 people, 150 a flight) = 100, all of
    them (no last mile, hand-out at once). The helicopter flies out and back: 2 × 202 s. The
    truck's load stays queued at the depot (the road never reopens), none is unmet.
    """
    out = _cut_off_village(100, 150)
    flight = float(haversine_m(*HELI_BASE, *VILLAGE)) / HELI_M_PER_S
    assert flight == pytest.approx(202.0, abs=1.0)
    assert out.relief_air[0]
    assert out.relief_s[0] == pytest.approx(10 * 3600 + 1800 + 600 + flight)
    assert out.relief_done_s[0] == pytest.approx(out.relief_s[0])
    assert out.unit_trips.tolist() == [0, 1, 0]
    assert out.unit_flight_s[1] == pytest.approx(2 * flight)
    assert out.unit_busy_s[1] == pytest.approx(600 + 2 * flight)
    assert out.relief_unmet_people[0] == 0


def test_a_helicopter_load_serves_at_most_its_capacity():
    """The same village with 400 people and 150 a flight: the one flight serves 150 (the load
    is still there at 36,000 + 2,400 + 202 s); the other 250 wait for the trucks, cut off all
    run, so the households are never all served."""
    out = _cut_off_village(400, 150)
    flight = float(haversine_m(*HELI_BASE, *VILLAGE)) / HELI_M_PER_S
    assert out.relief_s[0] == pytest.approx(10 * 3600 + 1800 + 600 + flight)
    assert math.isnan(out.relief_done_s[0])
    # with room for all 400 on the flight, they are all served when it lands
    assert _cut_off_village(400, 400).relief_done_s[0] == pytest.approx(out.relief_s[0])


def test_with_the_aircraft_rules_on_a_helicopter_that_may_leave_flies_the_relief():
    """The same cut-off village (100 people) under the aircraft rules (`ops`): at 10:00 in
    June the helicopter may take off at once (daylight, no crew rules), so it is sent as
    without the rules: the load is there at 36,000 + 1,800 + 600 + 202 s, marked a relief drop."""
    out = _cut_off_village(100, 150, ops=True)
    flight = float(haversine_m(*HELI_BASE, *VILLAGE)) / HELI_M_PER_S
    assert out.relief_air[0]
    assert out.air_mission[0] == "relief_drop"
    assert out.relief_s[0] == pytest.approx(10 * 3600 + 1800 + 600 + flight)
    assert out.unit_trips.tolist() == [0, 1, 0]


def test_a_single_affected_person_gets_relief():
    """One person affected (people = 1 > 0): the truck 600 s away brings 1 person's supplies at
    600 s and the depot holds 1,000 − 1 = 999. Nobody affected gets no relief (NaN, 1,000)."""
    fleet = make_fleet([[600.0]], [(0, 0)], capacity_people=1000)
    demand = Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1]))
    inc = make_incidents([0.0, 0.0], [10.0, 10.0], people=np.array([1, 0]))
    out = simulate(
        fleet, inc, np.zeros(2, dtype=np.int64), np.zeros(2), demand,
        relief=_one_depot_plan(), until_s=DAY,
    )  # fmt: skip
    assert out.relief_s[0] == 600.0
    assert math.isnan(out.relief_s[1])
    assert out.final_stock[0, 0] == 999.0


def test_the_nearest_village_store_serves_all_and_the_next_one_gives_nothing():
    """Two village stores in reach (0 m and ~1 km, 100 people each) and 50 people: the nearest
    hands out 50 after the local delivery time (1,800 s), the second is not touched, and no
    truck is asked (none unmet). Store stocks at the end: 100 − 50 = 50, and 100."""
    fleet = make_fleet([[600.0], [600.0]], [(0, 0)])
    plan = ReliefPlan(
        depot_facility=np.array([0, 1]),
        stock=np.array([[100.0], [100.0]]),
        per_person=np.array([1.0]),
        depot_trucks=(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)),
        truck_profile="light",
        assessment_delay_s=0.0,
        loading_s=0.0,
        max_depots=1,
        village=np.array([True, True]),
        village_lon=np.array([0.0, 0.009]),  # incidents of make_incidents are at (0, 0)
        village_lat=np.array([0.0, 0.0]),
    )
    demand = Demand(units=np.zeros((1, 1), dtype=np.int64), priority=np.array([1]))
    inc = make_incidents([0.0], [10.0], people=np.array([50]))
    out = simulate(
        fleet, inc, np.zeros(1, dtype=np.int64), np.zeros(1), demand, relief=plan, until_s=DAY
    )
    assert out.relief_s[0] == 1800.0
    assert out.relief_done_s[0] == 1800.0
    assert out.relief_unmet_people[0] == 0
    assert out.final_stock[:, 0].tolist() == [50.0, 100.0]
