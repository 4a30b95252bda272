"""Staff as a resource: rosters, who is on duty, crews for units, duty-time limits, call-back.

Pure numpy, no simpy: the engine asks "can unit u leave now with its crew, for a trip of this
length?" and tells this module when crews leave and come back; everything about people lives
here.

Model (plain words)
-------------------
* **Persons.** A facility's staff of one role follow one roster: ``watches`` watches (班组)
  rotate through shifts of ``shift_h`` hours that change at ``change_hour``; watch ``s mod W``
  works shift ``s``. With shifts shorter than a day, each watch always works the same shift of
  the day (day or night), and ``per_shift`` may give one head count per shift of the day. Every
  person belongs to one watch; posts = the sum of the watch sizes.
* **On duty.** A person is on duty during the shifts of their watch (inside ``on_hours`` if the
  roster has them), unless absent for that shift (leave, training, sickness: probability
  ``absence_share``, drawn per person and shift on the person's own random stream, so that
  adding a person never changes another's draws), or while called back.
* **Crews.** A unit at a staffed facility leaves only when the facility has enough persons of
  every role of its crew on duty and not out on another trip. The crew goes with the unit and
  comes back with it; time out past the end of their duty period is overtime.
* **Duty-time limits** (roles with ``max_duty_h`` / ``max_flight_h``, e.g. aircrew): a person
  is assigned only if the trip, as planned, ends within ``max_duty_h`` of the start of their
  duty period and keeps their flight time in the period within ``max_flight_h``; the engine
  brings an aircraft home from open-ended work (fires) before either limit is reached. After
  overtime a person rests ``min_rest_h`` before the next duty.
* **Call-back.** For large events a share of the off-duty staff (present that day, rested)
  of the facilities concerned come in after a delay and stay for ``hold_h``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.model.incidents import HOUR_S, stream

if TYPE_CHECKING:
    from sim.model.dispatch import Fleet
    from sim.scenario import Scenario

#: Random-stream purpose of staff absences (one stream per facility, role and watch).
STREAM_STAFF_ABSENCE = 10


@dataclass(frozen=True, slots=True)
class StaffPlan:
    """Roles, rosters and persons of a scenario, compiled to arrays (same for every replication).

    Attributes
    ----------
    role_names
        Role ids; ``person_role`` and the columns of ``unit_crew`` index this.
    role_max_duty_s, role_max_flight_s, role_min_rest_s
        Duty-time rules per role (s; inf = no limit, 0 = no rest rule).
    role_firefighter
        Whether posts of the role count as 专职消防人员.
    role_cost_per_year
        Cost of one post per year (yuan/yr).
    roster_names
        Roster ids; ``person_roster`` indexes this.
    roster_shift_s, roster_watches, roster_change_s
        Shift length (s), number of watches, time of day shifts change (s after midnight).
    roster_on_from_s, roster_on_to_s
        Daily on-duty window (s after midnight); NaN = the whole shift.
    roster_absence
        Share of rostered shifts a person misses.
    person_facility, person_role, person_roster, person_watch
        Per person: facility, role, roster and watch.
    person_labels
        ``facility/role/w<watch>#<k>`` per person (records and random-stream keys).
    group_persons
        Per (facility, role) group, ``(facility, role) → person indices``.
    unit_crew
        Array (units, roles): crew required to leave (zeros at unstaffed facilities).
    unit_staffed
        Per unit: whether its facility has staff (crew needed).
    posts
        Array (facilities, roles) of posts.
    rostered_by_hour
        Array (facilities, roles, 24): persons rostered on duty in each hour of the day.
    callback_delay_s, callback_share, callback_hold_s
        Call-back: delay, share of the off-duty staff who come, time they stay (NaN delay =
        no call-back).
    callback_threshold_people, callback_on_escalation
        Which events call staff back (people affected; fire escalation rounds).
    """

    role_names: tuple[str, ...]
    role_max_duty_s: np.ndarray
    role_max_flight_s: np.ndarray
    role_min_rest_s: np.ndarray
    role_firefighter: np.ndarray
    role_cost_per_year: np.ndarray
    roster_names: tuple[str, ...]
    roster_shift_s: np.ndarray
    roster_watches: np.ndarray
    roster_change_s: np.ndarray
    roster_on_from_s: np.ndarray
    roster_on_to_s: np.ndarray
    roster_absence: np.ndarray
    person_facility: np.ndarray
    person_role: np.ndarray
    person_roster: np.ndarray
    person_watch: np.ndarray
    person_labels: tuple[str, ...]
    group_persons: dict[tuple[int, int], np.ndarray]
    unit_crew: np.ndarray
    unit_staffed: np.ndarray
    posts: np.ndarray
    rostered_by_hour: np.ndarray
    limited_roles: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Per role: whether it has a duty or flight-time limit."""
    callback_delay_s: float = math.nan
    callback_share: float = 0.0
    callback_hold_s: float = 0.0
    callback_threshold_people: int | None = None
    callback_on_escalation: bool = False

    @property
    def n_persons(self) -> int:
        """Number of persons (posts) in the scenario."""
        return int(self.person_facility.size)

    @property
    def has_callback(self) -> bool:
        """Whether staff may be called back."""
        return not math.isnan(self.callback_delay_s)


def shifts_per_day(shift_h: float) -> int:
    """Shifts that start each day for a roster with shifts of `shift_h` hours."""
    return max(1, round(24 / shift_h)) if shift_h < 24 else 1


def build_staff_plan(scenario: Scenario, fleet: Fleet) -> StaffPlan | None:
    """Compile the scenario's staffing (None when it has none: units are always crewed).

    Parameters
    ----------
    scenario
        Validated scenario (its ``staffing`` section and the facilities' ``staff``).
    fleet
        Compiled units (their facility and type).
    """
    st = scenario.staffing
    if st is None:
        return None
    roles = tuple(st.roles)
    rosters = tuple(st.rosters)
    rindex = {r: k for k, r in enumerate(roles)}

    def hours(v: float | None) -> float:
        return math.inf if v is None else float(v) * HOUR_S

    p_fac: list[int] = []
    p_role: list[int] = []
    p_roster: list[int] = []
    p_watch: list[int] = []
    labels: list[str] = []
    groups: dict[tuple[int, int], list[int]] = {}
    n_fac = len(scenario.facilities)
    posts = np.zeros((n_fac, len(roles)), dtype=np.int64)
    by_hour = np.zeros((n_fac, len(roles), 24))
    for f, fac in enumerate(scenario.facilities):
        for role, spec in fac.staff.items():
            ro_k = rosters.index(spec.roster)
            ro = st.rosters[spec.roster]
            per_day = shifts_per_day(ro.shift_h)
            sizes = spec.sizes(per_day)
            r = rindex[role]
            for w in range(ro.watches):
                for j in range(sizes[w % per_day]):
                    groups.setdefault((f, r), []).append(len(p_fac))
                    p_fac.append(f)
                    p_role.append(r)
                    p_roster.append(ro_k)
                    p_watch.append(w)
                    labels.append(f"{fac.id}/{role}/w{w}#{j + 1}")
            posts[f, r] = sum(sizes[w % per_day] for w in range(ro.watches))
            for h in range(24):
                mid = h + 0.5
                if ro.on_hours is not None and not (ro.on_hours[0] <= mid < ro.on_hours[1]):
                    continue
                q = int(((mid - ro.change_hour) % 24) // ro.shift_h) if ro.shift_h < 24 else 0
                by_hour[f, r, h] = sizes[q % per_day] if ro.shift_h < 24 else sizes[0]
    staffed_fac = np.array([bool(f.staff) for f in scenario.facilities], dtype=bool)
    crew = np.zeros((fleet.n_units, len(roles)), dtype=np.int64)
    for u in range(fleet.n_units):
        fac = scenario.facilities[int(fleet.unit_facility[u])]
        if not fac.staff:
            continue
        tname = fleet.type_names[int(fleet.unit_type[u])]
        need = fac.units[tname].crew_roles or scenario.unit_types[tname].crew_roles or {}
        for role, n in need.items():
            crew[u, rindex[role]] = int(n)
    cb = st.callback
    max_duty = np.array([hours(st.roles[r].max_duty_h) for r in roles])
    max_flight = np.array([hours(st.roles[r].max_flight_h) for r in roles])
    return StaffPlan(
        role_names=roles,
        role_max_duty_s=max_duty,
        role_max_flight_s=max_flight,
        role_min_rest_s=np.array([float(st.roles[r].min_rest_h) * HOUR_S for r in roles]),
        role_firefighter=np.array([st.roles[r].counts_as_firefighter for r in roles], dtype=bool),
        role_cost_per_year=np.array([float(st.roles[r].cost_per_post_per_year) for r in roles]),
        roster_names=rosters,
        roster_shift_s=np.array([st.rosters[r].shift_h * HOUR_S for r in rosters]),
        roster_watches=np.array([st.rosters[r].watches for r in rosters], dtype=np.int64),
        roster_change_s=np.array([st.rosters[r].change_hour * HOUR_S for r in rosters]),
        roster_on_from_s=np.array(
            [
                st.rosters[r].on_hours[0] * HOUR_S if st.rosters[r].on_hours else math.nan  # type: ignore[index]
                for r in rosters
            ]
        ),
        roster_on_to_s=np.array(
            [
                st.rosters[r].on_hours[1] * HOUR_S if st.rosters[r].on_hours else math.nan  # type: ignore[index]
                for r in rosters
            ]
        ),
        roster_absence=np.array([st.rosters[r].absence_share for r in rosters]),
        person_facility=np.array(p_fac, dtype=np.int64),
        person_role=np.array(p_role, dtype=np.int64),
        person_roster=np.array(p_roster, dtype=np.int64),
        person_watch=np.array(p_watch, dtype=np.int64),
        person_labels=tuple(labels),
        group_persons={k: np.array(v, dtype=np.int64) for k, v in groups.items()},
        unit_crew=crew,
        unit_staffed=staffed_fac[fleet.unit_facility] if fleet.n_units else np.zeros(0, bool),
        posts=posts,
        rostered_by_hour=by_hour,
        limited_roles=np.isfinite(max_duty) | np.isfinite(max_flight),
        callback_delay_s=float(cb.delay_h) * HOUR_S if cb else math.nan,
        callback_share=float(cb.share) if cb else 0.0,
        callback_hold_s=float(cb.hold_h) * HOUR_S if cb else 0.0,
        callback_threshold_people=cb.threshold_people if cb else None,
        callback_on_escalation=bool(cb.on_escalation) if cb else False,
    )


def n_shifts(plan: StaffPlan, until_s: float) -> np.ndarray:
    """Shift slots per roster covering [0, `until_s`] (slot = shift index + 1; shift −1 first)."""
    return (np.floor((until_s - plan.roster_change_s) / plan.roster_shift_s) + 3).astype(np.int64)


def draw_absences(
    plan: StaffPlan, fac_ids: tuple[str, ...], seed: int, replication: int, until_s: float
) -> np.ndarray:
    """Draw who is absent on which shift: bool array (persons, shift slots).

    One stream per (facility, role, watch); person ``k`` of the watch reads the ``k``-th block
    of it, so adding a person to a watch leaves every other person's absences unchanged.
    """
    slots = n_shifts(plan, until_s)
    width = int(slots.max()) if slots.size else 0
    out = np.zeros((plan.n_persons, width), dtype=bool)
    for (f, r), persons in plan.group_persons.items():
        ro = int(plan.person_roster[persons[0]])
        share = float(plan.roster_absence[ro])
        if share <= 0:
            continue
        n = int(slots[ro])
        watches = plan.person_watch[persons]
        for w in np.unique(watches):
            members = persons[watches == w]
            key = f"staff:{fac_ids[f]}/{plan.role_names[r]}/w{int(w)}"
            u = stream(seed, replication, key, STREAM_STAFF_ABSENCE).random(members.size * n)
            out[members, :n] = u.reshape(members.size, n) < share
    return out


@dataclass(slots=True)
class Trip:
    """A crew out with a unit: persons, their duty periods and the flight time they had before."""

    persons: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray
    flight_before_s: np.ndarray
    t0: float


@dataclass(slots=True)
class StaffState:
    """Who is where during one replication (mutable; one per replication).

    Parameters
    ----------
    plan
        The compiled staffing.
    absent
        Absences drawn by `draw_absences`.
    """

    plan: StaffPlan
    absent: np.ndarray
    out: np.ndarray = field(init=False)
    rest_until: np.ndarray = field(init=False)
    cb_from: np.ndarray = field(init=False)
    cb_until: np.ndarray = field(init=False)
    period_key: np.ndarray = field(init=False)
    period_flight_s: np.ndarray = field(init=False)
    overtime_s: np.ndarray = field(init=False)
    trips: dict[int, Trip] = field(init=False)
    callback_log: list[tuple[int, float, float]] = field(init=False)
    duty_log: list[tuple[int, float, float, float]] = field(init=False)
    crew_log: list[tuple[int, int, float, tuple[int, ...]]] = field(init=False)
    busy_log: list[tuple[int, float, float]] = field(init=False)
    rest_log: list[tuple[int, float, float]] = field(init=False)
    _cache: dict[tuple[int, int], tuple[float, float, np.ndarray, np.ndarray]] = field(init=False)
    _offer: tuple[int, float, np.ndarray, np.ndarray, np.ndarray] | None = field(init=False)
    _roles_of_unit: list[list[int]] = field(init=False)
    _touched: set[tuple[int, int]] = field(init=False)
    _group_of_person: dict[int, tuple[int, int]] = field(init=False)

    def __post_init__(self) -> None:
        self._cache = {}
        self._offer = None
        self._roles_of_unit = [np.flatnonzero(c).tolist() for c in self.plan.unit_crew]
        # Groups (facility, role) with a person ever called back or made to rest: only their
        # periods need the call-back and rest arithmetic (`period`).
        self._touched = set()
        self._group_of_person = {
            int(q): key for key, persons in self.plan.group_persons.items() for q in persons
        }
        n = self.plan.n_persons
        self.out = np.zeros(n, dtype=bool)
        self.rest_until = np.full(n, -math.inf)
        self.cb_from = np.full(n, math.inf)
        self.cb_until = np.full(n, -math.inf)
        self.period_key = np.full(n, math.nan)
        self.period_flight_s = np.zeros(n)
        self.overtime_s = np.zeros(n)
        self.trips = {}
        self.callback_log = []
        self.duty_log = []
        self.crew_log = []
        self.busy_log = []
        self.rest_log = []

    # -- rosters ---------------------------------------------------------------------------
    def _shift(self, persons: np.ndarray, t: float) -> np.ndarray:
        ro = self.plan.person_roster[persons]
        return np.floor((t - self.plan.roster_change_s[ro]) / self.plan.roster_shift_s[ro]).astype(
            np.int64
        )

    def rostered_period(self, persons: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Rostered duty period (start, end) containing `t` per person; NaN where off duty.

        Off duty: not their watch's shift, outside the daily window, or absent that shift.
        """
        p = self.plan
        ro = p.person_roster[persons]
        s = self._shift(persons, t)
        shift_s = p.roster_shift_s[ro]
        start = p.roster_change_s[ro] + s * shift_s
        end = start + shift_s
        on = (s % p.roster_watches[ro]) == p.person_watch[persons]
        if self.absent.shape[1]:  # slots cover the run: shift −1 (before the first change) on
            on &= ~self.absent[persons, np.minimum(s + 1, self.absent.shape[1] - 1)]
        frm = p.roster_on_from_s[ro]
        win = ~np.isnan(frm)
        if win.any():
            day0 = np.floor(t / 86400.0) * 86400.0
            w_from = day0 + frm
            w_to = day0 + p.roster_on_to_s[ro]
            inside = (t >= w_from) & (t < w_to)
            on &= ~win | inside
            start = np.where(win, np.maximum(start, w_from), start)
            end = np.where(win, np.minimum(end, w_to), end)
        return np.where(on, start, np.nan), np.where(on, end, np.nan)

    def _group_rostered(
        self, key: tuple[int, int], persons: np.ndarray, t: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """`rostered_period` of one (facility, role) group, cached while the roster is steady
        (within one shift and one part of the day: before, in or after the daily window)."""
        hit = self._cache.get(key)
        if hit is not None and hit[0] <= t < hit[1]:
            return hit[2], hit[3]
        p = self.plan
        ro = int(p.person_roster[persons[0]])
        shift = float(p.roster_shift_s[ro])
        lo = float(p.roster_change_s[ro]) + math.floor((t - p.roster_change_s[ro]) / shift) * shift
        hi = lo + shift
        frm = float(p.roster_on_from_s[ro])
        if not math.isnan(frm):
            day0 = math.floor(t / 86400.0) * 86400.0
            edges = [day0, day0 + frm, day0 + float(p.roster_on_to_s[ro]), day0 + 86400.0]
            for a, b in itertools.pairwise(edges):
                if a <= t < b:
                    lo, hi = max(lo, a), min(hi, b)
                    break
        rs, re = self.rostered_period(persons, t)
        rs.flags.writeable = False  # shared by the calls within the window (`period`)
        re.flags.writeable = False
        self._cache[key] = (lo, hi, rs, re)
        return rs, re

    def period(
        self, persons: np.ndarray, t: float, key: tuple[int, int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Duty period (start, end) containing `t`, rostered or called back; NaN where off.

        `key`: the (facility, role) group `persons` is, for the roster cache.
        """
        if key is None:
            rs, re = self.rostered_period(persons, t)
        else:
            rs, re = self._group_rostered(key, persons, t)
        if key is not None and key not in self._touched:
            return rs, re  # nobody of the group was called back or made to rest yet
        cf, cu = self.cb_from[persons], self.cb_until[persons]
        in_cb = (cf <= t) & (t < cu)
        start = np.where(in_cb, np.fmin(rs, cf), rs)
        end = np.where(in_cb, np.fmax(re, cu), re)
        rest = self.rest_until[persons] > t
        return np.where(rest, np.nan, start), np.where(rest, np.nan, end)

    def on_duty(self, persons: np.ndarray, t: float) -> np.ndarray:
        """Whether each person is on duty at `t` (rostered and present, or called back; rested)."""
        return ~np.isnan(self.period(persons, t)[0])

    # -- crews -----------------------------------------------------------------------------
    def crew_for(
        self, u: int, facility: int, t: float, trip_s: float = 0.0, flight_s: float = 0.0
    ) -> np.ndarray | None:
        """Persons who would crew unit `u` leaving at `t`, or None if the crew is incomplete.

        Parameters
        ----------
        u, facility
            The unit and its home facility.
        t
            Departure time (s).
        trip_s, flight_s
            Planned time until the unit is home again, and planned flight time (s); checked
            against the duty-time limits of limited roles.
        """
        p = self.plan
        need = p.unit_crew[u]
        chosen: list[np.ndarray] = []
        starts: list[np.ndarray] = []
        ends: list[np.ndarray] = []
        for r in self._roles_of_unit[u]:
            key = (facility, r)
            persons = p.group_persons.get(key)
            if persons is None:
                return None
            start, end = self.period(persons, t, key)
            ok = ~np.isnan(start) & ~self.out[persons]
            flown = np.where(self.period_key[persons] == start, self.period_flight_s[persons], 0.0)
            if p.limited_roles[r]:
                ok &= t + trip_s <= start + p.role_max_duty_s[r] + 1e-6
                ok &= flown + flight_s <= p.role_max_flight_s[r] + 1e-6
            pos = np.flatnonzero(ok)
            if pos.size < need[r]:
                return None
            if p.limited_roles[r]:  # the least-flown crews first, to spread the flight time
                pos = pos[np.argsort(flown[pos], kind="stable")]
            pos = pos[: need[r]]
            chosen.append(persons[pos])
            starts.append(start[pos])
            ends.append(end[pos])
        if not chosen:
            return np.zeros(0, dtype=np.int64)
        crew = np.concatenate(chosen)
        # Remember the crew's duty periods for `assign` (it usually follows at once).
        self._offer = (u, t, crew, np.concatenate(starts), np.concatenate(ends))
        return crew

    def steady_until(self, u: int, facility: int, t: float) -> float:
        """A time (s) before which `crew_for(u, facility, ·)` gives the answer it gives at `t`,
        unless a crew of the facility leaves, comes back or is called back meanwhile.

        The answer changes with the clock only where some person of the pools unit `u` draws
        on changes status: the end of the current roster window of a pool (shift change or an
        edge of the daily window, absences included), the start or end of a call-back, the end
        of a rest. The earliest such instant after `t` is returned; `t` itself (nothing known
        to stay) for a unit with duty-limited roles, whose limits depend on the trip.
        """
        p = self.plan
        until = math.inf
        for r in self._roles_of_unit[u]:
            if p.limited_roles[r]:
                return t
            key = (facility, r)
            persons = p.group_persons.get(key)
            if persons is None:
                continue
            self._group_rostered(key, persons, t)  # the pool's steady roster window
            until = min(until, self._cache[key][1])
            if key not in self._touched:
                continue  # nobody of the group was called back or made to rest yet
            for times in (self.cb_from[persons], self.cb_until[persons], self.rest_until[persons]):
                later = times[times > t]
                if later.size:
                    until = min(until, float(later.min()))
        return until

    def assign(self, u: int, i: int, persons: np.ndarray, t: float) -> None:
        """The crew `persons` leaves with unit `u` for incident `i` at `t`."""
        offer = self._offer
        if offer is not None and offer[0] == u and offer[1] == t and offer[2] is persons:
            start, end = offer[3], offer[4]
        else:
            start, end = self.period(persons, t)
        self._offer = None
        key = self.period_key[persons]
        before = np.where(key == start, self.period_flight_s[persons], 0.0)
        self.period_key[persons] = start
        self.period_flight_s[persons] = before
        self.out[persons] = True
        self.trips[u] = Trip(persons, start, end, before, t)
        self.crew_log.append((u, i, t, tuple(int(x) for x in persons)))

    def limits(self, u: int) -> tuple[float, float]:
        """(latest time home, flight time left at departure) for the crew of unit `u` (s)."""
        trip = self.trips.get(u)
        if trip is None or trip.persons.size == 0:
            return math.inf, math.inf
        p = self.plan
        roles = p.person_role[trip.persons]
        home = trip.period_start + p.role_max_duty_s[roles]
        left = p.role_max_flight_s[roles] - trip.flight_before_s
        return float(home.min()), float(left.min())

    def crew_free_until(self, u: int) -> float:
        """Until when the crew out with unit `u` may take on more work (s): the end of the
        earliest member's duty period, or of a duty-time limit; inf without a crew."""
        trip = self.trips.get(u)
        if trip is None or trip.persons.size == 0:
            return math.inf
        home_by, _ = self.limits(u)
        return min(float(np.nanmin(trip.period_end)), home_by)

    def release(self, u: int, t: float, flight_s: float) -> float:
        """The crew of unit `u` is home at `t` after `flight_s` of flight; return the latest
        time a crew member must rest until (−inf when no rest is due)."""
        trip = self.trips.pop(u, None)
        if trip is None:
            return -math.inf
        p = self.plan
        persons = trip.persons
        self.out[persons] = False
        self.overtime_s[persons] += np.maximum(0.0, t - trip.period_end)
        self.period_flight_s[persons] = trip.flight_before_s + flight_s
        rest_to = -math.inf
        for k, q in enumerate(persons):
            q = int(q)
            self.busy_log.append((q, trip.t0, t))
            r = int(p.person_role[q])
            if p.limited_roles[r]:
                self.duty_log.append(
                    (q, float(trip.period_start[k]), t, float(self.period_flight_s[q]))
                )
            if t > trip.period_end[k] and p.role_min_rest_s[r] > 0:  # overtime: rest first
                until = t + float(p.role_min_rest_s[r])
                if until > self.rest_until[q]:
                    self.rest_until[q] = until
                    self.rest_log.append((q, t, until))
                    self._touched.add(self._group_of_person[q])
                rest_to = max(rest_to, until)
        return rest_to

    # -- call-back -------------------------------------------------------------------------
    def call_back(self, facilities: np.ndarray, roles: np.ndarray, t: float) -> float | None:
        """Call off-duty staff of `roles` at `facilities` back at `t`; return their arrival
        time, or None when nobody was called.

        Those called: not on duty, not out, present that day (not absent on the current shift
        slot) and rested; the first ``ceil(share × candidates)`` of each role, by post order.
        """
        p = self.plan
        if not p.has_callback:
            return None
        arrive = t + p.callback_delay_s
        until = arrive + p.callback_hold_s
        called = False
        for (f, r), persons in p.group_persons.items():
            if f not in facilities or not roles[r]:
                continue
            off = np.isnan(self.period(persons, t, (f, r))[0]) & ~self.out[persons]
            off &= self.rest_until[persons] <= arrive
            off &= self.cb_until[persons] <= t
            s = self._shift(persons, t)
            if self.absent.shape[1]:
                slot = np.clip(s + 1, 0, self.absent.shape[1] - 1)
                off &= ~self.absent[persons, slot]
            cand = persons[off]
            take = math.ceil(p.callback_share * cand.size)
            for q in cand[:take]:
                self.cb_from[q] = arrive
                self.cb_until[q] = until
                self.callback_log.append((int(q), arrive, until))
                self._touched.add((f, r))
                called = True
        return arrive if called else None

    # -- event times -----------------------------------------------------------------------
    def change_times(self, until_s: float) -> np.ndarray:
        """Times in (0, until_s] at which someone may come on duty (shift and window starts)."""
        p = self.plan
        out: list[np.ndarray] = []
        used = np.unique(p.person_roster)
        for ro in used:
            first = p.roster_change_s[ro]
            out.append(np.arange(first, until_s, p.roster_shift_s[ro]))
            if not math.isnan(p.roster_on_from_s[ro]):
                out.append(np.arange(p.roster_on_from_s[ro], until_s, 86400.0))
        if not out:
            return np.zeros(0)
        t = np.unique(np.concatenate(out))
        return t[t > 0]

    # -- statistics ------------------------------------------------------------------------
    def summary(self, horizon_s: float) -> dict[str, np.ndarray]:
        """Person-hours by (facility, role, hour of day) over the horizon, and totals.

        Returns
        -------
        stats
            ``on_duty_h`` and ``busy_h``: arrays (facilities, roles, 24) of person-hours summed
            over the days of the horizon (on duty: sampled at each hour's midpoint);
            ``overtime_h``, ``callback_h``: arrays (facilities, roles) of person-hours
            (call-back hours: called-back hours outside the person's rostered duty).
        """
        p = self.plan
        n_fac, n_role = p.posts.shape
        hours = math.floor(horizon_s / HOUR_S)
        mid = np.arange(hours) * HOUR_S + HOUR_S / 2
        hod = np.arange(hours) % 24
        on = np.zeros((n_fac, n_role, 24))
        cb_h = np.zeros((n_fac, n_role))
        rostered = np.zeros((p.n_persons, hours), dtype=bool)
        for ro in np.unique(p.person_roster):
            persons = np.flatnonzero(p.person_roster == ro)
            s = np.floor((mid - p.roster_change_s[ro]) / p.roster_shift_s[ro]).astype(np.int64)
            m = (s[None, :] % p.roster_watches[ro]) == p.person_watch[persons][:, None]
            if self.absent.shape[1]:
                slot = np.clip(s + 1, 0, self.absent.shape[1] - 1)
                m &= ~self.absent[persons][:, slot]
            if not math.isnan(p.roster_on_from_s[ro]):
                sod = mid % 86400.0
                m &= ((sod >= p.roster_on_from_s[ro]) & (sod < p.roster_on_to_s[ro]))[None, :]
            rostered[persons] = m
        present = rostered.copy()
        for q, a, b in self.callback_log:
            sel = (mid >= a) & (mid < b)
            extra = sel & ~rostered[q]
            cb_h[p.person_facility[q], p.person_role[q]] += float(extra.sum())
            present[q] |= sel
        for q, a, b in self.rest_log:
            present[q] &= ~((mid >= a) & (mid < b))
        for q in range(p.n_persons):
            f, r = p.person_facility[q], p.person_role[q]
            on[f, r] += np.bincount(hod[present[q]], minlength=24)
        busy = np.zeros((n_fac, n_role, 24))
        for q, a, b in self.busy_log:
            f, r = p.person_facility[q], p.person_role[q]
            _add_interval(busy[f, r], a, min(b, horizon_s))
        for u, trip in self.trips.items():  # still out at the end of the run
            del u
            for q in trip.persons:
                f, r = p.person_facility[q], p.person_role[q]
                _add_interval(busy[f, r], trip.t0, horizon_s)
        overtime = np.zeros((n_fac, n_role))
        np.add.at(overtime, (p.person_facility, p.person_role), self.overtime_s / HOUR_S)
        return {"on_duty_h": on, "busy_h": busy, "overtime_h": overtime, "callback_h": cb_h}


def _add_interval(acc: np.ndarray, a: float, b: float) -> None:
    """Add the hours of [a, b) (s) to `acc` (24 bins by hour of day)."""
    t = a
    while t < b:
        h = math.floor(t / HOUR_S)
        nxt = min(b, (h + 1) * HOUR_S)
        acc[h % 24] += (nxt - t) / HOUR_S
        t = nxt


def firefighter_posts(scenario: Scenario) -> int:
    """专职消防人员 of a scenario: staffed facilities count their firefighter posts, the others
    their ``full_time_staff`` (persons)."""
    total = 0
    roles = scenario.staffing.roles if scenario.staffing is not None else {}
    rosters = scenario.staffing.rosters if scenario.staffing is not None else {}
    for fac in scenario.facilities:
        if not fac.staff:
            total += int(fac.full_time_staff)
            continue
        for role, spec in fac.staff.items():
            if roles[role].counts_as_firefighter:
                ro = rosters[spec.roster]
                sizes = spec.sizes(shifts_per_day(ro.shift_h))
                total += sum(sizes[w % len(sizes)] for w in range(ro.watches))
    return total


def posts_by_role(scenario: Scenario) -> dict[str, int]:
    """Posts of every role over all facilities (persons)."""
    if scenario.staffing is None:
        return {}
    out = dict.fromkeys(scenario.staffing.roles, 0)
    for fac in scenario.facilities:
        for role, spec in fac.staff.items():
            ro = scenario.staffing.rosters[spec.roster]
            sizes = spec.sizes(shifts_per_day(ro.shift_h))
            out[role] += sum(sizes[w % len(sizes)] for w in range(ro.watches))
    return out
