"""Aircraft availability and helicopter missions: maintenance, failures, weather, fuel, missions.

Pure numpy, no simpy. `AirPlan` holds one replication's draws (failure times, repair times,
no-fly days) and the compiled rules; `AirState` follows each aircraft through the run
(serviceable or not, flight hours since its last inspection). `MissionPlan` says which
incidents need a helicopter mission besides their ground units and what the mission is.

Model (plain words)
-------------------
* **Scheduled maintenance.** An aircraft whose flight hours since its last inspection reach
  ``inspection_every_flight_h`` goes into inspection for ``inspection_days`` when it is next
  home; once a year it has a calendar inspection of ``annual_days``, staggered over the fleet
  (aircraft ``j`` of ``n`` at day ``(j + 0.5) · 365 / n``).
* **Unscheduled downtime.** Failures arrive as a Poisson process in calendar time (mean
  ``failure_mean_days``) with lognormal repair times; a failure found while the aircraft is
  out grounds it when it is back. Each aircraft has its own random streams.
* **Weather.** Each calendar day is a no-fly day with the month's ``no_fly_share``; the draw is
  one stream for the whole city, so scenarios compared with one seed share their weather.
* **Fuel.** A flight plan longer than the usable range (range × (1 − reserve)) makes fuel stops
  of ``refuel_min`` each (`sim.physics.aviation.fuel_stops`).
* **Missions.** An incident of a type with an ``air_mission`` needs it with probability
  ``share`` (drawn per incident), or when no ground unit can be on scene within
  ``min_ground_eta_h``. The aircraft flies out, works ``on_scene_h`` (hoist, loading, unloading a
  team, dropping supplies), flies a ``medevac`` patient to the nearest hospital (handover
  ``handover_h``) and returns to base, without waiting for the incident to clear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from sim.geo import haversine_m
from sim.model.incidents import DAY_S, HOUR_S, stream
from sim.physics.aviation import fuel_stops

if TYPE_CHECKING:
    from sim.model.dispatch import Fleet
    from sim.model.incidents import IncidentSet
    from sim.scenario import Scenario

#: Random-stream purposes of aircraft and missions (after those of `sim.model.replication`).
STREAM_AIR_MISSION = 9
STREAM_AIR_WEATHER = 11
STREAM_AIR_FAILURE = 12
STREAM_AIR_REPAIR = 13
#: Mission kinds; `MissionPlan.kind` indexes this (−1 = no mission).
MISSION_KINDS = ("hoist", "medevac", "transport", "relief_drop")
MEDEVAC = MISSION_KINDS.index("medevac")
RELIEF_DROP = MISSION_KINDS.index("relief_drop")


@dataclass(frozen=True, slots=True)
class AirPlan:
    """Availability rules and one replication's draws for every aircraft.

    Attributes
    ----------
    inspection_every_s, inspection_s
        Per unit: flight time between scheduled inspections and their length (s; inf = none).
    annual_at_s, annual_s
        Per unit: start of the calendar inspection and its length (s; NaN = none).
    failure_at_s, repair_s
        Per unit: failure times and repair times (s), in time order.
    no_fly_day
        Per simulation day: weather grounds every aircraft (None = always flyable).
    usable_range_m, refuel_s
        Per unit: usable range on full tanks (m; inf = unlimited) and time of one fuel stop.
    air_units
        Indices of the aircraft.
    """

    inspection_every_s: np.ndarray
    inspection_s: np.ndarray
    annual_at_s: np.ndarray
    annual_s: np.ndarray
    failure_at_s: tuple[np.ndarray, ...]
    repair_s: tuple[np.ndarray, ...]
    no_fly_day: np.ndarray | None
    usable_range_m: np.ndarray
    refuel_s: np.ndarray
    air_units: np.ndarray


def uses_air_ops(scenario: Scenario) -> bool:
    """Whether any aircraft rule (maintenance, range, weather, staffing, missions) is switched on.

    Without any, aircraft behave as before these rules existed: always serviceable, unlimited
    range, and sent at once even when they must wait for daylight.
    """
    air = [ut.air for ut in scenario.unit_types.values() if ut.mode == "air" and ut.air]
    return bool(
        any(a.maintenance is not None or a.range_km is not None for a in air)
        or scenario.aviation.no_fly_share is not None
        or scenario.staffing is not None
        or any(
            inc.air_mission is not None or (inc.fire is not None and inc.fire.air_scaling)
            for inc in scenario.incidents.values()
        )
    )


def build_air_plan(
    scenario: Scenario, fleet: Fleet, unit_mode_air: np.ndarray, replication: int, until_s: float
) -> AirPlan:
    """Compile the aircraft rules and draw one replication's failures, repairs and weather.

    Parameters
    ----------
    scenario
        Validated scenario.
    fleet
        Compiled units (labels key the per-aircraft streams).
    unit_mode_air
        Per unit: whether it is an aircraft.
    replication
        Replication index (selects the streams).
    until_s
        End of the run (s).
    """
    n = fleet.n_units
    every = np.full(n, math.inf)
    insp = np.zeros(n)
    annual_at = np.full(n, math.nan)
    annual = np.zeros(n)
    usable = np.full(n, math.inf)
    refuel = np.zeros(n)
    fail: list[np.ndarray] = [np.zeros(0)] * n
    rep: list[np.ndarray] = [np.zeros(0)] * n
    air_units = np.flatnonzero(unit_mode_air)
    for j, u in enumerate(air_units):
        ut = scenario.unit_types[fleet.type_names[int(fleet.unit_type[u])]]
        a = ut.air
        if a is None:
            continue
        if a.range_km is not None:
            usable[u] = a.range_km * 1000.0 * (1.0 - a.reserve_share)
        refuel[u] = a.refuel_min * 60.0
        m = a.maintenance
        if m is None:
            continue
        if m.inspection_every_flight_h is not None:
            every[u] = m.inspection_every_flight_h * HOUR_S
            insp[u] = m.inspection_days * DAY_S
        if m.annual_days > 0:
            annual_at[u] = (j + 0.5) * 365.0 / air_units.size * DAY_S
            annual[u] = m.annual_days * DAY_S
        if m.failure_mean_days is not None:
            label = fleet.unit_labels[u]
            rng = stream(scenario.seed, replication, label, STREAM_AIR_FAILURE)
            gaps = rng.exponential(m.failure_mean_days * DAY_S, 1 + int(until_s / DAY_S))
            times = np.cumsum(gaps)
            times = times[times < until_s]
            mean, sd = m.repair_mean_days * DAY_S, m.repair_sd_days * DAY_S
            sigma2 = math.log1p((sd / mean) ** 2)
            r2 = stream(scenario.seed, replication, label, STREAM_AIR_REPAIR)
            reps = r2.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2), gaps.size)
            fail[u] = times
            rep[u] = reps[: times.size]
    no_fly = None
    shares = scenario.aviation.no_fly_share
    if shares is not None:
        days = math.ceil(until_s / DAY_S) + 1
        months = np.array(
            [(scenario.start_date + timedelta(days=k)).month - 1 for k in range(days)]
        )
        draws = stream(scenario.seed, replication, "aviation_weather", STREAM_AIR_WEATHER).random(
            days
        )
        no_fly = draws < np.asarray(shares, dtype=float)[months]
    return AirPlan(
        inspection_every_s=every,
        inspection_s=insp,
        annual_at_s=annual_at,
        annual_s=annual,
        failure_at_s=tuple(fail),
        repair_s=tuple(rep),
        no_fly_day=no_fly,
        usable_range_m=usable,
        refuel_s=refuel,
        air_units=air_units,
    )


@dataclass(slots=True)
class AirState:
    """Serviceability of every aircraft during one replication (mutable).

    Parameters
    ----------
    plan
        Rules and draws of the replication.
    """

    plan: AirPlan
    down_until: np.ndarray = field(init=False)
    pending_s: np.ndarray = field(init=False)
    since_inspection_s: np.ndarray = field(init=False)
    log: list[tuple[int, float, float, str]] = field(init=False)

    def __post_init__(self) -> None:
        n = self.plan.usable_range_m.size
        self.down_until = np.full(n, -math.inf)
        self.pending_s = np.zeros(n)
        self.since_inspection_s = np.zeros(n)
        self.log = []

    def ready(self, u: int, t: float) -> bool:
        """Whether aircraft `u` is serviceable at `t`."""
        return bool(t >= self.down_until[u])

    def ground(self, u: int, t: float, duration_s: float, reason: str) -> float:
        """Take aircraft `u` (at home) out of service from `t`; return when it is back (s)."""
        start = max(t, float(self.down_until[u]))
        self.down_until[u] = start + duration_s
        self.log.append((u, start, start + duration_s, reason))
        return float(self.down_until[u])

    def defer(self, u: int, duration_s: float) -> None:
        """A failure or inspection falls due while `u` is out: ground it when it is back."""
        self.pending_s[u] += duration_s

    def on_return(self, u: int, t: float, flight_s: float) -> float | None:
        """Aircraft `u` is home at `t` after `flight_s` of flight; return when it is serviceable
        again if it must go into maintenance now, else None."""
        p = self.plan
        self.since_inspection_s[u] += flight_s
        back = None
        if self.pending_s[u] > 0:
            back = self.ground(u, t, float(self.pending_s[u]), "deferred")
            self.pending_s[u] = 0.0
        if self.since_inspection_s[u] >= p.inspection_every_s[u]:
            back = self.ground(u, t, float(p.inspection_s[u]), "inspection")
            self.since_inspection_s[u] = 0.0
        return back

    def flyable(self, t: float) -> bool:
        """Whether the weather allows flying on the day of `t`."""
        nf = self.plan.no_fly_day
        if nf is None:
            return True
        d = math.floor(t / DAY_S)
        return not (0 <= d < nf.size and nf[d])

    def downtime_s(self, u: int, horizon_s: float) -> float:
        """Time aircraft `u` was out of service within [0, horizon] (s)."""
        spans = sorted((a, b) for v, a, b, _ in self.log if v == u)
        total, end = 0.0, -math.inf
        for a, b in spans:
            a, b = max(a, end, 0.0), min(b, horizon_s)
            if b > a:
                total += b - a
            end = max(end, b)
        return total

    def fuel_time_s(self, u: int, legs_m: list[float]) -> list[float]:
        """Fuel-stop time (s) added to each leg of a flight plan of aircraft `u`."""
        usable = float(self.plan.usable_range_m[u])
        if not math.isfinite(usable):
            return [0.0] * len(legs_m)
        return [k * float(self.plan.refuel_s[u]) for k in fuel_stops(legs_m, usable)]


@dataclass(frozen=True, slots=True)
class MissionPlan:
    """Helicopter missions of one replication's incidents.

    Attributes
    ----------
    kind
        Per incident: index into `MISSION_KINDS`, −1 = the type has no mission.
    unit_type, units
        Per incident: aircraft unit type and number per mission.
    drawn
        Per incident: the mission is needed whatever the roads (drawn with ``share``).
    min_ground_eta_s
        Per incident: needed when no ground unit arrives within this (inf = never).
    on_scene_s, handover_s
        Per incident: work on scene, and handover at the hospital (s).
    hospital_lon, hospital_lat
        Per incident: nearest hospital (medevac), NaN where none.
    """

    kind: np.ndarray
    unit_type: np.ndarray
    units: np.ndarray
    drawn: np.ndarray
    min_ground_eta_s: np.ndarray
    on_scene_s: np.ndarray
    handover_s: np.ndarray
    hospital_lon: np.ndarray
    hospital_lat: np.ndarray


def build_mission_plan(
    scenario: Scenario,
    inc: IncidentSet,
    type_names: tuple[str, ...],
    hospitals: np.ndarray,
    replication: int,
) -> MissionPlan | None:
    """Draw which incidents need their type's helicopter mission (None: no type has one).

    Parameters
    ----------
    scenario
        Validated scenario.
    inc
        The replication's incidents.
    type_names
        Unit type ids (for the mission's unit type index).
    hospitals
        Array (n, 2) of hospital positions (lon, lat); incidents outside the city also use
        the centre of their region.
    replication
        Replication index (one stream per incident type).
    """
    specs = [scenario.incidents[name].air_mission for name in inc.type_names]
    if not any(s is not None for s in specs):
        return None
    n = len(inc)
    kind = np.full(n, -1, dtype=np.int64)
    unit_type = np.full(n, -1, dtype=np.int64)
    units = np.zeros(n, dtype=np.int64)
    drawn = np.zeros(n, dtype=bool)
    min_eta = np.full(n, math.inf)
    on_scene = np.zeros(n)
    handover = np.zeros(n)
    h_lon = np.full(n, math.nan)
    h_lat = np.full(n, math.nan)
    for k, (name, spec) in enumerate(zip(inc.type_names, specs, strict=True)):
        idx = np.flatnonzero(inc.type_idx == k)
        if spec is None or idx.size == 0:
            continue
        u = stream(scenario.seed, replication, name, STREAM_AIR_MISSION).random(idx.size)
        kind[idx] = MISSION_KINDS.index(spec.kind)
        unit_type[idx] = type_names.index(spec.unit_type)
        units[idx] = spec.units
        drawn[idx] = u < spec.share
        if spec.min_ground_eta_h is not None:
            min_eta[idx] = spec.min_ground_eta_h * HOUR_S
        on_scene[idx] = spec.on_scene_h * HOUR_S
        handover[idx] = spec.handover_h * HOUR_S
        if spec.kind == "medevac":
            where = scenario.incidents[name].where
            pts = hospitals
            if where.model == "external":  # the region's own hospital
                pts = np.vstack([pts.reshape(-1, 2), [[where.lon, where.lat]]])
            d = haversine_m(
                inc.lon[idx][:, None], inc.lat[idx][:, None], pts[None, :, 0], pts[None, :, 1]
            )
            near = np.asarray(d).reshape(idx.size, -1).argmin(axis=1)
            h_lon[idx] = pts[near, 0]
            h_lat[idx] = pts[near, 1]
    return MissionPlan(kind, unit_type, units, drawn, min_eta, on_scene, handover, h_lon, h_lat)
