"""Cross-field checks on the raw scenario mapping and soft problems (warnings) of a valid one."""

from __future__ import annotations

from typing import Any

from sim.geo import Region
from sim.results.measures import MEASURES, TargetFacts
from sim.scenario._messages import Loc, _suggest, _unknown
from sim.scenario.schema import (
    DEFAULT_PER_PERSON,
    DEFAULT_TRUCK_UNIT,
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
        elif units == {}:
            msg = (
                "expected at least one unit type "
                "(only incidents with affected_people may have no units)"
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
