"""Aircraft availability and helicopter missions, by hand (sim.model.aircraft)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from sim.model.aircraft import (
    AirPlan,
    AirState,
    build_air_plan,
    build_mission_plan,
    uses_air_ops,
)
from sim.model.compile import prepare
from sim.model.incidents import generate_incidents
from sim.model.travel import MODE_AIR
from sim.scenario import load_scenario
from sim.workflows.common import load_network
from tests.helpers import FOREST, SCENARIO_DATA, SMALL

CENTRE = SCENARIO_DATA / "valid" / "centre_small.yaml"
DAY = 86400.0


def _plan(**kw) -> AirPlan:
    base = {
        "inspection_every_s": np.array([50 * 3600.0]),
        "inspection_s": np.array([2 * DAY]),
        "annual_at_s": np.array([math.nan]),
        "annual_s": np.zeros(1),
        "failure_at_s": (np.zeros(0),),
        "repair_s": (np.zeros(0),),
        "no_fly_day": None,
        "usable_range_m": np.array([500_000.0]),
        "refuel_s": np.array([1800.0]),
        "air_units": np.array([0]),
    }
    return AirPlan(**{**base, **kw})


def test_inspection_after_fifty_flight_hours() -> None:
    """Flight hours add up over trips; at 50 h the aircraft goes into a 2-day inspection when
    it is back, and the counter starts again."""
    st = AirState(_plan())
    assert st.on_return(0, 10 * DAY, 30 * 3600.0) is None
    back = st.on_return(0, 20 * DAY, 25 * 3600.0)
    assert back == 22 * DAY
    assert not st.ready(0, 21 * DAY)
    assert st.ready(0, 22 * DAY)
    assert st.since_inspection_s[0] == 0.0
    assert st.log == [(0, 20 * DAY, 22 * DAY, "inspection")]


def test_a_failure_while_out_grounds_the_aircraft_when_back() -> None:
    """A deferred repair starts on return; spans never overlap and downtime counts once."""
    st = AirState(_plan())
    st.defer(0, 1 * DAY)
    assert st.on_return(0, 5 * DAY, 3600.0) == 6 * DAY
    assert st.ground(0, 5.5 * DAY, 1 * DAY, "failure") == 7 * DAY  # queued behind the first
    assert st.downtime_s(0, 100 * DAY) == pytest.approx(2 * DAY)
    assert st.downtime_s(0, 6.5 * DAY) == pytest.approx(1.5 * DAY)


def test_fuel_time_of_a_flight_plan() -> None:
    """Usable 500 km: out 260 km, 90 km hovering, back 260 km: one 30 min stop before home."""
    st = AirState(_plan())
    assert st.fuel_time_s(0, [260e3, 90e3, 260e3]) == [0.0, 0.0, 1800.0]


def test_weather_days_follow_the_monthly_shares() -> None:
    """No-fly days are drawn per calendar day with the month's share (binomial, 5 s.e.), on one
    city-wide stream: the same seed gives the same weather in any scenario."""
    sc = load_scenario(CENTRE)
    prep = prepare(sc, load_network(sc.network))
    mode = prep.unit_mode == MODE_AIR
    until = 366 * DAY
    draws = [build_air_plan(sc, prep.fleet, mode, r, until).no_fly_day for r in range(20)]
    nf = np.stack([d for d in draws if d is not None])[:, :365]
    shares = np.asarray(sc.aviation.no_fly_share)
    months = np.array([(sc.start_date.toordinal() + k) for k in range(365)])
    month = np.array([date.fromordinal(int(o)).month - 1 for o in months])
    expected = shares[month].mean()
    se = math.sqrt(expected * (1 - expected) / nf.size)
    assert abs(nf.mean() - expected) < 5 * se
    again = build_air_plan(sc, prep.fleet, mode, 3, until).no_fly_day
    assert again is not None
    np.testing.assert_array_equal(again, draws[3])


def test_failures_are_poisson_in_calendar_time() -> None:
    """Failure counts over 20 replications match the mean interval (Poisson, 5 s.e.), and the
    calendar inspections are staggered over the fleet."""
    sc = load_scenario(CENTRE)
    prep = prepare(sc, load_network(sc.network))
    mode = prep.unit_mode == MODE_AIR
    until = 365 * DAY
    counts = []
    for r in range(20):
        plan = build_air_plan(sc, prep.fleet, mode, r, until)
        counts += [plan.failure_at_s[u].size for u in plan.air_units]
    mean_days = sc.unit_types["helicopter"].air.maintenance.failure_mean_days
    expected = 365 / mean_days
    assert abs(np.mean(counts) - expected) < 5 * math.sqrt(expected / len(counts))
    plan = build_air_plan(sc, prep.fleet, mode, 0, until)
    starts = sorted(plan.annual_at_s[plan.air_units] / DAY)
    assert starts == pytest.approx([365 * 0.25, 365 * 0.75])


def test_missions_are_drawn_per_incident_type() -> None:
    """The drawn share matches `share` (binomial, 5 s.e.); medevac goes to the nearest hospital
    and, outside the city, to the region's own point."""
    sc = load_scenario(CENTRE)
    prep = prepare(sc, load_network(sc.network))
    hospitals = prep.hospitals
    assert hospitals is not None
    drawn, n = 0, 0
    for r in range(10):
        inc = generate_incidents(sc, prep.geography, prep.population, r)
        mp = build_mission_plan(sc, inc, prep.fleet.type_names, hospitals, r)
        assert mp is not None
        flood = inc.type_idx == inc.type_names.index("flood")
        drawn += int(mp.drawn[flood].sum())
        n += int(flood.sum())
        ext = inc.type_idx == inc.type_names.index("qingyuan_air")
        assert (mp.hospital_lon[ext] == 113.06).all()
        road = inc.type_idx == inc.type_names.index("road_traffic")
        assert (mp.hospital_lon[road] == hospitals[0, 0]).all()
    assert abs(drawn / n - 0.5) < 5 * math.sqrt(0.25 / n)


def test_air_rules_are_off_in_older_scenarios() -> None:
    """Scenarios without any aircraft rule keep the old behaviour (and their golden files)."""
    assert not uses_air_ops(load_scenario(SMALL))
    assert not uses_air_ops(load_scenario(FOREST))
    assert uses_air_ops(load_scenario(CENTRE))
