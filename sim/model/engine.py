"""The discrete-event engine (simpy): units, incidents, queues and relief convoys.

This is the only module that imports simpy. It takes compiled arrays (a `Fleet`, an
`IncidentSet` with snapped nodes, a `ReliefPlan`) and returns per-incident and per-unit outcome
arrays; it does no file I/O and no reporting.

Model rules (plain words)
-------------------------
* A unit is available only when it is at its home facility. An incident asks for its required
  units by type; for each type the policy picks among available units by estimated arrival
  (turnout + road travel + off-network access legs). Missing units are requested in a queue
  ordered by incident priority, then onset time; a unit coming home serves the head of the queue
  for its type (partial dispatch, then reinforcement).
* Work starts when the first unit arrives and takes the sampled on-scene time. If the full
  complement has not arrived by then, the crew on scene keeps working until it does, at most
  for another on-scene time (work with a partial crew is slower), then the incident clears
  anyway and its outstanding requests are cancelled. Units then drive home.
* Relief: `assessment_delay` after the onset of a disaster, the affected people's need is split
  over the depots that still hold stock and have trucks, nearest first; each depot loads
  trucks (`loading`) and sends them, truckload after truckload as trucks come back. The relief
  time is the arrival of the first truck. Stock is consumed at allocation; need that no depot
  can cover is recorded as unmet. Every load (truck, village store, helicopter) then goes the
  village last mile and is handed out at a rate per hour per load; the households' relief
  time (`relief_done_s`) is when loads handed out cover every affected person — never when
  need stays unmet.
* Forest fires: the call comes after a detection delay; the fire grows from ignition
  (elliptical spread, slower at night) and is contained when the line built by crews on scene
  (ground teams, and helicopters' bucket drops by day) catches its perimeter (`sim.fire`),
  checked in steps of a few minutes split at sunrise and sunset. Mop-up (`on_scene`) follows.
* Travel by road, road + boat or air comes from `sim.travel.TravelModel`, which also knows
  about daylight for aircraft.
* Nothing is dropped: incidents still waiting when the run ends are reported as unserved.
* Staff and aircraft (only when a scenario switches them on; `sim.model.staffing`,
  `sim.model.aircraft`): a unit at a staffed facility leaves only with its crew on duty, an
  aircraft only when serviceable and able to take off at once (daylight, weather); queued
  requests are tried again whenever crews come on duty or aircraft return to service. An
  aircraft leaves open-ended work (fires) in time to be home before its crew's duty or flight
  limit and, if it cannot fly at night, before sunset; the incident asks for another. Mission
  aircraft (hoist, medevac, transport, relief drop) leave after their mission.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from dataclasses import dataclass
from datetime import date as _date
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.geo import haversine_m
from sim.model.aircraft import MEDEVAC, MISSION_KINDS, RELIEF_DROP, AirState, MissionPlan
from sim.model.dispatch import (
    PROFILES,
    DispatchPolicy,
    DispatchRules,
    NearestAvailable,
    allocate_relief,
)
from sim.model.position import Leg
from sim.model.staffing import StaffState
from sim.model.travel import (
    MODE_AIR,
    Legs,
    SolarClock,
    TravelModel,
    is_daylight,
    next_daylight_change,
    sunrises,
    sunset_after,
)
from sim.physics.aviation import bucket_cycle_s
from sim.physics.fire import FireState, unit_line_rate_m_per_h

if TYPE_CHECKING:
    from collections.abc import Callable, Generator
    from datetime import date

    from sim.model.dispatch import Fleet
    from sim.model.incidents import IncidentSet
    from sim.model.severity import SeverityPlan

    ProcessGenerator = Generator[simpy.events.Event, Any, Any]


#: Calendar start used for daylight when the caller gives none (tests on abstract networks).
_DEFAULT_START = _date(2025, 1, 1)


@dataclass(frozen=True, slots=True)
class ReliefPlan:
    """Relief stock and logistics, compiled for the engine.

    Attributes
    ----------
    depot_facility
        Facility index of each depot (facilities holding stock).
    stock
        Array (depots, items) of initial stock (items).
    per_person
        Array (items,) of stock consumed per affected person.
    depot_trucks
        Tuple of unit-index arrays: the relief trucks of each depot.
    truck_profile
        Road profile of the trucks (``"light"`` or ``"heavy"``).
    assessment_delay_s, loading_s
        Onset → request, and loading time at the depot (s).
    max_depots
        Most depots that may share one demand.
    village, village_lon, village_lat
        Per depot: whether it is a village store (no trucks; serves its own area after
        `local_delivery_s`), and its position.
    village_radius_m, local_delivery_s
        Reach and delivery time of village stores.
    reorder_fraction, reserve_lead_s
        Provincial reserve: refill a depot to its initial stock `reserve_lead_s` after any item
        fell below this share (None = no reserve).
    air_capacity_people
        People served by one helicopter relief flight to a place no truck can reach.
    days_of_need
        Days of need one disaster's relief covers (for the days-met figure).
    handout_people_per_h
        People one load is handed out to per hour at the scene (inf = at once).
    last_mile_s
        From where a truck or helicopter unloads to the households (s).
    """

    depot_facility: np.ndarray
    stock: np.ndarray
    per_person: np.ndarray
    depot_trucks: tuple[np.ndarray, ...]
    truck_profile: str
    assessment_delay_s: float
    loading_s: float
    max_depots: int
    village: np.ndarray | None = None
    village_lon: np.ndarray | None = None
    village_lat: np.ndarray | None = None
    village_radius_m: float = 5000.0
    local_delivery_s: float = 1800.0
    reorder_fraction: float | None = None
    reserve_lead_s: float | None = None
    air_capacity_people: int = 150
    days_of_need: float = 1.0
    handout_people_per_h: float = math.inf
    last_mile_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Demand:
    """What each incident type needs: units by type and queue priority.

    Attributes
    ----------
    units
        Integer array (incident types, unit types): units required on scene.
    priority
        Integer array (incident types,): 1 = most urgent.
    """

    units: np.ndarray
    priority: np.ndarray


@dataclass(frozen=True, slots=True)
class FirePlan:
    """Forest-fire parameters of one replication, compiled for the engine.

    Attributes
    ----------
    is_fire
        Per incident: whether it is a forest fire (growth/containment race).
    ros_m_per_h, lb_ratio, back_ratio, night_factor, initial_radius_m, step_s
        Per incident fire parameters (ignored where not a fire).
    water_dist_m
        Per incident: distance to the nearest water-intake point (m).
    unit_fireline_m_per_h
        Per unit: line built and held on scene by ground crews (m/h).
    unit_line_per_drop_m, unit_bucket_speed_kph, unit_fill_s, unit_drop_s
        Per unit: helicopter bucket work (0 / NaN for ground units).
    unit_night_capable
        Per unit: may fly at night.
    start
        Calendar date of simulation time 0, for daylight (a `SolarClock` for another region).
    rain_days, rain_factor
        Per incident: rainy calendar days after the ignition day, and the spread multiplier then.
    escalation_after_s, escalation_units, escalation_rounds
        Per incident: interval between reinforcement requests (inf = none), units requested
        each time (incidents × unit types), and the most rounds.
    max_area_ha
        Per incident: size at which a free-burning fire stops growing (landscape barriers).
    air_scale_type, air_scale_ha, air_scale_max
        Per incident: aircraft unit type asked for as the fire grows (−1 = none), burned area
        per aircraft wanted (ha), and the most aircraft.
    unit_bucket_duty
        Per unit: share of time on scene a helicopter drops water rather than refuels (1 =
        unlimited range).
    """

    is_fire: np.ndarray
    ros_m_per_h: np.ndarray
    lb_ratio: np.ndarray
    back_ratio: np.ndarray
    night_factor: np.ndarray
    initial_radius_m: np.ndarray
    step_s: np.ndarray
    water_dist_m: np.ndarray
    unit_fireline_m_per_h: np.ndarray
    unit_line_per_drop_m: np.ndarray
    unit_bucket_speed_kph: np.ndarray
    unit_fill_s: np.ndarray
    unit_drop_s: np.ndarray
    unit_night_capable: np.ndarray
    start: date | SolarClock
    rain_days: np.ndarray | None = None
    rain_factor: np.ndarray | None = None
    escalation_after_s: np.ndarray | None = None
    escalation_units: np.ndarray | None = None
    escalation_rounds: np.ndarray | None = None
    max_area_ha: np.ndarray | None = None
    air_scale_type: np.ndarray | None = None
    air_scale_ha: np.ndarray | None = None
    air_scale_max: np.ndarray | None = None
    unit_bucket_duty: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class DisruptionPlan:
    """Road closures of one replication, compiled for the engine.

    Attributes
    ----------
    road
        The `sim.travel.RoadState` that recomputes travel times (private to the replication).
    static_edges
        Edges closed for the whole run.
    event_edges
        ``{incident: edge indices}`` closed at the incident's onset.
    event_duration_s
        ``{incident: seconds}`` how long they stay closed.
    town_nodes, town_names
        Road nodes of the towns watched for isolation (cut off from every facility).
    """

    road: Any
    static_edges: np.ndarray
    event_edges: dict[int, np.ndarray]
    event_duration_s: dict[int, float]
    town_nodes: np.ndarray
    town_names: tuple[str, ...]


#: Kinds of trip (column `kind` of ``trips.csv``).
TRIP_KINDS = ("response", "relief", "air_relief", "cover", "cover_return")
#: How a trip ended (column `end` of ``trips.csv``).
TRIP_ENDS = ("home", "reassigned", "diverted", "dispatched", "released", "recalled", "run_end")


@dataclass(frozen=True, slots=True)
class Trip:
    """One assignment of one unit: from being sent until it is home or sent elsewhere.

    A unit's trips never overlap: each begins at or after the end of the one before (the
    engine's invariant, checked by the tests from this log). Times are simulation seconds;
    NaN where the event did not happen.

    Attributes
    ----------
    unit
        Unit index.
    incident
        Incident index (−1 for cover moves).
    kind
        One of `TRIP_KINDS`.
    origin
        Where it was sent from: one of `sim.model.dispatch.ORIGINS`.
    from_incident
        The incident it was driving home from (`returning`) or diverted from (`en_route`), or
        −1.
    priority, from_priority
        Queue priority of the incident when the unit was sent, and of `from_incident` (0 =
        none).
    post
        Cover moves: facility where the unit stands by (−1 otherwise).
    dispatch_s, arrive_s, leave_s, end_s
        Sent; on scene (or at the post); left the scene (or the post); home or sent elsewhere.
    end
        One of `TRIP_ENDS`.
    gain_s
        Diversions: how much earlier (s) the unit arrives than the best free unit that was
        left for the call when it was chosen (inf: none was free); NaN for other trips.
    """

    unit: int
    incident: int
    kind: str
    origin: str
    from_incident: int
    priority: int
    from_priority: int
    post: int
    dispatch_s: float
    arrive_s: float
    leave_s: float
    end_s: float
    end: str
    gain_s: float = math.nan


@dataclass(slots=True)
class _Move:
    """A unit on the road that the command-centre rules may send elsewhere (engine state)."""

    kind: str  # "response", "return", "cover", "cover_return"
    incident: int  # incident driven to or from (−1: cover moves)
    leg: Leg | None  # the road part (None: position unknown, e.g. a boat trip)
    proc: Any  # what to interrupt: the unit's drive (`_Drive`) or its simpy process
    group: int = -1  # cover moves: the group covered
    positional: bool = False  # sent from the road or a cover post (not from its base's row)


class _Reassigned:
    """Interrupt cause: the unit was sent elsewhere; its process ends without going home."""


_REASSIGNED = _Reassigned()


class _Drive:
    """A unit on the road, to an incident or home: a timeout whose callback is the arrival.

    A simpy process per trip would cost two more events (its start and its end) and a
    generator; a drive needs neither, only to be re-timed or turned back when the roads
    change, or taken over when the unit is sent elsewhere (`interrupt`, as a process would
    be).

    Parameters
    ----------
    eng
        The engine.
    u, t0
        The unit and when it left its base (s): the trip's time out counts from there.
    arrive_at
        Arrival time (s).
    i
        The incident driven to (`_Engine.trip_arrived` at the arrival), or −1: home
        (`_Engine.drove_home`).
    """

    __slots__ = ("eng", "ev", "i", "t0", "u")

    def __init__(self, eng: _Engine, u: int, t0: float, arrive_at: float, i: int) -> None:
        self.eng, self.u, self.t0, self.i = eng, u, t0, i
        self.ev = self._wait(arrive_at)

    def _wait(self, arrive_at: float) -> simpy.Timeout:
        env = self.eng.env
        ev = env.timeout(max(0.0, arrive_at - env.now))
        ev.callbacks.append(self._arrive)
        return ev

    def _arrive(self, _ev: simpy.events.Event) -> None:
        if self.i >= 0:
            self.eng.trip_arrived(self.u, self.i, self.t0)
        else:
            self.eng.drove_home(self.u, self.t0)

    def interrupt(self, cause: Any) -> None:
        """The roads changed under the unit (`cause`: its new arrival time (s), or None: no
        road left, it turns back) or it was sent elsewhere (`_REASSIGNED`)."""
        self.ev.callbacks.remove(self._arrive)  # the old arrival no longer happens
        eng, u, t0 = self.eng, self.u, self.t0
        if cause is _REASSIGNED:  # `dispatch_moving` took over the unit
            eng.busy_s[u] += eng.env.now - t0
        elif cause is None:  # no road left: back the way it came; the incident asks again
            eng.en_route.pop(u, None)
            eng.moves.pop(u, None)
            eng.pos_legs.pop(u, None)
            eng.recalled_units.add(u)
            eng.after(eng.env.now - t0, eng.trip_home, u, t0)
        else:
            self.ev = self._wait(float(cause))


@dataclass(frozen=True, slots=True)
class SimOutcome:
    """Per-incident and per-unit results of one replication (times in s from the horizon start).

    NaN means "did not happen before the end of the run".
    """

    first_arrival_s: np.ndarray
    all_arrived_s: np.ndarray
    cleared_s: np.ndarray
    first_dispatch_s: np.ndarray
    n_required: np.ndarray
    n_sent: np.ndarray
    queued: np.ndarray
    units_sent: tuple[tuple[int, ...], ...]
    relief_s: np.ndarray
    relief_done_s: np.ndarray
    """When first supplies had been handed out to every affected person (NaN: not in the run)."""
    relief_unmet_people: np.ndarray
    relief_depots: tuple[tuple[int, ...], ...]
    unit_busy_s: np.ndarray
    unit_trips: np.ndarray
    unit_wait_s: np.ndarray
    end_s: float
    final_stock: np.ndarray
    journey_log: np.ndarray
    """Array (journeys, 4): unit, first incident (−1: a cover move), time it left home, time
    back home (NaN if still out). A journey holds one or more `trip_log` trips."""
    report_s: np.ndarray
    first_mode: tuple[str, ...]
    first_road_s: np.ndarray
    first_boat_s: np.ndarray
    first_air_s: np.ndarray
    first_ground_arrival_s: np.ndarray
    first_air_arrival_s: np.ndarray
    contained_s: np.ndarray
    burned_ha: np.ndarray
    unit_flight_s: np.ndarray
    arrival_by_type_s: np.ndarray
    mutual_aid_sent: np.ndarray
    relief_air: np.ndarray
    isolation_h: dict[str, float]
    isolation_events: int
    rerouted: int
    recalled: int
    air_mission: tuple[str, ...] = ()
    """Per incident: helicopter mission asked for ('' none, 'bucket', 'hoist', 'medevac', ...)."""
    trip_flight: np.ndarray | None = None
    """Array (trips, 4): unit, dispatch time, time home, flight time of the trip (s)."""
    crew_log: tuple[tuple[int, int, float, tuple[int, ...]], ...] = ()
    """Per trip with a crew: unit, incident, dispatch time, persons."""
    staff: StaffState | None = None
    """Staff state at the end of the run (logs and statistics), or None without staffing."""
    air_state: AirState | None = None
    """Aircraft state at the end of the run (maintenance log), or None without aircraft rules."""
    trip_rows: tuple[list[Any], ...] = ()
    """The engine's raw trip records, in order of dispatch (read them as `trip_log`)."""
    priority: np.ndarray | None = None
    """Per incident: queue priority at the call (its type's, or its severity level's)."""
    level: np.ndarray | None = None
    """Per incident: severity level index at the call (`sim.model.severity`), or None."""
    escalations: np.ndarray | None = None
    """Per incident: times it grew to the next severity level on scene, or None."""
    coverage_by_hour: np.ndarray | None = None
    """Array (24,): time-weighted share of the population covered, by hour of day (coverage on)."""
    dispatch_counts: dict[str, int] | None = None
    """Counts of the rules' actions: reassigned, diverted, cover_moves (rules on)."""

    @property
    def trip_log(self) -> tuple[Trip, ...]:
        """Every assignment of every unit (`Trip`), in order of dispatch.

        Built from `trip_rows` when asked for: most runs never read it, and building ~16,000
        records a simulated year cost about a sixth of a replication's time."""
        return tuple(
            Trip(
                unit=int(r[0]),
                incident=int(r[1]),
                kind=str(r[2]),
                origin=str(r[3]),
                from_incident=int(r[4]),
                priority=int(r[5]),
                from_priority=int(r[6]),
                post=int(r[7]),
                dispatch_s=float(r[8]),
                arrive_s=float(r[9]),
                leave_s=float(r[10]),
                end_s=float(r[11]),
                end=str(r[12]),
                gain_s=float(r[13]),
            )
            for r in self.trip_rows
        )


class _Engine:
    """State of one replication; methods are the simpy processes and their callbacks."""

    def __init__(
        self,
        fleet: Fleet,
        inc: IncidentSet,
        travel: TravelModel,
        demand: Demand,
        relief: ReliefPlan | None,
        policy: DispatchPolicy,
        fires: FirePlan | None = None,
        report_s: np.ndarray | None = None,
        disruption: DisruptionPlan | None = None,
        mutual: np.ndarray | None = None,
        mutual_threshold: int | None = None,
        staff: StaffState | None = None,
        air: AirState | None = None,
        missions: MissionPlan | None = None,
        ops: bool = False,
        severity: SeverityPlan | None = None,
        rules: DispatchRules | None = None,
        record_trips: bool = True,
    ) -> None:
        self.env = simpy.Environment()
        self.record_trips = record_trips
        self.staff = staff
        self.air = air
        self.missions = missions
        # Aircraft rules on: hold aircraft until they can take off, release them from fires.
        self.ops = ops
        self.gate = staff is not None or ops
        self.disruption = disruption
        self.mutual = np.zeros(fleet.n_units, dtype=bool) if mutual is None else mutual
        self.mutual_threshold = mutual_threshold
        self.fleet = fleet
        self.inc = inc
        self.travel = travel
        self.node = travel.node
        self.access_s = travel.access_s
        self.demand = demand
        self.relief = relief
        self.policy = policy
        self.fires = fires
        self.report_s = inc.t_s if report_s is None else report_s
        n = len(inc)
        nan = np.full(n, np.nan)
        self.first_arrival = nan.copy()
        self.all_arrived = nan.copy()
        self.cleared = nan.copy()
        self.first_dispatch = nan.copy()
        # Severity levels: each incident's level, its attendance plan and priority.
        self.severity = severity
        self.prio = demand.priority[inc.type_idx].astype(np.int64)
        self.level = np.zeros(n, dtype=np.int64)
        self.escalations = np.zeros(n, dtype=np.int64)
        self.work_end = nan.copy()  # planned end of work (levels on: escalation extends it)
        if severity is not None:
            self.level = severity.level.copy()
            self.prio = severity.table.priority[inc.type_idx, self.level].astype(np.int64)
        self.prio_at_call = self.prio.copy()
        self.level_at_call = self.level.copy()
        if not n:
            self.n_required = np.zeros(0, dtype=np.int64)
        elif severity is not None:
            self.n_required = severity.table.units[inc.type_idx, self.level].sum(axis=1)
        else:
            self.n_required = demand.units[inc.type_idx].sum(axis=1)
        self.n_sent = np.zeros(n, dtype=np.int64)
        self.n_arrived: list[int] = [0] * n  # (a list: read and written at every arrival)
        self.queued = np.zeros(n, dtype=bool)
        self.sent: list[list[int]] = [[] for _ in range(n)]
        self.outstanding: dict[int, dict[int, int]] = {}
        self.complete_ev: dict[int, simpy.Event] = {}
        self.clear_ev: dict[int, simpy.Event] = {}
        self.available = np.ones(fleet.n_units, dtype=bool)
        self.busy_s = np.zeros(fleet.n_units)
        self.trips = np.zeros(fleet.n_units, dtype=np.int64)
        self.wait_s = np.zeros(fleet.n_units)  # queue wait summed over the requests a unit served
        self.queues: list[list[tuple[int, float, int, int]]] = [[] for _ in fleet.type_names]
        self.seq = itertools.count()
        self.journey_log: list[tuple[int, int, float, float]] = []
        self.out_since: dict[int, tuple[int, float]] = {}  # unit -> (incident, left home)
        # Per-assignment records (`Trip`), as mutable lists until the run ends; open one per unit.
        self.trip_rows: list[list[Any]] = []
        self.open_row: dict[int, int] = {}
        # Command-centre rules: units on the road, cover posts and coverage over time.
        self.rules = rules
        self.router = rules.router if rules is not None else None
        self.reassign = rules.reassignment if rules is not None else None
        self.cover = rules.cover if rules is not None else None
        self.coverage = rules.coverage if rules is not None else None
        self.positional = rules is not None and rules.positional
        self.moves: dict[int, _Move] = {}
        self.pos_legs: dict[int, Legs] = {}  # legs of trips sent from the road or a cover post
        self.recalled_units: set[int] = set()
        self.cover_episode = np.zeros(fleet.n_units, dtype=np.int64)
        self.post: dict[int, int] = {}  # unit standing by -> facility
        self.cover_group: dict[int, int] = {}  # cover unit (moving or standing by) -> group
        self.cover_pending: set[int] = set()  # groups waiting for their cover delay
        self.hold_cover = 0  # > 0 while a call is being served: cover moves wait
        self.cover_due = False
        self.counts = {"reassigned": 0, "diverted": 0, "cover_moves": 0}
        self.cov_share = 0.0
        # Coverage with staff: whether a crew is on duty for the counted units of a facility,
        # kept until a unit of that facility leaves or returns, or the queues are retried
        # (shift changes, call-backs, rested crews): `crew_for` for every unit at every change
        # was most of a replication's time.
        self.cov_crew: dict[int, tuple[bool, float]] = {}  # facility -> (crew?, valid until)
        self.cov_key: tuple[bytes, int] | None = None  # units counted and roads of cov_share
        self._fac_of: list[int] = fleet.unit_facility.tolist()
        self._staffed_of: list[bool] = (
            [] if staff is None else np.asarray(staff.plan.unit_staffed, dtype=bool).tolist()
        )
        self.cov_facility = np.zeros(len(fleet.facility_ids), dtype=bool)
        if rules is not None and rules.coverage is not None:
            counted = fleet.unit_type == rules.coverage.unit_type
            self.cov_facility[fleet.unit_facility[counted]] = True
        self.cov_t = 0.0
        self.cov_by_hour = np.zeros(24)
        self.first_mode = [""] * n
        self.first_road = nan.copy()
        self.first_boat = nan.copy()
        self.first_air = nan.copy()
        self.first_ground_arrival = nan.copy()
        self.first_air_arrival = nan.copy()
        self.on_scene: dict[int, list[int]] = {}
        self.contained = nan.copy()
        self.burned_ha = nan.copy()
        self.fire_state: dict[int, FireState] = {}
        self.flight_s = np.zeros(fleet.n_units)
        self.arrival_by_type = np.full((n, len(fleet.type_names)), np.nan)
        self.is_air = travel.unit_mode == MODE_AIR
        self.air_types = np.unique(fleet.unit_type[self.is_air])
        # The same per-unit facts as Python values, for the per-trip paths (an element of a
        # numpy array is a slow object to read and compare, millions of times a screening).
        self._air_of: list[bool] = self.is_air.tolist()
        self._mutual_of: list[bool] = self.mutual.tolist()
        self._type_of: list[int] = fleet.unit_type.tolist()
        # Units of each type, local ones and reserve forces (mutual aid), in unit order.
        self._local_units = [c[~self.mutual[c]] for c in fleet.units_of_type]
        self._reserve_units = [c[self.mutual[c]] for c in fleet.units_of_type]
        # Types with no aircraft: their ETAs are road ETAs, whatever the time of day.
        self._road_type: list[bool] = [not self.is_air[c].any() for c in fleet.units_of_type]
        # Without severity levels, the units a call asks for depend on its type only:
        # (type, count) pairs per incident type.
        self._asks: list[list[tuple[int, int]]] = [
            [(int(k), int(row[k])) for k in np.flatnonzero(row)] for row in demand.units
        ]
        self._type_idx: list[int] = inc.type_idx.tolist()
        self._t_s: list[float] = inc.t_s.astype(float).tolist()
        self._mission_kind: list[int] = [] if missions is None else missions.kind.tolist()
        self._mission_type: list[int] = [] if missions is None else missions.unit_type.tolist()
        self.mutual_sent = np.zeros(n, dtype=np.int64)
        self.en_route: dict[
            int, tuple[int, float, float, Any]
        ] = {}  # unit -> (incident, t0, arrive_at, process)
        self.rerouted = 0
        self.recalled = 0
        self.isolated_since: dict[int, float] = {}
        self.isolation_s: dict[int, float] = {}
        self.isolation_events = 0
        self.trip_flight = np.zeros(fleet.n_units)  # flight time of each unit's current trip
        self.trip_flight_log: list[tuple[int, float, float, float]] = []
        self.arrived_at = np.full(fleet.n_units, np.nan)  # arrival on scene of the current trip
        self.air_mission = [""] * n
        # Relief state.
        self.relief_s = nan.copy()
        self.relief_unmet = np.zeros(n, dtype=np.int64)
        self.relief_depots: list[list[int]] = [[] for _ in range(n)]
        self.relief_air = np.zeros(n, dtype=bool)
        self.relief_waiting: set[int] = set()
        # (time the load has been handed out, people it served) per incident.
        self.relief_loads: dict[int, list[tuple[float, int]]] = {}
        if relief is not None:
            self.stock = relief.stock.astype(float).copy()
            self.reorder_pending = np.zeros(len(relief.depot_facility), dtype=bool)
            self.depot_queue: list[deque[list[int]]] = [deque() for _ in relief.depot_facility]
            self.truck_depot = {int(u): d for d, us in enumerate(relief.depot_trucks) for u in us}
        else:
            self.stock = np.zeros((0, 0))

    # -- incidents ---------------------------------------------------------------------------
    def arrivals(self) -> ProcessGenerator:
        env = self.env
        has_relief = self.inc.people > 0
        # Calls come at the report time (after detection for forest fires), in that order.
        order = np.argsort(self.report_s, kind="stable")
        for i in order:
            i = int(i)
            t = float(self.report_s[i])
            if t > env.now:
                yield env.timeout(t - env.now)
            if self.disruption is not None and i in self.disruption.event_edges:
                env.process(self.closure_process(i))
            self.on_incident(i)
            if has_relief[i] and self.relief is not None:
                env.process(self.relief_process(i))
            st = self.staff
            if (
                st is not None
                and st.plan.callback_threshold_people is not None
                and self.inc.people[i] >= st.plan.callback_threshold_people
            ):
                self.call_back(self.need(i))

    def need(self, i: int) -> np.ndarray:
        """Units by type incident `i` asks for at the call: its level's plan, or its type's."""
        if self.severity is not None:
            return self.severity.table.units[self.inc.type_idx[i], self.level[i]]
        return self.demand.units[self.inc.type_idx[i]]

    def on_incident(self, i: int) -> None:
        need = self.need(i)
        self.hold_cover += 1  # cover moves wait until the call has all its units
        if self.severity is None:
            for k, count in self._asks[self._type_idx[i]]:
                self.request(i, k, count)
        else:
            for kk in np.flatnonzero(need):
                self.request(i, int(kk), int(need[kk]))
        self._release_cover_hold()
        mp = self.missions
        if mp is not None and mp.kind[i] >= 0:
            # A helicopter mission when drawn, or when no ground unit gets there in time.
            ground = [arrive for j, _t0, arrive, _p in self.en_route.values() if j == i]
            first = min(ground, default=math.inf) - self.env.now
            if mp.drawn[i] or first > mp.min_ground_eta_s[i]:
                kind, n = int(mp.unit_type[i]), int(mp.units[i])
                self.air_mission[i] = MISSION_KINDS[int(mp.kind[i])]
                self.n_required[i] += n
                self.request(i, kind, n)
        elif self.ops and need[self.air_types].any():
            self.air_mission[i] = "bucket" if self._is_fire(i) else "air"

    def _is_fire(self, i: int) -> bool:
        return bool(self.fires is not None and self.fires.is_fire[i])

    def _mission(self, u: int, i: int) -> int:
        """Mission kind unit `u` flies at incident `i` (index of MISSION_KINDS), or −1."""
        if self.missions is None:
            return -1
        kind = self._mission_kind[i]
        if kind < 0 or self._mission_type[i] != self._type_of[u]:
            return -1
        return kind

    # -- staff and aircraft -------------------------------------------------------------------
    def _plan_trip(self, u: int, i: int, now: float) -> tuple[float, float, float, float]:
        """Planned trip of aircraft `u` to incident `i` leaving at `now`: (time until home,
        flight time, fuel-stop time out, fuel-stop time back) (s)."""
        tr = self.travel
        out = tr.flight_s(u, i)
        turn = float(self.fleet.unit_turnout_s[u])
        mission = self._mission(u, i)
        mp = self.missions
        work = float(mp.on_scene_s[i]) if mission >= 0 and mp is not None else 0.0
        a = tr.air
        assert a is not None
        v = float(a.speed_m_per_s[u])
        legs = [out * v, work * v]
        back = out
        hand = 0.0
        if mission == MEDEVAC and mp is not None:
            lon, lat = float(mp.hospital_lon[i]), float(mp.hospital_lat[i])
            to_h = tr.air_leg_s(u, float(self.inc.lon[i]), float(self.inc.lat[i]), lon, lat)
            back = tr.air_leg_s(u, lon, lat, float(a.base_lon[u]), float(a.base_lat[u]))
            legs += [to_h * v]
            hand = float(mp.handover_s[i])
            work += to_h + hand
        legs.append(back * v)
        fuel = self.air.fuel_time_s(u, legs) if self.air is not None else [0.0] * len(legs)
        fuel_out, fuel_back = fuel[0], sum(fuel[1:])
        flight = out + work - hand + back
        return turn + out + fuel_out + work + back + fuel_back, flight, fuel_out, fuel_back

    def _leave_ok(self, u: int, i: int, extra_s: float = 0.0) -> np.ndarray | None:
        """Crew for unit `u` to leave for incident `i` now, or None if it cannot leave.

        Aircraft must be serviceable and able to take off at once (daylight, weather); staffed
        units need their full crew on duty, within their duty-time limits for the trip
        (`extra_s`: time on the ground before take-off, such as loading relief supplies).
        """
        now = self.env.now
        if u in self.post:  # standing by at another station: its crew is with it
            return np.zeros(0, dtype=np.int64) if self._may_continue(u) else None
        trip_s = flight = 0.0
        if self.is_air[u] and self.ops:
            if self.air is not None and not self.air.ready(u, now):
                return None
            eta = float(self.travel.eta_s(np.array([u]), i, now + extra_s)[0])
            if eta - self.fleet.unit_turnout_s[u] - self.travel.flight_s(u, i) > 1.0:
                return None  # would wait for daylight or weather: stay at base, ask again later
            trip_s, flight, _, _ = self._plan_trip(u, i, now)
            trip_s += extra_s
        st = self.staff
        if st is None or not st.plan.unit_staffed[u]:
            return np.zeros(0, dtype=np.int64)
        return st.crew_for(u, int(self.fleet.unit_facility[u]), now, trip_s, flight)

    def call_back(self, need: np.ndarray) -> None:
        """Call off-duty staff back to the staffed facilities holding units of the types in
        `need` (units by type), and try the queues again when they arrive."""
        st = self.staff
        assert st is not None
        units = np.isin(self.fleet.unit_type, np.flatnonzero(need)) & st.plan.unit_staffed
        facs = np.unique(self.fleet.unit_facility[units])
        roles = st.plan.unit_crew[units].sum(axis=0) > 0  # the roles that crew those units
        if facs.size:
            arrive = st.call_back(facs, roles, self.env.now)
            if arrive is not None:
                self.cov_crew.clear()  # call-backs change when crews are on duty
                self.retry_at(arrive)

    def retry_at(self, t: float) -> None:
        """Try the queues again at `t` (a crew comes on duty, an aircraft is serviceable).

        `t` may be now (staff called back with no delay, a repair of no duration): the queues
        are tried once the current event is done."""
        if t >= self.env.now and math.isfinite(t):
            self.env.process(self._retry_after(t - self.env.now))

    def _retry_after(self, dt: float) -> ProcessGenerator:
        yield self.env.timeout(dt)
        self.retry_queues()

    def retry_loop(self, times: np.ndarray) -> ProcessGenerator:
        """Try the queues again at each of `times` (shift changes, sunrises)."""
        for t in times:
            if t > self.env.now:
                yield self.env.timeout(float(t) - self.env.now)
            self.retry_queues()

    def retry_queues(self) -> None:
        """Send idle units that can now leave to the heads of their queues."""
        if self.coverage is not None:
            self._coverage_changed()  # crews may have come on duty
        for k, q in enumerate(self.queues):
            if not q:
                continue
            for u in self.fleet.units_of_type[k]:
                if not q:
                    break
                if self.available[u]:
                    self._serve_queue(int(u))

    def air_events(self, until_s: float) -> ProcessGenerator:
        """Failures and calendar inspections of the aircraft, in time order."""
        air = self.air
        assert air is not None
        p = air.plan
        events = []
        for u in p.air_units:
            events += [
                (float(t), int(u), float(d), "failure")
                for t, d in zip(p.failure_at_s[u], p.repair_s[u], strict=True)
            ]
            if not math.isnan(p.annual_at_s[u]):
                events.append((float(p.annual_at_s[u]), int(u), float(p.annual_s[u]), "annual"))
        for t, u, dur, why in sorted(events):
            if t >= until_s:
                break
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            if self.available[u]:
                self.retry_at(air.ground(u, self.env.now, dur, why))
            else:  # out on a mission: grounded when back
                air.defer(u, dur)

    def request(self, i: int, k: int, count: int) -> None:
        """Dispatch up to `count` available units of type `k`; queue the rest.

        Mutual-aid units (military, armed police, social forces) are only considered when no
        local unit of the type is free, or at once for events above the people threshold.
        """
        if self.cover is None:
            self._request(i, k, count)
            return
        # Cover moves are decided once the request is served: a unit moved in the middle
        # could leave its station to the same call's next unit.
        self.hold_cover += 1
        self._request(i, k, count)
        self._release_cover_hold()

    def _release_cover_hold(self) -> None:
        self.hold_cover -= 1
        if self.hold_cover == 0 and self.cover_due:
            self.cover_due = False
            self._check_cover()

    def _request(self, i: int, k: int, count: int) -> None:
        big = self.mutual_threshold is not None and self.inc.people[i] >= self.mutual_threshold
        if self.positional:
            count = self._request_rules(i, k, count, big)
        elif self.gate:
            count = self._request_gated(i, k, count, big)
        else:
            count = self._request_plain(i, k, count, big)
        if count > 0:
            self.queued[i] = True
            out = self.outstanding.setdefault(i, {})
            out[k] = out.get(k, 0) + count
            prio = int(self.prio[i])
            heapq.heappush(self.queues[k], (prio, float(self.inc.t_s[i]), next(self.seq), i))

    def _request_plain(self, i: int, k: int, count: int, big: bool) -> int:
        """`request` without rules: the nearest available units, local ones first (all of the
        type for a `big` incident). Returns the number still to queue."""
        avail = self.available
        cands = self.fleet.units_of_type[k]
        if big:
            free = cands[avail[cands]]
        else:
            local = self._local_units[k]
            free = local[avail[local]]
            if not free.size:  # no local unit free: the free reserve forces, if any
                free = cands[avail[cands]]
        if not free.size:
            return count
        tr = self.travel
        eta = tr.road_eta_s(free, i) if self._road_type[k] else tr.eta_s(free, i, self.env.now)
        for pos in self.policy.choose(eta, count):
            self.dispatch(int(free[pos]), i, float(eta[pos]))
            count -= 1
        if count > 0 and not big:  # locals exhausted: call the reserve forces
            reserve = self._reserve_units[k]
            rest = reserve[avail[reserve]]
            if rest.size:
                eta = self.travel.eta_s(rest, i, self.env.now)
                for pos in self.policy.choose(eta, count):
                    self.dispatch(int(rest[pos]), i, float(eta[pos]))
                    count -= 1
        return count

    def _request_gated(self, i: int, k: int, count: int, big: bool) -> int:
        """`request` with staff or aircraft rules: only units that can leave now are sent.

        Candidates are taken in order of estimated arrival and checked one by one (crew on
        duty, aircraft serviceable and able to take off). Returns the number still to queue.
        """
        cands = self.fleet.units_of_type[k]
        idle = cands[self.available[cands]]
        if idle.size == 0:
            return count
        # Local units first; the reserve forces only for what local units cannot cover.
        groups = [idle] if big else [idle[~self.mutual[idle]], idle[self.mutual[idle]]]
        for units in groups:
            if count <= 0 or units.size == 0:
                continue
            eta = self.travel.eta_s(units, i, self.env.now)
            for pos in self.policy.choose(eta, units.size):
                if count <= 0:
                    break
                u = int(units[pos])
                crew = self._leave_ok(u, i)
                if crew is None:
                    continue
                self.dispatch(u, i, float(eta[pos]), crew)
                count -= 1
        return count

    def dispatch(self, u: int, i: int, eta_s: float, crew: np.ndarray | None = None) -> None:
        now = self.env.now
        if crew is not None and crew.size and self.staff is not None:
            self.staff.assign(u, i, crew, now)
        if self.ops and self._air_of[u]:
            eta_s += self._plan_trip(u, i, now)[2]  # fuel stops on the way out
        self.available[u] = False
        self._count_dispatch(u, i, now)
        if u not in self.out_since:  # a unit standing by elsewhere is on a journey already
            self.out_since[u] = (i, now)
        if self._mutual_of[u]:
            self.mutual_sent[i] += 1
        from_post = u in self.post
        if from_post:
            self._close_row(u, "dispatched")
        if self.record_trips:
            self._open_row(u, i, "response", "cover_post" if from_post else "station")
        proc = _Drive(self, u, now, now + eta_s, i)
        self.en_route[u] = (i, now, now + eta_s, proc)
        if self.positional and not self._air_of[u] and not self._mutual_of[u]:
            self.moves[u] = _Move("response", i, self._station_leg(u, i, now), proc)
            if from_post:
                self.moves[u].positional = True
                legs = self.travel.legs(u, i, now)
                self.pos_legs[u] = legs
                self._leave_post(u)
        if self.positional or self.coverage is not None:
            self._availability_changed(u)

    def _count_dispatch(self, u: int, i: int, now: float) -> None:
        """Book unit `u` sent to incident `i` at `now` (from a station or from the road)."""
        self.trips[u] += 1
        self.sent[i].append(u)
        self.n_sent[i] += 1
        if math.isnan(self.first_dispatch[i]):
            self.first_dispatch[i] = now
        self.wait_s[u] += now - self._t_s[i]

    def after(self, dt: float, fn: Callable[..., None], *args: Any) -> None:
        """Call ``fn(*args)`` in `dt` s: a timeout with a callback (no process needed)."""
        self.env.timeout(dt).callbacks.append(lambda _ev: fn(*args))

    def trip_arrived(self, u: int, i: int, t0: float) -> None:
        """Unit `u`, which left at `t0`, reached incident `i`: it works there, then goes home.

        A mission, an aircraft's limited time on scene, or a drive home the rules may
        redirect need a process; otherwise the unit waits for the incident to clear by a
        callback on its clearing event.
        """
        now = self.env.now
        self.en_route.pop(u, None)
        self.moves.pop(u, None)
        if self.record_trips:
            self._row_time(u, 9)
        air = self._air_of[u]
        if air:
            out = self.travel.return_s(u, i, now)  # the flight out, same length
            self.flight_s[u] += out
            self.trip_flight[u] += out
        # Arrival by type counts even after the incident cleared: a comms vehicle that gets there
        # in time supports the response, however quickly the fire was put out.
        k = self._type_of[u]
        if math.isnan(self.arrival_by_type[i, k]):
            self.arrival_by_type[i, k] = now
        if self._mission(u, i) >= 0:
            self.env.process(self._mission_trip(u, i, t0))
        elif math.isnan(self.cleared[i]):
            self.on_arrival(i, u, t0, self.pos_legs.pop(u, None))
            clear = self.clear_ev[i]
            limit = self._scene_deadline(u, i) if self.gate and air else math.inf
            if math.isfinite(limit):
                self.env.process(self._scene_until(u, i, t0, clear, limit))
            else:
                clear.callbacks.append(lambda _ev: self.leave_scene(u, i, t0))
        else:
            self.leave_scene(u, i, t0)

    def _mission_trip(self, u: int, i: int, t0: float) -> ProcessGenerator:
        """Aircraft `u` flies its mission at incident `i`, then home (with its fuel stops)."""
        back = yield from self.fly_mission(u, i, t0)
        self.leave_scene(u, i, t0, back, self._plan_trip(u, i, t0)[3])

    def _scene_until(
        self, u: int, i: int, t0: float, clear: simpy.events.Event, limit: float
    ) -> ProcessGenerator:
        """Aircraft `u` works at incident `i` until it clears or until `limit` (s: crew
        limits or nightfall), when it leaves and the incident asks for another."""
        env = self.env
        arrived = env.now
        yield clear | env.timeout(max(0.0, limit - env.now))
        if not clear.triggered:
            self.on_scene[i].remove(u)
            self.request(i, self._type_of[u], 1)
        self._fly(u, env.now - arrived)  # work over a fire is flight time
        self.leave_scene(u, i, t0)

    def leave_scene(
        self, u: int, i: int, t0: float, back: float | None = None, extra: float = 0.0
    ) -> None:
        """Unit `u` leaves incident `i` for home: `back` s of travel (default: its return
        trip from there) and `extra` s of stops on the way."""
        if back is None:
            back = self.travel.return_s(u, i, self.env.now)
        self.pos_legs.pop(u, None)
        air = self._air_of[u]
        if air:
            self.flight_s[u] += back
            self.trip_flight[u] += back
        if self.record_trips:
            self._row_time(u, 10)
        if self.positional and not air and not self._mutual_of[u]:
            self._drive_home(u, i, t0, back + extra)
        else:
            self.after(back + extra, self.trip_home, u, t0)

    def trip_home(self, u: int, t0: float) -> None:
        """Unit `u`, out since `t0`, is home."""
        self.busy_s[u] += self.env.now - t0
        self.on_unit_home(u)

    def _fly(self, u: int, dt: float) -> None:
        """Count `dt` seconds of flying by aircraft `u` on scene (aircraft rules on)."""
        if self.ops and self._air_of[u] and dt > 0:
            self.flight_s[u] += dt
            self.trip_flight[u] += dt

    def fly_mission(self, u: int, i: int, t0: float) -> Generator[simpy.events.Event, Any, float]:
        """Aircraft `u` on its mission at incident `i`: work on scene, a medevac flight to the
        hospital; return the flight time home (s) from where it ends."""
        env = self.env
        mp = self.missions
        assert mp is not None
        mission = self._mission(u, i)
        if math.isnan(self.cleared[i]):
            self.on_arrival(i, u, t0, self.pos_legs.pop(u, None))
        first_relief = math.isnan(self.relief_s[i]) or env.now < self.relief_s[i]
        if mission == RELIEF_DROP and self.inc.people[i] > 0 and first_relief:
            self.relief_s[i] = env.now
            self.relief_air[i] = True
        work = float(mp.on_scene_s[i])
        yield env.timeout(work)
        self._fly(u, work)  # hovering, hoisting
        if mission != MEDEVAC:
            return self.travel.return_s(u, i, env.now)
        a = self.travel.air
        assert a is not None
        lon, lat = float(mp.hospital_lon[i]), float(mp.hospital_lat[i])
        leg = self.travel.air_leg_s(u, float(self.inc.lon[i]), float(self.inc.lat[i]), lon, lat)
        yield env.timeout(leg)
        self._fly(u, leg)
        yield env.timeout(float(mp.handover_s[i]))
        return self.travel.air_leg_s(u, lon, lat, float(a.base_lon[u]), float(a.base_lat[u]))

    def _scene_deadline(self, u: int, i: int) -> float:
        """When aircraft `u` must leave incident `i`: home within its crew's duty and flight
        limits (time on scene counts as flight) and, by day-only aircraft, before sunset."""
        now = self.env.now
        back = self.travel.return_s(u, i, now)
        limit = math.inf
        if self.staff is not None:
            home_by, flight_left = self.staff.limits(u)
            limit = min(limit, home_by - back, now + flight_left - self.trip_flight[u] - back)
        a = self.travel.air
        if self.ops and a is not None and not a.night_capable[u]:
            limit = min(limit, sunset_after(now, self.travel.start) - back)
        return limit

    def on_arrival(self, i: int, u: int, t0: float, legs: Legs | None = None) -> None:
        now = self.env.now
        self.n_arrived[i] += 1
        self.on_scene.setdefault(i, []).append(u)
        if self._air_of[u]:
            if math.isnan(self.first_air_arrival[i]):
                self.first_air_arrival[i] = now
        elif math.isnan(self.first_ground_arrival[i]):
            self.first_ground_arrival[i] = now
        if self.n_arrived[i] == 1:
            self.first_arrival[i] = now
            # Legs of the first unit only (daylight waits counted from its departure t0).
            if legs is None:
                legs = self.travel.legs(u, i, t0)
            self.first_mode[i] = legs.mode
            self.first_road[i] = legs.road_s
            self.first_boat[i] = legs.boat_s
            self.first_air[i] = legs.air_s
            self.clear_ev[i] = self.env.event()
            sv = self.severity
            if self.fires is not None and self.fires.is_fire[i]:
                self.env.process(self.fire_work(i))
            elif sv is None:  # a fixed time on scene: no process needed
                self.after(float(self.inc.on_scene_s[i]), self._worked, i)
            else:
                self.env.process(self.work(i))
                if sv.escalates[i, self.level[i]]:
                    self.env.process(self.escalate(i))
        if self.n_arrived[i] == self.n_required[i]:
            self.all_arrived[i] = now
            ev = self.complete_ev.pop(i, None)
            if ev is not None:
                ev.succeed()

    def work(self, i: int) -> ProcessGenerator:
        """Work at incident `i` under severity levels: the level's time on scene, moved on by
        each escalation (`escalate`)."""
        env = self.env
        start = env.now
        sv = self.severity
        assert sv is not None
        factor = sv.table.on_scene_factor[self.inc.type_idx[i], self.level[i]]
        self.work_end[i] = start + float(self.inc.on_scene_s[i]) * float(factor)
        while env.now < self.work_end[i]:
            yield env.timeout(self.work_end[i] - env.now)
        self._worked(i, float(self.work_end[i] - start))

    def _worked(self, i: int, dur_s: float | None = None) -> None:
        """The work at incident `i` is done (it took `dur_s`; default: its time on scene). It
        clears now if every unit it asked for arrived; else when they have, or after the
        same time again (work with a partial crew is slower)."""
        if math.isnan(self.all_arrived[i]):
            dur = float(self.inc.on_scene_s[i]) if dur_s is None else dur_s
            self.env.process(self._finish_short_handed(i, dur))
        else:
            self._clear(i)

    def _finish_short_handed(self, i: int, dur: float) -> ProcessGenerator:
        ev = self.complete_ev[i] = self.env.event()
        yield ev | self.env.timeout(dur)
        self.complete_ev.pop(i, None)
        self._clear(i)

    def _clear(self, i: int) -> None:
        """Incident `i` is cleared: its queued requests lapse, its units leave."""
        self.cleared[i] = self.env.now
        self.outstanding.pop(i, None)
        self.clear_ev.pop(i).succeed()

    def _line_rate_m_per_h(self, i: int, day: bool) -> float:
        """Line held per hour by the units on scene: ground line, plus bucket drops when flying."""
        fp = self.fires
        assert fp is not None
        rate = 0.0
        for u in self.on_scene.get(i, ()):
            flying = bool(self._air_of[u] and (day or fp.unit_night_capable[u]))
            cycle = math.inf
            if flying and fp.unit_line_per_drop_m[u] > 0:
                cycle = bucket_cycle_s(
                    float(fp.water_dist_m[i]),
                    bucket_speed_kph=float(fp.unit_bucket_speed_kph[u]),
                    fill_s=float(fp.unit_fill_s[u]),
                    drop_s=float(fp.unit_drop_s[u]),
                )
            if flying and fp.unit_bucket_duty is not None:
                cycle /= float(fp.unit_bucket_duty[u])  # part of the time goes to refuelling
            rate += unit_line_rate_m_per_h(
                float(fp.unit_fireline_m_per_h[u]),
                line_per_drop_m=float(fp.unit_line_per_drop_m[u]) if flying else 0.0,
                cycle_s=cycle,
            )
        return rate

    def _cap_growth(self, i: int, st: FireState) -> None:
        """Stop the spread of a fire that reached the landscape's limit (`max_area_ha`)."""
        fp = self.fires
        assert fp is not None
        if fp.max_area_ha is not None and st.ros_m_per_h > 0 and st.area_ha >= fp.max_area_ha[i]:
            st.ros_m_per_h = 0.0

    def _spread_conditions(self, i: int, t: float) -> tuple[bool, float, float]:
        """Conditions under which fire `i` spreads from time `t`: (daylight, rain factor, time
        they change: the next sunrise, sunset or midnight, as rain is drawn by calendar day)."""
        fp = self.fires
        assert fp is not None
        day = math.floor(t / 86400.0)
        d = day - math.floor(float(self.inc.t_s[i]) / 86400.0)  # days after the ignition day
        rain = 1.0
        if (
            fp.rain_days is not None
            and fp.rain_factor is not None
            and 0 <= d < fp.rain_days.shape[1]
            and fp.rain_days[i, d]
        ):
            rain = float(fp.rain_factor[i])
        change = min(next_daylight_change(t, fp.start), (day + 1) * 86400.0)
        return is_daylight(t, fp.start), rain, change

    def _grow(self, st: FireState, t_from: float, t_to: float, i: int) -> None:
        """Let fire `i` burn freely from `t_from` to `t_to`, under the conditions of each part
        (`_spread_conditions`), stopping at the landscape's limit (`_cap_growth`)."""
        t = t_from
        while t < t_to:
            day, rain, change = self._spread_conditions(i, t)
            nxt = min(t_to, change, t + 3600.0)
            st.advance(nxt - t, line_rate_m_per_h=0.0, daylight=day, rain_factor=rain)
            self._cap_growth(i, st)
            t = nxt

    def fire_work(self, i: int) -> ProcessGenerator:
        """Race between fire growth and line built by the crews on scene; then mop-up."""
        env = self.env
        fp = self.fires
        assert fp is not None
        st = FireState(
            ros_m_per_h=float(fp.ros_m_per_h[i]),
            lb_ratio=float(fp.lb_ratio[i]),
            back_ratio=float(fp.back_ratio[i]),
            night_factor=float(fp.night_factor[i]),
            initial_radius_m=float(fp.initial_radius_m[i]),
        )
        self.fire_state[i] = st
        ignition = float(self.inc.t_s[i])
        self._grow(st, ignition, env.now, i)
        step = float(fp.step_s[i])
        after = float(fp.escalation_after_s[i]) if fp.escalation_after_s is not None else math.inf
        next_esc, rounds = env.now + after, 0
        max_rounds = int(fp.escalation_rounds[i]) if fp.escalation_rounds is not None else 0
        # Aircraft asked for so far (−1: the fire does not ask for more as it grows).
        asked = -1
        if fp.air_scale_type is not None and fp.air_scale_type[i] >= 0:
            asked = int(self.need(i)[int(fp.air_scale_type[i])])
        while True:
            now = env.now
            if now >= next_esc and rounds < max_rounds and fp.escalation_units is not None:
                need = fp.escalation_units[i]  # extended attack
                for k in np.flatnonzero(need):
                    self.n_required[i] += int(need[k])
                    self.request(i, int(k), int(need[k]))
                    if fp.air_scale_type is not None and k == fp.air_scale_type[i]:
                        asked += int(need[k])
                rounds += 1
                next_esc += after
                if self.staff is not None and self.staff.plan.callback_on_escalation:
                    self.call_back(need)
            if asked >= 0 and fp.air_scale_ha is not None and fp.air_scale_max is not None:
                want = min(int(fp.air_scale_max[i]), math.ceil(st.area_ha / fp.air_scale_ha[i]))
                if want > asked:  # a growing fire asks for more aircraft
                    kind = int(fp.air_scale_type[i])  # type: ignore[index]
                    self.n_required[i] += want - asked
                    self.request(i, kind, want - asked)
                    asked = want
            day, rain, change = self._spread_conditions(i, now)
            dt = min(
                step,
                change - now,
                max(next_esc - now, 1.0) if rounds < max_rounds else math.inf,
            )
            rate = self._line_rate_m_per_h(i, day)
            if st.advance(dt, line_rate_m_per_h=rate, daylight=day, rain_factor=rain):
                assert st.contained_t_s is not None  # set by a successful advance
                yield env.timeout(max(0.0, ignition + float(st.contained_t_s) - now))
                break
            self._cap_growth(i, st)
            yield env.timeout(dt)
        self.contained[i] = env.now
        self.burned_ha[i] = st.area_ha
        yield env.timeout(float(self.inc.on_scene_s[i]))  # mop-up
        self._clear(i)

    # -- roads ------------------------------------------------------------------------------
    def closure_process(self, i: int) -> ProcessGenerator:
        """Close the roads an event cuts, and reopen them after its duration."""
        plan = self.disruption
        assert plan is not None
        edges = plan.event_edges[i]
        self.roads_changed(close=edges)
        yield self.env.timeout(plan.event_duration_s[i])
        self.roads_changed(reopen=edges)

    def roads_changed(
        self, *, close: np.ndarray | None = None, reopen: np.ndarray | None = None
    ) -> None:
        """Apply closures, re-route units on the road, track cut-off towns, retry stuck relief."""
        plan = self.disruption
        assert plan is not None
        if close is not None:
            plan.road.close(close)
        if reopen is not None:
            plan.road.reopen(reopen)
        self.travel.set_road_matrices(plan.road.out, plan.road.back)
        if self.router is not None:
            self.router.set_edge_factor(plan.road.edge_factor())
        now = self.env.now
        for u, (i, t0, arrive_at, proc) in list(self.en_route.items()):
            if self.is_air[u] or proc is None or arrive_at <= now:
                continue
            mv = self.moves.get(u)
            if mv is not None and mv.positional and mv.leg is not None:
                new = self._reroute_positional(u, i, mv.leg)
            else:
                new = t0 + float(self.travel.eta_s(np.array([u]), i, t0)[0])
            if not np.isfinite(new):
                self.recalled += 1
                self.en_route.pop(u)
                self.moves.pop(u, None)
                k = int(self.fleet.unit_type[u])
                if math.isnan(self.cleared[i]):
                    self.sent[i].remove(u)
                    self.n_sent[i] -= 1
                    self.request(i, k, 1)
                proc.interrupt(None)
            elif abs(new - arrive_at) > 1e-6:
                new = max(new, now)
                self.rerouted += 1
                self.en_route[u] = (i, t0, new, proc)
                proc.interrupt(new)
        self.track_isolation(now)
        if self.coverage is not None:
            self._coverage_changed()
        if reopen is not None:
            self._serve_reopened()
        if reopen is not None and self.relief is not None:
            for d in range(len(self.relief.depot_facility)):
                self.next_shipment(d)

    def _serve_reopened(self) -> None:
        """Roads reopened: dispatch again, as at call time, the calls queued while no unit
        could reach them.

        Idle units would otherwise wait for the next unit of their type to come home. Each
        queued call, in queue order (priority, then call time), asks again for what it still
        lacks: the nearest available units of each type go (`_request`); what no unit can reach
        yet stays queued, in its place."""
        self.hold_cover += 1  # cover moves wait until the calls have their units
        for k, q in enumerate(self.queues):
            if not q or not self.available[self.fleet.units_of_type[k]].any():
                continue
            waiting = []
            while q:
                _, _, _, i = heapq.heappop(q)
                out = self.outstanding.get(i)
                if out and out.get(k, 0) > 0:  # else lapsed (cleared) or already served
                    waiting.append((i, out.pop(k)))
            for i, count in waiting:
                self._request(i, k, count)
        self._release_cover_hold()

    def track_isolation(self, now: float) -> None:
        """Record towns no facility can reach by road (cut off), and for how long."""
        plan = self.disruption
        assert plan is not None
        out = self.travel.out
        prof = "light" if "light" in plan.road.profiles else plan.road.profiles[0]
        reach = np.isfinite(out[prof][:, plan.town_nodes]).any(axis=0)
        for j in np.flatnonzero(~reach):
            if j not in self.isolated_since:
                self.isolated_since[int(j)] = now
                self.isolation_events += 1
        for k in [k for k in self.isolated_since if reach[k]]:
            self.isolation_s[k] = self.isolation_s.get(k, 0.0) + now - self.isolated_since.pop(k)

    def on_unit_home(self, u: int) -> None:
        i, t0 = self.out_since.pop(u)
        self.journey_log.append((u, i, t0, self.env.now))
        if self.record_trips:
            self._close_row(u, "recalled" if u in self.recalled_units else "home")
        self.recalled_units.discard(u)
        self.available[u] = True
        if self.gate:
            self._home_gated(u, t0)
        if self.relief is not None and u in self.truck_depot:
            self.next_shipment(self.truck_depot[u])
            return
        self._serve_queue_idle(u)
        if (self.positional or self.coverage is not None) and self.available[u]:
            self._availability_changed(u)

    def _serve_queue_idle(self, u: int) -> None:
        """Send idle unit `u` (at its station or standing by) to the head of its queue."""
        if self.gate:
            self._serve_queue(u)
            return
        k = int(self.fleet.unit_type[u])
        q = self.queues[k]
        while q:
            _, _, _, i = heapq.heappop(q)
            out = self.outstanding.get(i)
            if not out or out.get(k, 0) == 0:
                continue  # lapsed (incident cleared) or already served
            eta = self.travel.eta_s(np.array([u]), i, self.env.now)
            if not np.isfinite(eta[0]):
                heapq.heappush(q, (_, float(self.inc.t_s[i]), next(self.seq), i))
                return
            out[k] -= 1
            if out[k] > 0:  # still short: keep its place in the queue
                prio = int(self.prio[i])
                heapq.heappush(q, (prio, float(self.inc.t_s[i]), next(self.seq), i))
            self.dispatch(u, i, float(eta[0]))
            return

    def _home_gated(self, u: int, t0: float) -> None:
        """Unit `u` is home: its crew goes off the trip, the aircraft may go into maintenance."""
        now = self.env.now
        flown = float(self.trip_flight[u])
        self.trip_flight_log.append((u, t0, now, flown))
        self.trip_flight[u] = 0.0
        if self.staff is not None:
            self.retry_at(self.staff.release(u, now, flown))  # rested crews may take over
        if self.air is not None and self.is_air[u]:
            back = self.air.on_return(u, now, flown)
            if back is not None:
                self.retry_at(back)

    def _serve_queue(self, u: int) -> None:
        """Send idle unit `u` to the head of its type's queue, if it can leave for it."""
        k = int(self.fleet.unit_type[u])
        q = self.queues[k]
        while q:
            prio, t, seq, i = heapq.heappop(q)
            out = self.outstanding.get(i)
            if not out or out.get(k, 0) == 0:
                continue  # lapsed (incident cleared) or already served
            crew = self._leave_ok(u, i)
            eta = self.travel.eta_s(np.array([u]), i, self.env.now)
            if crew is None or not np.isfinite(eta[0]):
                heapq.heappush(q, (prio, t, seq, i))  # keeps its place for another unit
                return
            out[k] -= 1
            if out[k] > 0:  # still short: keep its place in the queue
                heapq.heappush(q, (prio, t, next(self.seq), i))
            self.dispatch(u, i, float(eta[0]), crew)
            return

    # -- severity levels -----------------------------------------------------------------
    def escalate(self, i: int) -> ProcessGenerator:
        """Grow incident `i` to its next severity levels on scene, while it is worked."""
        sv = self.severity
        assert sv is not None
        tab = sv.table
        k = int(self.inc.type_idx[i])
        while True:
            lv = int(self.level[i])
            nxt = int(tab.next_level[k, lv])
            if nxt < 0 or not sv.escalates[i, lv]:
                return
            yield self.env.timeout(float(tab.escalate_after_s[k, lv]))
            if not math.isnan(self.cleared[i]):
                return
            extra = np.maximum(tab.units[k, nxt] - tab.units[k, lv], 0)
            self.level[i] = nxt
            self.escalations[i] += 1
            self.prio[i] = int(tab.priority[k, nxt])
            base = float(self.inc.on_scene_s[i])
            grow = float(tab.on_scene_factor[k, nxt] - tab.on_scene_factor[k, lv])
            self.work_end[i] += base * grow
            for kk in np.flatnonzero(extra):
                self.n_required[i] += int(extra[kk])
                self.request(i, int(kk), int(extra[kk]))
            if self.staff is not None and self.staff.plan.callback_on_escalation and extra.any():
                self.call_back(extra)

    # -- trip records --------------------------------------------------------------------
    def _open_row(
        self, u: int, i: int, kind: str, origin: str, frm: int = -1, post: int = -1
    ) -> None:
        """Start the `Trip` record of unit `u` (its previous one must be closed)."""
        if not self.record_trips:
            return
        self.open_row[u] = len(self.trip_rows)
        self.trip_rows.append(
            [
                u,
                i,
                kind,
                origin,
                frm,
                int(self.prio[i]) if i >= 0 else 0,
                int(self.prio[frm]) if frm >= 0 else 0,
                post,
                self.env.now,
                math.nan,
                math.nan,
                math.nan,
                "",
                math.nan,
            ]
        )

    def _row_time(self, u: int, col: int) -> None:
        """Set a time of unit `u`'s open record (9: arrived, 10: left), once."""
        r = self.open_row.get(u)
        if r is not None and math.isnan(self.trip_rows[r][col]):
            self.trip_rows[r][col] = self.env.now

    def _close_row(self, u: int, end: str) -> None:
        """End unit `u`'s open record now, saying how (`TRIP_ENDS`)."""
        r = self.open_row.pop(u, None)
        if r is not None:
            self.trip_rows[r][11] = self.env.now
            self.trip_rows[r][12] = end

    # -- dispatch from where units are -----------------------------------------------------
    def _profile(self, u: int) -> str:
        return PROFILES[int(self.fleet.unit_profile[u])]

    def _station_leg(self, u: int, i: int, now: float) -> Leg | None:
        """Road part of a trip of unit `u` from its base to incident `i` (None: not by road)."""
        tr = self.travel
        if tr.legs(u, i, now).mode != "road":
            return None  # a boat trip: its position on the river is not followed
        b = int(tr.base[u])
        prof = self._profile(u)
        start = now + float(self.fleet.unit_turnout_s[u] + self.fleet.facility_access_s[b])
        road = float(tr.out[prof][b, int(self.node[i])])
        return Leg(int(self.fleet.facility_node[b]), int(self.node[i]), prof, start, start + road)

    def _moving_eta(self, u: int, i: int) -> tuple[float, int, float]:
        """(time until on scene (s), node it drives from, delay until that node (s)) for unit
        `u` on the road, sent to incident `i` now; no turnout (the crew is in the vehicle)."""
        mv = self.moves[u]
        assert mv.leg is not None
        assert self.router is not None
        node, delay = self.router.position(mv.leg, self.env.now)
        road = float(self.router.times_from(node, self._profile(u))[int(self.node[i])])
        return delay + road + self.travel.last_leg_s(u, i), node, delay

    def _moving_candidates(self, i: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Units of type `k` on the road that incident `i` may take now, their arrival
        estimates (s) and whether each would be a diversion."""
        units: list[int] = []
        etas: list[float] = []
        divert: list[bool] = []
        ra = self.reassign
        prio = int(self.prio[i])
        for u, mv in self.moves.items():
            if self.fleet.unit_type[u] != k or mv.leg is None:
                continue
            if mv.kind == "response":
                ok = (
                    ra is not None
                    and mv.incident != i
                    and ra.may_divert(prio, int(self.prio[mv.incident]))
                )
            elif mv.kind == "return":
                ok = ra is not None and ra.returning and ra.takes_moving_units(prio)
            else:  # cover moves: as available as at a station
                ok = True
            if not ok or not self._may_continue(u):
                continue
            eta = self._moving_eta(u, i)[0]
            if math.isfinite(eta):
                units.append(u)
                etas.append(eta)
                divert.append(mv.kind == "response")
        return (
            np.array(units, dtype=np.int64),
            np.array(etas, dtype=float),
            np.array(divert, dtype=bool),
        )

    def _may_continue(self, u: int) -> bool:
        """Whether unit `u`, out with its crew, may take on more work now (crew on duty)."""
        st = self.staff
        if st is None or not st.plan.unit_staffed[u]:
            return True
        return self.env.now < st.crew_free_until(u)

    def _request_rules(self, i: int, k: int, count: int, big: bool) -> int:
        """`request` with the command-centre rules: idle units at stations and cover posts,
        and units on the road the rules allow, ranked by arrival. Returns the number still
        to queue."""
        cands = self.fleet.units_of_type[k]
        idle = cands[self.available[cands]]
        groups = [idle] if big else [idle[~self.mutual[idle]], idle[self.mutual[idle]]]
        now = self.env.now
        for g, units in enumerate(groups):
            if count <= 0:
                break
            if g == 0:
                moving, m_eta, m_div = self._moving_candidates(i, k)
            else:  # the reserve forces are only ever sent from their base
                moving, m_eta, m_div = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))
            if units.size == 0 and moving.size == 0:
                continue
            eta = np.concatenate(
                [self.travel.eta_s(units, i, now) if units.size else np.zeros(0), m_eta]
            )
            every = np.concatenate([units, moving])
            rank = eta
            if self.reassign is not None:
                rank = self.reassign.ranking_eta_s(
                    eta, np.concatenate([np.zeros(units.size, bool), m_div])
                )
            movers = {int(v): self.moves[int(v)] for v in moving}
            diverts = np.concatenate([np.zeros(units.size, bool), m_div])
            order = self.policy.choose(rank, every.size)
            for j, pos in enumerate(order):
                if count <= 0:
                    break
                u = int(every[pos])
                # A diversion re-requests for the incident left, which may send units of this
                # list: take only those still where they were when ranked.
                if pos < units.size and not self.available[u]:
                    continue
                if pos >= units.size and self.moves.get(u) is not movers[u]:
                    continue
                if pos < units.size:
                    crew = self._leave_ok(u, i) if self.gate else None
                    if self.gate and crew is None:
                        continue
                    self.dispatch(u, i, float(eta[pos]), crew)
                else:
                    gain = math.nan
                    if diverts[pos]:  # recorded so that the rule can be checked from the log
                        later = [
                            int(p)
                            for p in order[j + 1 :]
                            if not diverts[p]
                            and (
                                self.available[every[p]]
                                if p < units.size
                                else self.moves.get(int(every[p])) is movers[int(every[p])]
                            )
                        ]
                        gain = float(eta[later].min() - eta[pos]) if later else math.inf
                    self.dispatch_moving(u, i, gain_s=gain)
                count -= 1
        return count

    def dispatch_moving(
        self, u: int, i: int, *, interrupt: bool = True, gain_s: float = math.nan
    ) -> None:
        """Send unit `u`, now on the road, to incident `i` from where it is.

        Its current assignment ends (`reassigned` when driving home, `diverted` on its way to
        another incident, which asks for another unit, `dispatched` on a cover move).
        `interrupt` is False when the unit's own process calls (it then ends by itself);
        `gain_s` is recorded in the new trip (`Trip.gain_s`).
        """
        now = self.env.now
        eta, node, delay = self._moving_eta(u, i)
        mv = self.moves.pop(u)
        k = int(self.fleet.unit_type[u])
        frm = -1
        if mv.kind == "response":
            frm = mv.incident
            self.en_route.pop(u, None)
            self.sent[frm].remove(u)
            self.n_sent[frm] -= 1
            self.pos_legs.pop(u, None)
            self.counts["diverted"] += 1
            self._close_row(u, "diverted")
            origin = "en_route"
        elif mv.kind == "return":
            frm = mv.incident
            self.counts["reassigned"] += 1
            self._close_row(u, "reassigned")
            origin = "returning"
        else:
            self.cover_group.pop(u, None)
            self._close_row(u, "dispatched")
            origin = "cover_move" if mv.kind == "cover" else "cover_return"
        if interrupt:
            mv.proc.interrupt(_REASSIGNED)
        self._count_dispatch(u, i, now)
        self._open_row(u, i, "response", origin, frm)
        if self.record_trips:
            self.trip_rows[self.open_row[u]][13] = gain_s
        self.travel.set_base(u, int(self.fleet.unit_facility[u]))
        last = self.travel.last_leg_s(u, i)
        leg = Leg(node, int(self.node[i]), self._profile(u), now + delay, now + eta - last)
        self.pos_legs[u] = Legs(total_s=eta, mode="road", road_s=eta)
        proc = _Drive(self, u, now, now + eta, i)
        self.en_route[u] = (i, now, now + eta, proc)
        self.moves[u] = _Move("response", i, leg, proc, positional=True)
        if mv.kind == "response" and math.isnan(self.cleared[frm]):
            # The incident it left asks again (never for this unit), unless it was cleared
            # meanwhile by the units already there.
            self.request(frm, k, 1)
        if mv.kind == "cover":
            self._check_cover()

    def _reroute_positional(self, u: int, i: int, leg: Leg) -> float:
        """New arrival of a unit sent from the road when the roads change (as `roads_changed`
        does for trips from a station: the whole road part on the roads as they are now)."""
        assert self.router is not None
        road = float(self.router.times_from(leg.src, leg.profile)[leg.dst])
        return leg.road_start_s + road + self.travel.last_leg_s(u, i)

    def _drive_home(self, u: int, i: int, t0: float, dur: float) -> None:
        """Drive unit `u`, out since `t0`, home from incident `i` (`dur` s), where the rules
        may send it on (at once, or on the way: `dispatch_moving` interrupts the drive)."""
        now = self.env.now
        f = int(self.fleet.unit_facility[u])
        start = now + self.travel.last_leg_s(u, i)
        end = now + dur - float(self.fleet.facility_access_s[f])
        leg = Leg(int(self.node[i]), int(self.fleet.facility_node[f]), self._profile(u), start, end)
        mv = self.moves[u] = _Move("return", i, leg, None)
        if self._serve_queue_moving(u):
            self.busy_s[u] += now - t0
            return
        mv.proc = _Drive(self, u, t0, now + dur, -1)

    def drove_home(self, u: int, t0: float) -> None:
        """Unit `u`, out since `t0`, is home after a drive the rules could have redirected."""
        self.moves.pop(u, None)
        self.trip_home(u, t0)

    def _serve_queue_moving(self, u: int) -> bool:
        """A unit starting home from an incident takes the head of its type's queue, if the
        reassignment rule lets it; return whether it was sent."""
        ra = self.reassign
        if ra is None or not ra.returning:
            return False
        k = int(self.fleet.unit_type[u])
        q = self.queues[k]
        while q:
            prio, t, _seq, i = q[0]
            out = self.outstanding.get(i)
            if not out or out.get(k, 0) == 0:
                heapq.heappop(q)
                continue  # lapsed (incident cleared) or already served
            if not ra.takes_moving_units(int(prio)) or not self._may_continue(u):
                return False
            if not math.isfinite(self._moving_eta(u, i)[0]):
                return False
            heapq.heappop(q)
            out[k] -= 1
            if out[k] > 0:  # still short: keep its place in the queue
                heapq.heappush(q, (prio, t, next(self.seq), i))
            self.dispatch_moving(u, i, interrupt=False)
            return True
        return False

    # -- cover moves -----------------------------------------------------------------------
    def _availability_changed(self, u: int) -> None:
        """Unit `u` became available or left: coverage, cover posts, cover moves."""
        cp = self.coverage
        if cp is not None:
            f = int(self.fleet.unit_facility[u])
            # Only a counted unit, or (with staff) a unit sharing a crew pool with counted
            # units, can change what is covered.
            if self.fleet.unit_type[u] == cp.unit_type or (
                self.staff is not None and self.cov_facility[f]
            ):
                self.cov_crew.pop(f, None)
                self._coverage_changed()
        cv = self.cover
        if cv is not None and self.fleet.unit_type[u] == cv.unit_type:
            self._release_surplus_covers()
            self._check_cover()

    def _group_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Per cover group: available units of the type in it, and cover units driving there."""
        cv = self.cover
        assert cv is not None
        units = self.fleet.units_of_type[cv.unit_type]
        avail = units[self.available[units] & ~self.mutual[units]]
        g = cv.group_of_facility[self.travel.base[avail]]
        counts = np.bincount(g[g >= 0], minlength=cv.n_groups)
        incoming = np.zeros(cv.n_groups, dtype=np.int64)
        for v, grp in self.cover_group.items():
            mv = self.moves.get(v)
            if mv is not None and mv.kind == "cover":
                incoming[grp] += 1
        return counts, incoming

    def _check_cover(self) -> None:
        """Order cover moves to every group left without an available unit."""
        cv = self.cover
        if cv is None:
            return
        if self.hold_cover > 0:
            self.cover_due = True
            return
        tried: set[int] = set()
        while True:
            counts, incoming = self._group_counts()
            need = [
                int(g)
                for g in cv.groups_needing_cover(counts, incoming)
                if g not in self.cover_pending and g not in tried
            ]
            if not need:
                return
            g = need[0]
            tried.add(g)
            if cv.delay_s > 0:
                self.cover_pending.add(g)
                self.env.process(self._cover_after_delay(g))
            else:
                self._move_cover(g)

    def _cover_after_delay(self, g: int) -> ProcessGenerator:
        cv = self.cover
        assert cv is not None
        yield self.env.timeout(cv.delay_s)
        self.cover_pending.discard(g)
        counts, incoming = self._group_counts()
        if counts[g] == 0 and incoming[g] == 0:
            self._move_cover(g)

    def _move_cover(self, g: int) -> None:
        """Move the nearest eligible available unit to stand by at group `g`'s target."""
        cv = self.cover
        assert cv is not None
        fl = self.fleet
        target = int(cv.target[g])
        units = fl.units_of_type[cv.unit_type]
        avail = units[self.available[units] & ~self.mutual[units]]
        at_home = avail[self.travel.base[avail] == fl.unit_facility[avail]]
        if at_home.size == 0:
            return
        dgroup = cv.donor_group[self.travel.base[avail]]
        dcount = np.bincount(dgroup, minlength=int(cv.donor_group.max()) + 1)
        home = fl.unit_facility[at_home]
        tnode = int(fl.facility_node[target])
        drive = np.array(
            [
                float(fl.facility_access_s[h])
                + float(self.travel.out[self._profile(int(v))][h, tnode])
                + float(fl.facility_access_s[target])
                for v, h in zip(at_home, home, strict=True)
            ]
        )
        donor_avail = dcount[cv.donor_group[home]]
        own = cv.group_of_facility[home]
        while True:
            pos = cv.choose_donor(drive, donor_avail, own, g)
            if pos < 0:
                return
            u = int(at_home[pos])
            crew = self._leave_ok(u, -1) if self.gate and not self.is_air[u] else None
            if self.gate and crew is None:
                drive[pos] = math.inf  # no crew on duty: try the next nearest
                continue
            break
        now = self.env.now
        h = int(home[pos])
        if crew is not None and crew.size and self.staff is not None:
            self.staff.assign(u, -1, crew, now)
        self.available[u] = False
        self.out_since[u] = (-1, now)
        self.cover_group[u] = g
        self.cover_episode[u] += 1
        self.counts["cover_moves"] += 1
        turnout = float(fl.unit_turnout_s[u])
        start = now + turnout + float(fl.facility_access_s[h])
        road = float(self.travel.out[self._profile(u)][h, tnode])
        leg = Leg(int(fl.facility_node[h]), tnode, self._profile(u), start, start + road)
        self._open_row(u, -1, "cover", "station", post=target)
        proc = self.env.process(self._cover_trip(u, g, target, turnout + float(drive[pos])))
        self.moves[u] = _Move("cover", -1, leg, proc, group=g)
        if self.coverage is not None:
            self.cov_crew.pop(h, None)  # its crew left the station's pool
            self._coverage_changed()

    def _cover_trip(self, u: int, g: int, target: int, eta_s: float) -> ProcessGenerator:
        env = self.env
        try:
            yield env.timeout(eta_s)
        except simpy.Interrupt:
            return  # sent to an incident from the road (`dispatch_moving`)
        self.moves.pop(u, None)
        self._row_time(u, 9)
        self.post[u] = target
        self.travel.set_base(u, int(target))
        self.available[u] = True
        if self.coverage is not None:
            self._coverage_changed()
        counts, _ = self._group_counts()
        if counts[g] > 1:  # a unit of the group came back meanwhile
            self._release_cover(u)
            return
        st = self.staff
        if st is not None and st.plan.unit_staffed[u]:
            env.process(self._cover_duty_end(u, int(self.cover_episode[u])))
        self._serve_queue_idle(u)

    def _cover_duty_end(self, u: int, episode: int) -> ProcessGenerator:
        """A unit standing by goes home when its crew's duty ends."""
        st = self.staff
        assert st is not None
        until = st.crew_free_until(u)
        if math.isfinite(until) and until > self.env.now:
            yield self.env.timeout(until - self.env.now)
        if u in self.post and self.cover_episode[u] == episode:
            self._release_cover(u)

    def _release_surplus_covers(self) -> None:
        """Send home the units standing by in groups that have another unit available again."""
        if not self.post:
            return
        counts, _ = self._group_counts()
        for u in list(self.post):
            g = self.cover_group.get(u, -1)
            if g >= 0 and self.available[u] and counts[g] > 1:
                self._release_cover(u)
                counts[g] -= 1

    def _leave_post(self, u: int) -> None:
        """Unit `u` no longer stands by (sent to an incident or home)."""
        self.post.pop(u, None)
        self.cover_group.pop(u, None)
        self.travel.set_base(u, int(self.fleet.unit_facility[u]))
        self.cover_episode[u] += 1
        if self.cover is not None:
            self._check_cover()

    def _release_cover(self, u: int) -> None:
        """Unit `u` standing by at a post drives home."""
        fl = self.fleet
        post = self.post[u]
        h = int(fl.unit_facility[u])
        now = self.env.now
        self.available[u] = False
        self._close_row(u, "released")
        self._leave_post(u)
        road = float(self.travel.out[self._profile(u)][post, int(fl.facility_node[h])])
        start = now + float(fl.facility_access_s[post])
        back = start + road + float(fl.facility_access_s[h]) - now
        leg = Leg(
            int(fl.facility_node[post]),
            int(fl.facility_node[h]),
            self._profile(u),
            start,
            start + road,
        )
        self._open_row(u, -1, "cover_return", "cover_post", post=post)
        proc = self.env.process(self._cover_home(u, back))
        self.moves[u] = _Move("cover_return", -1, leg, proc)
        if self.coverage is not None:
            self._coverage_changed()

    def _cover_home(self, u: int, back_s: float) -> ProcessGenerator:
        try:
            yield self.env.timeout(back_s)
        except simpy.Interrupt:
            return  # sent to an incident from the road (`dispatch_moving`)
        self.moves.pop(u, None)
        self.on_unit_home(u)

    # -- coverage over time ----------------------------------------------------------------
    def _accumulate_coverage(self, now: float) -> None:
        """Add the current covered share × time since the last change to the hour-of-day bins."""
        cp = self.coverage
        assert cp is not None
        t, end = self.cov_t, min(now, cp.horizon_s)
        while t < end:
            nxt = min(end, (math.floor(t / 3600.0) + 1) * 3600.0)
            self.cov_by_hour[int(t // 3600.0) % 24] += self.cov_share * (nxt - t)
            t = nxt
        self.cov_t = max(self.cov_t, end)

    def _coverage_changed(self) -> None:
        """Recompute the covered share after a unit of the counted type came or went."""
        cp = self.coverage
        assert cp is not None
        now = self.env.now
        self._accumulate_coverage(now)
        fl = self.fleet
        units = fl.units_of_type[cp.unit_type]
        avail = units[self.available[units]]
        st = self.staff
        if st is not None and avail.size:  # count a unit only with a crew for it on duty
            cache, post, staffed, fac_of = self.cov_crew, self.post, self._staffed_of, self._fac_of
            keep = []
            for v in avail.tolist():
                if v in post:
                    keep.append(self._may_continue(v))
                elif not staffed[v]:
                    keep.append(True)
                else:
                    hit = cache.get(fac_of[v])  # (`_crew_on_duty`'s memo, read inline)
                    keep.append(
                        hit[0] if hit is not None and now < hit[1] else self._crew_on_duty(v, now)
                    )
            avail = avail[np.array(keep, dtype=bool)]
        # The same units from the same bases on the same roads cover the same share: most
        # changes (a unit of another type, a crew of a station that keeps its engine manned)
        # leave it as it is.
        key = (avail.tobytes(), self.travel.roads_version)
        if key == self.cov_key:
            return
        self.cov_key = key
        base = self.travel.base[avail]
        rows = np.empty((avail.size, cp.town_node.size))
        for p, name in enumerate(PROFILES):
            m = fl.unit_profile[avail] == p
            if m.any():
                rows[m] = self.travel.out[name][np.ix_(base[m], cp.town_node)]
        rows += fl.facility_access_s[base][:, None]
        self.cov_share = cp.covered_share(base, fl.unit_turnout_s[avail], rows)

    def _crew_on_duty(self, u: int, now: float) -> bool:
        """Whether counted unit `u` at its station has a crew on duty (cached per facility:
        the counted units of one facility need the same roles from the same pool)."""
        st = self.staff
        assert st is not None
        f = int(self.fleet.unit_facility[u])
        hit = self.cov_crew.get(f)
        if hit is not None and now < hit[1]:
            return hit[0]
        # Kept until the clock changes a crew's status (`StaffState.steady_until`) or a crew
        # of the facility leaves or returns (`_availability_changed` forgets it then).
        ok = st.crew_for(u, f, now) is not None
        self.cov_crew[f] = (ok, st.steady_until(u, f, now))
        return ok

    # -- relief -----------------------------------------------------------------------------
    def relief_process(self, i: int) -> ProcessGenerator:
        plan = self.relief
        assert plan is not None
        env = self.env
        yield env.timeout(plan.assessment_delay_s)
        node, acc = int(self.node[i]), float(self.access_s[i])
        people = int(self.inc.people[i])
        with np.errstate(divide="ignore", invalid="ignore"):
            cap = np.floor(np.min(self.stock / plan.per_person, axis=1) + 1e-9)
        shipped = 0
        # 1. Pre-positioned village stores in the affected area hand out at once.
        if plan.village is not None and plan.village.any():
            d = np.atleast_1d(
                haversine_m(plan.village_lon, plan.village_lat, self.inc.lon[i], self.inc.lat[i])
            )
            near = np.flatnonzero(plan.village & (d <= plan.village_radius_m) & (cap > 0))
            for v in near[np.argsort(d[near], kind="stable")]:
                take = int(min(cap[v], people - shipped))
                if take <= 0:
                    break
                self.take_stock(int(v), take)
                self.relief_depots[i].append(int(plan.depot_facility[v]))
                shipped += take
            if shipped:
                env.process(self.local_delivery(i, shipped))
        # 2. Depots by road, nearest first.
        depots = plan.depot_facility
        travel = self.travel.out[plan.truck_profile][depots, node]
        has_trucks = np.array([len(t) > 0 for t in plan.depot_trucks], dtype=bool)
        can_ship = has_trucks & (cap > 0)
        if plan.village is not None:
            can_ship &= ~plan.village
        reachable = can_ship & np.isfinite(travel)
        if not reachable.any() and can_ship.any():
            # Cut off by road: the first supplies come by helicopter if any is free; trucks wait
            # for the roads to reopen (their loads stay queued at the depot).
            self.air_relief(i)
        order = np.flatnonzero(can_ship)
        order = order[
            np.argsort(
                np.where(np.isfinite(travel[order]), travel[order], 1e12) + acc, kind="stable"
            )
        ]
        alloc = allocate_relief(people - shipped, order, cap, plan.max_depots)
        for depot, p in alloc:
            self.take_stock(depot, p)
            self.relief_depots[i].append(int(plan.depot_facility[depot]))
            self.depot_queue[depot].append([i, p])
            shipped += p
            self.next_shipment(depot)
        self.relief_unmet[i] = people - shipped

    def take_stock(self, d: int, people: int) -> None:
        """Consume a depot's stock for `people` and order a refill from the reserve if low."""
        plan = self.relief
        assert plan is not None
        self.stock[d] -= people * plan.per_person
        if (
            plan.reorder_fraction is not None
            and not self.reorder_pending[d]
            and (self.stock[d] < plan.reorder_fraction * plan.stock[d]).any()
        ):
            self.reorder_pending[d] = True
            self.env.process(self.refill(d))

    def refill(self, d: int) -> ProcessGenerator:
        plan = self.relief
        assert plan is not None
        assert plan.reserve_lead_s is not None  # refills are ordered only with a reserve
        yield self.env.timeout(float(plan.reserve_lead_s))
        self.stock[d] = np.maximum(self.stock[d], plan.stock[d])
        self.reorder_pending[d] = False

    def local_delivery(self, i: int, people: int) -> ProcessGenerator:
        plan = self.relief
        assert plan is not None
        yield self.env.timeout(plan.local_delivery_s)
        if math.isnan(self.relief_s[i]) or self.env.now < self.relief_s[i]:
            self.relief_s[i] = self.env.now
        self.hand_out(i, people, last_mile=False)

    def hand_out(self, i: int, people: int, *, last_mile: bool = True) -> None:
        """Record a load reaching incident `i` now: last mile, then hand-out by number of people."""
        plan = self.relief
        assert plan is not None
        t = self.env.now + (plan.last_mile_s if last_mile else 0.0)
        t += people / plan.handout_people_per_h * 3600.0
        self.relief_loads.setdefault(i, []).append((t, people))

    def air_relief(self, i: int) -> None:
        """Send the nearest free helicopter with a first load to a place roads cannot reach."""
        air = np.flatnonzero(self.is_air & self.available)
        load = self.relief.loading_s if self.relief is not None else 0.0
        if self.gate:
            air = np.array(
                [u for u in air if self._leave_ok(int(u), i, load) is not None], dtype=int
            )
        if air.size == 0:
            return
        eta = self.travel.eta_s(air, i, self.env.now)
        pos = self.policy.choose(eta, 1)
        if pos.size == 0:
            return
        u = int(air[pos[0]])
        if self.gate:
            crew = self._leave_ok(u, i, load)
            if crew is not None and crew.size and self.staff is not None:
                self.staff.assign(u, i, crew, self.env.now)
            self.air_mission[i] = self.air_mission[i] or "relief_drop"
        self.available[u] = False
        self.trips[u] += 1
        self.out_since[u] = (i, self.env.now)
        self._open_row(u, i, "air_relief", "station")
        self.relief_air[i] = True
        self.env.process(self.air_relief_trip(u, i, float(eta[pos[0]])))

    def air_relief_trip(self, u: int, i: int, eta_s: float) -> ProcessGenerator:
        plan = self.relief
        assert plan is not None
        env = self.env
        t0 = env.now
        yield env.timeout(plan.loading_s + eta_s)
        if math.isnan(self.relief_s[i]) or env.now < self.relief_s[i]:
            self.relief_s[i] = env.now
        self._row_time(u, 9)
        self._row_time(u, 10)
        self.hand_out(i, min(int(self.inc.people[i]), plan.air_capacity_people))
        back = self.travel.return_s(u, i, env.now)
        self.flight_s[u] += 2 * back
        self.trip_flight[u] += 2 * back
        yield env.timeout(back)
        self.busy_s[u] += env.now - t0
        self.on_unit_home(u)

    def next_shipment(self, d: int) -> None:
        """Send free trucks of depot `d` with the next loads of its queue (if roads allow)."""
        plan = self.relief
        assert plan is not None
        q = self.depot_queue[d]
        for u in plan.depot_trucks[d]:
            if not q:
                return
            if not self.available[u]:
                continue
            load = q[0]
            i = load[0]
            if not np.isfinite(self.travel.road_eta_s(np.array([u]), i)[0]):
                return  # cut off: wait until roads reopen
            take = min(load[1], int(self.fleet.unit_capacity_people[u]))
            load[1] -= take
            if load[1] <= 0:
                q.popleft()
            self.available[u] = False
            self.trips[u] += 1
            self.out_since[int(u)] = (i, self.env.now)
            self._open_row(int(u), i, "relief", "station")
            self.env.process(self.truck_trip(int(u), i, take))

    def truck_trip(self, u: int, i: int, people: int) -> ProcessGenerator:
        plan = self.relief
        assert plan is not None
        env = self.env
        t0 = env.now
        eta = plan.loading_s + float(self.travel.road_eta_s(np.array([u]), i)[0])
        yield env.timeout(eta)
        if math.isnan(self.relief_s[i]) or env.now < self.relief_s[i]:
            self.relief_s[i] = env.now
        self._row_time(u, 9)
        self._row_time(u, 10)
        self.hand_out(i, people)
        yield env.timeout(self.travel.return_s(u, i, env.now))
        self.busy_s[u] += env.now - t0
        self.on_unit_home(u)


def simulate(
    fleet: Fleet,
    incidents: IncidentSet,
    node: np.ndarray,
    access_s: np.ndarray,
    demand: Demand,
    *,
    relief: ReliefPlan | None,
    until_s: float,
    policy: DispatchPolicy | None = None,
    travel: TravelModel | None = None,
    fires: FirePlan | None = None,
    report_s: np.ndarray | None = None,
    disruption: DisruptionPlan | None = None,
    mutual: np.ndarray | None = None,
    mutual_threshold: int | None = None,
    staff: StaffState | None = None,
    air: AirState | None = None,
    missions: MissionPlan | None = None,
    ops: bool = False,
    severity: SeverityPlan | None = None,
    rules: DispatchRules | None = None,
    record_trips: bool = True,
) -> SimOutcome:
    """Run one replication.

    Parameters
    ----------
    fleet
        Units, facilities and travel-time matrices.
    incidents
        Incidents of the replication, in onset order.
    node, access_s
        Road node of each incident and its off-network access leg (s).
    demand
        Units required and priority per incident type.
    relief
        Depots, stock and trucks, or None when no incident needs relief.
    until_s
        End of the run (s): the horizon plus a drain period for incidents still in progress.
    policy
        Unit selection rule; `NearestAvailable` by default.
    travel
        Travel model (modes, daylight, closures); by default road-only from `node`/`access_s`.
    fires
        Forest-fire parameters, or None when there are no fires.
    report_s
        Time each incident is reported (s); defaults to its onset (fires: onset + detection).
    disruption
        Road closures (static and by event), or None.
    mutual, mutual_threshold
        Per unit: whether it is a mutual-aid (reserve) unit; and the affected-people threshold
        above which reserves are called at once.
    staff
        Staff state (rosters, absences) when units need crews; None = always crewed.
    air
        Aircraft serviceability (maintenance, failures, weather, fuel); None = always ready.
    missions
        Helicopter missions of the incidents, or None.
    ops
        Aircraft rules on: aircraft leave only when they can take off at once and leave fires
        before nightfall or their crew's limits; time over a fire counts as flight time.
    severity
        Severity levels of the incidents (attendance plans, escalation), or None.
    rules
        Command-centre dispatch rules (reassignment, cover moves, coverage), or None.
    record_trips
        Keep a record of every trip (`SimOutcome.trip_log`). Off, the run keeps none and is
        about 5 % faster; nothing else in the outcome changes (the replication asks for them
        only when the trips table is written: with dispatch rules or severity levels).

    Returns
    -------
    outcome
        Per-incident times, units sent, relief, fire outcomes and per-unit busy time.
    """
    n = len(incidents)
    if travel is None:
        travel = TravelModel(
            fleet,
            node=node,
            access_s=access_s,
            walk_s=np.full(n, np.nan),
            lon=incidents.lon,
            lat=incidents.lat,
            unit_mode=np.zeros(fleet.n_units, dtype=np.int64),
            air=None,
            start=fires.start if fires is not None else _DEFAULT_START,
        )
    eng = _Engine(
        fleet,
        incidents,
        travel,
        demand,
        relief,
        policy or NearestAvailable(),
        fires,
        report_s,
        disruption,
        mutual,
        mutual_threshold,
        staff,
        air,
        missions,
        ops,
        severity,
        rules,
        record_trips,
    )
    if eng.gate:
        times: list[np.ndarray] = [np.zeros(0)]
        if staff is not None:
            times.append(staff.change_times(until_s))
        if ops and eng.is_air.any():
            times.append(sunrises(until_s, eng.travel.start))
            if air is not None and air.plan.no_fly_day is not None:  # flyable days begin
                times.append(np.arange(1, air.plan.no_fly_day.size) * 86400.0)
        eng.env.process(eng.retry_loop(np.unique(np.concatenate(times))))
        if air is not None:
            eng.env.process(eng.air_events(until_s))
    if disruption is not None:
        if disruption.static_edges.size:
            disruption.road.close(disruption.static_edges)
        eng.travel.set_road_matrices(disruption.road.out, disruption.road.back)
        if eng.router is not None:
            eng.router.set_edge_factor(disruption.road.edge_factor())
        eng.track_isolation(0.0)
    if eng.coverage is not None:
        eng._coverage_changed()
    eng.env.process(eng.arrivals())
    eng.env.run(until=until_s)
    # Units still out at the end count as busy until the end of the run.
    for u, (i, t0) in eng.out_since.items():
        on_cover = u in eng.post or u in eng.cover_group
        if not on_cover:  # standing by is not busy time
            eng.busy_s[u] += until_s - t0
        eng.journey_log.append((u, i, t0, math.nan))
    for u in list(eng.open_row):  # still out at the end of the run: no end time
        eng.trip_rows[eng.open_row.pop(u)][12] = "run_end"
    if eng.coverage is not None:
        eng._accumulate_coverage(until_s)
    log = np.array(sorted(eng.journey_log, key=lambda r: (r[2], r[0])), dtype=float).reshape(-1, 4)
    if disruption is not None:  # close the isolation spells still open
        for j, t0 in eng.isolated_since.items():
            eng.isolation_s[j] = eng.isolation_s.get(j, 0.0) + until_s - t0
    isolation_h = (
        {disruption.town_names[j]: eng.isolation_s[j] / 3600.0 for j in sorted(eng.isolation_s)}
        if disruption is not None
        else {}
    )
    relief_done = np.full(n, np.nan)
    for i, loads in eng.relief_loads.items():  # every affected person served, in the run
        served = 0
        for t, p in sorted(loads):
            served += p
            if t > until_s:
                break
            if served >= int(incidents.people[i]):
                relief_done[i] = t
                break
    for i, st in eng.fire_state.items():  # fires still burning at the end: area so far
        if np.isnan(eng.burned_ha[i]):
            eng.burned_ha[i] = st.area_ha
    if fires is not None:  # fires no crew ever reached burned freely until the end of the run
        for f in np.flatnonzero(fires.is_fire & np.isnan(eng.first_arrival)):
            i = int(f)
            if incidents.t_s[i] < until_s:
                st = FireState(
                    ros_m_per_h=float(fires.ros_m_per_h[i]),
                    lb_ratio=float(fires.lb_ratio[i]),
                    back_ratio=float(fires.back_ratio[i]),
                    night_factor=float(fires.night_factor[i]),
                    initial_radius_m=float(fires.initial_radius_m[i]),
                )
                eng._grow(st, float(incidents.t_s[i]), until_s, int(i))
                eng.burned_ha[i] = st.area_ha
    return SimOutcome(
        first_arrival_s=eng.first_arrival,
        all_arrived_s=eng.all_arrived,
        cleared_s=eng.cleared,
        first_dispatch_s=eng.first_dispatch,
        n_required=np.asarray(eng.n_required, dtype=np.int64),
        n_sent=eng.n_sent,
        queued=eng.queued,
        units_sent=tuple(tuple(s) for s in eng.sent),
        relief_s=eng.relief_s,
        relief_done_s=relief_done,
        relief_unmet_people=eng.relief_unmet,
        relief_depots=tuple(tuple(d) for d in eng.relief_depots),
        unit_busy_s=eng.busy_s,
        unit_trips=eng.trips,
        unit_wait_s=eng.wait_s,
        end_s=float(until_s),
        final_stock=eng.stock,
        journey_log=log,
        report_s=np.asarray(eng.report_s, dtype=float),
        first_mode=tuple(eng.first_mode),
        first_road_s=eng.first_road,
        first_boat_s=eng.first_boat,
        first_air_s=eng.first_air,
        first_ground_arrival_s=eng.first_ground_arrival,
        first_air_arrival_s=eng.first_air_arrival,
        contained_s=eng.contained,
        burned_ha=eng.burned_ha,
        unit_flight_s=eng.flight_s,
        arrival_by_type_s=eng.arrival_by_type,
        mutual_aid_sent=eng.mutual_sent,
        relief_air=eng.relief_air,
        isolation_h=isolation_h,
        isolation_events=eng.isolation_events,
        rerouted=eng.rerouted,
        recalled=eng.recalled,
        air_mission=tuple(eng.air_mission),
        trip_flight=np.array(eng.trip_flight_log, dtype=float).reshape(-1, 4),
        crew_log=tuple(staff.crew_log) if staff is not None else (),
        staff=staff,
        air_state=air,
        trip_rows=tuple(eng.trip_rows),
        priority=eng.prio_at_call,
        level=eng.level_at_call if severity is not None else None,
        escalations=eng.escalations if severity is not None else None,
        coverage_by_hour=_per_hour_share(eng.cov_by_hour, eng.coverage.horizon_s)
        if eng.coverage is not None
        else None,
        dispatch_counts=dict(eng.counts) if rules is not None else None,
    )


def _per_hour_share(share_s: np.ndarray, horizon_s: float) -> np.ndarray:
    """Time-weighted share by hour of day: accumulated share × s over the seconds of each hour
    of the day within the horizon."""
    t = np.arange(0.0, math.ceil(horizon_s / 3600.0)) * 3600.0
    secs = np.minimum(t + 3600.0, horizon_s) - t
    per_hour = np.bincount((np.arange(t.size) % 24), weights=secs, minlength=24)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(per_hour > 0, share_s / per_hour, np.nan)


__all__ = [
    "PROFILES",
    "Demand",
    "DisruptionPlan",
    "FirePlan",
    "ReliefPlan",
    "SimOutcome",
    "simulate",
]
