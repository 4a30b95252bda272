"""Staff: rosters, absences, crews, duty-time limits, call-back and statistics, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.staffing import StaffState, draw_absences, firefighter_posts, posts_by_role
from sim.scenario import load_scenario
from tests.helpers import BASELINE
from tests.model.helpers import make_staff_plan

H = 3600.0


def _state(plan, absent=None):
    width = 400
    if absent is None:
        absent = np.zeros((plan.n_persons, width), dtype=bool)
    return StaffState(plan, absent)


def test_watches_rotate_through_24_hour_shifts():
    """24 h on / 48 h off changing at 08:00: watch s mod 3 works shift s (shift −1 before 08:00)."""
    plan = make_staff_plan([(0, 0, 0, 1), (0, 0, 1, 1), (0, 0, 2, 1)], watches=3)
    st = _state(plan)
    everyone = np.arange(3)
    assert st.on_duty(everyone, 7 * H).tolist() == [False, False, True]  # shift −1: watch 2
    assert st.on_duty(everyone, 8 * H).tolist() == [True, False, False]
    assert st.on_duty(everyone, 31.9 * H).tolist() == [True, False, False]
    assert st.on_duty(everyone, 32 * H).tolist() == [False, True, False]
    assert st.on_duty(everyone, 56 * H).tolist() == [False, False, True]
    assert st.on_duty(everyone, 80 * H).tolist() == [True, False, False]
    start, end = st.rostered_period(np.array([1]), 40 * H)
    assert (start[0], end[0]) == (32 * H, 56 * H)


def test_daily_window_limits_the_duty_period():
    """Alternate-day duty from 07:00, on duty only 07:00-19:00: the period is the window."""
    plan = make_staff_plan([(0, 1, 0, 1), (0, 1, 1, 1)], watches=2, change_h=7, on_hours=(7, 19))
    st = _state(plan)
    both = np.arange(2)
    assert st.on_duty(both, 10 * H).tolist() == [True, False]
    assert st.on_duty(both, 20 * H).tolist() == [False, False]  # the watch's shift, after 19:00
    assert st.on_duty(both, 34 * H).tolist() == [False, True]  # day 1, 10:00
    start, end = st.rostered_period(np.array([1]), 34 * H)
    assert (start[0], end[0]) == (31 * H, 43 * H)


def test_an_absent_person_is_off_for_that_shift_only():
    """Absence is per person and shift slot (slot = shift index + 1)."""
    plan = make_staff_plan([(0, 0, 0, 2)])
    absent = np.zeros((2, 10), dtype=bool)
    absent[0, 1] = True  # person 0 misses shift 0 (08:00 day 0 to 08:00 day 1)
    st = StaffState(plan, absent)
    assert st.on_duty(np.arange(2), 12 * H).tolist() == [False, True]
    assert st.on_duty(np.arange(2), 33 * H).tolist() == [True, True]


def test_absence_draws_are_common_random_numbers():
    """Adding a person to a watch leaves every other person's absences unchanged; the share of
    absent shifts matches `absence_share` (binomial, 5 standard errors)."""
    small = make_staff_plan([(0, 0, 0, 3)], absence=0.3)
    large = make_staff_plan([(0, 0, 0, 4)], absence=0.3)
    a = draw_absences(small, ("f0",), 1, 0, 365 * 86400.0)
    b = draw_absences(large, ("f0",), 1, 0, 365 * 86400.0)
    np.testing.assert_array_equal(a, b[:3])
    n = b[:, :366].size
    assert abs(b[:, :366].mean() - 0.3) < 5 * math.sqrt(0.3 * 0.7 / n)


def test_a_unit_leaves_only_with_its_full_crew():
    """Two engines needing 5 each, 7 on duty: the first gets a crew, the second none."""
    crew = np.array([[5, 0], [5, 0]])
    plan = make_staff_plan([(0, 0, 0, 7)], unit_crew=crew)
    st = _state(plan)
    c = st.crew_for(0, 0, 10 * H)
    assert c is not None
    assert c.size == 5
    st.assign(0, 0, c, 10 * H)
    assert st.crew_for(1, 0, 10 * H) is None
    st.release(0, 11 * H, 0.0)
    assert st.crew_for(1, 0, 11 * H) is not None


def test_overtime_is_time_out_past_the_end_of_duty():
    """A crew out from 07:00 to 10:30 on a shift ending at 08:00 works 2.5 h overtime each."""
    plan = make_staff_plan([(0, 0, 0, 5)], unit_crew=np.array([[5, 0]]), watches=1)
    st = _state(plan)
    c = st.crew_for(0, 0, 7 * H)  # shift −1, ending at 08:00
    assert c is not None
    st.assign(0, 0, c, 7 * H)
    st.release(0, 10.5 * H, 0.0)
    assert st.overtime_s[c].tolist() == [2.5 * H] * 5


def test_duty_and_flight_limits_decide_who_may_fly():
    """Pilots on 07:00-19:00 with 14 h duty and 8 h flight: a trip ending after 21:00 or
    taking the period's flight time over 8 h finds no crew."""
    plan = make_staff_plan(
        [(0, 1, 0, 2)],
        unit_crew=np.array([[0, 2]]),
        change_h=7,
        on_hours=(7, 19),
        max_duty_h=(math.inf, 14),
        max_flight_h=(math.inf, 8),
    )
    st = _state(plan)
    assert st.crew_for(0, 0, 12 * H, trip_s=9 * H, flight_s=1 * H) is not None  # home 21:00
    assert st.crew_for(0, 0, 12 * H, trip_s=9.1 * H, flight_s=1 * H) is None
    c = st.crew_for(0, 0, 8 * H, trip_s=6 * H, flight_s=5 * H)
    assert c is not None
    st.assign(0, 0, c, 8 * H)
    st.release(0, 14 * H, 5 * H)
    assert st.crew_for(0, 0, 15 * H, trip_s=2 * H, flight_s=3 * H) is not None  # 5 + 3 = 8
    assert st.crew_for(0, 0, 15 * H, trip_s=2 * H, flight_s=3.1 * H) is None
    assert st.limits(0) == (math.inf, math.inf)  # nobody out
    st.assign(0, 0, c, 15 * H)
    assert st.limits(0) == (7 * H + 14 * H, 8 * H - 5 * H)


def test_rest_after_overtime_keeps_a_pilot_off():
    """Back at 23:00 after a period ending at 19:00, a pilot with 10 h rest misses the first
    two hours of the next day's 07:00 duty."""
    plan = make_staff_plan(
        [(0, 1, 0, 2)],
        unit_crew=np.array([[0, 2]]),
        change_h=7,
        on_hours=(7, 19),
        min_rest_h=(0, 10),
    )
    st = _state(plan)
    c = st.crew_for(0, 0, 18 * H)
    assert c is not None
    st.assign(0, 0, c, 18 * H)
    assert st.release(0, 23 * H, 0.0) == 33 * H
    assert st.on_duty(c, 32 * H).tolist() == [False, False]  # 08:00, rostered but resting
    assert st.on_duty(c, 33 * H).tolist() == [True, True]
    assert st.overtime_s[c].tolist() == [4 * H, 4 * H]


def test_call_back_brings_half_of_the_off_duty_staff():
    """Off-duty watch of 5: ceil(0.5 × 5) = 3 come after 1 h and stay 8 h."""
    plan = make_staff_plan(
        [(0, 0, 0, 4), (0, 0, 1, 5)],
        unit_crew=np.array([[4, 0]]),
        watches=2,
        callback=(1.0, 0.5, 8.0),
    )
    st = _state(plan)
    t = 10 * H  # shift 0: watch 0 on duty
    arrive = st.call_back(np.array([0]), np.array([True, False]), t)
    assert arrive == 11 * H
    called = [q for q, a, b in st.callback_log]
    assert called == [4, 5, 6]
    assert st.on_duty(np.array(called), 11 * H).all()
    assert not st.on_duty(np.array(called), 19 * H).any()
    assert st.on_duty(np.array(called), 10.5 * H).tolist() == [False] * 3


def test_summary_counts_person_hours_by_hour_of_day():
    """One person always on duty for two days: 2 h in every hour of the day; a trip 09:30-11:00
    is 0.5 h busy in hour 9 and 1 h in hour 10."""
    plan = make_staff_plan([(0, 0, 0, 1)], unit_crew=np.array([[1, 0]]))
    st = _state(plan)
    c = st.crew_for(0, 0, 9.5 * H)
    assert c is not None
    st.assign(0, 0, c, 9.5 * H)
    st.release(0, 11 * H, 0.0)
    s = st.summary(48 * H)
    assert s["on_duty_h"][0, 0].tolist() == [2.0] * 24
    busy = s["busy_h"][0, 0]
    assert busy[9] == pytest.approx(0.5)
    assert busy[10] == pytest.approx(1.0)
    assert busy.sum() == pytest.approx(1.5)


def test_baseline_posts():
    """The baseline's firefighter posts give the plan's staff count (917), the centre 100."""
    sc = load_scenario(BASELINE)
    assert firefighter_posts(sc) == 917
    by_role = posts_by_role(sc)
    assert by_role["firefighter"] == 917
    assert sum(v for k, v in by_role.items() if k != "firefighter") == 100


def test_a_crew_answer_holds_until_the_next_change_of_status():
    """`steady_until`: 24 h shifts changing at 08:00 (one watch of 5, engines of 5): at 10:00
    the answer holds until the shift changes at 08:00 next day (32 h). Out 07:00-10:00 on the
    shift ending at 08:00, the crew rests 2 h after its overtime: the answer (no crew) holds
    until 12:00 only. A call-back at 10:00 (1 h delay, 8 h hold) brings it forward to 11:00;
    past 11:00, to the call-back's end (19:00). A pilot's answer (duty-limited role) holds for
    no time at all; without the limit, until its daily window closes (19:00). The answer is
    what `crew_for` says at any instant before that time."""
    plan = make_staff_plan(
        [(0, 0, 0, 5)], unit_crew=np.array([[5, 0]]), watches=1, min_rest_h=(2, 0)
    )
    st = _state(plan)
    assert st.steady_until(0, 0, 10 * H) == 32 * H
    crew = st.crew_for(0, 0, 7 * H)
    assert crew is not None
    st.assign(0, 0, crew, 7 * H)
    assert st.release(0, 10 * H, 0.0) == 12 * H
    assert st.steady_until(0, 0, 10 * H) == 12 * H
    assert st.crew_for(0, 0, 11.9 * H) is None
    assert st.crew_for(0, 0, 12 * H) is not None

    called = make_staff_plan(
        [(0, 0, 0, 4), (0, 0, 1, 5)],
        unit_crew=np.array([[4, 0]]),
        watches=2,
        callback=(1.0, 0.5, 8.0),
    )
    st = _state(called)
    assert st.steady_until(0, 0, 10 * H) == 32 * H
    assert st.call_back(np.array([0]), np.array([True, False]), 10 * H) == 11 * H
    assert st.steady_until(0, 0, 10 * H) == 11 * H
    assert st.steady_until(0, 0, 12 * H) == 19 * H

    pilots = make_staff_plan(
        [(0, 1, 0, 2)],
        unit_crew=np.array([[0, 2]]),
        change_h=7,
        on_hours=(7, 19),
        max_duty_h=(math.inf, 14),
    )
    assert _state(pilots).steady_until(0, 0, 10 * H) == 10 * H
    unlimited = make_staff_plan(
        [(0, 1, 0, 2)], unit_crew=np.array([[0, 2]]), change_h=7, on_hours=(7, 19)
    )
    assert _state(unlimited).steady_until(0, 0, 10 * H) == 19 * H
