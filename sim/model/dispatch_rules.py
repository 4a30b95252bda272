"""Compile the scenario's ``dispatch:`` section into the engine's rule objects (no simpy).

`build_dispatch_rules` turns the reassignment, cover-move and coverage settings into the
policy objects of `sim.model.dispatch` once per scenario; `for_replication` adds the mutable
part each replication needs of its own (the router that follows road closures).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import shapely

from sim.model.dispatch import CoveragePlan, CoverMoves, DispatchRules, Fleet, Reassignment
from sim.model.position import Router
from sim.network import access_time_s

if TYPE_CHECKING:
    from sim.model.incidents import Geography
    from sim.network import RoadNetwork
    from sim.scenario import Scenario


def facility_counties(
    geography: Geography, lon: np.ndarray, lat: np.ndarray, fallback: list[str | None]
) -> list[str]:
    """County (unit of the region) of each facility: the polygon that holds it, else the
    county its location names, else the county of the nearest town seat."""
    out: list[str] = []
    for j, (x, y) in enumerate(zip(lon, lat, strict=True)):
        hit = next(
            (
                name
                for name, poly in geography.county_polygons.items()
                if shapely.contains_xy(poly, x, y)
            ),
            None,
        )
        if hit is None:
            hit = fallback[j]
        if hit is None:
            d = (geography.town_lon - x) ** 2 + (geography.town_lat - y) ** 2
            hit = geography.town_counties[int(np.argmin(d))]
        out.append(str(hit))
    return out


def _cover_moves(scenario: Scenario, fleet: Fleet, counties: list[str]) -> CoverMoves | None:
    spec = scenario.dispatch.cover
    if spec is None:
        return None
    k = fleet.type_names.index(spec.unit_type)
    ids = fleet.facility_ids
    has = np.zeros(len(ids), dtype=bool)
    units = fleet.units_of_type[k]
    has[fleet.unit_facility[units]] = True
    mutual = np.array([kind == "mutual_aid" for kind in fleet.facility_kinds], dtype=bool)
    if spec.stations is not None:
        protected = [ids.index(s) for s in spec.stations]
    else:
        protected = [f for f in range(len(ids)) if has[f] and not mutual[f]]
    group = np.full(len(ids), -1, dtype=np.int64)
    targets: list[int] = []
    if spec.scope == "station":
        for f in protected:
            group[f] = len(targets)
            targets.append(f)
        donor = np.arange(len(ids), dtype=np.int64)
    else:
        names = list(dict.fromkeys(counties))
        donor = np.array([names.index(c) for c in counties], dtype=np.int64)
        seen: dict[str, int] = {}
        for f in protected:  # the first listed station of a county receives its cover unit
            if counties[f] not in seen:
                seen[counties[f]] = len(targets)
                targets.append(f)
            group[f] = seen[counties[f]]
    return CoverMoves(
        unit_type=k,
        group_of_facility=group,
        target=np.array(targets, dtype=np.int64),
        donor_group=donor,
        donors_keep=spec.donors_keep,
        max_travel_s=spec.max_travel_min * 60.0,
        delay_s=spec.delay_min * 60.0,
    )


def build_dispatch_rules(
    scenario: Scenario,
    fleet: Fleet,
    net: RoadNetwork,
    geography: Geography,
    facility_lon: np.ndarray,
    facility_lat: np.ndarray,
) -> DispatchRules | None:
    """Return the scenario's dispatch rules, or None when ``dispatch:`` switches none on.

    The router is left out (`for_replication` adds one per replication).
    """
    d = scenario.dispatch
    if d.reassignment is None and d.cover is None and d.coverage is None:
        return None
    re = d.reassignment
    reassign = (
        Reassignment(
            returning=re.returning,
            divert=re.divert,
            max_priority=re.max_priority,
            min_priority_gap=re.min_priority_gap,
            min_gain_s=re.min_gain_min * 60.0,
        )
        if re is not None
        else None
    )
    coverage = None
    if d.coverage is not None:
        node, dist = net.nearest_nodes(geography.town_lon, geography.town_lat)
        coverage = CoveragePlan(
            unit_type=fleet.type_names.index(d.coverage.unit_type),
            threshold_s=d.coverage.threshold_h * 3600.0,
            town_node=np.asarray(node, dtype=np.int64),
            town_access_s=np.asarray(
                access_time_s(
                    np.asarray(dist, dtype=float),
                    scenario.access.speed_kph,
                    scenario.access.circuity,
                ),
                dtype=float,
            ),
            town_weight=np.asarray(geography.town_weight, dtype=float),
            horizon_s=float(scenario.horizon_days) * 86400.0,
        )
    cover = None
    if d.cover is not None:
        fallback = [f.location.county for f in scenario.facilities]
        counties = facility_counties(geography, facility_lon, facility_lat, fallback)
        cover = _cover_moves(scenario, fleet, counties)
    return DispatchRules(reassignment=reassign, cover=cover, coverage=coverage)


def for_replication(rules: DispatchRules | None, net: RoadNetwork) -> DispatchRules | None:
    """The rules with a router of their own (units on the road follow this replication's
    closures); None stays None."""
    if rules is None or not rules.positional:
        return rules
    return dataclasses.replace(rules, router=Router(net))
