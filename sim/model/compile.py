"""Compile a validated scenario against its road network: fleet arrays, matrices, demand, relief.

`prepare` does everything that does not change between replications, once, in the parent
process; worker processes inherit the result (`Prepared`) and only generate and simulate.
"""

from __future__ import annotations

import math
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from sim import geo
from sim.errors import NetworkError, ScenarioError
from sim.model.aircraft import uses_air_ops
from sim.model.dispatch import PROFILES, DispatchRules, Fleet
from sim.model.dispatch_rules import build_dispatch_rules
from sim.model.disruption import static_closures
from sim.model.engine import Demand, ReliefPlan
from sim.model.incidents import HOUR_S, Geography, town_weights
from sim.model.severity import SeverityTable, build_severity_table
from sim.model.staffing import StaffPlan, build_staff_plan, firefighter_posts
from sim.model.travel import MODE_AIR, MODE_ROAD, AirFleet, RoadTrees, SolarClock, intact_trees
from sim.network import RoadNetwork, access_time_s
from sim.physics.aviation import load_aviation_points, transit_speed_m_per_s
from sim.physics.boats import LaunchPoints, RiverIndex, load_river_index
from sim.scenario import Scenario
from sim.scenario.calls import CallTable, read_calls

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
    region: geo.Region
    clock: SolarClock
    unit_walks: np.ndarray
    """Per unit: whether its crew walks the last stretch to a forest fire (`UnitType.walks`)."""
    type_comms_setup_s: np.ndarray
    """Per unit type: time to establish communications after arrival (s); NaN = carries none."""
    calls: CallTable | None = None
    staff: StaffPlan | None = None
    air_ops: bool = False
    hospitals: np.ndarray | None = None
    severity: SeverityTable | None = None
    """Severity levels of the incident types, or None when no type has levels."""
    rules: DispatchRules | None = None
    """Command-centre dispatch rules (without a router), or None when none is on."""
    road_trees: RoadTrees | None = None


def _location_lonlat(loc: Any, region: geo.Region | None = None) -> tuple[float, float]:
    if getattr(loc, "town", None):
        t = (region or geo.shaoguan_region()).resolve_town(
            loc.town, county=getattr(loc, "county", None)
        )
        return t.lon, t.lat
    return float(loc.lon), float(loc.lat)


def build_geography(
    scenario: Scenario, population: int, region: geo.Region | None = None
) -> Geography:
    """Prepare towns (with population weights), county polygons and rivers for sampling.

    Each unit's (county's) population, rescaled to `population`, is split over its towns in
    proportion to the towns' own populations where the town table gives them, else equally.
    """
    region = region or scenario.study_region
    towns = region.towns
    counties = {c.name: c for c in region.counties}
    county_pop: dict[str, float] = {c.name: c.population_2020 for c in counties.values()}
    total = sum(county_pop.values())
    if population != total and total > 0:  # rescale, keeping the spatial distribution
        county_pop = {k: v * population / total for k, v in county_pop.items()}
    names = tuple(t.name for t in towns)
    tc = tuple(t.county for t in towns)
    n_in_county = {c: sum(1 for x in tc if x == c) for c in counties}
    radius = np.array(
        [
            TOWN_SCATTER_FACTOR
            * math.sqrt(
                counties[t.county].area_km2_official * 1e6 / n_in_county[t.county] / math.pi
            )
            for t in towns
        ]
    )
    return Geography(
        town_names=names,
        town_counties=tc,
        town_lon=np.array([t.lon for t in towns]),
        town_lat=np.array([t.lat for t in towns]),
        # each county split over its towns by their populations (equally when unknown)
        town_weight=town_weights(tc, [t.population or 0 for t in towns], county_pop),
        town_radius_m=radius,
        county_polygons=dict(region.county_shapes),
        rivers=dict(region.rivers),
        resolve_point=lambda loc: _location_lonlat(loc, region),
        forest=region.forest,
    )


#: Sources per Dijkstra call when filling facility matrices (bounds the float64 scratch memory).
MATRIX_CHUNK = 64

_T = TypeVar("_T")
#: What `prepare` computes from the network alone (facility matrices, intact trees, launch
#: points), per network object: scenarios that differ only in numbers (sweep and sensitivity
#: points) share them instead of searching the network again. Dropped with the network, and
#: the least recently used beyond `NETWORK_MEMO_BYTES` (scenarios with other facility sites on
#: a large network must not pile up matrices).
_BY_NETWORK: weakref.WeakKeyDictionary[RoadNetwork, OrderedDict[Any, Any]] = (
    weakref.WeakKeyDictionary()
)
NETWORK_MEMO_BYTES = 2**30
#: Geography per region and population (the split over towns depends on nothing else); the
#: region is kept in the entry so that its id is not reused while the entry lives.
_GEOGRAPHY: OrderedDict[tuple[int, int], tuple[geo.Region, Geography]] = OrderedDict()
_GEOGRAPHY_MAX = 8


def _geography(scenario: Scenario, population: int, region: geo.Region) -> Geography:
    """`build_geography`, once per region and population (sensitivity points share it)."""
    key = (id(region), population)
    if key not in _GEOGRAPHY:
        _GEOGRAPHY[key] = (region, build_geography(scenario, population, region))
        while len(_GEOGRAPHY) > _GEOGRAPHY_MAX:
            _GEOGRAPHY.popitem(last=False)
    _GEOGRAPHY.move_to_end(key)
    return _GEOGRAPHY[key][1]


def _nbytes(x: Any) -> int:
    """Memory of the arrays in a memo entry (arrays, dataclasses of arrays, dicts of them)."""
    if isinstance(x, np.ndarray):
        return int(x.nbytes)
    if isinstance(x, dict):
        return sum(_nbytes(v) for v in x.values())
    fields = getattr(x, "__dataclass_fields__", None)
    return sum(_nbytes(getattr(x, f)) for f in fields) if fields else 0


def _per_network(net: RoadNetwork, key: Any, make: Callable[[], _T]) -> _T:
    """Return ``make()`` computed once per network and key (a read-only result)."""
    memo = _BY_NETWORK.setdefault(net, OrderedDict())
    if key in memo:
        memo.move_to_end(key)
        return memo[key][0]
    value = make()
    memo[key] = (value, _nbytes(value))
    while len(memo) > 1 and sum(size for _, size in memo.values()) > NETWORK_MEMO_BYTES:
        memo.popitem(last=False)
    return value


def facility_matrix(
    net: RoadNetwork, nodes: np.ndarray, *, profile: str, reverse: bool = False
) -> np.ndarray:
    """Return float32 travel times (s) between facility nodes and every node.

    Only the distinct facility nodes are searched, in chunks, into a float32 array (half the
    memory of float64; 0.01 s resolution at 1-day times), so a 500-facility matrix on a
    200,000-node graph stays at 400 MB per direction.
    """
    uniq, inv = np.unique(nodes, return_inverse=True)
    T = np.empty((uniq.size, net.n), dtype=np.float32)
    for lo in range(0, uniq.size, MATRIX_CHUNK):
        T[lo : lo + MATRIX_CHUNK] = net.travel_time_matrix(
            uniq[lo : lo + MATRIX_CHUNK], profile=profile, reverse=reverse
        )
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
    region = scenario.study_region
    fac = scenario.facilities
    lonlat = np.array([_location_lonlat(f.location, region) for f in fac], dtype=float)
    lonlat = lonlat.reshape(-1, 2)
    fnode, fdist = net.nearest_nodes(lonlat[:, 0], lonlat[:, 1])
    fnode = np.asarray(fnode, dtype=np.int64)
    _check_facilities_on_network(scenario, net, np.asarray(fdist, dtype=float))
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
    unit_mode = np.array(
        [MODE_AIR if ut.mode == "air" else MODE_ROAD for ut in types_of_unit], dtype=np.int64
    )
    air = None
    if (unit_mode == MODE_AIR).any():
        air = AirFleet(
            speed_m_per_s=np.array(
                [
                    transit_speed_m_per_s(ut.air.cruise_kph, ut.air.efficiency)
                    if ut.air
                    else np.nan
                    for ut in types_of_unit
                ]
            ),
            night_capable=np.array([bool(ut.air and ut.air.night_capable) for ut in types_of_unit]),
            base_lon=lonlat[np.array(u_fac, dtype=np.int64), 0] if u_fac else np.zeros(0),
            base_lat=lonlat[np.array(u_fac, dtype=np.int64), 1] if u_fac else np.zeros(0),
        )
    unit_fire = {
        "fireline_m_per_h": np.array([ut.fireline_m_per_h for ut in types_of_unit], dtype=float),
        "line_per_drop_m": np.array(
            [ut.air.line_per_drop_m if ut.air else 0.0 for ut in types_of_unit]
        ),
        "bucket_speed_kph": np.array(
            [ut.air.bucket_speed_kph if ut.air else np.nan for ut in types_of_unit]
        ),
        "fill_s": np.array([ut.air.fill_s if ut.air else 0.0 for ut in types_of_unit]),
        "drop_s": np.array([ut.air.drop_s if ut.air else 0.0 for ut in types_of_unit]),
        "night_capable": np.array(
            [bool(ut.air and ut.air.night_capable) for ut in types_of_unit], dtype=bool
        ),
    }
    water = _water_points(scenario, region)
    unit_walks = np.array([ut.walks for ut in types_of_unit], dtype=bool)
    comms_setup_s = np.array(
        [
            np.nan if ut.comms_setup_min is None else float(ut.comms_setup_min) * 60.0
            for ut in (scenario.unit_types[k] for k in type_names)
        ],
        dtype=float,
    )
    mutual = np.array([fac[fi].kind == "mutual_aid" for fi in u_fac], dtype=bool)
    boat_speed = np.array(
        [ut.boat.speed_kph if ut.boat else np.nan for ut in types_of_unit], dtype=float
    )
    boat_launch = np.array(
        [ut.boat.launch_s if ut.boat else np.nan for ut in types_of_unit], dtype=float
    )
    launch = None
    river_models = any(inc.where.model == "river" for inc in scenario.incidents.values())
    if np.isfinite(boat_speed).any() and river_models:
        if region.builtin:  # the shipped rivers: one index per network
            launch = _per_network(
                net, "launch", lambda: LaunchPoints.from_network(net, load_river_index())
            )
        else:
            launch = LaunchPoints.from_network(net, RiverIndex.from_lines(dict(region.rivers)))
    static_edges = np.zeros(0, dtype=np.int64)
    if scenario.closures:
        static_edges = static_closures(net, [c.between for c in scenario.closures])
    disrupted = bool(scenario.closures) or any(
        inc.disruption is not None for inc in scenario.incidents.values()
    )
    town_nodes = np.array([k for k, t in enumerate(net.node_town) if t], dtype=np.int64)
    u_type_a = np.array(u_type, dtype=np.int64)
    used_profiles = sorted({PROFILES[p] for p in u_prof}) or ["light"]
    key = fnode.tobytes()

    def matrix(p: str, reverse: bool) -> np.ndarray:
        def make() -> np.ndarray:
            m = facility_matrix(net, fnode, profile=p, reverse=reverse)
            m.flags.writeable = False  # shared by every scenario with these facility nodes
            return m

        return _per_network(net, ("matrix", p, reverse, key), make)

    out = {p: matrix(p, False) for p in used_profiles}
    back = {p: matrix(p, True) for p in used_profiles}
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

    relief = _relief_plan(scenario, fleet, tindex, region)
    population = int(scenario.population or region.population_total)
    geography = _geography(scenario, population, region)
    _check_spatial_models(scenario, geography)
    calls = (
        read_calls(scenario.calls.file, region=region, types=tuple(scenario.incidents))
        if scenario.calls is not None
        else None
    )
    _warn_demand_off_network(scenario, net, geography, calls)
    staff = firefighter_posts(scenario)
    severity = build_severity_table(scenario, type_names, need)
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
        region=region,
        clock=SolarClock(
            scenario.start_date,
            lat=region.centre[1],
            lon=region.centre[0],
            utc_offset_h=region.utc_offset_h(scenario.start_date),
        ),
        unit_walks=unit_walks,
        type_comms_setup_s=comms_setup_s,
        calls=calls,
        staff=build_staff_plan(scenario, fleet),
        air_ops=uses_air_ops(scenario),
        hospitals=np.array(
            [p.lonlat(region) for p in scenario.aviation.points if p.kind == "hospital"],
            dtype=float,
        ).reshape(-1, 2),
        severity=severity if severity.any else None,
        rules=build_dispatch_rules(scenario, fleet, net, geography, lonlat[:, 0], lonlat[:, 1]),
        # Closures start from the intact shortest-path trees: the same in every replication.
        road_trees=_per_network(
            net,
            ("trees", key, tuple(used_profiles)),
            lambda: intact_trees(net, fnode, used_profiles),
        )
        if disrupted
        else None,
    )


def _water_points(scenario: Scenario, region: geo.Region) -> np.ndarray:
    """Return (n, 2) lon/lat of the water-intake points helicopters may fill buckets at.

    The shipped points (Shaoguan's) count only in the shipped region.
    """

    pts = (
        [(p.lon, p.lat) for p in load_aviation_points() if p.kind == "water_intake"]
        if scenario.aviation.builtin and region.builtin
        else []
    )
    pts += [p.lonlat(region) for p in scenario.aviation.points if p.kind == "water_intake"]
    return np.array(pts, dtype=float).reshape(-1, 2)


def _network_name(scenario: Scenario, net: RoadNetwork) -> str:
    return str(net.G.graph.get("name") or scenario.network)


def _check_facilities_on_network(scenario: Scenario, net: RoadNetwork, dist_m: np.ndarray) -> None:
    """Refuse a network that does not reach the facilities (a wrong network for the scenario).

    Raises
    ------
    NetworkError
        Naming every facility farther than ``access.max_distance_m`` from the nearest road
        node, with its distance.
    """
    limit = float(scenario.access.max_distance_m)
    far = np.flatnonzero(dist_m > limit)
    if far.size == 0:
        return
    shown = ", ".join(
        f"{scenario.facilities[i].id} {dist_m[i] / 1000:,.1f} km" for i in far[:5]
    ) + (f" and {far.size - 5} more" if far.size > 5 else "")
    msg = (
        f"{scenario.name}: network {scenario.network!r} does not cover the scenario: "
        f"{far.size} of {dist_m.size} facilities lie farther than access.max_distance_m = "
        f"{limit:,.0f} m from its nearest road node ({shown}; farthest "
        f"{dist_m.max() / 1000:,.1f} km); is it the network of another place?"
    )
    raise NetworkError(msg)


#: Share of demand off the network above which a warning is given (-).
OFF_NETWORK_WARN_SHARE = 0.0


def _warn_demand_off_network(
    scenario: Scenario, net: RoadNetwork, geography: Geography, calls: CallTable | None
) -> None:
    """Warn when part of the demand lies farther than ``access.max_distance_m`` from any road.

    Demand is what the scenario places by name or point: the towns of population models
    (weighted by population), listed points (by weight) and replayed calls. River and forest
    models are off the road by nature and not counted.
    """
    limit = float(scenario.access.max_distance_m)
    lon: list[np.ndarray] = []
    lat: list[np.ndarray] = []
    w: list[np.ndarray] = []
    replayed = set(calls.type) if calls is not None else set()
    for name, inc in scenario.incidents.items():
        if name in replayed:
            continue
        if inc.where.model == "population":
            lon.append(geography.town_lon)
            lat.append(geography.town_lat)
            w.append(geography.town_weight / max(geography.town_weight.sum(), 1e-12))
        elif inc.where.model == "points":
            xy = np.array([geography.resolve_point(p) for p in inc.where.points], dtype=float)
            pw = np.array([p.weight for p in inc.where.points], dtype=float)
            lon.append(xy[:, 0])
            lat.append(xy[:, 1])
            w.append(pw / pw.sum())
    if calls is not None:
        ok = np.isfinite(calls.lon)
        lon.append(calls.lon[ok])
        lat.append(calls.lat[ok])
        w.append(np.full(int(ok.sum()), 1.0 / max(int(ok.sum()), 1)))
    if not lon:
        return
    x, y, weight = np.concatenate(lon), np.concatenate(lat), np.concatenate(w)
    if x.size == 0:
        return
    _, dist = net.nearest_nodes(x, y)
    dist = np.asarray(dist, dtype=float)
    off = dist > limit
    share = float(weight[off].sum() / weight.sum())
    if share > OFF_NETWORK_WARN_SHARE:
        msg = (
            f"{scenario.name}: {100 * share:.1f} % of the demand ({int(off.sum())} of "
            f"{x.size} demand points: towns, listed points, calls) lies farther than "
            f"access.max_distance_m = {limit:,.0f} m from network {scenario.network!r} "
            f"(farthest {dist.max() / 1000:,.1f} km); those incidents get long off-road "
            "access legs"
        )
        warnings.warn(msg, UserWarning, stacklevel=3)


def _check_spatial_models(scenario: Scenario, geography: Geography) -> None:
    problems = []
    for name, inc in scenario.incidents.items():
        if inc.where.model != "river":
            continue
        wanted = list(inc.where.rivers or geography.rivers)
        missing = [r for r in wanted if r not in geography.rivers]
        if not geography.rivers:
            problems.append(
                f"incidents.{name}.where: no river lines are available (sim/data/rivers.geojson)"
            )
        elif missing:
            problems.append(
                f"incidents.{name}.where.rivers: unknown river(s) {missing} "
                f"(known: {', '.join(sorted(geography.rivers))})"
            )
    if problems:
        msg = f"{scenario.name}: " + "; ".join(problems)
        raise ScenarioError(msg)


def _relief_plan(
    scenario: Scenario, fleet: Fleet, tindex: dict[str, int], region: geo.Region
) -> ReliefPlan | None:
    if not any(inc.affected_people is not None for inc in scenario.incidents.values()):
        return None
    rel = scenario.relief
    items = rel.items
    daily = rel.daily
    # A disaster's need per person: one day of everything (or `per_person` as a one-off kit),
    # times the days of need the first deliveries must cover.
    days = rel.days_of_need if rel.per_person_per_day is not None else 1.0
    depots = [
        i for i, f in enumerate(scenario.facilities) if any(f.stock.get(it, 0) > 0 for it in items)
    ]
    truck_k = tindex.get(rel.truck_unit)
    trucks = tuple(
        np.flatnonzero((fleet.unit_facility == d) & (fleet.unit_type == truck_k))
        if truck_k is not None
        else np.empty(0, dtype=np.int64)
        for d in depots
    )
    stock = np.array(
        [[float(scenario.facilities[d].stock.get(it, 0)) for it in items] for d in depots],
        dtype=float,
    ).reshape(len(depots), len(items))
    truck_type = rel.truck_unit
    profile = (
        scenario.unit_types[truck_type].vehicle if truck_type in scenario.unit_types else "heavy"
    )
    village = np.array([scenario.facilities[d].kind == "village_store" for d in depots], dtype=bool)
    lonlat = np.array(
        [_location_lonlat(scenario.facilities[d].location, region) for d in depots], dtype=float
    ).reshape(-1, 2)
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
        handout_people_per_h=(
            math.inf if rel.handout_people_per_h is None else float(rel.handout_people_per_h)
        ),
        last_mile_s=float(rel.last_mile_h) * HOUR_S,
    )
