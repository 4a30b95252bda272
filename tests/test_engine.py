"""Engine tests on hand-made fleets: exact timelines, invariants, and an M/M/c check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.dispatch import NearestAvailable, allocate_relief
from sim.model.engine import Demand, ReliefPlan, simulate
from tests.engine_helpers import make_fleet, make_incidents, one_type_demand


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


def test_allocate_relief_respects_order_and_max_depots():
    """Allocation fills depots in order, up to max_depots."""
    alloc = allocate_relief(1000, np.array([2, 0, 1]), np.array([500, 300, 400]), max_depots=2)
    assert alloc == [(2, 400), (0, 500)]


def test_policy_picks_k_smallest_finite():
    """The nearest-available rule never sends an unreachable unit and breaks ties by order."""
    pol = NearestAvailable()
    eta = np.array([5.0, np.inf, 1.0, 5.0, 3.0])
    assert pol.choose(eta, 2).tolist() == [2, 4]
    assert pol.choose(eta, 3).tolist() == [2, 4, 0]
    assert pol.choose(eta, 10).tolist() == [2, 4, 0, 3]


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
    log = out.trip_log
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
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
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
