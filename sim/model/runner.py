"""Replications of a scenario: compile it for the engine, run, and collect per-incident tables.

The runner owns seeds and parallelism. Replication ``r`` always uses the streams keyed by ``r``
(see `sim.incidents.stream`), so results do not depend on how replications are spread over
worker processes: one core, many cores and a cluster give the same bytes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import geo
from sim.model.dispatch import PROFILES, Fleet
from sim.model.engine import Demand, DisruptionPlan, FirePlan, ReliefPlan, simulate
from sim.model.travel import MODE_AIR, MODE_ROAD, AirFleet, BoatLegs, RoadState, TravelModel

#: Random-stream purposes of the runner (after those of `sim.incidents`).
STREAM_CLOSURES = 7
STREAM_CLOSURE_TIME = 8
from sim.errors import ScenarioError
from sim.model.incidents import HOUR_S, Geography, generate_incidents, stream, town_weights

if TYPE_CHECKING:
    from sim.network import RoadNetwork
    from sim.scenario import Scenario

#: Simulated time after the horizon during which incidents already under way may finish.
DRAIN_S = 3 * 86400.0
#: Radius of the disc of a town's territory: sqrt(county area / towns / pi), times this factor
#: (most incidents happen nearer the seat than the territory edge).
TOWN_SCATTER_FACTOR = 0.6


@dataclass(frozen=True, slots=True)
class Prepared:
    """A scenario compiled against its road network: everything a replication needs.

    Built once in the parent process and inherited by worker processes (fork), so the graph and
    travel-time matrices are shared, not pickled per task.
    """

    scenario: Scenario
    net: RoadNetwork
    fleet: Fleet
    demand: Demand
    relief: ReliefPlan | None
    geography: Geography
    population: int
    facility_lon: np.ndarray
    facility_lat: np.ndarray
    full_time_staff: int
    unit_mode: np.ndarray
    air: AirFleet | None
    water_lon: np.ndarray
    water_lat: np.ndarray
    unit_fire: dict[str, np.ndarray]
    mutual: np.ndarray
    profiles: tuple[str, ...]
    static_edges: np.ndarray
    launch: Any
    unit_boat_speed_kph: np.ndarray
    unit_boat_launch_s: np.ndarray
    town_nodes: np.ndarray
    town_names: tuple[str, ...]


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


def access_time_s(dist_m: np.ndarray, speed_kph: float, circuity: float) -> np.ndarray:
    """Return the off-network leg time (s) for straight-line distances (m)."""
    return np.asarray(dist_m, dtype=float) * circuity / (speed_kph / 3.6)


def _location_lonlat(loc: Any) -> tuple[float, float]:
    if getattr(loc, "town", None):
        t = geo.resolve_town(loc.town, county=getattr(loc, "county", None))
        return t.lon, t.lat
    return float(loc.lon), float(loc.lat)


def build_geography(scenario: Scenario, population: int) -> Geography:
    """Prepare towns (with population weights), county polygons and rivers for sampling."""
    towns = geo.load_towns()
    counties = {c.name: c for c in geo.load_counties()}
    county_pop = {c.name: c.population_2020 for c in counties.values()}
    total = sum(county_pop.values())
    if population != total:  # rescale, keeping the spatial distribution of the census
        county_pop = {k: v * population / total for k, v in county_pop.items()}
    urban = [t.is_county_seat or t.kind == "街道" for t in towns]
    names = tuple(t.name for t in towns)
    tc = tuple(t.county for t in towns)
    n_in_county = {c: sum(1 for x in tc if x == c) for c in counties}
    radius = np.array(
        [
            TOWN_SCATTER_FACTOR * math.sqrt(counties[t.county].area_km2_official * 1e6 / n_in_county[t.county] / math.pi)
            for t in towns
        ]
    )
    return Geography(
        town_names=names,
        town_counties=tc,
        town_lon=np.array([t.lon for t in towns]),
        town_lat=np.array([t.lat for t in towns]),
        town_weight=town_weights(tc, urban, county_pop),
        town_radius_m=radius,
        county_polygons=geo.county_polygons(),
        rivers=geo.river_lines(),
        resolve_point=_location_lonlat,
    )


#: Sources per Dijkstra call when filling facility matrices (bounds the float64 scratch memory).
MATRIX_CHUNK = 64


def facility_matrix(net: RoadNetwork, nodes: np.ndarray, *, profile: str, reverse: bool = False) -> np.ndarray:
    """Return float32 travel times (s) between facility nodes and every node.

    Only the distinct facility nodes are searched, in chunks, into a float32 array (half the
    memory of float64; 0.01 s resolution at 1-day times), so a 500-facility matrix on a
    200,000-node graph stays at 400 MB per direction.
    """
    uniq, inv = np.unique(nodes, return_inverse=True)
    T = np.empty((uniq.size, net.n), dtype=np.float32)
    for lo in range(0, uniq.size, MATRIX_CHUNK):
        T[lo : lo + MATRIX_CHUNK] = net.travel_time_matrix(uniq[lo : lo + MATRIX_CHUNK], profile=profile, reverse=reverse)
    return T if uniq.size == nodes.size and (inv == np.arange(nodes.size)).all() else T[inv]


def prepare(scenario: Scenario, net: RoadNetwork) -> Prepared:
    """Compile a validated scenario against a road network.

    Parameters
    ----------
    scenario
        Validated scenario.
    net
        Road network (`sim.network.RoadNetwork`) the scenario runs on.

    Returns
    -------
    prepared
        Fleet arrays, travel-time matrices (facility rows only), demand, relief plan, geography.
    """
    type_names = tuple(scenario.unit_types)
    tindex = {k: i for i, k in enumerate(type_names)}
    fac = scenario.facilities
    lonlat = np.array([_location_lonlat(f.location) for f in fac], dtype=float).reshape(-1, 2)
    fnode, fdist = net.nearest_nodes(lonlat[:, 0], lonlat[:, 1])
    fnode = np.asarray(fnode, dtype=np.int64)
    facc = access_time_s(fdist, scenario.access.speed_kph, scenario.access.circuity)

    u_type, u_fac, u_turn, u_crew, u_cap, u_prof, labels = [], [], [], [], [], [], []
    for fi, f in enumerate(fac):
        for tname, spec in f.units.items():
            for k in range(spec.count):
                u_type.append(tindex[tname])
                u_fac.append(fi)
                # Reserve forces need activation (request, approval, assembly) before turnout.
                u_turn.append(float(spec.turnout_s) + float(f.activation_delay_h) * HOUR_S)
                u_crew.append(int(spec.crew))
                u_cap.append(int(spec.capacity_people or 0))
                u_prof.append(PROFILES.index(scenario.unit_types[tname].vehicle))
                labels.append(f"{f.id}/{tname}#{k + 1}")
    types_of_unit = [scenario.unit_types[type_names[k]] for k in u_type]
    unit_mode = np.array([MODE_AIR if ut.mode == "air" else MODE_ROAD for ut in types_of_unit], dtype=np.int64)
    air = None
    if (unit_mode == MODE_AIR).any():
        air = AirFleet(
            speed_m_per_s=np.array([ut.air.cruise_kph * ut.air.efficiency / 3.6 if ut.air else np.nan for ut in types_of_unit]),
            night_capable=np.array([bool(ut.air and ut.air.night_capable) for ut in types_of_unit]),
            base_lon=lonlat[np.array(u_fac, dtype=np.int64), 0] if u_fac else np.zeros(0),
            base_lat=lonlat[np.array(u_fac, dtype=np.int64), 1] if u_fac else np.zeros(0),
        )
    unit_fire = {
        "fireline_m_per_h": np.array([ut.fireline_m_per_h for ut in types_of_unit], dtype=float),
        "line_per_drop_m": np.array([ut.air.line_per_drop_m if ut.air else 0.0 for ut in types_of_unit]),
        "bucket_speed_m_per_s": np.array([ut.air.bucket_speed_kph / 3.6 if ut.air else np.nan for ut in types_of_unit]),
        "fill_s": np.array([ut.air.fill_s if ut.air else 0.0 for ut in types_of_unit]),
        "drop_s": np.array([ut.air.drop_s if ut.air else 0.0 for ut in types_of_unit]),
        "night_capable": np.array([bool(ut.air and ut.air.night_capable) for ut in types_of_unit], dtype=bool),
    }
    water = _water_points(scenario)
    mutual = np.array([fac[fi].kind == "mutual_aid" for fi in u_fac], dtype=bool)
    boat_speed = np.array([ut.boat.speed_kph if ut.boat else np.nan for ut in types_of_unit], dtype=float)
    boat_launch = np.array([ut.boat.launch_s if ut.boat else np.nan for ut in types_of_unit], dtype=float)
    launch = None
    river_models = any(inc.where.model == "river" for inc in scenario.incidents.values())
    if np.isfinite(boat_speed).any() and river_models:
        from sim.physics.boats import LaunchPoints, load_river_index

        launch = LaunchPoints.from_network(net, load_river_index())
    static_edges = np.zeros(0, dtype=np.int64)
    if scenario.closures:
        from sim.model.disruption import static_closures

        static_edges = static_closures(net, [c.between for c in scenario.closures])
    town_nodes = np.array([k for k, t in enumerate(net.node_town) if t], dtype=np.int64)
    u_type_a = np.array(u_type, dtype=np.int64)
    used_profiles = sorted({PROFILES[p] for p in u_prof}) or ["light"]
    out = {p: facility_matrix(net, fnode, profile=p) for p in used_profiles}
    back = {p: facility_matrix(net, fnode, profile=p, reverse=True) for p in used_profiles}
    for p in PROFILES:  # keep both keys so lookups never fail; unused profiles are never indexed
        out.setdefault(p, out[used_profiles[0]])
        back.setdefault(p, back[used_profiles[0]])
    fleet = Fleet(
        type_names=type_names,
        facility_ids=tuple(f.id for f in fac),
        facility_names=tuple(f.name or f.id for f in fac),
        facility_kinds=tuple(f.kind for f in fac),
        facility_node=fnode,
        facility_access_s=facc,
        unit_type=u_type_a,
        unit_facility=np.array(u_fac, dtype=np.int64),
        unit_turnout_s=np.array(u_turn, dtype=float),
        unit_crew=np.array(u_crew, dtype=np.int64),
        unit_capacity_people=np.array(u_cap, dtype=np.int64),
        unit_profile=np.array(u_prof, dtype=np.int64),
        unit_labels=tuple(labels),
        travel_out_s=out,
        travel_back_s=back,
        units_of_type=tuple(np.flatnonzero(u_type_a == k) for k in range(len(type_names))),
    )

    inc_names = tuple(scenario.incidents)
    need = np.zeros((len(inc_names), len(type_names)), dtype=np.int64)
    for i, inc in enumerate(scenario.incidents.values()):
        for tname, c in inc.units.items():
            need[i, tindex[tname]] = c
    demand = Demand(
        units=need,
        priority=np.array([inc.priority for inc in scenario.incidents.values()], dtype=np.int64),
    )

    relief = _relief_plan(scenario, fleet, tindex)
    population = int(scenario.population or sum(c.population_2020 for c in geo.load_counties()))
    geography = build_geography(scenario, population)
    _check_spatial_models(scenario, geography)
    staff = int(sum(f.full_time_staff for f in fac))
    return Prepared(
        scenario=scenario,
        net=net,
        fleet=fleet,
        demand=demand,
        relief=relief,
        geography=geography,
        population=population,
        facility_lon=lonlat[:, 0],
        facility_lat=lonlat[:, 1],
        full_time_staff=staff,
        unit_mode=unit_mode,
        air=air,
        water_lon=water[:, 0],
        water_lat=water[:, 1],
        unit_fire=unit_fire,
        mutual=mutual,
        profiles=tuple(used_profiles),
        static_edges=static_edges,
        launch=launch,
        unit_boat_speed_kph=boat_speed,
        unit_boat_launch_s=boat_launch,
        town_nodes=town_nodes,
        town_names=tuple(str(net.node_town[k]) for k in town_nodes),
    )


def _water_points(scenario: Scenario) -> np.ndarray:
    """Return (n, 2) lon/lat of the water-intake points helicopters may fill buckets at."""
    from sim.physics.aviation import load_aviation_points

    pts = [(p.lon, p.lat) for p in load_aviation_points() if p.kind == "water_intake"] if scenario.aviation.builtin else []
    pts += [p.lonlat() for p in scenario.aviation.points if p.kind == "water_intake"]
    return np.array(pts, dtype=float).reshape(-1, 2)


def _check_spatial_models(scenario: Scenario, geography: Geography) -> None:
    problems = []
    for name, inc in scenario.incidents.items():
        if inc.where.model != "river":
            continue
        wanted = list(inc.where.rivers or geography.rivers)
        missing = [r for r in wanted if r not in geography.rivers]
        if not geography.rivers:
            problems.append(f"incidents.{name}.where: no river lines are available (sim/data/rivers.geojson)")
        elif missing:
            problems.append(
                f"incidents.{name}.where.rivers: unknown river(s) {missing} (known: {', '.join(sorted(geography.rivers))})"
            )
    if problems:
        msg = f"{scenario.name}: " + "; ".join(problems)
        raise ScenarioError(msg)


def _relief_plan(scenario: Scenario, fleet: Fleet, tindex: dict[str, int]) -> ReliefPlan | None:
    if not any(inc.affected_people is not None for inc in scenario.incidents.values()):
        return None
    rel = scenario.relief
    items = rel.items
    daily = rel.daily
    # A disaster's need per person: one day of everything (or `per_person` as a one-off kit),
    # times the days of need the first deliveries must cover.
    days = rel.days_of_need if rel.per_person_per_day is not None else 1.0
    depots = [i for i, f in enumerate(scenario.facilities) if any(f.stock.get(it, 0) > 0 for it in items)]
    truck_k = tindex.get(rel.truck_unit)
    trucks = tuple(
        np.flatnonzero((fleet.unit_facility == d) & (fleet.unit_type == truck_k))
        if truck_k is not None
        else np.empty(0, dtype=np.int64)
        for d in depots
    )
    stock = np.array(
        [[float(scenario.facilities[d].stock.get(it, 0)) for it in items] for d in depots], dtype=float
    ).reshape(len(depots), len(items))
    truck_type = rel.truck_unit
    profile = scenario.unit_types[truck_type].vehicle if truck_type in scenario.unit_types else "heavy"
    village = np.array([scenario.facilities[d].kind == "village_store" for d in depots], dtype=bool)
    lonlat = np.array([_location_lonlat(scenario.facilities[d].location) for d in depots], dtype=float).reshape(-1, 2)
    return ReliefPlan(
        depot_facility=np.array(depots, dtype=np.int64),
        stock=stock,
        per_person=np.array([float(daily[it]) * days for it in items]),
        depot_trucks=trucks,
        truck_profile=profile,
        assessment_delay_s=float(rel.assessment_delay_h) * HOUR_S,
        loading_s=float(rel.loading_h) * HOUR_S,
        max_depots=int(rel.max_depots),
        village=village,
        village_lon=lonlat[:, 0],
        village_lat=lonlat[:, 1],
        village_radius_m=float(rel.village_radius_m),
        local_delivery_s=float(rel.local_delivery_h) * HOUR_S,
        reorder_fraction=rel.reserve.reorder_fraction if rel.reserve else None,
        reserve_lead_s=rel.reserve.lead_time_h * HOUR_S if rel.reserve else None,
        air_capacity_people=int(rel.helicopter_capacity_people),
        days_of_need=float(days),
    )


def _boat_legs(prep: Prepared, inc: Any) -> BoatLegs | None:
    """Road + boat option for boat-carrying units to incidents of river types."""
    if prep.launch is None:
        return None
    sc = prep.scenario
    on_river = np.array([sc.incidents[n].where.model == "river" for n in inc.type_names], dtype=bool)[inc.type_idx]
    river = np.full(len(inc), -1, dtype=np.int64)
    chain = np.full(len(inc), np.nan)
    offset = np.zeros(len(inc))
    if on_river.any():
        r, c, o = prep.launch.rivers.project(inc.lon[on_river], inc.lat[on_river])
        river[on_river], chain[on_river], offset[on_river] = r, c, np.where(np.isfinite(o), o, 0.0)
    return BoatLegs(prep.launch, prep.unit_boat_speed_kph, prep.unit_boat_launch_s, river, chain, offset)


def _disruption_plan(prep: Prepared, inc: Any, r: int) -> DisruptionPlan | None:
    """Sample which roads each disruptive event closes, and for how long (own random streams)."""
    from sim.model.disruption import ClosureRule, sample_closures
    from sim.model.incidents import sample_duration_s

    sc = prep.scenario
    kinds = {n: inc_t.disruption for n, inc_t in sc.incidents.items() if inc_t.disruption is not None}
    if not kinds and prep.static_edges.size == 0:
        return None
    edges: dict[int, np.ndarray] = {}
    duration: dict[int, float] = {}
    for name, spec in kinds.items():
        rules = [ClosureRule(kind=x.kind, radius_m=x.radius_m, probability=x.probability, rivers=x.rivers,
                             counties=x.counties) for x in spec.rules]
        k = inc.type_names.index(name)
        idx = np.flatnonzero(inc.type_idx == k)
        rng = stream(sc.seed, r, name, STREAM_CLOSURES)
        dur = sample_duration_s(stream(sc.seed, r, name, STREAM_CLOSURE_TIME), spec.duration, idx.size)
        for j, i in enumerate(idx):
            closed = sample_closures(rng, prep.net, float(inc.lon[i]), float(inc.lat[i]), rules)
            if closed.size:
                edges[int(i)] = closed
                duration[int(i)] = float(dur[j])
    road = RoadState(prep.net, prep.fleet.facility_node, prep.fleet.travel_out_s, prep.fleet.travel_back_s,
                     profiles=prep.profiles)
    return DisruptionPlan(road=road, static_edges=prep.static_edges, event_edges=edges, event_duration_s=duration,
                          town_nodes=prep.town_nodes, town_names=prep.town_names)


def _fire_plan(prep: Prepared, inc: Any, dist_m: np.ndarray) -> tuple[FirePlan | None, np.ndarray]:
    """Compile forest-fire parameters and the walk-in legs of ground crews for one replication."""
    sc = prep.scenario
    n = len(inc)
    specs = [sc.incidents[name].fire for name in inc.type_names]
    walk = np.full(n, np.nan)
    if not any(f is not None for f in specs):
        return None, walk
    is_fire = np.array([specs[k] is not None for k in inc.type_idx], dtype=bool)

    def per(attr: str, default: float) -> np.ndarray:
        vals = np.array([getattr(f, attr) if f is not None else default for f in specs], dtype=float)
        return vals[inc.type_idx] if n else np.zeros(0)

    walk_speed = per("walk_speed_kph", np.nan) / 3.6
    max_walk = per("max_walk_m", 0.0)
    walked = np.minimum(dist_m, max_walk)
    driven = np.maximum(dist_m - max_walk, 0.0)
    walk = np.where(
        is_fire,
        walked * per("walk_circuity", 1.0) / walk_speed + access_time_s(driven, sc.access.speed_kph, sc.access.circuity),
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
    if prep.water_lon.size:
        from sim.geo import haversine_m

        d = haversine_m(inc.lon[:, None], inc.lat[:, None], prep.water_lon[None, :], prep.water_lat[None, :])
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
        unit_bucket_speed_m_per_s=uf["bucket_speed_m_per_s"],
        unit_fill_s=uf["fill_s"],
        unit_drop_s=uf["drop_s"],
        unit_night_capable=uf["night_capable"],
        start=sc.start_date,
        rain_days=inc.rain_days,
        rain_factor=rain_factor[inc.type_idx],
        escalation_after_s=esc_after[inc.type_idx],
        escalation_units=esc_units[inc.type_idx],
        escalation_rounds=esc_rounds[inc.type_idx],
        max_area_ha=per("max_area_ha", np.inf),
    )
    return plan, walk


def _nearest_town(geo_: Geography, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    from scipy.spatial import cKDTree

    lat0 = np.radians(np.mean(geo_.town_lat))
    tree = cKDTree(np.column_stack([geo_.town_lon * np.cos(lat0), geo_.town_lat]))
    _, idx = tree.query(np.column_stack([lon * np.cos(lat0), lat]))
    return np.asarray(idx, dtype=np.int64)


def _county_of(geo_: Geography, lon: np.ndarray, lat: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    import shapely

    out = fallback.astype(object).copy()
    if not geo_.county_polygons or lon.size == 0:
        return out
    found = np.zeros(lon.size, dtype=bool)
    for name, poly in geo_.county_polygons.items():
        hit = shapely.contains_xy(poly, lon, lat) & ~found
        out[hit] = name
        found |= hit
    return out


def run_replication(prep: Prepared, r: int) -> ReplicationResult:
    """Generate and simulate replication `r`; return its per-incident table."""
    sc = prep.scenario
    inc = generate_incidents(sc, prep.geography, prep.population, r)
    node, dist = prep.net.nearest_nodes(inc.lon, inc.lat)
    node = np.asarray(node, dtype=np.int64)
    dist = np.asarray(dist, dtype=float)
    access = access_time_s(dist, sc.access.speed_kph, sc.access.circuity)
    horizon_s = float(sc.horizon_days) * 86400.0
    fires, walk = _fire_plan(prep, inc, dist)
    travel = TravelModel(
        prep.fleet, node=node, access_s=access, walk_s=walk, lon=inc.lon, lat=inc.lat,
        unit_mode=prep.unit_mode, air=prep.air, start=sc.start_date, boats=_boat_legs(prep, inc),
    )
    report = inc.t_s + (inc.detect_s if inc.detect_s is not None else 0.0)
    out = simulate(
        prep.fleet, inc, node, access, prep.demand, relief=prep.relief, until_s=horizon_s + DRAIN_S,
        travel=travel, fires=fires, report_s=report, disruption=_disruption_plan(prep, inc, r),
        mutual=prep.mutual, mutual_threshold=sc.mutual_aid.threshold_people,
    )
    town_idx = _nearest_town(prep.geography, inc.lon, inc.lat)
    town = np.array(prep.geography.town_names, dtype=object)[town_idx]
    county = _county_of(
        prep.geography, inc.lon, inc.lat, np.array(prep.geography.town_counties, dtype=object)[town_idx]
    )
    labels = prep.fleet.unit_labels
    fac_ids = prep.fleet.facility_ids
    t = inc.t_s

    def rel_h(x: np.ndarray) -> np.ndarray:
        return (x - t) / HOUR_S

    has_relief = inc.people > 0
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
        "access_h": np.where(np.isnan(walk), access, walk) / HOUR_S,
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
        "all_arrived_h": rel_h(out.all_arrived_s),
        "cleared_h": rel_h(out.cleared_s),
        "wait_h": rel_h(out.first_dispatch_s),
        "queued": out.queued,
        "units_required": out.n_required,
        "units_sent_n": out.n_sent,
        "units_sent": np.array([";".join(labels[u] for u in s) for s in out.units_sent], dtype=object),
        "affected_people": inc.people,
        "relief_h": np.where(has_relief, rel_h(out.relief_s), np.nan),
        "relief_unmet_people": out.relief_unmet_people,
        "relief_depots": np.array([";".join(fac_ids[d] for d in s) for s in out.relief_depots], dtype=object),
        "relief_air": out.relief_air,
        "surge": inc.surge if inc.surge is not None else np.zeros(len(inc), dtype=bool),
        "mutual_aid_units": out.mutual_aid_sent,
    }
    for tg in sc.targets:
        if tg.measure == "unit_arrival" and tg.unit_type is not None:
            k = prep.fleet.type_names.index(tg.unit_type)
            table[f"{tg.unit_type}_arrival_h"] = rel_h(out.arrival_by_type_s[:, k])
    return ReplicationResult(
        replication=r,
        incidents=table,
        unit_busy_s=out.unit_busy_s,
        unit_trips=out.unit_trips,
        final_stock=out.final_stock,
        unit_flight_s=out.unit_flight_s,
        isolation_h=out.isolation_h,
        road_events={"isolation_events": out.isolation_events, "rerouted": out.rerouted, "recalled": out.recalled},
    )


# Worker processes inherit this through fork instead of receiving it pickled with every task.
_SHARED: Prepared | None = None


def _worker(r: int) -> ReplicationResult:
    assert _SHARED is not None  # noqa: S101 - set before the pool forks
    return run_replication(_SHARED, r)


def default_workers() -> int:
    """Return the number of usable cores."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_replications(
    prep: Prepared,
    replications: int,
    *,
    workers: int = 1,
    dask: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ReplicationResult]:
    """Run replications ``0 .. replications-1``, in order of index whatever the parallelism.

    Parameters
    ----------
    prep
        Compiled scenario.
    replications
        Number of replications.
    workers
        Local worker processes (1 = run in this process); with ``dask="local"``, the number of
        workers of the local cluster.
    dask
        None (local processes), ``"local"`` (a `distributed.LocalCluster`) or the address of a
        running ``dask.distributed`` scheduler (``tcp://host:8786``).
    progress
        Called with the number of finished replications after each one.
    """
    global _SHARED  # noqa: PLW0603 - module state read by forked workers only
    if replications < 1:
        msg = f"replications must be >= 1, got {replications}"
        raise ScenarioError(msg)
    if dask:
        return _run_dask(prep, replications, address=dask, workers=workers, progress=progress)
    results: list[ReplicationResult] = []
    if workers <= 1 or replications == 1:
        for r in range(replications):
            results.append(run_replication(prep, r))
            if progress:
                progress(len(results))
        return results
    _SHARED = prep
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            for res in pool.map(_worker, range(replications), chunksize=1):
                results.append(res)
                if progress:
                    progress(len(results))
    finally:
        _SHARED = None
    return results


def _run_dask(
    prep: Prepared,
    replications: int,
    *,
    address: str,
    workers: int,
    progress: Callable[[int], None] | None,
) -> list[ReplicationResult]:
    """Run replications on a dask.distributed cluster; results come back in replication order.

    The compiled scenario (graph, travel-time matrices) is scattered once to every worker
    (``broadcast=True``), and each task only carries its replication index.
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as e:  # pragma: no cover - depends on the installed extras
        msg = "--dask needs dask.distributed: pip install 'shaoguan-dispatch[dask]'"
        raise ScenarioError(msg) from e
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        else:
            client = Client(address, timeout=5)
    except OSError as e:
        msg = f"cannot connect to the dask scheduler at {address!r}: {e}"
        raise ScenarioError(msg) from e
    try:
        shared = client.scatter(prep, broadcast=True)
        futures = client.map(run_replication, [shared] * replications, range(replications), pure=False)
        results: dict[int, ReplicationResult] = {}
        for fut in as_completed(futures):
            res = fut.result()
            results[res.replication] = res
            if progress:
                progress(len(results))
        return [results[r] for r in range(replications)]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
