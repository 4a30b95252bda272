"""Cross-field checks on the raw scenario mapping and soft problems (warnings) of a valid one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sim.geo import Region
from sim.geo.shaoguan import farthest_from_seats_m
from sim.results.measures import MEASURES, TargetFacts
from sim.scenario._messages import Loc, _short, _suggest, _unknown
from sim.scenario.schema import (
    DEFAULT_PER_PERSON,
    DEFAULT_TRUCK_UNIT,
    MAX_INCIDENTS_PER_REPLICATION,
    MAX_INCIDENTS_PER_RUN,
    ForestWhere,
    RiverWhere,
    Scenario,
)

# --------------------------------------------------------------------------- cross-field checks


def _cross_problems(data: dict[str, Any], region: Region | None = None) -> list[tuple[Loc, str]]:
    """Check references between sections on the raw mapping (tolerates malformed parts).

    `region` is the scenario's loaded study region (None when its block is invalid, which is
    reported on its own); measures that need a fact of the region check it.
    """
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
                if isinstance(key, str) and key not in ut_ids:
                    problems.append(
                        (("facilities", i, "units", key), _unknown("unit type", key, ut_ids))
                    )
        stock = fac.get("stock")
        if isinstance(stock, dict) and items is not None:
            for key in stock:
                if isinstance(key, str) and key not in items:
                    msg = (
                        f"stock item {_short(key)} is not in relief.per_person(_per_day) "
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
                if isinstance(key, str) and key not in ut_ids:
                    problems.append(
                        (("incidents", name, "units", key), _unknown("unit type", key, ut_ids))
                    )
        fire = inc.get("fire")
        esc = fire.get("escalation") if isinstance(fire, dict) else None
        if isinstance(esc, dict) and isinstance(esc.get("units"), dict) and ut_ids is not None:
            for key in esc["units"]:
                if isinstance(key, str) and key not in ut_ids:
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
                if isinstance(key, str) and key not in inc_ids:
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
            f"{', '.join(map(str, needs_relief))} (affected_people) ({_suggest(truck, ut_ids)}"
            f"defined: {', '.join(ut_ids) or 'none'})"
        )
        problems.append((("relief", "truck_unit"), msg))

    problems += _staffing_problems(data, facilities, ut_ids)
    problems += _air_problems(data, incidents, unit_types, ut_ids)
    problems += _dispatch_problems(data, facilities, incidents, unit_types, ut_ids)

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
                if isinstance(key, str) and key not in inc_ids:  # else the schema reports it
                    problems.append(
                        (
                            ("targets", i, "incident_types", j),
                            _unknown("incident type", key, inc_ids),
                        )
                    )
        name = tgt.get("measure")
        measure = MEASURES.get(name) if isinstance(name, str) else None
        if measure is not None:  # an unknown measure is reported by the schema
            facts = TargetFacts(
                incidents=incidents,
                unit_types=ut_ids,
                unknown=_unknown,
                region=None if region is None else f"{region.name_en} ({region.name})",
                forest_area_ha=None if region is None else region.forest_area_ha,
            )
            problems += [
                (("targets", i, *path), msg) for path, msg in measure.target_problems(tgt, facts)
            ]
    return problems


# --------------------------------------------------------------------------- whole-scenario checks

#: Mean days per calendar month (February: 28.25), as the arrival sampler weights months.
_DAYS_IN_MONTH = (31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAYS_PER_YEAR = 365.25


def _month_days(start: date, horizon_days: float) -> list[float]:
    """Days of the horizon that fall in each calendar month (January first)."""
    days = [0.0] * 12
    d, done = start, 0.0
    while done < horizon_days:
        nxt = (d.replace(day=1) + timedelta(days=32)).replace(day=1)
        span = min(float((nxt - d).days), horizon_days - done)
        days[d.month - 1] += span
        done += span
        d = nxt
    return days


def expected_incidents(s: Scenario) -> float:
    """Expected incidents of one replication: rates over the horizon's months, plus surges.

    Seasonality weights each month as the arrival sampler does (a calendar year has mean 1);
    the hourly profile averages out over whole days.
    """
    month_days = _month_days(s.start_date, float(s.horizon_days))
    total = 0.0
    for inc in s.incidents.values():
        season = inc.seasonality
        year_mean = sum(w * d for w, d in zip(season, _DAYS_IN_MONTH, strict=True)) / sum(
            _DAYS_IN_MONTH
        )
        rate = (
            inc.rate.per_year
            if inc.rate.per_year is not None
            else (inc.rate.per_100k_per_year or 0.0) * s.population_total / 100_000
        )
        weighted_days = sum(w / year_mean * d for w, d in zip(season, month_days, strict=True))
        total += rate / _DAYS_PER_YEAR * weighted_days
    total += sum(sum(ev.incidents.values()) for ev in s.surge if ev.day < float(s.horizon_days))
    return total


def _model_problems(s: Scenario) -> list[tuple[Loc, str]]:
    """Problems only the validated scenario shows: its size, surges and forest sampling."""
    problems: list[tuple[Loc, str]] = []
    n = expected_incidents(s)
    if n > MAX_INCIDENTS_PER_REPLICATION:
        problems.append(
            (
                ("incidents",),
                f"expected at most {MAX_INCIDENTS_PER_REPLICATION:,} incidents per replication, "
                f"got about {n:,.0f} (rates and surges over horizon_days {s.horizon_days:g}); "
                "lower the rates or the horizon",
            )
        )
    elif n * s.replications > MAX_INCIDENTS_PER_RUN:
        problems.append(
            (
                ("replications",),
                f"expected at most {MAX_INCIDENTS_PER_RUN:,} incidents in the whole run, got about "
                f"{n * s.replications:,.0f} ({s.replications} replications × about {n:,.0f}); "
                "use fewer replications",
            )
        )
    for j, ev in enumerate(s.surge):
        if ev.day >= s.horizon_days:
            problems.append(
                (
                    ("surge", j, "day"),
                    f"expected a day before the end of the run (horizon_days {s.horizon_days:g}), "
                    f"got {ev.day:g}: the surge would add no incident",
                )
            )
    # Forest incidents are placed by rejection: away from every town seat by the minimum
    # distance. Where no such point exists the sampler would search for ever.
    for name, inc in s.incidents.items():
        if not isinstance(inc.where, ForestWhere) or not s.study_region.builtin:
            continue  # the bound is computed for the shipped Shaoguan towns only
        need = inc.where.min_distance_from_town_m
        areas: list[tuple[Loc, tuple[str, ...] | None, str]] = [
            (("incidents", name, "where", "min_distance_from_town_m"), inc.where.counties, "")
        ]
        areas += [
            (("surge", j, "counties"), ev.counties, f" (surge day {ev.day:g} sends {name!r} there)")
            for j, ev in enumerate(s.surge)
            if name in ev.incidents and ev.counties
        ]
        for loc, counties, why in areas:
            bound = farthest_from_seats_m(counties)
            if need > bound:
                where = ", ".join(counties) if counties else "Shaoguan"
                problems.append(
                    (
                        loc,
                        f"no point of {where} lies {need:,.0f} m from every town seat (at most "
                        f"about {bound:,.0f} m){why}; lower "
                        f"incidents.{name}.where.min_distance_from_town_m",
                    )
                )
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


def _dispatch_problems(
    data: dict[str, Any],
    facilities: list[Any],
    incidents: dict[str, Any],
    unit_types: Any,
    ut_ids: list[str] | None,
) -> list[tuple[Loc, str]]:
    """Severity levels and dispatch rules name defined unit types and facilities."""
    problems: list[tuple[Loc, str]] = []
    uts = _mapping(unit_types)
    for name, inc in incidents.items():
        levels = _mapping(_mapping(inc).get("levels"))
        if levels and _mapping(inc).get("fire") is not None:
            msg = (
                "not available for forest fires: their size is an outcome of the fire model "
                "(use fire.escalation for extended attack)"
            )
            problems.append((("incidents", name, "levels"), msg))
        for level, spec in levels.items():
            units = _mapping(spec).get("units")
            if isinstance(units, dict) and ut_ids is not None:
                for key in units:
                    if isinstance(key, str) and key not in ut_ids:
                        problems.append(
                            (
                                ("incidents", name, "levels", level, "units", key),
                                _unknown("unit type", key, ut_ids),
                            )
                        )
    dispatch = _mapping(data.get("dispatch"))
    fac_ids = [f.get("id") for f in facilities if isinstance(f, dict)]
    for section in ("cover", "coverage"):
        ut = _mapping(dispatch.get(section)).get("unit_type")
        if not isinstance(ut, str) or ut_ids is None:
            continue
        if ut not in ut_ids:
            problems.append(
                ((("dispatch", section, "unit_type")), _unknown("unit type", ut, ut_ids))
            )
        elif _is_air(uts, ut):
            msg = f"expected a road unit type (mode: road), got {ut!r} (an aircraft)"
            problems.append((("dispatch", section, "unit_type"), msg))
    cover = _mapping(dispatch.get("cover"))
    if cover and dispatch.get("coverage") is None:
        msg = (
            "cover moves need dispatch.coverage (the unit type and time a station's area is "
            "covered within)"
        )
        problems.append((("dispatch", "cover"), msg))
    coverage = _mapping(dispatch.get("coverage"))
    if cover and coverage and cover.get("unit_type") != coverage.get("unit_type"):
        msg = (
            f"expected the unit type of dispatch.coverage ({coverage.get('unit_type')!r}), got "
            f"{cover.get('unit_type')!r}"
        )
        problems.append((("dispatch", "cover", "unit_type"), msg))
    stations = cover.get("stations")
    ut = cover.get("unit_type")
    for j, fid in enumerate(stations if isinstance(stations, list) else []):
        if not isinstance(fid, str):
            continue
        if fid not in fac_ids:
            ids = [str(x) for x in fac_ids if isinstance(x, str)]
            problems.append((("dispatch", "cover", "stations", j), _unknown("facility", fid, ids)))
            continue
        fac = _mapping(facilities[fac_ids.index(fid)])
        spec = _mapping(_mapping(fac.get("units")).get(ut)) if isinstance(ut, str) else {}
        if isinstance(ut, str) and not spec.get("count"):
            msg = f"facility {fid!r} has no unit of type {ut!r} to keep covered"
            problems.append((("dispatch", "cover", "stations", j), msg))
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
    known = set(s.study_region.rivers)
    for name, inc in s.incidents.items():
        if isinstance(inc.where, RiverWhere) and inc.where.rivers:
            for river in inc.where.rivers:
                if not known:
                    out.append(
                        f"incidents.{name}.where.rivers: cannot check {river!r}: "
                        "the region has no rivers"
                    )
                elif river not in known:
                    out.append(
                        f"incidents.{name}.where.rivers: unknown river {river!r} "
                        f"({_suggest(river, sorted(known))}known: {', '.join(sorted(known))})"
                    )
    return out
