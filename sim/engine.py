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
  can cover is recorded as unmet.
* Nothing is dropped: incidents still waiting when the run ends are reported as unserved.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.dispatch import PROFILES, DispatchPolicy, NearestAvailable, allocate_relief

if TYPE_CHECKING:
    from collections.abc import Generator

    from sim.dispatch import Fleet
    from sim.incidents import IncidentSet

    ProcessGenerator = Generator[simpy.events.Event, Any, Any]


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
    """

    depot_facility: np.ndarray
    stock: np.ndarray
    per_person: np.ndarray
    depot_trucks: tuple[np.ndarray, ...]
    truck_profile: str
    assessment_delay_s: float
    loading_s: float
    max_depots: int


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
    relief_unmet_people: np.ndarray
    relief_depots: tuple[tuple[int, ...], ...]
    unit_busy_s: np.ndarray
    unit_trips: np.ndarray
    unit_wait_s: np.ndarray
    end_s: float
    final_stock: np.ndarray
    trip_log: np.ndarray
    """Array (trips, 4): unit, incident, dispatch time, time back home (NaN if still out)."""


class _Engine:
    """State of one replication; methods are the simpy processes and their callbacks."""

    def __init__(
        self,
        fleet: Fleet,
        inc: IncidentSet,
        node: np.ndarray,
        access_s: np.ndarray,
        demand: Demand,
        relief: ReliefPlan | None,
        policy: DispatchPolicy,
    ) -> None:
        self.env = simpy.Environment()
        self.fleet = fleet
        self.inc = inc
        self.node = node
        self.access_s = access_s
        self.demand = demand
        self.relief = relief
        self.policy = policy
        n = len(inc)
        nan = np.full(n, np.nan)
        self.first_arrival = nan.copy()
        self.all_arrived = nan.copy()
        self.cleared = nan.copy()
        self.first_dispatch = nan.copy()
        self.n_required = demand.units[inc.type_idx].sum(axis=1) if n else np.zeros(0, dtype=np.int64)
        self.n_sent = np.zeros(n, dtype=np.int64)
        self.n_arrived = np.zeros(n, dtype=np.int64)
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
        self.trip_log: list[tuple[int, int, float, float]] = []
        self.out_since: dict[int, tuple[int, float]] = {}
        # Relief state.
        self.relief_s = nan.copy()
        self.relief_unmet = np.zeros(n, dtype=np.int64)
        self.relief_depots: list[list[int]] = [[] for _ in range(n)]
        if relief is not None:
            self.stock = relief.stock.astype(float).copy()
            self.depot_queue: list[deque[list[int]]] = [deque() for _ in relief.depot_facility]
            self.truck_depot = {int(u): d for d, us in enumerate(relief.depot_trucks) for u in us}
        else:
            self.stock = np.zeros((0, 0))

    # -- incidents ---------------------------------------------------------------------------
    def arrivals(self) -> ProcessGenerator:
        env = self.env
        has_relief = self.inc.people > 0
        for i, t in enumerate(self.inc.t_s):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.on_incident(i)
            if has_relief[i] and self.relief is not None:
                env.process(self.relief_process(i))

    def on_incident(self, i: int) -> None:
        need = self.demand.units[self.inc.type_idx[i]]
        for k in np.flatnonzero(need):
            self.request(i, int(k), int(need[k]))

    def request(self, i: int, k: int, count: int) -> None:
        """Dispatch up to `count` available units of type `k`; queue the rest."""
        cands = self.fleet.units_of_type[k]
        free = cands[self.available[cands]]
        if free.size:
            eta = self.fleet.eta_s(free, int(self.node[i]), float(self.access_s[i]))
            for pos in self.policy.choose(eta, count):
                self.dispatch(int(free[pos]), i, float(eta[pos]))
                count -= 1
        if count > 0:
            self.queued[i] = True
            out = self.outstanding.setdefault(i, {})
            out[k] = out.get(k, 0) + count
            prio = int(self.demand.priority[self.inc.type_idx[i]])
            heapq.heappush(self.queues[k], (prio, float(self.inc.t_s[i]), next(self.seq), i))

    def dispatch(self, u: int, i: int, eta_s: float) -> None:
        now = self.env.now
        self.available[u] = False
        self.trips[u] += 1
        self.sent[i].append(u)
        self.n_sent[i] += 1
        if np.isnan(self.first_dispatch[i]):
            self.first_dispatch[i] = now
        self.wait_s[u] += now - self.inc.t_s[i]
        self.out_since[u] = (i, now)
        self.env.process(self.unit_trip(u, i, now, eta_s))

    def unit_trip(self, u: int, i: int, t0: float, eta_s: float) -> ProcessGenerator:
        env = self.env
        yield env.timeout(eta_s)
        if np.isnan(self.cleared[i]):
            self.on_arrival(i)
            yield self.clear_ev[i]
        yield env.timeout(self.fleet.return_s(u, int(self.node[i]), float(self.access_s[i])))
        self.busy_s[u] += env.now - t0
        self.on_unit_home(u)

    def on_arrival(self, i: int) -> None:
        now = self.env.now
        self.n_arrived[i] += 1
        if self.n_arrived[i] == 1:
            self.first_arrival[i] = now
            self.clear_ev[i] = self.env.event()
            self.env.process(self.work(i))
        if self.n_arrived[i] == self.n_required[i]:
            self.all_arrived[i] = now
            ev = self.complete_ev.pop(i, None)
            if ev is not None:
                ev.succeed()

    def work(self, i: int) -> ProcessGenerator:
        env = self.env
        dur = float(self.inc.on_scene_s[i])
        yield env.timeout(dur)
        if np.isnan(self.all_arrived[i]):
            ev = self.complete_ev[i] = env.event()
            yield ev | env.timeout(dur)
            self.complete_ev.pop(i, None)
        self.cleared[i] = env.now
        self.outstanding.pop(i, None)  # queued requests of a cleared incident lapse
        self.clear_ev.pop(i).succeed()

    def on_unit_home(self, u: int) -> None:
        i, t0 = self.out_since.pop(u)
        self.trip_log.append((u, i, t0, self.env.now))
        self.available[u] = True
        if self.relief is not None and u in self.truck_depot:
            self.next_shipment(self.truck_depot[u])
            return
        k = int(self.fleet.unit_type[u])
        q = self.queues[k]
        while q:
            _, _, _, i = heapq.heappop(q)
            out = self.outstanding.get(i)
            if not out or out.get(k, 0) == 0:
                continue  # lapsed (incident cleared) or already served
            eta = self.fleet.eta_s(np.array([u]), int(self.node[i]), float(self.access_s[i]))
            if not np.isfinite(eta[0]):
                heapq.heappush(q, (_, float(self.inc.t_s[i]), next(self.seq), i))
                return
            out[k] -= 1
            if out[k] > 0:  # still short: keep its place in the queue
                prio = int(self.demand.priority[self.inc.type_idx[i]])
                heapq.heappush(q, (prio, float(self.inc.t_s[i]), next(self.seq), i))
            self.dispatch(u, i, float(eta[0]))
            return

    # -- relief -----------------------------------------------------------------------------
    def relief_process(self, i: int) -> ProcessGenerator:
        plan = self.relief
        assert plan is not None  # noqa: S101 - guarded by the caller
        yield self.env.timeout(plan.assessment_delay_s)
        node, acc = int(self.node[i]), float(self.access_s[i])
        depots = plan.depot_facility
        travel = self.fleet.travel_out_s[plan.truck_profile][depots, node]
        with np.errstate(divide="ignore", invalid="ignore"):
            cap = np.floor(np.min(self.stock / plan.per_person, axis=1) + 1e-9)
        has_trucks = np.array([len(t) > 0 for t in plan.depot_trucks], dtype=bool)
        can_ship = has_trucks & np.isfinite(travel) & (cap > 0)
        order = np.flatnonzero(can_ship)
        order = order[np.argsort(travel[order] + acc, kind="stable")]
        people = int(self.inc.people[i])
        alloc = allocate_relief(people, order, cap, plan.max_depots)
        shipped = 0
        for d, p in alloc:
            self.stock[d] -= p * plan.per_person
            self.relief_depots[i].append(int(plan.depot_facility[d]))
            self.depot_queue[d].append([i, p])
            shipped += p
            self.next_shipment(d)
        self.relief_unmet[i] = people - shipped

    def next_shipment(self, d: int) -> None:
        """Send free trucks of depot `d` with the next loads of its queue."""
        plan = self.relief
        assert plan is not None  # noqa: S101
        q = self.depot_queue[d]
        for u in plan.depot_trucks[d]:
            if not q:
                return
            if not self.available[u]:
                continue
            load = q[0]
            take = min(load[1], int(self.fleet.unit_capacity_people[u]))
            load[1] -= take
            i = load[0]
            if load[1] <= 0:
                q.popleft()
            self.available[u] = False
            self.trips[u] += 1
            self.out_since[int(u)] = (i, self.env.now)
            self.env.process(self.truck_trip(int(u), i))

    def truck_trip(self, u: int, i: int) -> ProcessGenerator:
        plan = self.relief
        assert plan is not None  # noqa: S101
        env = self.env
        t0 = env.now
        node, acc = int(self.node[i]), float(self.access_s[i])
        eta = plan.loading_s + float(self.fleet.eta_s(np.array([u]), node, acc)[0])
        yield env.timeout(eta)
        if np.isnan(self.relief_s[i]):
            self.relief_s[i] = env.now
        yield env.timeout(self.fleet.return_s(u, node, acc))
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

    Returns
    -------
    outcome
        Per-incident times, units sent, relief, and per-unit busy time.
    """
    eng = _Engine(fleet, incidents, node, access_s, demand, relief, policy or NearestAvailable())
    eng.env.process(eng.arrivals())
    eng.env.run(until=until_s)
    # Units still out at the end count as busy until the end of the run.
    for u, (i, t0) in eng.out_since.items():
        eng.busy_s[u] += until_s - t0
        eng.trip_log.append((u, i, t0, math.nan))
    log = np.array(sorted(eng.trip_log, key=lambda r: (r[2], r[0])), dtype=float).reshape(-1, 4)
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
        relief_unmet_people=eng.relief_unmet,
        relief_depots=tuple(tuple(d) for d in eng.relief_depots),
        unit_busy_s=eng.busy_s,
        unit_trips=eng.trips,
        unit_wait_s=eng.wait_s,
        end_s=float(until_s),
        final_stock=eng.stock,
        trip_log=log,
    )


__all__ = ["PROFILES", "Demand", "ReliefPlan", "SimOutcome", "simulate"]
