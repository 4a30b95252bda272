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


def test_a_depot_orders_from_the_reserve_again_after_each_refill():
    """A depot of 1,000 people's supplies refilled to 1,000 one day after falling below half.

    Day 0: 600 people take 600, 400 left < 500: refill at day 1 (back to 1,000). Day 2: another
    600: 400 left, a second order, refill at day 3. At the end (day 4) the depot holds 1,000;
    had the first order never been closed, the second would not go out and 400 would be left.
    """
    fleet = make_fleet([[600.0]], [(0, 0)], capacity_people=1000)
    plan = ReliefPlan(
        depot_facility=np.array([0]),
        stock=np.array([[1000.0]]),
        per_person=np.array([1.0]),
        depot_trucks=(np.array([0]),),
        truck_profile="light",
        assessment_delay_s=0.0,
        loading_s=0.0,
        max_depots=1,
        reorder_fraction=0.5,
        reserve_lead_s=DAY,
    )
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


def _cut_off_village(people: int, capacity: int):
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
    plan = ReliefPlan(
        depot_facility=np.array([0]),
        stock=np.array([[1000.0]]),
        per_person=np.array([1.0]),
        depot_trucks=(np.array([0]),),
        truck_profile="light",
        assessment_delay_s=1800.0,
        loading_s=600.0,
        max_depots=1,
        air_capacity_people=capacity,
    )
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
