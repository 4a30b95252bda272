"""One replication: generate its incidents, simulate them, and return the incident table.

Replication ``r`` always uses the random streams keyed by ``r`` (`sim.model.incidents.stream`),
so its result does not depend on which process runs it.
"""

from __future__ import annotations

import contextlib
import gc
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree

from sim.geo import haversine_m
from sim.model.aircraft import AirState, build_air_plan, build_mission_plan
from sim.model.compile import Prepared
from sim.model.dispatch_rules import for_replication
from sim.model.disruption import ClosureRule, sample_closures
from sim.model.engine import DisruptionPlan, FirePlan, SimOutcome, simulate
from sim.model.incidents import (
    HOUR_S,
    Geography,
    IncidentSet,
    generate_incidents,
    sample_duration_s,
    stream,
)
from sim.model.severity import draw_levels
from sim.model.staffing import StaffState, draw_absences
from sim.model.travel import MODE_AIR, BoatLegs, RoadState, TravelModel
from sim.network import access_time_s
from sim.physics.fire import walk_in_s
from sim.results.measures import arrival_unit_types
from sim.results.schema import TRIP_COLUMNS, check_table, column_names, unit_arrival_column
from sim.scenario.schema import LEVEL_IDS

#: Random-stream purposes of the replication (after those of `sim.model.incidents`).
STREAM_CLOSURES = 7
STREAM_CLOSURE_TIME = 8
#: Simulated time after the horizon during which incidents already under way may finish.
DRAIN_S = 3 * 86400.0
#: Closure draws remembered per network (replication × disruptive type), least recent dropped.
CLOSURE_MEMO = 512
_CLOSURES: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, slots=True)
class ReplicationResult:
    """Per-incident columns and per-unit statistics of one replication."""

    replication: int
    incidents: dict[str, Any]
    unit_busy_s: np.ndarray
    unit_trips: np.ndarray
    final_stock: np.ndarray
    unit_flight_s: np.ndarray
    isolation_h: dict[str, float]
    road_events: dict[str, int]
    staff: dict[str, np.ndarray] | None = None
    """Person-hours by facility, role (and hour of day): `sim.model.staffing.StaffState.summary`."""
    air: dict[str, Any] | None = None
    """Aircraft: downtime per unit (s), no-fly days, missions flown by kind."""
    trips: dict[str, np.ndarray] | None = None
    """The per-trip log as columns of ``trips.csv`` (`sim.results.schema.TRIP_COLUMNS`)."""
    coverage_by_hour: np.ndarray | None = None
    """Share of the population covered, by hour of day (24 values), when coverage is on."""
    dispatch_counts: dict[str, int] | None = None
    """Actions of the dispatch rules: reassigned, diverted, cover_moves (rules on)."""


def _boat_legs(prep: Prepared, inc: Any) -> BoatLegs | None:
    """Road + boat option for boat-carrying units to incidents of river types."""
    if prep.launch is None:
        return None
    sc = prep.scenario
    on_river = np.array(
        [sc.incidents[n].where.model == "river" for n in inc.type_names], dtype=bool
    )[inc.type_idx]
    river = np.full(len(inc), -1, dtype=np.int64)
    chain = np.full(len(inc), np.nan)
    offset = np.zeros(len(inc))
    if on_river.any():
        r, c, o = prep.launch.rivers.project(inc.lon[on_river], inc.lat[on_river])
        river[on_river], chain[on_river], offset[on_river] = r, c, np.where(np.isfinite(o), o, 0.0)
    return BoatLegs(
        prep.launch, prep.unit_boat_speed_kph, prep.unit_boat_launch_s, river, chain, offset
    )


def _disruption_plan(prep: Prepared, inc: Any, r: int) -> DisruptionPlan | None:
    """Sample which roads each disruptive event closes, and for how long (own random streams)."""

    sc = prep.scenario
    kinds = {
        n: inc_t.disruption for n, inc_t in sc.incidents.items() if inc_t.disruption is not None
    }
    if not kinds and prep.static_edges.size == 0:
        return None
    edges: dict[int, np.ndarray] = {}
    duration: dict[int, float] = {}
    memo = _CLOSURES.setdefault(prep.net, OrderedDict())
    for name, spec in kinds.items():
        k = inc.type_names.index(name)
        idx = np.flatnonzero(inc.type_idx == k)
        # The draws depend only on these events, the rules and the streams: a sensitivity point
        # whose floods are those of another point (common random numbers) cuts the same roads.
        key = (sc.seed, r, name, spec, inc.lon[idx].tobytes(), inc.lat[idx].tobytes())
        drawn = memo.get(key)
        if drawn is not None:
            memo.move_to_end(key)
        else:
            drawn = _draw_closures(prep, spec, name, r, inc.lon[idx], inc.lat[idx])
            memo[key] = drawn
            if len(memo) > CLOSURE_MEMO:
                memo.popitem(last=False)
        for j, (closed, dur) in enumerate(drawn):
            if closed.size:
                edges[int(idx[j])] = closed
                duration[int(idx[j])] = dur
    road = RoadState(
        prep.net,
        prep.fleet.facility_node,
        prep.fleet.travel_out_s,
        prep.fleet.travel_back_s,
        profiles=prep.profiles,
        trees=prep.road_trees,
    )
    return DisruptionPlan(
        road=road,
        static_edges=prep.static_edges,
        event_edges=edges,
        event_duration_s=duration,
        town_nodes=prep.town_nodes,
        town_names=prep.town_names,
    )


def _draw_closures(
    prep: Prepared, spec: Any, name: str, r: int, lon: np.ndarray, lat: np.ndarray
) -> tuple[tuple[np.ndarray, float], ...]:
    """Roads each event of one type closes and for how long (its own random streams)."""
    sc = prep.scenario
    rules = [
        ClosureRule(
            kind=x.kind,
            radius_m=x.radius_m,
            probability=x.probability,
            rivers=x.rivers,
            counties=x.counties,
        )
        for x in spec.rules
    ]
    rng = stream(sc.seed, r, name, STREAM_CLOSURES)
    dur = sample_duration_s(stream(sc.seed, r, name, STREAM_CLOSURE_TIME), spec.duration, lon.size)
    out = []
    for j in range(lon.size):
        closed = sample_closures(rng, prep.net, float(lon[j]), float(lat[j]), rules)
        closed.flags.writeable = False  # shared by the replications that draw it again
        out.append((closed, float(dur[j])))
    return tuple(out)


def _fire_plan(
    prep: Prepared, inc: Any, dist_m: np.ndarray, usable_range_m: np.ndarray | None = None
) -> tuple[FirePlan | None, np.ndarray, np.ndarray]:
    """Compile forest-fire parameters and the last legs at forest fires for one replication.

    Returns the plan, the walk-in legs of crews on foot (driven to the road end, then walked)
    and the legs of vehicles that stop at the road end (NaN where not a fire).
    """
    sc = prep.scenario
    n = len(inc)
    specs = [sc.incidents[name].fire for name in inc.type_names]
    walk = np.full(n, np.nan)
    if not any(f is not None for f in specs):
        return None, walk, walk
    is_fire = np.array([specs[k] is not None for k in inc.type_idx], dtype=bool)

    def per(attr: str, default: float) -> np.ndarray:
        vals = np.array(
            [getattr(f, attr) if f is not None else default for f in specs], dtype=float
        )
        return vals[inc.type_idx] if n else np.zeros(0)

    # Units drive as close as the terrain allows; crews on foot walk the last `max_walk_m`.
    max_walk = per("max_walk_m", 0.0)
    walked = np.minimum(dist_m, max_walk)
    driven = np.maximum(dist_m - max_walk, 0.0)
    drive = np.where(
        is_fire, access_time_s(driven, sc.access.speed_kph, sc.access.circuity), np.nan
    )
    walk = np.where(
        is_fire,
        walk_in_s(walked * per("walk_circuity", 1.0), speed_kph=per("walk_speed_kph", np.nan))
        + drive,
        np.nan,
    )
    type_names = prep.fleet.type_names
    esc_units = np.zeros((len(specs), len(type_names)), dtype=np.int64)
    esc_after = np.full(len(specs), np.inf)
    esc_rounds = np.zeros(len(specs), dtype=np.int64)
    for k, f in enumerate(specs):
        if f is not None and f.escalation is not None:
            esc_after[k] = f.escalation.after_h * HOUR_S
            esc_rounds[k] = f.escalation.max_rounds
            for tname, c in f.escalation.units.items():
                esc_units[k, type_names.index(tname)] = c
    rain_factor = np.array([f.rain.spread_factor if f is not None else 1.0 for f in specs])
    scale_type = np.array(
        [
            type_names.index(f.air_scaling.unit_type) if f is not None and f.air_scaling else -1
            for f in specs
        ],
        dtype=np.int64,
    )
    scale_ha = np.array(
        [f.air_scaling.ha_per_unit if f and f.air_scaling else np.inf for f in specs]
    )
    scale_max = np.array([f.air_scaling.max_units if f and f.air_scaling else 0 for f in specs])
    duty = None
    if usable_range_m is not None and np.isfinite(usable_range_m).any():
        # Endurance with a bucket, then a fuel stop: the share of time spent on the fire.
        speed = prep.unit_fire["bucket_speed_kph"] / 3.6
        endurance = usable_range_m / speed
        refuel = np.array(
            [
                (sc.unit_types[type_names[k]].air.refuel_min * 60.0)  # type: ignore[union-attr]
                if prep.unit_mode[u] == MODE_AIR
                else 0.0
                for u, k in enumerate(prep.fleet.unit_type)
            ]
        )
        duty = np.where(np.isfinite(endurance), endurance / (endurance + refuel), 1.0)
    if n and prep.water_lon.size:  # no incident (a short horizon): nothing to measure
        d = haversine_m(
            inc.lon[:, None], inc.lat[:, None], prep.water_lon[None, :], prep.water_lat[None, :]
        )
        water = np.asarray(d).reshape(n, -1).min(axis=1)
    else:
        water = np.full(n, np.inf)
    uf = prep.unit_fire
    plan = FirePlan(
        is_fire=is_fire,
        ros_m_per_h=np.nan_to_num(inc.ros_m_per_h, nan=0.0),
        lb_ratio=per("lb_ratio", 1.0),
        back_ratio=per("back_ratio", 0.0),
        night_factor=per("night_factor", 1.0),
        initial_radius_m=per("initial_radius_m", 0.0),
        step_s=per("step_min", 10.0) * 60.0,
        water_dist_m=water,
        unit_fireline_m_per_h=uf["fireline_m_per_h"],
        unit_line_per_drop_m=uf["line_per_drop_m"],
        unit_bucket_speed_kph=uf["bucket_speed_kph"],
        unit_fill_s=uf["fill_s"],
        unit_drop_s=uf["drop_s"],
        unit_night_capable=uf["night_capable"],
        start=prep.clock,
        rain_days=inc.rain_days,
        rain_factor=rain_factor[inc.type_idx],
        escalation_after_s=esc_after[inc.type_idx],
        escalation_units=esc_units[inc.type_idx],
        escalation_rounds=esc_rounds[inc.type_idx],
        max_area_ha=per("max_area_ha", np.inf),
        air_scale_type=scale_type[inc.type_idx] if (scale_type >= 0).any() else None,
        air_scale_ha=scale_ha[inc.type_idx] if (scale_type >= 0).any() else None,
        air_scale_max=scale_max[inc.type_idx] if (scale_type >= 0).any() else None,
        unit_bucket_duty=duty,
    )
    return plan, walk, drive


def _nearest_town(geo_: Geography, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:

    lat0 = np.radians(np.mean(geo_.town_lat))
    tree = cKDTree(np.column_stack([geo_.town_lon * np.cos(lat0), geo_.town_lat]))
    _, idx = tree.query(np.column_stack([lon * np.cos(lat0), lat]))
    return np.asarray(idx, dtype=np.int64)


def _county_of(
    geo_: Geography, lon: np.ndarray, lat: np.ndarray, fallback: np.ndarray
) -> np.ndarray:

    out = fallback.astype(object).copy()
    if not geo_.county_polygons or lon.size == 0:
        return out
    found = np.zeros(lon.size, dtype=bool)
    for name, poly in geo_.county_polygons.items():
        hit = shapely.contains_xy(poly, lon, lat) & ~found
        out[hit] = name
        found |= hit
    return out


@dataclass(frozen=True, slots=True)
class IncidentLegs:
    """Where a replication's incidents are and how units get there (before simulating).

    Attributes
    ----------
    node, dist_m, access_s
        Nearest road node of each incident, the straight-line distance to it (m) and the
        off-network access leg (s).
    fires
        Forest-fire plan, or None without fires.
    travel
        The travel model the engine uses (walk-in of crews on foot at forest fires).
    """

    node: np.ndarray
    dist_m: np.ndarray
    access_s: np.ndarray
    fires: FirePlan | None
    travel: TravelModel


def incident_legs(prep: Prepared, inc: Any, air: AirState | None = None) -> IncidentLegs:
    """Snap a replication's incidents to the network and build the travel model the engine uses.

    `air` is the replication's aircraft state when the scenario models aircraft availability
    (fuel range for bucket work, no-fly days).
    """
    sc = prep.scenario
    node, dist = prep.net.nearest_nodes(inc.lon, inc.lat)
    node = np.asarray(node, dtype=np.int64)
    dist = np.asarray(dist, dtype=float)
    access = access_time_s(dist, sc.access.speed_kph, sc.access.circuity)
    fires, walk, drive = _fire_plan(prep, inc, dist, air.plan.usable_range_m if air else None)
    travel = TravelModel(
        prep.fleet,
        node=node,
        access_s=access,
        walk_s=walk,
        lon=inc.lon,
        lat=inc.lat,
        unit_mode=prep.unit_mode,
        air=prep.air,
        start=prep.clock,
        boats=_boat_legs(prep, inc),
        unit_walks=prep.unit_walks,
        drive_s=drive,
        no_fly=air.plan.no_fly_day if air is not None else None,
    )
    return IncidentLegs(node=node, dist_m=dist, access_s=access, fires=fires, travel=travel)


@dataclass(frozen=True, slots=True)
class Simulated:
    """One replication before it becomes a table: incidents, engine outcome, legs."""

    incidents: IncidentSet
    outcome: SimOutcome
    node: np.ndarray
    access_s: np.ndarray
    walk_s: np.ndarray


@contextlib.contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one replication, then restore it.

    A replication-year allocates a few hundred thousand short-lived objects (simpy events,
    trip records), and each allocation burst made the collector walk every tracked object
    of the process, the compiled scenario included: about 8 % of a replication's time on
    the frozen benchmark baseline (`benchmarks/bench_replication.py`). Reference counting
    still frees almost everything at once; the few cycles (a simpy process and its
    generator) wait for the next collection after the replication. No value depends on it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def simulate_replication(prep: Prepared, r: int) -> Simulated:
    """Generate and simulate replication `r` (the engine's outcome, with its logs)."""
    with _cycle_collection_paused():
        return _simulate_replication(prep, r)


def _simulate_replication(prep: Prepared, r: int) -> Simulated:
    sc = prep.scenario
    inc = generate_incidents(sc, prep.geography, prep.population, r, calls=prep.calls)
    horizon_s = float(sc.horizon_days) * 86400.0
    until_s = horizon_s + DRAIN_S
    air = None
    if prep.air_ops:
        air = AirState(build_air_plan(sc, prep.fleet, prep.unit_mode == MODE_AIR, r, until_s))
    legs = incident_legs(prep, inc, air)
    node, access, fires, travel = legs.node, legs.access_s, legs.fires, legs.travel
    staff = None
    if prep.staff is not None:
        absent = draw_absences(prep.staff, prep.fleet.facility_ids, sc.seed, r, until_s)
        staff = StaffState(prep.staff, absent)
    hospitals = prep.hospitals if prep.hospitals is not None else np.zeros((0, 2))
    missions = build_mission_plan(sc, inc, prep.fleet.type_names, hospitals, r)
    report = inc.t_s + (inc.detect_s if inc.detect_s is not None else 0.0)
    out = simulate(
        prep.fleet,
        inc,
        node,
        access,
        prep.demand,
        relief=prep.relief,
        until_s=until_s,
        travel=travel,
        fires=fires,
        report_s=report,
        disruption=_disruption_plan(prep, inc, r),
        mutual=prep.mutual,
        mutual_threshold=sc.mutual_aid.threshold_people,
        staff=staff,
        air=air,
        missions=missions,
        ops=prep.air_ops,
        severity=draw_levels(prep.severity, sc, inc, r) if prep.severity is not None else None,
        rules=for_replication(prep.rules, prep.net),
        record_trips=_writes_trips(prep),
    )
    return Simulated(inc, out, node, access, travel.walk_s)


def _writes_trips(prep: Prepared) -> bool:
    """Whether a replication's trip log is kept (`trip_table`): with dispatch rules or levels.

    It is the rules' record; in every other run it would only cost time and a larger result to
    send back."""
    return prep.rules is not None or prep.severity is not None


def _external_places(prep: Prepared, inc: IncidentSet) -> np.ndarray:
    """Per incident: the region's name for incidents outside the city, else ''."""
    names = [
        w.region.zh if w.model == "external" else ""
        for w in (prep.scenario.incidents[n].where for n in inc.type_names)
    ]
    return np.array(names, dtype=object)[inc.type_idx] if len(inc) else np.zeros(0, object)


def run_replication(prep: Prepared, r: int) -> ReplicationResult:
    """Generate and simulate replication `r`; return its per-incident table."""
    sc = prep.scenario
    sim = simulate_replication(prep, r)
    inc, out, node, access, walk = sim.incidents, sim.outcome, sim.node, sim.access_s, sim.walk_s
    horizon_s = float(sc.horizon_days) * 86400.0
    town_idx = _nearest_town(prep.geography, inc.lon, inc.lat)
    town = np.array(prep.geography.town_names, dtype=object)[town_idx]
    county = _county_of(
        prep.geography,
        inc.lon,
        inc.lat,
        np.array(prep.geography.town_counties, dtype=object)[town_idx],
    )
    outside = _external_places(prep, inc)
    access_h = np.where(np.isnan(walk), access, walk) / HOUR_S
    if (outside != "").any():  # incidents in a neighbouring prefecture: named after it,
        county = np.where(outside != "", outside, county)
        town = np.where(outside != "", outside, town)
        access_h = np.where(outside != "", np.nan, access_h)  # and reached by air only
    labels = prep.fleet.unit_labels
    fac_ids = prep.fleet.facility_ids
    t = inc.t_s

    def rel_h(x: np.ndarray) -> np.ndarray:
        return (x - t) / HOUR_S

    has_relief = inc.people > 0
    fire_specs = [sc.incidents[name].fire for name in inc.type_names]
    damage = np.array([np.nan if f is None else f.damage_fraction for f in fire_specs])
    # Communications are up when the first unit carrying them has arrived and set up.
    with np.errstate(invalid="ignore"):
        comms_s = np.nanmin(
            np.where(
                np.isfinite(prep.type_comms_setup_s)[None, :],
                out.arrival_by_type_s + np.nan_to_num(prep.type_comms_setup_s)[None, :],
                np.nan,
            ),
            axis=1,
            initial=np.inf,
        )
    comms_s[~np.isfinite(comms_s)] = np.nan
    table = {
        "replication": np.full(len(inc), r, dtype=np.int64),
        "id": np.arange(1, len(inc) + 1, dtype=np.int64),
        "type": np.array(inc.type_names, dtype=object)[inc.type_idx],
        "priority": prep.demand.priority[inc.type_idx],
        "t_h": t / HOUR_S,
        "lon": inc.lon,
        "lat": inc.lat,
        "county": county,
        "town": town,
        "node": np.asarray(prep.net.node_ids)[node],
        "access_h": access_h,
        "report_h": rel_h(out.report_s),
        "first_arrival_h": rel_h(out.first_arrival_s),
        "first_mode": np.array(out.first_mode, dtype=object),
        "road_h": out.first_road_s / HOUR_S,
        "boat_h": out.first_boat_s / HOUR_S,
        "air_h": out.first_air_s / HOUR_S,
        "first_ground_h": rel_h(out.first_ground_arrival_s),
        "first_air_h": rel_h(out.first_air_arrival_s),
        "contained_h": rel_h(out.contained_s),
        "burned_ha": out.burned_ha,
        "damaged_ha": out.burned_ha * (damage[inc.type_idx] if len(inc) else np.zeros(0)),
        "comms_h": rel_h(comms_s),
        "all_arrived_h": rel_h(out.all_arrived_s),
        "cleared_h": rel_h(out.cleared_s),
        "wait_h": rel_h(out.first_dispatch_s),
        "queued": out.queued,
        "units_required": out.n_required,
        "units_sent_n": out.n_sent,
        "units_sent": np.array(
            [";".join(labels[u] for u in s) for s in out.units_sent], dtype=object
        ),
        "affected_people": inc.people,
        "relief_h": np.where(has_relief, rel_h(out.relief_s), np.nan),
        "relief_done_h": np.where(has_relief, rel_h(out.relief_done_s), np.nan),
        "relief_unmet_people": out.relief_unmet_people,
        "relief_depots": np.array(
            [";".join(fac_ids[d] for d in s) for s in out.relief_depots], dtype=object
        ),
        "relief_air": out.relief_air,
        "surge": inc.surge if inc.surge is not None else np.zeros(len(inc), dtype=bool),
        "mutual_aid_units": out.mutual_aid_sent,
    }
    arrival_types = arrival_unit_types(sc.targets)
    for unit_type in arrival_types:
        k = prep.fleet.type_names.index(unit_type)
        table[unit_arrival_column(unit_type)] = rel_h(out.arrival_by_type_s[:, k])
    groups = []
    if prep.air_ops:
        table["air_mission"] = np.array(out.air_mission, dtype=object)
        groups.append("air")
    if prep.severity is not None and out.level is not None and out.escalations is not None:
        names = np.array(LEVEL_IDS, dtype=object)
        graded = prep.severity.has_levels[inc.type_idx]
        final = out.level + 0
        for i in np.flatnonzero(out.escalations):  # the level after its escalations
            k = int(inc.type_idx[i])
            for _ in range(int(out.escalations[i])):
                final[i] = prep.severity.next_level[k, final[i]]
        table["level"] = np.where(graded, names[out.level], "").astype(object)
        table["level_final"] = np.where(graded, names[final], "").astype(object)
        table["escalations"] = out.escalations.astype(np.int64)
        groups.append("levels")
    if out.priority is not None:
        table["priority"] = out.priority.astype(np.int64)
    # The schema's column order.
    table = {c: table[c] for c in column_names(arrival_types, optional=groups)}
    check_table(table, arrival_types, optional=groups)
    air_stats = None
    if out.air_state is not None:
        st = out.air_state
        nf = st.plan.no_fly_day
        days = int(np.ceil(horizon_s / 86400.0))
        air_stats = {
            "downtime_s": np.array(
                [st.downtime_s(int(u), horizon_s) for u in range(prep.fleet.n_units)]
            ),
            "no_fly_days": int(nf[:days].sum()) if nf is not None else 0,
        }
    return ReplicationResult(
        replication=r,
        incidents=table,
        unit_busy_s=out.unit_busy_s,
        unit_trips=out.unit_trips,
        final_stock=out.final_stock,
        unit_flight_s=out.unit_flight_s,
        isolation_h=out.isolation_h,
        road_events={
            "isolation_events": out.isolation_events,
            "rerouted": out.rerouted,
            "recalled": out.recalled,
        },
        staff=out.staff.summary(horizon_s) if out.staff is not None else None,
        air=air_stats,
        trips=trip_table(prep, inc, out, r) if _writes_trips(prep) else None,
        coverage_by_hour=out.coverage_by_hour,
        dispatch_counts=out.dispatch_counts,
    )


def trip_table(prep: Prepared, inc: IncidentSet, out: SimOutcome, r: int) -> dict[str, np.ndarray]:
    """The engine's per-trip log of replication `r` as the columns of ``trips.csv``."""
    fl = prep.fleet
    log = out.trip_log
    unit = np.array([t.unit for t in log], dtype=np.int64)
    i = np.array([t.incident for t in log], dtype=np.int64)
    frm = np.array([t.from_incident for t in log], dtype=np.int64)
    post = np.array([t.post for t in log], dtype=np.int64)
    fac_ids = np.array(fl.facility_ids, dtype=object)
    types = np.array(inc.type_names, dtype=object)
    cols: dict[str, np.ndarray] = {
        "replication": np.full(len(log), r, dtype=np.int64),
        "unit": np.array(fl.unit_labels, dtype=object)[unit] if len(log) else np.zeros(0, object),
        "unit_type": np.array(fl.type_names, dtype=object)[fl.unit_type[unit]],
        "home": fac_ids[fl.unit_facility[unit]],
        "kind": np.array([t.kind for t in log], dtype=object),
        "incident": np.where(i >= 0, i + 1, 0),
        "incident_type": np.where(
            i >= 0, types[inc.type_idx[np.maximum(i, 0)]] if len(inc) else "", ""
        ).astype(object),
        "priority": np.array([t.priority for t in log], dtype=np.int64),
        "origin": np.array([t.origin for t in log], dtype=object),
        "from_incident": np.where(frm >= 0, frm + 1, 0),
        "from_priority": np.array([t.from_priority for t in log], dtype=np.int64),
        "post": np.where(post >= 0, fac_ids[np.maximum(post, 0)], "").astype(object),
        "dispatch_h": np.array([t.dispatch_s for t in log], dtype=float) / HOUR_S,
        "arrive_h": np.array([t.arrive_s for t in log], dtype=float) / HOUR_S,
        "leave_h": np.array([t.leave_s for t in log], dtype=float) / HOUR_S,
        "end_h": np.array([t.end_s for t in log], dtype=float) / HOUR_S,
        "end": np.array([t.end for t in log], dtype=object),
        "gain_min": np.array([t.gain_s for t in log], dtype=float) / 60.0,
    }
    return {c.name: cols[c.name] for c in TRIP_COLUMNS}


# Worker processes inherit this through fork instead of receiving it pickled with every task.
