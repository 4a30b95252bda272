"""Scenario to placement model and back: demand weights, candidate sites, solve, new scenario."""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial import cKDTree

from sim import geo
from sim.analysis.placement.lscp import LSCP
from sim.analysis.placement.mclp import MCLP
from sim.analysis.placement.pcenter import PCenter
from sim.analysis.placement.pmedian import PMedian
from sim.errors import OptimizationError, PlaceError, ScenarioError
from sim.model.incidents import HOUR_S, generate_incidents
from sim.scenario import Scenario, scenario_to_dict

if TYPE_CHECKING:
    from sim.analysis.placement.base import PlacementResult
    from sim.model.runner import Prepared
    from sim.network import RoadNetwork

OBJECTIVES = ("pmedian", "mclp", "lscp", "pcenter")
#: Replications of the incident model averaged into the demand weights.
WEIGHT_REPLICATIONS = 20


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate site: a name, its position and its road node."""

    name: str
    county: str
    lon: float
    lat: float
    node: int
    town: str | None = None


@dataclass(frozen=True, slots=True)
class PlacementProblem:
    """Inputs of a placement model built from a scenario.

    Attributes
    ----------
    kind
        Facility kind being placed.
    candidates
        Candidate sites (existing facilities of the kind come first when kept fixed).
    demand_towns
        Names of the demand points (the study region's towns).
    demand_lon, demand_lat
        Their positions (WGS84 degrees; town names may repeat across units).
    demand_nodes
        Their road nodes.
    weights
        Expected demand per year at each demand point (incidents, or affected people for depots).
    weight_unit
        ``"incidents/yr"`` or ``"people/yr"``.
    cost_s
        Road travel time (s) from every candidate to every demand point, shape (C, D).
    fixed
        Candidate indices that stay open (existing facilities), empty with ``--relocate``.
    existing_ids
        Ids of the scenario's facilities of this kind.
    incident_types
        Incident types whose demand counts.
    """

    kind: str
    candidates: tuple[Candidate, ...]
    demand_towns: tuple[str, ...]
    demand_lon: np.ndarray
    demand_lat: np.ndarray
    demand_nodes: np.ndarray
    weights: np.ndarray
    weight_unit: str
    cost_s: np.ndarray
    fixed: tuple[int, ...]
    existing_ids: tuple[str, ...]
    incident_types: tuple[str, ...]


def relevant_incident_types(scenario: Scenario, kind: str) -> tuple[tuple[str, ...], bool]:
    """Return the incident types a facility kind serves, and whether demand is people (relief).

    Depots serve disasters with affected people; other kinds serve the incident types that
    require a unit type held by existing facilities of that kind.
    """
    if kind in {"depot", "village_store"}:
        kinds = tuple(n for n, inc in scenario.incidents.items() if inc.affected_people is not None)
        return kinds, True
    held = {
        t
        for f in scenario.facilities
        if f.kind == kind
        for t, spec in f.units.items()
        if spec.count > 0
    }
    kinds = tuple(n for n, inc in scenario.incidents.items() if held & set(inc.units))
    return kinds, False


def demand_weights(
    prep: Prepared, kinds: tuple[str, ...], *, people: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Expected yearly demand at each town, averaged over `WEIGHT_REPLICATIONS` incident draws.

    Each incident counts at the nearest town of the study region (`Prepared.region`).

    Returns
    -------
    town_index, weights
        Index into the region's towns of every town and its demand per year.
    """
    sc = prep.scenario
    towns = prep.region.towns
    lat0 = math.radians(prep.region.centre[1])
    tree = cKDTree(
        np.column_stack([[t.lon * math.cos(lat0) for t in towns], [t.lat for t in towns]])
    )
    w = np.zeros(len(towns))
    years = float(sc.horizon_days) / 365.25
    for r in range(WEIGHT_REPLICATIONS):
        inc = generate_incidents(sc, prep.geography, prep.population, r)
        sel = np.isin(np.asarray(inc.type_names)[inc.type_idx], kinds)
        if not sel.any():
            continue
        _, idx = tree.query(np.column_stack([inc.lon[sel] * math.cos(lat0), inc.lat[sel]]))
        np.add.at(w, idx, inc.people[sel] if people else 1.0)
    return np.arange(len(towns)), w / WEIGHT_REPLICATIONS / years


def town_candidates(net: RoadNetwork, region: geo.Region | None = None) -> list[Candidate]:
    """Every town of the study region as a candidate site (default Shaoguan's township seats)."""
    out = []
    for t in (region or geo.shaoguan_region()).towns:
        node, _ = net.nearest_nodes(t.lon, t.lat)
        out.append(
            Candidate(
                name=t.name, county=t.county, lon=t.lon, lat=t.lat, node=int(node), town=t.name
            )
        )
    return out


#: Most candidate sites read from a file.
MAX_CANDIDATES = 10_000


def file_candidates(
    path: Path, net: RoadNetwork, region: geo.Region | None = None
) -> list[Candidate]:
    """Candidates from a CSV with columns ``name,lon,lat`` or ``name,town`` (one site per row).

    Towns are looked up, and coordinates checked, in the study region (default Shaoguan).
    """
    region = region or geo.shaoguan_region()
    if not path.is_file():
        msg = f"{path}: candidate file not found"
        raise ScenarioError(msg)
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    except UnicodeDecodeError as e:
        msg = f"{path}: cannot read the file as UTF-8 text ({e.reason} at byte {e.start})"
        raise ScenarioError(msg) from e
    except (OSError, csv.Error) as e:
        msg = f"{path}: cannot read the candidate file ({e})"
        raise ScenarioError(msg) from e
    if not rows:
        msg = f"{path}: no candidate rows (expected columns name,lon,lat or name,town)"
        raise ScenarioError(msg)
    if len(rows) > MAX_CANDIDATES:
        # each candidate is a column of the travel-time matrix against every demand point
        msg = f"{path}: {len(rows):,} candidate rows, expected at most {MAX_CANDIDATES:,}"
        raise ScenarioError(msg)
    out = []
    for k, row in enumerate(rows, start=2):
        try:
            if row.get("town"):
                t = region.resolve_town(row["town"], county=row.get("county") or None)
                lon, lat, town, county = t.lon, t.lat, t.name, t.county
            else:
                lon, lat = float(row["lon"]), float(row["lat"])
                region.check_lonlat(lon, lat)
                town, county = None, ""
        except (KeyError, TypeError, ValueError, PlaceError) as e:
            msg = f"{path}: line {k}: expected name,lon,lat or name,town ({e})"
            raise ScenarioError(msg) from e
        node, _ = net.nearest_nodes(lon, lat)
        out.append(
            Candidate(
                name=row.get("name") or f"site{k}",
                county=county,
                lon=lon,
                lat=lat,
                node=int(node),
                town=town,
            )
        )
    return out


def build_problem(
    prep: Prepared, kind: str, *, candidates: list[Candidate], relocate: bool
) -> PlacementProblem:
    """Assemble weights, candidates (existing sites included) and the travel-time matrix."""
    sc = prep.scenario
    kinds, people = relevant_incident_types(sc, kind)
    if not kinds:
        msg = (
            f"optimize --kind {kind}: no incident type needs this kind of facility in {sc.name} "
            f"(depots serve incidents with affected_people; other kinds serve incident types "
            f"requiring the unit types their facilities hold)"
        )
        raise ScenarioError(msg)
    existing = [(i, f) for i, f in enumerate(sc.facilities) if f.kind == kind]
    net = prep.net
    cands: list[Candidate] = []
    fixed: list[int] = []
    for i, f in existing:
        node = int(prep.fleet.facility_node[i])
        cands.append(
            Candidate(
                name=f.name,
                county="",
                lon=float(prep.facility_lon[i]),
                lat=float(prep.facility_lat[i]),
                node=node,
                town=f.location.town,
            )
        )
        if not relocate:
            fixed.append(len(cands) - 1)
    taken = {c.node for c in cands} if not relocate else set()
    cands += [c for c in candidates if c.node not in taken]
    town_idx, w = demand_weights(prep, kinds, people=people)
    towns = prep.region.towns
    keep = w > 0
    d_nodes = np.array(
        [net.nearest_nodes(towns[k].lon, towns[k].lat)[0] for k in town_idx[keep]], dtype=np.int64
    )
    profile = _profile_of(sc, kind)
    nodes = np.array([c.node for c in cands], dtype=np.int64)
    cost = net.travel_time_matrix(nodes, profile=profile, targets=d_nodes)
    return PlacementProblem(
        kind=kind,
        candidates=tuple(cands),
        demand_towns=tuple(towns[k].name for k in town_idx[keep]),
        demand_lon=np.array([towns[k].lon for k in town_idx[keep]], dtype=float),
        demand_lat=np.array([towns[k].lat for k in town_idx[keep]], dtype=float),
        demand_nodes=d_nodes,
        weights=w[keep],
        weight_unit="people/yr" if people else "incidents/yr",
        cost_s=cost,
        fixed=tuple(fixed),
        existing_ids=tuple(f.id for _, f in existing),
        incident_types=kinds,
    )


def _profile_of(sc: Scenario, kind: str) -> str:
    if kind in {"depot", "village_store"}:
        truck = sc.unit_types.get(sc.relief.truck_unit)
        return truck.vehicle if truck is not None else "heavy"
    types = Counter(t for f in sc.facilities if f.kind == kind for t in f.units)
    if types:
        return sc.unit_types[types.most_common(1)[0][0]].vehicle
    return "heavy"


def solve(
    problem: PlacementProblem,
    objective: str,
    *,
    add: int,
    threshold_h: float | None,
    capacity: float | None,
    time_limit_s: float | None = None,
) -> PlacementResult:
    """Solve the chosen location model on the problem's matrix with HiGHS."""
    if objective in {"mclp", "lscp"} and threshold_h is None:
        msg = f"--objective {objective} needs --threshold-h (the coverage time in hours)"
        raise ScenarioError(msg)
    try:
        return _solve(
            problem,
            objective,
            add=add,
            threshold_h=threshold_h,
            capacity=capacity,
            time_limit_s=time_limit_s,
        )
    except OptimizationError as e:
        # Name the towns instead of matrix rows, so the planner sees where coverage fails.
        towns = problem.demand_towns
        msg = re.sub(r"demand point (\d+)", lambda m: f"{towns[int(m.group(1))]}", str(e))
        raise OptimizationError(msg) from e


def _solve(
    problem: PlacementProblem,
    objective: str,
    *,
    add: int,
    threshold_h: float | None,
    capacity: float | None,
    time_limit_s: float | None,
) -> PlacementResult:
    cost = problem.cost_s
    # `p` counts new sites on top of the fixed ones; relocating re-chooses the existing ones too.
    p = add if problem.fixed or not problem.existing_ids else add + len(problem.existing_ids)
    if objective == "pmedian":
        caps = None
        if capacity is not None:
            caps = np.full(len(problem.candidates), float(capacity))
        model: PMedian | MCLP | LSCP | PCenter = PMedian.from_cost_matrix(
            cost.T,
            problem.weights,
            p,
            fixed=problem.fixed,
            capacities=caps,
            demand=problem.weights if caps is not None else None,
        )
    elif objective == "mclp":
        assert threshold_h is not None  # checked above: mclp needs a threshold
        model = MCLP.from_cost_matrix(
            cost.T, problem.weights, float(threshold_h) * HOUR_S, p, fixed=problem.fixed
        )
    elif objective == "lscp":
        assert threshold_h is not None  # checked above: lscp needs a threshold
        model = LSCP.from_cost_matrix(cost.T, float(threshold_h) * HOUR_S, fixed=problem.fixed)
    elif objective == "pcenter":
        model = PCenter.from_cost_matrix(cost.T, p, fixed=problem.fixed)
    else:  # pragma: no cover - argparse restricts the choices
        msg = f"unknown objective {objective!r}"
        raise ScenarioError(msg)
    return model.solve(time_limit_s=time_limit_s)


def new_scenario_data(
    sc: Scenario,
    problem: PlacementProblem,
    result: PlacementResult,
    *,
    template: str | None,
    relocate: bool,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the scenario mapping with the chosen sites, and the list of added facilities.

    New sites copy the units, stock and staff of a template facility of the same kind (the given
    id, else the existing facility of that kind that appears most often in its configuration).
    With ``relocate`` the existing facilities of the kind are moved to the chosen sites instead.
    """
    data = scenario_to_dict(sc)
    facs = data["facilities"]
    same = [f for f in facs if f["kind"] == problem.kind]
    if template is not None:
        tpl = next((f for f in facs if f["id"] == template), None)
        if tpl is None:
            ids = ", ".join(f["id"] for f in same) or "none"
            msg = (
                f"--template {template!r}: no facility with that id "
                f"(facilities of kind {problem.kind}: {ids})"
            )
            raise ScenarioError(msg)
    elif same:
        key = Counter(repr((f.get("units"), f.get("stock"))) for f in same).most_common(1)[0][0]
        tpl = next(f for f in same if repr((f.get("units"), f.get("stock"))) == key)
    else:
        msg = f"no facility of kind {problem.kind!r} to copy units from: give --template ID"
        raise ScenarioError(msg)
    chosen = [k for k in result.selected if k not in problem.fixed]
    if relocate:
        data["facilities"] = [f for f in facs if f["kind"] != problem.kind]
        chosen = list(result.selected)
    added = []
    used = {f["id"] for f in data["facilities"]}
    for n, k in enumerate(chosen, start=1):
        c = problem.candidates[k]
        new = {key: v for key, v in tpl.items() if key not in {"id", "name", "location"}}
        fid = f"{problem.kind}_opt{n}"
        while fid in used:
            fid += "x"
        used.add(fid)
        new["id"] = fid
        new["name"] = f"{c.name}（优化选址 {problem.kind}）"
        new["location"] = (
            {"town": c.town, "county": c.county}
            if c.town and c.county
            else ({"town": c.town} if c.town else {"lon": round(c.lon, 6), "lat": round(c.lat, 6)})
        )
        data["facilities"].append(new)
        added.append({"id": fid, "site": c.name, "county": c.county, "lon": c.lon, "lat": c.lat})
    data["name"] = f"{sc.name}_opt_{problem.kind}"
    return data, added


def score_existing(problem: PlacementProblem) -> dict[str, float]:
    """Demand-weighted mean and worst travel time (h) from the existing sites alone."""
    if not problem.fixed:
        return {"mean_travel_time_h": float("nan"), "max_travel_time_h": float("nan")}
    best = problem.cost_s[list(problem.fixed)].min(axis=0)
    w = problem.weights
    finite = np.isfinite(best)
    return {
        "mean_travel_time_h": float((best[finite] * w[finite]).sum() / w[finite].sum() / 3600.0),
        "max_travel_time_h": float(best[finite].max() / 3600.0) if finite.any() else float("inf"),
    }


def placement_sites(
    problem: PlacementProblem,
    result: PlacementResult,
    added: list[dict[str, Any]],
    *,
    relocate: bool,
) -> list[dict[str, Any]]:
    """Every open site of the solution with what it serves, for the GeoPackage's placements.

    Parameters
    ----------
    problem, result
        The placement problem and its solution.
    added
        The facilities `new_scenario_data` added, in its order (their ids name the new sites).
    relocate
        Whether the existing sites were re-chosen (then every open site is new).

    Returns
    -------
    sites
        One mapping per open candidate: ``id``, ``name``, ``kind``, ``status`` (``existing`` or
        ``new``), ``unit``, ``lon``, ``lat``, ``demand_served`` (yearly demand assigned to it,
        in ``demand_unit``), ``demand_points``, ``mean_travel_time_h`` (demand-weighted) and
        ``max_travel_time_h`` to the demand it serves (NaN when it serves none).
    """
    chosen = (
        list(result.selected)
        if relocate
        else [k for k in result.selected if k not in problem.fixed]
    )
    new_ids = {k: a["id"] for k, a in zip(chosen, added, strict=True)}
    assignment = np.asarray(result.assignment)
    cost_h = np.asarray(result.assigned_cost, dtype=float) / HOUR_S
    w = problem.weights
    sites = []
    for k in result.selected:
        c = problem.candidates[k]
        mine = assignment == k
        served = float(w[mine].sum())
        sites.append(
            {
                "id": new_ids.get(k) or problem.existing_ids[k],
                "name": c.name,
                "kind": problem.kind,
                "status": "new" if k in new_ids else "existing",
                "unit": c.county,
                "lon": c.lon,
                "lat": c.lat,
                "demand_served": served,
                "demand_unit": problem.weight_unit,
                "demand_points": int(mine.sum()),
                "mean_travel_time_h": float((cost_h[mine] * w[mine]).sum() / served)
                if served > 0
                else float("nan"),
                "max_travel_time_h": float(cost_h[mine].max()) if mine.any() else float("nan"),
            }
        )
    return sites
