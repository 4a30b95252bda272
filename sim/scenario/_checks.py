"""Cross-field checks on the raw scenario mapping and soft problems (warnings) of a valid one."""

from __future__ import annotations

from typing import Any

from sim import geo
from sim.results.measures import MEASURES, TargetFacts
from sim.scenario._messages import Loc, _suggest, _unknown
from sim.scenario.schema import (
    DEFAULT_PER_PERSON,
    DEFAULT_TRUCK_UNIT,
    RiverWhere,
    Scenario,
)

# --------------------------------------------------------------------------- cross-field checks


def _cross_problems(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Check references between sections on the raw mapping (tolerates malformed parts)."""
    problems: list[tuple[Loc, str]] = []
    unit_types = data.get("unit_types")
    ut_ids = [k for k in unit_types if isinstance(k, str)] if isinstance(unit_types, dict) else None
    incidents = data.get("incidents")
    incidents = incidents if isinstance(incidents, dict) else {}
    inc_ids = list(incidents)
    facilities = data.get("facilities")
    facilities = facilities if isinstance(facilities, list) else []
    relief = data.get("relief")
    relief = relief if isinstance(relief, dict) else {}
    per_person = relief.get("per_person_per_day") or relief.get("per_person", DEFAULT_PER_PERSON)
    items = list(per_person) if isinstance(per_person, dict) else None
    targets = data.get("targets")
    targets = targets if isinstance(targets, list) else []

    seen: dict[str, int] = {}
    for i, fac in enumerate(facilities):
        if not isinstance(fac, dict):
            continue
        fid = fac.get("id")
        if isinstance(fid, str):
            if fid in seen:
                problems.append(
                    (
                        ("facilities", i, "id"),
                        f"duplicate facility id {fid!r} (also facilities[{seen[fid]}])",
                    )
                )
            else:
                seen[fid] = i
        units = fac.get("units")
        if isinstance(units, dict) and ut_ids is not None:
            for key in units:
                if key not in ut_ids:
                    problems.append(
                        (("facilities", i, "units", key), _unknown("unit type", key, ut_ids))
                    )
        stock = fac.get("stock")
        if isinstance(stock, dict) and items is not None:
            for key in stock:
                if key not in items:
                    msg = (
                        f"stock item {key!r} is not in relief.per_person(_per_day) "
                        f"({_suggest(key, items)}defined: {', '.join(items) or 'none'})"
                    )
                    problems.append((("facilities", i, "stock", key), msg))

    needs_relief = []
    for name, inc in incidents.items():
        if not isinstance(inc, dict):
            continue
        units = inc.get("units")
        if isinstance(units, dict) and ut_ids is not None:
            for key in units:
                if key not in ut_ids:
                    problems.append(
                        (("incidents", name, "units", key), _unknown("unit type", key, ut_ids))
                    )
        fire = inc.get("fire")
        esc = fire.get("escalation") if isinstance(fire, dict) else None
        if isinstance(esc, dict) and isinstance(esc.get("units"), dict) and ut_ids is not None:
            for key in esc["units"]:
                if key not in ut_ids:
                    problems.append(
                        (
                            ("incidents", name, "fire", "escalation", "units", key),
                            _unknown("unit type", key, ut_ids),
                        )
                    )
        if inc.get("affected_people") is not None:
            needs_relief.append(name)
        elif units == {} and inc.get("air_mission") is None:
            msg = (
                "expected at least one unit type "
                "(only incidents with affected_people or an air_mission may have no units)"
            )
            problems.append((("incidents", name, "units"), msg))

    surge = data.get("surge")
    for j, ev in enumerate(surge if isinstance(surge, list) else []):
        if isinstance(ev, dict) and isinstance(ev.get("incidents"), dict):
            for key in ev["incidents"]:
                if key not in inc_ids:
                    problems.append(
                        (("surge", j, "incidents", key), _unknown("incident type", key, inc_ids))
                    )
    truck = relief.get("truck_unit", DEFAULT_TRUCK_UNIT)
    if needs_relief and isinstance(truck, str):
        # A truck without a capacity would carry nobody: the engine splits loads by it.
        for i, fac in enumerate(facilities):
            spec = (
                fac.get("units", {}).get(truck)
                if isinstance(fac, dict) and isinstance(fac.get("units"), dict)
                else None
            )
            if (
                isinstance(spec, dict)
                and spec.get("count") != 0
                and spec.get("capacity_people") is None
            ):
                msg = "required key is missing (relief trucks need it: people served per load)"
                problems.append((("facilities", i, "units", truck, "capacity_people"), msg))
    if needs_relief and isinstance(truck, str) and ut_ids is not None and truck not in ut_ids:
        msg = (
            f"unit type {truck!r} is not defined in unit_types, but relief is needed by "
            f"{', '.join(needs_relief)} (affected_people) ({_suggest(truck, ut_ids)}"
            f"defined: {', '.join(ut_ids) or 'none'})"
        )
        problems.append((("relief", "truck_unit"), msg))

    problems += _staffing_problems(data, facilities, ut_ids)
    problems += _air_problems(data, incidents, unit_types, ut_ids)

    seen_t: dict[str, int] = {}
    for i, tgt in enumerate(targets):
        if not isinstance(tgt, dict):
            continue
        tid = tgt.get("id")
        if isinstance(tid, str):
            if tid in seen_t:
                problems.append(
                    (
                        ("targets", i, "id"),
                        f"duplicate target id {tid!r} (also targets[{seen_t[tid]}])",
                    )
                )
            else:
                seen_t[tid] = i
        kinds = tgt.get("incident_types")
        if isinstance(kinds, list):
            for j, key in enumerate(kinds):
                if key not in inc_ids:
                    problems.append(
                        (
                            ("targets", i, "incident_types", j),
                            _unknown("incident type", key, inc_ids),
                        )
                    )
        name = tgt.get("measure")
        measure = MEASURES.get(name) if isinstance(name, str) else None
        if measure is not None:  # an unknown measure is reported by the schema
            facts = TargetFacts(incidents=incidents, unit_types=ut_ids, unknown=_unknown)
            problems += [
                (("targets", i, *path), msg) for path, msg in measure.target_problems(tgt, facts)
            ]
    return problems


def _mapping(x: Any) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def _staffing_problems(
    data: dict[str, Any], facilities: list[Any], ut_ids: list[str] | None
) -> list[tuple[Loc, str]]:
    """Staff at facilities refer to declared roles and rosters; staffed units have full crews."""
    problems: list[tuple[Loc, str]] = []
    staffing = data.get("staffing")
    roles = list(_mapping(_mapping(staffing).get("roles")))
    rosters = _mapping(_mapping(staffing).get("rosters"))
    unit_types = _mapping(data.get("unit_types"))
    for name, ut in unit_types.items():
        crew = _mapping(ut).get("crew_roles") if isinstance(ut, dict) else None
        for role in _mapping(crew):
            if staffing is None:
                msg = "crew roles need a top-level `staffing` section (roles and rosters)"
                problems.append((("unit_types", name, "crew_roles", role), msg))
            elif roles and role not in roles:
                problems.append(
                    (("unit_types", name, "crew_roles", role), _unknown("role", role, roles))
                )
    for i, fac in enumerate(facilities):
        if not isinstance(fac, dict):
            continue
        staff = _mapping(fac.get("staff"))
        if staff and staffing is None:
            msg = "staff need a top-level `staffing` section (roles and rosters)"
            problems.append((("facilities", i, "staff"), msg))
            continue
        if staff and fac.get("full_time_staff"):
            msg = (
                "give either staff or full_time_staff, not both: with staff, the firefighter "
                "ratio counts the posts of roles with counts_as_firefighter"
            )
            problems.append((("facilities", i, "full_time_staff"), msg))
        for role, spec in staff.items():
            if roles and role not in roles:
                problems.append((("facilities", i, "staff", role), _unknown("role", role, roles)))
            roster_id = _mapping(spec).get("roster")
            roster = rosters.get(roster_id) if isinstance(roster_id, str) else None
            if isinstance(roster_id, str) and rosters and roster is None:
                problems.append(
                    (
                        ("facilities", i, "staff", role, "roster"),
                        _unknown("roster", roster_id, list(rosters)),
                    )
                )
            per_shift = _mapping(spec).get("per_shift")
            shift_h = _mapping(roster).get("shift_h")
            if isinstance(per_shift, list) and isinstance(shift_h, (int, float)) and shift_h > 0:
                per_day = max(1, round(24 / shift_h)) if shift_h < 24 else 1
                if len(per_shift) != per_day:
                    msg = (
                        f"expected one number per shift of the day ({per_day} for shifts of "
                        f"{shift_h:g} h), got {len(per_shift)}"
                    )
                    problems.append((("facilities", i, "staff", role, "per_shift"), msg))
        units = _mapping(fac.get("units"))
        if not staff:
            for key, spec in units.items():
                if isinstance(spec, dict) and spec.get("crew_roles") is not None:
                    msg = "crew_roles only apply at facilities with staff (this one has none)"
                    problems.append((("facilities", i, "units", key, "crew_roles"), msg))
            continue
        for key, spec in units.items():
            if not isinstance(spec, dict) or spec.get("count") == 0:
                continue
            crew = spec.get("crew_roles")
            if crew is None:
                crew = _mapping(unit_types.get(key)).get("crew_roles")
            if not isinstance(crew, dict):
                if ut_ids is not None and key in ut_ids:
                    msg = (
                        "required key is missing (the facility has staff, so its units need "
                        "crew_roles here or on the unit type)"
                    )
                    problems.append((("facilities", i, "units", key, "crew_roles"), msg))
                continue
            for role in crew:
                if roles and role in roles and role not in staff:
                    msg = (
                        f"role {role!r} is not among this facility's staff "
                        f"({', '.join(staff) or 'none'}); these units could never leave"
                    )
                    problems.append((("facilities", i, "units", key, "crew_roles", role), msg))
                elif roles and role not in roles:
                    problems.append(
                        (
                            ("facilities", i, "units", key, "crew_roles", role),
                            _unknown("role", role, roles),
                        )
                    )
    return problems


def _is_air(unit_types: dict[str, Any], key: Any) -> bool:
    return isinstance(unit_types.get(key), dict) and unit_types[key].get("mode") == "air"


def _air_problems(
    data: dict[str, Any],
    incidents: dict[str, Any],
    unit_types: Any,
    ut_ids: list[str] | None,
) -> list[tuple[Loc, str]]:
    """Missions and fire scaling name aircraft; incidents outside the city need aircraft only."""
    problems: list[tuple[Loc, str]] = []
    uts = _mapping(unit_types)
    points = _mapping(data.get("aviation")).get("points")
    hospitals = [
        p
        for p in (points if isinstance(points, list) else [])
        if _mapping(p).get("kind") == "hospital"
    ]
    for name, inc in incidents.items():
        if not isinstance(inc, dict):
            continue
        units = _mapping(inc.get("units"))
        mission = inc.get("air_mission")
        if isinstance(mission, dict):
            ut = mission.get("unit_type")
            if isinstance(ut, str) and ut_ids is not None:
                if ut not in ut_ids:
                    problems.append(
                        (
                            ("incidents", name, "air_mission", "unit_type"),
                            _unknown("unit type", ut, ut_ids),
                        )
                    )
                elif not _is_air(uts, ut):
                    msg = f"expected an aircraft unit type (mode: air), got {ut!r}"
                    problems.append((("incidents", name, "air_mission", "unit_type"), msg))
                elif ut in units:
                    msg = (
                        f"{ut!r} is already in this type's units; a mission unit type is sent "
                        "only to the incidents that need it"
                    )
                    problems.append((("incidents", name, "air_mission", "unit_type"), msg))
            if mission.get("kind") == "medevac" and not hospitals:
                where = _mapping(inc.get("where"))
                if where.get("model") != "external":
                    msg = (
                        "medevac needs at least one aviation point of kind `hospital` "
                        "(aviation.points)"
                    )
                    problems.append((("incidents", name, "air_mission", "kind"), msg))
        fire = _mapping(inc.get("fire"))
        scaling = fire.get("air_scaling")
        if isinstance(scaling, dict) and ut_ids is not None:
            ut = scaling.get("unit_type")
            if isinstance(ut, str) and ut not in ut_ids:
                problems.append(
                    (
                        ("incidents", name, "fire", "air_scaling", "unit_type"),
                        _unknown("unit type", ut, ut_ids),
                    )
                )
            elif isinstance(ut, str) and not _is_air(uts, ut):
                msg = f"expected an aircraft unit type (mode: air), got {ut!r}"
                problems.append((("incidents", name, "fire", "air_scaling", "unit_type"), msg))
        where = _mapping(inc.get("where"))
        if where.get("model") == "external":
            for key in units:
                if ut_ids is not None and key in ut_ids and not _is_air(uts, key):
                    msg = (
                        f"incidents outside the city are reached by air only, but {key!r} "
                        "drives (mode: road)"
                    )
                    problems.append((("incidents", name, "units", key), msg))
            for key in ("affected_people", "fire", "disruption"):
                if inc.get(key) is not None:
                    msg = (
                        "not available for incidents outside the city (where: external): the "
                        "model has no roads, depots or forest there"
                    )
                    problems.append((("incidents", name, key), msg))
    return problems


# --------------------------------------------------------------------------- soft problems


def _soft_problems(s: Scenario) -> list[str]:
    """Return warnings for a valid scenario: needs no unit can meet, unknown river names."""
    out: list[str] = []
    totals: dict[str, int] = dict.fromkeys(s.unit_types, 0)
    for fac in s.facilities:
        for key, spec in fac.units.items():
            totals[key] += spec.count
            if spec.capacity_people is not None and key != s.relief.truck_unit:
                out.append(
                    f"facilities[{fac.id}].units.{key}.capacity_people: only relief trucks "
                    f"({s.relief.truck_unit!r}) carry people's relief; ignored"
                )
    for name, inc in s.incidents.items():
        for key in inc.units:
            if totals.get(key, 0) == 0:
                out.append(
                    f"incidents.{name}.units.{key}: no facility has a {key!r} unit; "
                    f"these incidents will stay unserved"
                )
    relief_needed = [n for n, inc in s.incidents.items() if inc.affected_people is not None]
    if relief_needed:
        truck = s.relief.truck_unit
        if totals.get(truck, 0) == 0:
            out.append(
                f"relief.truck_unit: no facility has a {truck!r} unit; relief for "
                f"{', '.join(relief_needed)} will never arrive"
            )
        key = "per_person_per_day" if s.relief.per_person_per_day is not None else "per_person"
        for item in s.relief.items:
            if sum(f.stock.get(item, 0) for f in s.facilities) == 0:
                out.append(f"relief.{key}.{item}: no facility stocks {item!r}")
    known = set(geo.river_lines())
    for name, inc in s.incidents.items():
        if isinstance(inc.where, RiverWhere) and inc.where.rivers:
            for river in inc.where.rivers:
                if not known:
                    out.append(
                        f"incidents.{name}.where.rivers: cannot check {river!r}: "
                        "sim/data/rivers.geojson has not been built"
                    )
                elif river not in known:
                    out.append(
                        f"incidents.{name}.where.rivers: unknown river {river!r} "
                        f"({_suggest(river, sorted(known))}known: {', '.join(sorted(known))})"
                    )
    return out
