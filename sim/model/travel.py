"""Arrival and return times of units by mode (road, road + boat, air) at a given simulation time.

No simpy here: the engine asks "if unit u left now for incident i, when would it be there, and
by which legs?" and gets plain numbers. The model holds the only mutable travel state of a
replication — road closures — and recomputes facility rows of the travel-time matrices when
roads are cut or reopened.

Legs
----
* road: turnout + facility access leg + road network time + the incident's access leg (for
  forest fires, units drive to the road end near the fire; crews on foot walk on from there at
  a mountain walking speed, vehicles such as a satellite comms vehicle stop there);
* road + boat: turnout + road to a launch point on the river + launch + boat along the river
  (only for units that carry a boat, on incidents placed on a river); the faster of the two
  options is used;
* air: launch (turnout) + straight-line flight at efficiency × cruise; aircraft that are not
  night-capable only take off by day and must land before sunset, otherwise they wait for the
  next sunrise.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from scipy.sparse.csgraph import dijkstra

from sim.geo import haversine_m
from sim.model.dispatch import PROFILES
from sim.model.disruption import affected_sources, affected_sources_reverse
from sim.physics import aviation
from sim.physics.boats import boat_leg_s

if TYPE_CHECKING:
    from sim.model.dispatch import Fleet

#: Daylight is computed at the city centre: sunrise differs by under 8 minutes across the city.
CITY_LAT, CITY_LON = 24.81, 113.60
MODE_ROAD, MODE_AIR = 0, 1
MODE_NAMES = ("road", "air")
#: Largest units × nodes table of per-unit travel-time rows kept by `TravelModel` (cells;
#: 16 MB in float32): the baseline has 184 units × 106 nodes.
UNIT_ROWS_MAX_CELLS = 4_000_000


@dataclass(frozen=True, slots=True)
class SolarClock:
    """Where and on which local clock daylight is computed.

    The simulation clock counts seconds from 00:00 local time of `start`; daylight is that
    of the region's centre. A bare `date` where a clock is expected means Shaoguan (city
    centre, UTC+8).

    Attributes
    ----------
    start
        Calendar date of simulation time 0.
    lat, lon
        Position of the daylight computation (WGS84 degrees).
    utc_offset_h
        Offset of the local clock from UTC (h); fixed over the run.
    """

    start: date
    lat: float = CITY_LAT
    lon: float = CITY_LON
    utc_offset_h: float = aviation.CST_OFFSET_H


def _clock(start: date | SolarClock) -> SolarClock:
    return start if isinstance(start, SolarClock) else SolarClock(start)


@dataclass(frozen=True, slots=True)
class AirFleet:
    """Per-unit flight parameters (NaN / False for road units).

    Attributes
    ----------
    speed_m_per_s
        Effective transit speed (efficiency × cruise).
    night_capable
        Whether the unit may fly at night.
    base_lon, base_lat
        Home base of each unit (WGS84).
    """

    speed_m_per_s: np.ndarray
    night_capable: np.ndarray
    base_lon: np.ndarray
    base_lat: np.ndarray


class Legs(NamedTuple):
    """How a unit gets to an incident: seconds on each leg from dispatch.

    (A named tuple rather than a frozen dataclass: one is built at every first arrival, and
    a named tuple is several times cheaper to build.)
    """

    total_s: float
    mode: str
    road_s: float = 0.0
    boat_s: float = 0.0
    air_s: float = 0.0
    wait_s: float = 0.0  # waiting for daylight (aircraft)


@lru_cache(maxsize=4096)
def _daylight_window(day: int, start: date | SolarClock) -> tuple[float, float]:
    """Return (sunrise_s, sunset_s) of simulation day `day` on the simulation clock."""
    c = _clock(start)
    t = day * 86400.0 + 43200.0
    off = c.utc_offset_h
    rise = aviation.next_daylight_start_s(day * 86400.0, c.start, c.lat, c.lon, utc_offset_h=off)
    sset = aviation.daylight_end_s(t, c.start, c.lat, c.lon, utc_offset_h=off)
    return rise, sset


#: Days searched ahead for a flyable day (weather) before a flight is deemed impossible.
MAX_WAIT_DAYS = 60


def next_flight_window(
    t_s: float, flight_s: float, start: date | SolarClock, no_fly: np.ndarray | None = None
) -> float:
    """Return the earliest take-off ≥ `t_s` such that a day-only flight lands before sunset.

    Days flagged in `no_fly` (weather grounds every aircraft) are skipped.
    """
    day = math.floor(t_s / 86400.0)
    span = 3 if no_fly is None else MAX_WAIT_DAYS
    for k in range(day, day + span):
        if no_fly is not None and 0 <= k < no_fly.size and no_fly[k]:
            continue
        rise, sset = _daylight_window(k, start)
        depart = max(t_s, rise)
        if depart + flight_s <= sset:
            return depart
    return math.inf  # a flight longer than any day


def sunset_after(t_s: float, start: date | SolarClock) -> float:
    """Return the first sunset at or after `t_s` (s on the simulation clock)."""
    day = math.floor(t_s / 86400.0)
    for k in range(day, day + 2):
        sset = _daylight_window(k, start)[1]
        if sset >= t_s:
            return sset
    return math.inf  # pragma: no cover - a sunset always comes within two days


def sunrises(until_s: float, start: date | SolarClock) -> np.ndarray:
    """Return every sunrise in (0, `until_s`) (s on the simulation clock)."""
    days = range(math.ceil(until_s / 86400.0) + 1)
    t = np.array([_daylight_window(k, start)[0] for k in days])
    return t[(t > 0) & (t < until_s)]


def next_flyable_s(t_s: float, no_fly: np.ndarray) -> float:
    """Return the earliest time ≥ `t_s` on a day without a no-fly flag (night-capable aircraft)."""
    day = math.floor(t_s / 86400.0)
    for k in range(day, day + MAX_WAIT_DAYS):
        if not (0 <= k < no_fly.size and no_fly[k]):
            return max(t_s, k * 86400.0)
    return math.inf


def is_daylight(t_s: float, start: date | SolarClock) -> bool:
    """Return whether simulation time `t_s` is between sunrise and sunset (see `SolarClock`)."""
    rise, sset = _daylight_window(math.floor(t_s / 86400.0), start)
    return rise <= t_s < sset


def next_daylight_change(t_s: float, start: date | SolarClock) -> float:
    """Return the next sunrise or sunset strictly after `t_s`."""
    day = math.floor(t_s / 86400.0)
    for k in range(day, day + 2):
        for edge in _daylight_window(k, start):
            if edge > t_s:
                return edge
    return (day + 2) * 86400.0  # pragma: no cover - always found above


class TravelModel:
    """Arrival and return times for the units of a `Fleet` to the incidents of one replication.

    Parameters
    ----------
    fleet
        Units and facility travel-time matrices (shared, never modified).
    node, access_s
        Road node of each incident and its access leg for drivers (s).
    walk_s
        Access leg for ground crews at forest fires (s): driven to the road end, then walked;
        NaN where not a fire.
    lon, lat
        Incident positions (WGS84).
    unit_mode
        `MODE_ROAD` or `MODE_AIR` per unit.
    air
        Flight parameters, or None when no unit flies.
    start
        Calendar date of simulation time 0 (00:00 China Standard Time), or a `SolarClock`
        for another region.
    boats
        Optional callable ``(units, i, road_out) -> (total_s, road_s, boat_s)`` for the
        road + boat option (None: no boat legs).
    unit_walks
        Per unit: whether its crew walks in at forest fires (None: every unit does).
    drive_s
        Access leg at forest fires for units that do not walk: driven to the road end (s); NaN
        where not a fire (None: like `walk_s`).
    no_fly
        Per simulation day: weather grounds every aircraft (None: always flyable).
    """

    def __init__(
        self,
        fleet: Fleet,
        *,
        node: np.ndarray,
        access_s: np.ndarray,
        walk_s: np.ndarray,
        lon: np.ndarray,
        lat: np.ndarray,
        unit_mode: np.ndarray,
        air: AirFleet | None,
        start: date | SolarClock,
        boats: Any = None,
        unit_walks: np.ndarray | None = None,
        drive_s: np.ndarray | None = None,
        no_fly: np.ndarray | None = None,
    ) -> None:
        self.fleet = fleet
        self.no_fly = no_fly
        self.node = node
        self.access_s = access_s
        self.walk_s = walk_s
        self.lon = lon
        self.lat = lat
        self.unit_mode = unit_mode
        self.air = air
        self.start = start
        self.boats = boats
        self.unit_walks = (
            np.ones(fleet.n_units, dtype=bool) if unit_walks is None else np.asarray(unit_walks)
        )
        self.drive_s = walk_s if drive_s is None else drive_s
        # Where each unit starts a trip from: its home facility, or the station where it
        # stands by on a cover move (the engine moves it; returns always go home).
        self.base = fleet.unit_facility.copy()
        # Road matrices: shared until the first closure, then private copies.
        self.out = fleet.travel_out_s
        self.back = fleet.travel_back_s
        self.has_air = bool((unit_mode == MODE_AIR).any())
        # Per unit and per incident, the parts of a trip that never change during the run:
        # turnout + the facility's access leg, and the incident's last leg (walk or drive).
        self._unit_base_s = fleet.unit_turnout_s + fleet.facility_access_s[fleet.unit_facility]
        self._is_air = unit_mode == MODE_AIR
        # The same fixed facts as Python values for the per-trip questions (`return_s`,
        # `last_leg_s`): an element of a numpy array is slow to read, thousands of times a year.
        self._air_of: list[bool] = self._is_air.tolist()
        self._units_of_profile = [
            np.flatnonzero(fleet.unit_profile == p) for p in range(len(PROFILES))
        ]
        self._home_access_s: list[float] = fleet.facility_access_s[fleet.unit_facility].tolist()
        self._base_access_s = list(self._home_access_s)  # follows `set_base`
        self._turnout_of: list[float] = fleet.unit_turnout_s.astype(float).tolist()
        self._walks_of: list[bool] = self.unit_walks.tolist()
        self._node_of: list[int] = np.asarray(node).tolist()
        self._walk_of: list[float] = np.asarray(walk_s, dtype=float).tolist()
        self._access_of: list[float] = np.asarray(access_s, dtype=float).tolist()
        self._drive_of: list[float] = np.asarray(self.drive_s, dtype=float).tolist()
        self._on_river: list[bool] = (
            [] if boats is None else (np.asarray(boats.river) >= 0).tolist()
        )
        self._all_units = np.arange(fleet.n_units)
        self._unit_out: np.ndarray | None = None
        self._unit_back: np.ndarray | None = None
        self._roads_version = 0  # changes whenever the road matrices or a unit's base do
        self._eta_memo: dict[int, tuple[int, np.ndarray]] = {}
        self._boat_memo: dict[int, tuple[Any, ...]] = {}
        self._boat_back_memo: dict[int, tuple[int, np.ndarray]] = {}
        self._gather_unit_rows()

    def _gather_unit_rows(self) -> None:
        """Copy each unit's row of the (current) matrices into units × nodes tables.

        One fancy index then answers "unit u to node n" whatever the unit's profile; done only
        while the tables stay small (`UNIT_ROWS_MAX_CELLS`), else the facility matrices are
        indexed per profile.
        """
        f = self.fleet
        n_nodes = next(iter(self.out.values())).shape[1] if self.out else 0
        if f.n_units == 0 or f.n_units * n_nodes > UNIT_ROWS_MAX_CELLS:
            self._unit_out = self._unit_back = None
            return
        tables = []
        for mats in (self.out, self.back):
            dtype = np.result_type(*[mats[name] for name in PROFILES if name in mats])
            t = np.empty((f.n_units, n_nodes), dtype=dtype)
            for name, us in zip(PROFILES, self._units_of_profile, strict=True):
                if us.size:
                    # Trips start from the unit's base; returns always end at home.
                    rows = self.base[us] if mats is self.out else f.unit_facility[us]
                    t[us] = mats[name][rows]
            tables.append(t)
        self._unit_out, self._unit_back = tables

    # ---- road ---------------------------------------------------------------------------
    def road_rows(self, units: np.ndarray, nodes: Any, *, back: bool = False) -> np.ndarray:
        """Road time (s) from the node of each unit's base (home, or a cover post) to `nodes` (a
        node, or an array of nodes), or from `nodes` back home (`back`: returns always end at
        the home facility), on the unit's speed profile and the current (possibly cut) roads."""
        scalar = np.ndim(nodes) == 0
        table = self._unit_back if back else self._unit_out
        if table is not None:
            rows = table[units, nodes] if scalar else table[np.ix_(units, nodes)]
            return np.asarray(rows, dtype=float)
        f = self.fleet
        fac = f.unit_facility[units] if back else self.base[units]
        t = np.empty((units.size, *np.shape(nodes)))
        mats = self.back if back else self.out
        for p, name in enumerate(PROFILES):
            m = f.unit_profile[units] == p
            if m.any():
                # Index rows and columns together: never copy whole rows of a large network.
                t[m] = mats[name][fac[m], nodes] if scalar else mats[name][np.ix_(fac[m], nodes)]
        return t

    def _road_out(self, units: np.ndarray, i: int) -> np.ndarray:
        return self.road_rows(units, int(self.node[i]))

    def _last_leg_s(self, units: np.ndarray, i: int) -> np.ndarray:
        """Off-network leg per unit: access, or at forest fires walk-in / drive to the road end."""
        w = self.walk_s[i]
        if math.isnan(w):
            return np.full(units.size, float(self.access_s[i]))
        return np.where(self.unit_walks[units], w, float(self.drive_s[i]))

    def last_leg_s(self, u: int, i: int) -> float:
        """Off-network leg of unit `u` at incident `i` (s): access, or walk-in / drive at fires.

        The same rule as `_last_leg_s`, for one unit without building arrays (it is asked for
        every return trip)."""
        w = self._walk_of[i]
        if math.isnan(w):
            return self._access_of[i]
        return w if self._walks_of[u] else self._drive_of[i]

    def road_eta_s(self, units: np.ndarray, i: int) -> np.ndarray:
        """Return turnout + road (+ boat where faster) + last leg for road units (s)."""
        if self._unit_out is not None:
            # One incident is asked about several times (a request per unit type, the first
            # arrival's legs, relief, re-routing): the times of every unit are computed once
            # per state of the roads and bases and then only indexed.
            hit = self._eta_memo.get(i)
            if hit is None or hit[0] != self._roads_version:
                eta = self._unit_base_s + self._unit_out[:, self.node[i]]  # every unit at once
                if math.isnan(self.walk_s[i]):  # the same access leg for every unit
                    eta += float(self.access_s[i])
                else:
                    eta += self._last_leg_s(self._all_units, i)
                if self.boats is not None and self.boats.river[i] >= 0:
                    eta = np.minimum(eta, self._boat_option(self._all_units, i)[0])
                hit = (self._roads_version, eta)
                self._eta_memo[i] = hit
            return hit[1][units]
        return self._road_eta(units, i)

    def _road_eta(self, units: np.ndarray, i: int) -> np.ndarray:
        eta = self._unit_base_s[units] + self._road_out(units, i)
        eta += self._last_leg_s(units, i)
        if self.boats is not None and self.boats.river[i] >= 0:
            total, _, _ = self._boat_option(units, i)
            eta = np.minimum(eta, total)
        return eta

    def _boat_option(self, units: np.ndarray, i: int) -> tuple[np.ndarray, ...]:
        """(total, road, boat) of the road + boat option (`BoatLegs`), memoised like ETAs."""
        if self._unit_out is None:
            return tuple(self.boats(units, i, self))
        hit = self._boat_memo.get(i)
        if hit is None or hit[0] != self._roads_version:
            hit = (self._roads_version, *self.boats(self._all_units, i, self))
            self._boat_memo[i] = hit
        return tuple(x[units] for x in hit[1:])

    # ---- air ----------------------------------------------------------------------------
    def _flight_s(self, units: np.ndarray, i: int) -> np.ndarray:

        a = self.air
        assert a is not None
        d = np.atleast_1d(
            haversine_m(a.base_lon[units], a.base_lat[units], self.lon[i], self.lat[i])
        )
        return d / a.speed_m_per_s[units]

    def air_eta_s(self, units: np.ndarray, i: int, now: float) -> np.ndarray:
        """Return launch + flight (+ waiting for daylight) for air units (s)."""
        a = self.air
        assert a is not None
        flight = self._flight_s(units, i)
        ready = now + self.fleet.unit_turnout_s[units]
        eta = ready + flight - now
        for k, u in enumerate(units):
            if not a.night_capable[u]:
                depart = next_flight_window(
                    float(ready[k]), float(flight[k]), self.start, self.no_fly
                )
                eta[k] = depart + flight[k] - now
            elif self.no_fly is not None:
                eta[k] = next_flyable_s(float(ready[k]), self.no_fly) + flight[k] - now
        return eta

    def flight_s(self, u: int, i: int) -> float:
        """Straight-line flight time (s) of aircraft `u` between its base and incident `i`."""
        return float(self._flight_s(np.array([u]), i)[0])

    def air_leg_s(self, u: int, lon0: float, lat0: float, lon1: float, lat1: float) -> float:
        """Flight time (s) of aircraft `u` between two points."""
        a = self.air
        assert a is not None
        return float(haversine_m(lon0, lat0, lon1, lat1)) / float(a.speed_m_per_s[u])

    def leg_m(self, lon0: float, lat0: float, lon1: float, lat1: float) -> float:
        """Great-circle distance (m) between two points."""
        return float(haversine_m(lon0, lat0, lon1, lat1))

    # ---- public -------------------------------------------------------------------------
    def eta_s(self, units: np.ndarray, i: int, now: float) -> np.ndarray:
        """Return the time (s) from `now` until each unit would be on scene at incident `i`."""
        if not self.has_air:
            return self.road_eta_s(units, i)
        air = self._is_air[units]
        if not np.count_nonzero(air):  # (cheaper than air.any() on the small arrays asked)
            return self.road_eta_s(units, i)
        eta = np.empty(units.size)
        if (~air).any():
            eta[~air] = self.road_eta_s(units[~air], i)
        eta[air] = self.air_eta_s(units[air], i, now)
        return eta

    def legs(self, u: int, i: int, now: float) -> Legs:
        """Break the trip of unit `u` to incident `i` into legs (for the records)."""
        units = np.array([u])
        f = self.fleet
        if self._air_of[u]:
            flight = float(self._flight_s(units, i)[0])
            total = float(self.air_eta_s(units, i, now)[0])
            return Legs(
                total_s=total,
                mode="air",
                air_s=flight,
                wait_s=total - flight - float(f.unit_turnout_s[u]),
            )
        if self._unit_out is not None:
            road_s = float(self._unit_out[u, self.node[i]])
        else:
            road_s = float(self._road_out(units, i)[0])
        road = self._base_access_s[u] + road_s + self.last_leg_s(u, i)
        total = self._turnout_of[u] + road
        if self.boats is not None and self._on_river[i]:
            btotal, broad, bboat = self._boat_option(units, i)
            if float(btotal[0]) < total:
                return Legs(
                    total_s=float(btotal[0]),
                    mode="boat",
                    road_s=float(broad[0]),
                    boat_s=float(bboat[0]),
                )
        return Legs(total_s=total, mode="road", road_s=road)

    def return_s(self, u: int, i: int, now: float) -> float:
        """Return the time (s) from leaving incident `i` until unit `u` is back home.

        Aircraft fly the straight line back. Road units take the last leg out, the road from
        the incident's node to their facility (the reverse matrix: one-way streets and climbs
        differ) and the facility's access leg; units that carry a boat come back by boat and
        road instead where that is faster (as on the way out), so a unit that reached a river
        incident cut off by road comes home.
        """
        if self._air_of[u]:
            return float(self._flight_s(np.array([u]), i)[0])
        if self._unit_back is not None:
            road_back = float(self._unit_back[u, self._node_of[i]])
        else:
            road_back = float(self.road_rows(np.array([u]), self._node_of[i], back=True)[0])
        back = road_back + self.last_leg_s(u, i) + self._home_access_s[u]
        if self.boats is not None and self._on_river[i]:
            back = min(back, self._boat_back_s(u, i))
        return back

    def _boat_back_s(self, u: int, i: int) -> float:
        """Time home (s) of unit `u` from river incident `i` by boat and road (inf: no boat).

        Memoised for every unit at once like the way out (`_boat_option`): each unit that
        worked the incident asks for it, and the answer changes only with the roads."""
        if self._unit_out is None:
            return float(self.boats(np.array([u]), i, self, back=True)[0][0])
        hit = self._boat_back_memo.get(i)
        if hit is None or hit[0] != self._roads_version:
            hit = (self._roads_version, self.boats(self._all_units, i, self, back=True)[0])
            self._boat_back_memo[i] = hit
        return float(hit[1][u])

    @property
    def roads_version(self) -> int:
        """A number that changes whenever the road matrices or a unit's base do."""
        return self._roads_version

    def set_base(self, u: int, facility: int) -> None:
        """Make `facility` the base unit `u` starts its trips from (a cover post, or home)."""
        f = self.fleet
        if self.base[u] == facility:
            return
        self.base[u] = facility
        self._unit_base_s[u] = f.unit_turnout_s[u] + f.facility_access_s[facility]
        self._base_access_s[u] = float(f.facility_access_s[facility])
        if self._unit_out is not None:
            self._unit_out[u] = self.out[PROFILES[f.unit_profile[u]]][facility]
        self._roads_version += 1  # every memo keyed on the version is stale

    # ---- closures -----------------------------------------------------------------------
    def set_road_matrices(self, out: dict[str, np.ndarray], back: dict[str, np.ndarray]) -> None:
        """Replace the facility travel-time matrices (after roads were cut or reopened).

        The road state changes its matrices in place, so the unit rows are gathered again even
        when the same mappings come back.
        """
        self.out = out
        self.back = back
        self._roads_version += 1
        self._gather_unit_rows()


class BoatLegs:
    """The road + boat option for units that carry a boat, to incidents on a river.

    Parameters
    ----------
    launch
        Launch points (`sim.boats.LaunchPoints`) on the road network.
    unit_speed_kph, unit_launch_s
        Per unit: boat speed (NaN = no boat) and put-in time (s).
    inc_river, inc_chainage_m, inc_offset_m
        Per incident: river index (-1 = not on a river), chainage and distance from the river
        line (m), from `RiverIndex.project`.
    """

    def __init__(
        self,
        launch: Any,
        unit_speed_kph: np.ndarray,
        unit_launch_s: np.ndarray,
        inc_river: np.ndarray,
        inc_chainage_m: np.ndarray,
        inc_offset_m: np.ndarray,
    ) -> None:
        self.launch = launch
        self.speed = unit_speed_kph
        self.launch_s = unit_launch_s
        self.river = inc_river
        self.chainage = inc_chainage_m
        self.offset = inc_offset_m
        # Units grouped by their boat (speed, put-in time), groups in sorted order; -1 = none.
        has = ~np.isnan(unit_speed_kph)
        self._keys = sorted(
            {
                (float(a), float(b))
                for a, b in zip(unit_speed_kph[has], unit_launch_s[has], strict=True)
            }
        )
        self._key_of_unit = np.full(unit_speed_kph.size, -1, dtype=np.int64)
        for k, (a, b) in enumerate(self._keys):
            self._key_of_unit[has & (unit_speed_kph == a) & (unit_launch_s == b)] = k
        # Boat distance from every launch point to each river incident (fixed for the run),
        # all at once: (river incidents, launch points).
        self._row = np.full(inc_river.size, -1, dtype=np.int64)
        on = np.flatnonzero(inc_river >= 0)
        self._row[on] = np.arange(on.size)
        self._boat_m = np.zeros((on.size, launch.n))
        if on.size and launch.n:
            self._boat_m = launch.rivers.boat_distance_grid_m(
                launch.river, launch.chainage_m, inc_river[on], inc_chainage_m[on]
            )

        self._R: dict[tuple[int, bool, bytes], np.ndarray] = {}
        self._R_version = -1
        self._all_groups: tuple[np.ndarray, list[Any]] | None = None

    def boat_m(self, i: int) -> np.ndarray:
        """Distance by boat (m) from every launch point to incident `i`'s point on its river."""
        return self._boat_m[self._row[i]]

    def _groups(self, units: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray, bytes]]:
        """Split `units` by boat (group index, positions in `units`, units, their bytes)."""
        group = self._key_of_unit[units]
        out = []
        for k in np.unique(group[group >= 0]):
            sel = np.flatnonzero(group == k)
            out.append((int(k), sel, units[sel], units[sel].tobytes()))
        return out

    def __call__(
        self, units: np.ndarray, i: int, travel: TravelModel, *, back: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (total, road, boat) seconds per unit; inf where no boat option exists.

        Out (default): turnout, road to the launch point, put-in, boat to the incident. Back
        (`back`): boat to the launch point, taking the boat out (as long as putting it in),
        road home; no turnout.
        """

        n = units.size
        total, road, boat = np.full(n, np.inf), np.full(n, np.inf), np.full(n, np.inf)
        if self.river[i] < 0 or self.launch.n == 0:
            return total, road, boat
        # The memoised questions ask about every unit (`TravelModel._all_units`): split that
        # array into boat groups once.
        if self._all_groups is not None and self._all_groups[0] is units:
            groups = self._all_groups[1]
        else:
            groups = self._groups(units)
            if units is travel._all_units:
                self._all_groups = (units, groups)
        f = travel.fleet
        for k, sel, us, us_key in groups:
            key = self._keys[k]
            # Road times of these units to (or, back, from) every launch point change only
            # with the roads and the units' bases (out from the base, back to home).
            if travel._roads_version != self._R_version:
                self._R, self._R_version = {}, travel._roads_version
            rk = (k, bool(back), us_key)
            R = self._R.get(rk)
            if R is None:
                R = self._R[rk] = (
                    travel.road_rows(us, self.launch.node, back=back)
                    + f.facility_access_s[f.unit_facility[us] if back else travel.base[us]][:, None]
                )
            tot, _, rs, bs = boat_leg_s(
                self.launch,
                R,
                int(self.river[i]),
                float(self.chainage[i]),
                boat_speed_kph=key[0],
                launch_s=key[1],
                incident_offset_m=float(self.offset[i]),
                boat_m=self.boat_m(i),
            )
            total[sel] = tot if back else f.unit_turnout_s[us] + tot
            road[sel] = rs
            boat[sel] = bs
        return total, road, boat


@dataclass(frozen=True, slots=True)
class RoadTrees:
    """Shortest-path trees of the intact road network from every distinct facility node.

    They are the same for every replication of a scenario (and for every scenario on the same
    network and facility nodes), so they are computed once (`intact_trees`) and shared by the
    `RoadState` of each replication, which copies a tree only when a closure changes it.

    Attributes
    ----------
    fnode
        Distinct facility nodes, sorted (the rows).
    dist
        ``{(profile, reverse): (rows, N) float64}`` travel times (s) from (reverse: to) each row.
    pred
        ``{(profile, reverse): (rows, N)}`` Dijkstra predecessors of the same trees.
    twin
        For a network whose roads are all two-way with equal times in every profile: the
        index of each edge's reverse twin (a bijection); None otherwise.
    searched
        Searches done under closures, by (profile, reverse, closed edges, rows), kept for the
        scenarios that share these trees in this process (`SearchMemo`).
    """

    fnode: np.ndarray
    dist: dict[tuple[str, bool], np.ndarray]
    pred: dict[tuple[str, bool], np.ndarray]
    twin: np.ndarray | None = None
    searched: SearchMemo = field(default_factory=lambda: SearchMemo(), compare=False, repr=False)


class SearchMemo:
    """Shortest-path searches already done under some closures, least recently used dropped.

    A sensitivity or sweep point is the same scenario with other numbers: with the same seed
    its floods cut the same roads at the same times (common random numbers), so its road
    states, and the trees searched again in each, repeat those of earlier points. A search
    depends only on the network, the profile, the direction, the closed edges and the
    sources, so a remembered one is what a new search would give, to the last bit.

    Parameters
    ----------
    max_bytes
        Memory kept at most (times and predecessors).
    """

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._done: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def clear(self) -> None:
        """Forget every search."""
        self._done.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._done)

    def get(self, key: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        """The (times, predecessors) of `key`, or None (read-only arrays)."""
        hit = self._done.get(key)
        if hit is not None:
            self._done.move_to_end(key)
        return hit

    def put(self, key: tuple[Any, ...], T: np.ndarray, P: np.ndarray) -> None:
        """Remember one search, dropping the least recently used beyond `max_bytes`."""
        size = T.nbytes + P.nbytes
        if size > self.max_bytes or key in self._done:
            return
        T.flags.writeable = False
        P.flags.writeable = False
        self._done[key] = (T, P)
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, (t, p) = self._done.popitem(last=False)
            self.bytes -= t.nbytes + p.nbytes


def reverse_twins(net: Any, profiles: Any) -> np.ndarray | None:
    """Pair every edge u → v with an edge v → u of equal times in every profile, if possible.

    Returns the twin of each edge (edge indices), or None when the multiset of edges
    (u, v, times) differs from that of the reversed edges (a one-way road somewhere).
    """
    u = np.asarray(net.edge_u, dtype=np.int64)
    v = np.asarray(net.edge_v, dtype=np.int64)
    times = [np.asarray(net.edge_time_s(p), dtype=float) for p in sorted(profiles)]
    fwd = np.lexsort((*times[::-1], v, u))  # by (u, v, times)
    bwd = np.lexsort((*times[::-1], u, v))  # by (v, u, times)
    if not (
        np.array_equal(u[fwd], v[bwd])
        and np.array_equal(v[fwd], u[bwd])
        and all(np.array_equal(t[fwd], t[bwd]) for t in times)
    ):
        return None
    twin = np.empty(u.size, dtype=np.int64)
    twin[fwd] = bwd
    return twin


def _dijkstra(csr: Any, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Times (s) and predecessors of the shortest-path trees from `sources` on `csr`."""
    T, P = dijkstra(csr, directed=True, indices=sources, return_predecessors=True)
    return T, P


def intact_trees(net: Any, facility_node: np.ndarray, profiles: Any) -> RoadTrees:
    """Return the `RoadTrees` of the intact network for the given facility nodes and profiles."""
    fnode = np.unique(np.asarray(facility_node, dtype=np.int64))
    dist: dict[tuple[str, bool], np.ndarray] = {}
    pred: dict[tuple[str, bool], np.ndarray] = {}
    factor = np.ones(len(net.edge_u))
    for p in sorted(profiles):
        csr = net.csr_with(factor, p)
        for rev in (False, True):
            T, P = _dijkstra(csr.T.tocsr() if rev else csr, fnode)
            T.flags.writeable = False  # shared: `RoadState` copies before changing
            P.flags.writeable = False
            dist[(p, rev)], pred[(p, rev)] = T, P
    return RoadTrees(fnode=fnode, dist=dist, pred=pred, twin=reverse_twins(net, profiles))


class RoadState:
    """Roads closed during a run, and the facility travel-time matrices that follow from them.

    Closing edges recomputes only the facility rows whose shortest-path trees used a closed
    edge (`sim.disruption.affected_sources`). Reopening restores the intact matrices when no
    closure remains; otherwise it recomputes only the rows that a reopened edge makes faster
    (an edge u → v of time w shortens the tree from s iff ``d(s, u) + w < d(s, v)``; when no
    reopened edge does, the current times are already the shortest, to the last bit, since a
    longer or equal detour cannot lower a minimum). So every row always equals a fresh
    Dijkstra search on the current roads, at a fraction of the searches.

    Parameters
    ----------
    net
        The road network.
    facility_node
        Road node of each facility (rows of the matrices).
    base_out, base_back
        Intact matrices ``{profile: (F, N)}`` (shared; never modified).
    profiles
        Road profiles the units use (only these are recomputed).
    trees
        The intact trees (`intact_trees`), shared between replications; computed here when
        not given.
    """

    def __init__(
        self,
        net: Any,
        facility_node: np.ndarray,
        base_out: dict[str, np.ndarray],
        base_back: dict[str, np.ndarray],
        profiles: Any = None,
        trees: RoadTrees | None = None,
    ) -> None:
        self.net = net
        # Facilities sharing a node share a row: solve once per distinct node, then expand.
        self.fnode, self.row_of = np.unique(
            np.asarray(facility_node, dtype=np.int64), return_inverse=True
        )
        self.base_out = base_out
        self.base_back = base_back
        self.count = np.zeros(len(net.edge_u), dtype=np.int64)
        self.out = base_out
        self.back = base_back
        self.profiles = sorted(profiles or base_out)
        if trees is None or not np.array_equal(trees.fnode, self.fnode):
            trees = intact_trees(net, self.fnode, self.profiles)
        self.trees = trees
        # Trees of the current roads, per (profile, reverse); absent = the intact tree.
        self._pred: dict[tuple[str, bool], np.ndarray] = {}
        self._dist: dict[tuple[str, bool], np.ndarray] = {}
        self._csr: dict[tuple[str, bool], Any] = {}  # graphs of the current roads
        self._state: bytes | None = None  # the closed edges, as a memo key

    def _factor(self) -> np.ndarray:
        return np.where(self.count > 0, np.inf, 1.0)

    def _graph(self, profile: str, reverse: bool) -> Any:
        """The CSR graph of the current roads (built once per change of the closures)."""
        key = (profile, reverse)
        if key not in self._csr:
            if (profile, False) not in self._csr:
                self._csr[(profile, False)] = self.net.csr_with(self._factor(), profile)
            if reverse:
                self._csr[key] = self._csr[(profile, False)].T.tocsr()
        return self._csr[key]

    def _symmetric(self) -> bool:
        """Whether the current roads are the same both ways (the graph equals its transpose).

        True when every edge has a reverse twin of equal times (`RoadTrees.twin`) and every
        closure cuts both: then the tree into a node is the tree out of it, to the last bit
        (the same graph), and one search serves both directions. So it is on the embedded
        Shaoguan network, whose roads are two-way and whose closures cut both directions.
        """
        twin = self.trees.twin
        if twin is None:
            return False
        closed = self.count > 0
        return bool(np.array_equal(closed, closed[twin]))

    def _solve(
        self, rows: np.ndarray, profile: str, reverse: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Trees of `rows` on the current roads (a remembered search, else a new one)."""
        if self._state is None:
            self._state = self.closed_edges.tobytes()
        key = (profile, reverse, self._state, rows.tobytes())
        hit = self.trees.searched.get(key)
        if hit is not None:
            return hit
        T, P = _dijkstra(self._graph(profile, reverse), self.fnode[rows])
        self.trees.searched.put(key, T, P)
        return T, P

    def _tree(self, profile: str, reverse: bool) -> tuple[np.ndarray, np.ndarray]:
        """(times, predecessors) of the current trees; the intact ones until a row changes."""
        key = (profile, reverse)
        if key in self._pred:
            return self._dist[key], self._pred[key]
        return self.trees.dist[key], self.trees.pred[key]

    def _update(self, profile: str, rows: dict[bool, np.ndarray]) -> None:
        """Search rows again on the current roads and store their times and trees.

        `rows` maps reverse (False: out of the facility, True: into it) to row indices.
        """
        if self._symmetric():
            both = np.union1d(rows.get(False, []), rows.get(True, [])).astype(np.int64)
            solved = dict.fromkeys((False, True), (both, *self._solve(both, profile, False)))
        else:
            solved = {rev: (idx, *self._solve(idx, profile, rev)) for rev, idx in rows.items()}
        for rev, (idx, T, P) in solved.items():
            if idx.size == 0:
                continue
            key = (profile, rev)
            self._store(profile, rev, idx, T)
            if key not in self._pred:  # first change: private copies of the shared intact trees
                self._dist[key] = self.trees.dist[key].copy()
                self._pred[key] = self.trees.pred[key].copy()
            self._dist[key][idx] = T
            self._pred[key][idx] = P

    def _changed(self) -> None:
        self._csr.clear()
        self._state = None

    def close(self, edges: np.ndarray) -> None:
        """Close `edges` (edge indices; closures nest: an edge opens when every closure ended)."""

        edges = np.asarray(edges, dtype=np.int64)
        if edges.size == 0:
            return
        newly = edges[self.count[edges] == 0]
        # Trees are read before the closure is counted: they describe the current state.
        hit = {}
        u, v = self.net.edge_u[newly], self.net.edge_v[newly]
        for p in self.profiles:
            hit[(p, False)] = affected_sources(self._tree(p, False)[1], u, v)
            hit[(p, True)] = affected_sources_reverse(self._tree(p, True)[1], u, v)
        np.add.at(self.count, edges, 1)
        if newly.size == 0:
            return
        self._changed()
        self._copy_on_write()
        for p in self.profiles:
            rows = {rev: np.flatnonzero(hit[(p, rev)]) for rev in (False, True)}
            if any(idx.size for idx in rows.values()):
                self._update(p, rows)

    def _store(self, profile: str, reverse: bool, rows: np.ndarray, T: np.ndarray) -> None:
        """Write solved node rows into every facility row that uses those nodes."""
        target = (self.back if reverse else self.out)[profile]
        pos = np.full(self.fnode.size, -1, dtype=np.int64)
        pos[rows] = np.arange(rows.size)
        fac = np.flatnonzero(pos[self.row_of] >= 0)
        target[fac] = T[pos[self.row_of[fac]]]

    def reopen(self, edges: np.ndarray) -> None:
        """End one closure of `edges`."""
        edges = np.asarray(edges, dtype=np.int64)
        if edges.size == 0:
            return
        np.subtract.at(self.count, edges, 1)
        if not (self.count > 0).any():
            self.out, self.back = self.base_out, self.base_back
            self._pred.clear()
            self._dist.clear()
            self._changed()
            return
        opened = np.unique(edges[self.count[edges] == 0])
        if opened.size == 0:  # still closed by another event: the roads did not change
            return
        self._changed()
        self._copy_on_write()
        u, v = self.net.edge_u[opened], self.net.edge_v[opened]
        for p in self.profiles:
            w = self.net.edge_time_s(p)[opened]
            rows = {}
            for rev, (a, b) in ((False, (u, v)), (True, (v, u))):
                D = self._tree(p, rev)[0]
                rows[rev] = np.flatnonzero((D[:, a] + w[None, :] < D[:, b]).any(axis=1))
            if any(idx.size for idx in rows.values()):
                self._update(p, rows)

    def _copy_on_write(self) -> None:
        if self.out is self.base_out:
            self.out = {p: m.copy() for p, m in self.base_out.items()}
            self.back = {p: m.copy() for p, m in self.base_back.items()}

    def edge_factor(self) -> np.ndarray | None:
        """Per-edge time factor of the roads now (inf = closed), or None when none is closed."""
        return self._factor() if (self.count > 0).any() else None

    @property
    def closed_edges(self) -> np.ndarray:
        """Indices of edges closed now."""
        return np.flatnonzero(self.count > 0)
