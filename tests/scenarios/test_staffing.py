"""Staff and aircraft in whole runs: the per-trip invariants and directional checks under CRN.

Scenario: ``tests/data/scenarios/valid/centre_small.yaml`` (a staffed fire station, the regional
centre with two helicopters and day-only aircrews, missions, weather, maintenance).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sim.model.compile import prepare
from sim.model.replication import simulate_replication
from sim.scenario import apply_overrides, load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import load_network, simulate
from tests.helpers import SCENARIO_DATA

CENTRE = SCENARIO_DATA / "valid" / "centre_small.yaml"


def _variant(overrides: list[tuple[str, str]], *, seed: int | None = None, reps: int | None = None):
    sc = load_scenario(CENTRE)
    data = apply_overrides(scenario_to_dict(sc), overrides, source=str(CENTRE))
    if seed is not None:
        data["seed"] = seed
    if reps is not None:
        data["replications"] = reps
    return scenario_from_dict(data, source=str(CENTRE))


def _rostered_start(plan, absent, q: int, t: float) -> float:
    """Start of person q's rostered duty period containing t, from the roster's definition
    (NaN when not rostered), written out again here rather than taken from the engine."""
    ro = int(plan.person_roster[q])
    shift = float(plan.roster_shift_s[ro])
    change = float(plan.roster_change_s[ro])
    s = math.floor((t - change) / shift)
    if s % int(plan.roster_watches[ro]) != int(plan.person_watch[q]) or absent[q, s + 1]:
        return math.nan
    start = change + s * shift
    frm = float(plan.roster_on_from_s[ro])
    if not math.isnan(frm):
        day0 = math.floor(t / 86400.0) * 86400.0
        if not day0 + frm <= t < day0 + float(plan.roster_on_to_s[ro]):
            return math.nan
        start = max(start, day0 + frm)
    return start


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        # Tight aircrew limits, so that aircraft must leave fires early and crews run out.
        [
            ("staffing.roles.pilot.max_duty_h", "7"),
            ("staffing.roles.pilot.max_flight_h", "2"),
            ("staffing.roles.aircrew.max_duty_h", "7"),
            ("staffing.roles.aircrew.max_flight_h", "2"),
        ],
    ],
    ids=["as_given", "tight_limits"],
)
def test_no_unit_leaves_without_its_crew_and_no_aircrew_exceeds_its_limits(overrides):
    """From the per-trip log of every replication: each trip of a unit at a staffed facility
    had its full crew by role, from its own facility, every member on duty at departure
    (rostered and present, or called back) and on no other trip; every aircrew member's duty
    period (first departure to last return) and flight time stay within the role's limits."""
    sc = _variant(overrides)
    prep = prepare(sc, load_network(sc.network))
    plan = prep.staff
    assert plan is not None
    checked = released = 0
    for r in range(sc.replications):
        out = simulate_replication(prep, r).outcome
        st = out.staff
        assert st is not None
        home = {(int(u), float(t0)): float(t1) for u, _i, t0, t1 in out.journey_log}
        flown = {(int(u), float(t0)): float(f) for u, t0, _t1, f in out.trip_flight}
        staffed = {
            (int(u), float(t0)) for u, _i, t0, _t1 in out.journey_log if plan.unit_staffed[int(u)]
        }
        crewed = {(u, t0): persons for u, _i, t0, persons in out.crew_log}
        assert staffed == set(crewed)  # every trip of a staffed unit has a crew record
        busy: dict[int, list[tuple[float, float]]] = {}
        periods: dict[tuple[int, float], list[tuple[float, float, float]]] = {}
        for (u, t0), persons in crewed.items():
            p = np.array(persons)
            assert np.bincount(plan.person_role[p], minlength=len(plan.role_names)).tolist() == (
                plan.unit_crew[u].tolist()
            )
            assert (plan.person_facility[p] == prep.fleet.unit_facility[u]).all()
            t1 = home[(u, t0)]
            for q in persons:
                start = _rostered_start(plan, st.absent, q, t0)
                called = [a for qq, a, b in st.callback_log if qq == q and a <= t0 < b]
                assert not math.isnan(start) or called, (q, t0)
                if called:  # a call-back window adjoining a rostered period starts the duty
                    start = min(called[0], start) if not math.isnan(start) else called[0]
                busy.setdefault(q, []).append((t0, t1))
                if plan.limited_roles[plan.person_role[q]]:
                    periods.setdefault((q, start), []).append((t0, t1, flown[(u, t0)]))
            checked += 1
        for spans in busy.values():
            spans.sort()
            for (_a0, a1), (b0, _b1) in itertools.pairwise(spans):
                assert b0 >= a1 - 1e-6  # never on two trips at once
        for (q, start), trips in periods.items():
            role = plan.person_role[q]
            last = max(t1 for _t0, t1, _f in trips)
            assert last - start <= plan.role_max_duty_s[role] + 1e-6, (q, start, last)
            assert sum(f for *_t, f in trips) <= plan.role_max_flight_s[role] + 1e-6, (q, start)
            released += int(last - start > plan.role_max_duty_s[role] - 60.0)
    assert checked > 100
    if overrides:
        assert released > 0  # the tight duty limit was reached, not just never approached


@pytest.mark.parametrize("seed", [11, 13])
def test_more_staff_on_duty_never_lowers_a_share(seed):
    """Common random numbers, two seeds × 4 replications: 12 instead of 8 firefighters per
    shift never lowers the building-fire share of any replication (and raises the total);
    6 instead of 4 pilots and aircrew per shift never lower the helicopter-mission share.

    (Only staff that do not change which incidents ask for a helicopter are compared on the
    mission share: more firefighters change the ground arrival that triggers medevac flights,
    hence the set of missions the share is taken over.)"""
    base = simulate(_variant([], seed=seed, reps=4), workers=1)
    for overrides, tid in (
        ([("facilities.fs_maba.staff.firefighter.per_shift", "12")], "fire_arrival"),
        (
            [
                ("facilities.centre.staff.pilot.per_shift", "6"),
                ("facilities.centre.staff.aircrew.per_shift", "6"),
            ],
            "air_2h",
        ),
    ):
        more = simulate(_variant(overrides, seed=seed, reps=4), workers=1)
        np.testing.assert_array_equal(base.table["t_h"], more.table["t_h"])  # same incidents
        a = np.array(base.metrics["targets"][tid]["per_replication"])
        b = np.array(more.metrics["targets"][tid]["per_replication"])
        assert (b >= a - 1e-12).all(), (tid, a, b)
        if tid == "fire_arrival":
            assert b.sum() > a.sum()


@pytest.mark.parametrize("seed", [11, 12])
def test_lower_aircraft_availability_never_shortens_helicopter_arrivals(seed):
    """Common random numbers, one helicopter: repairs twice as long (the same failures) leave
    no incident with an earlier first helicopter (never arrived = infinitely late) and delay
    some (4 of about 50 missions with these seeds)."""
    one = [("facilities.centre.units.helicopter.count", "1")]
    base = simulate(_variant(one, seed=seed, reps=4), workers=1)
    longer = [
        ("unit_types.helicopter.air.maintenance.repair_mean_days", "4"),
        ("unit_types.helicopter.air.maintenance.repair_sd_days", "2"),
    ]
    worse = simulate(_variant(one + longer, seed=seed, reps=4), workers=1)
    a = np.nan_to_num(np.asarray(base.table["first_air_h"], dtype=float), nan=np.inf)
    b = np.nan_to_num(np.asarray(worse.table["first_air_h"], dtype=float), nan=np.inf)
    assert (b >= a - 1e-9).all()
    assert (b > a + 1e-9).any()
    av = [
        r.metrics["aircraft"]["by_unit_type"]["helicopter"]["availability_mean"]
        for r in (base, worse)
    ]
    assert av[1] < av[0]
