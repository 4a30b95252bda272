"""Staff, aircraft and costs of a run: ``metrics.json`` sections and the rows of ``staffing.csv``.

Pure numpy: replication results in, JSON-ready mappings out. Staff figures are person-hours
summed over replications and divided by the hours they cover, so ``on_duty_mean`` of an hour of
the day is the mean number of persons of a role on duty in that hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.model.compile import Prepared
from sim.model.replication import ReplicationResult
from sim.model.staffing import posts_by_role
from sim.scenario import Scenario

#: Columns of ``staffing.csv``.
STAFFING_COLUMNS = (
    "facility",
    "role",
    "hour",
    "required_on_duty",
    "on_duty_mean",
    "busy_mean",
    "utilisation",
    "posts",
    "overtime_h_per_year",
    "callback_h_per_year",
    "cost_per_year",
)


def annual_cost(scenario: Scenario) -> dict[str, Any]:
    """Cost per year of the units and staff posts of a scenario (yuan/yr).

    Units cost their type's ``cost_per_year``; posts their role's ``cost_per_post_per_year``.
    Types and roles without a cost count 0.
    """
    units: dict[str, float] = {}
    for fac in scenario.facilities:
        for tname, spec in fac.units.items():
            c = scenario.unit_types[tname].cost_per_year * spec.count
            if c:
                units[tname] = units.get(tname, 0.0) + c
    staff: dict[str, float] = {}
    roles = scenario.staffing.roles if scenario.staffing is not None else {}
    for role, n in posts_by_role(scenario).items():
        c = roles[role].cost_per_post_per_year * n
        if c:
            staff[role] = c
    total_units = float(sum(units.values()))
    total_staff = float(sum(staff.values()))
    return {
        "units_per_year": total_units,
        "staff_per_year": total_staff,
        "total_per_year": total_units + total_staff,
        "by_unit_type": units,
        "by_role": staff,
        "posts_by_role": posts_by_role(scenario),
    }


def _hour_counts(horizon_days: float) -> np.ndarray:
    """How many hours of each hour of the day the horizon holds (whole hours)."""
    hours = int(np.floor(float(horizon_days) * 24))
    return np.bincount(np.arange(hours) % 24, minlength=24).astype(float)


def _stacked(results: Sequence[ReplicationResult]) -> dict[str, np.ndarray] | None:
    stats = [r.staff for r in results if r.staff is not None]
    if not stats:
        return None
    return {k: np.sum([s[k] for s in stats], axis=0) for k in stats[0]}


def staffing_section(prep: Prepared, results: Sequence[ReplicationResult]) -> dict[str, Any]:
    """The ``staffing`` section of ``metrics.json`` (empty without staffing).

    By role and by facility: posts, mean persons rostered, on duty and busy (out with a unit),
    utilisation (busy / on duty), overtime and call-back person-hours per year, and cost.
    """
    plan = prep.staff
    tot = _stacked(results)
    if plan is None or tot is None:
        return {}
    sc = prep.scenario
    n = len(results)
    years = float(sc.horizon_days) / 365.25
    counts = _hour_counts(sc.horizon_days)
    hours = counts.sum() * n
    roles = plan.role_names

    def entry(mask_f: np.ndarray, r: int) -> dict[str, Any]:
        on = float(tot["on_duty_h"][mask_f, r].sum()) / hours
        busy = float(tot["busy_h"][mask_f, r].sum()) / hours
        posts = int(plan.posts[mask_f, r].sum())
        return {
            "posts": posts,
            "rostered_mean": float((plan.rostered_by_hour[mask_f, r] * counts).sum())
            / counts.sum(),
            "on_duty_mean": on,
            "busy_mean": busy,
            "utilisation": busy / on if on > 0 else None,
            "overtime_h_per_year": float(tot["overtime_h"][mask_f, r].sum()) / n / years,
            "callback_h_per_year": float(tot["callback_h"][mask_f, r].sum()) / n / years,
            "cost_per_year": posts * float(plan.role_cost_per_year[r]),
        }

    everywhere = np.ones(plan.posts.shape[0], dtype=bool)
    by_role = {
        roles[r]: entry(everywhere, r) for r in range(len(roles)) if plan.posts[:, r].sum() > 0
    }
    by_facility: dict[str, Any] = {}
    for f, fid in enumerate(prep.fleet.facility_ids):
        sel = np.zeros(plan.posts.shape[0], dtype=bool)
        sel[f] = True
        rows = {roles[r]: entry(sel, r) for r in range(len(roles)) if plan.posts[f, r] > 0}
        if rows:
            by_facility[fid] = rows
    return {
        "posts": int(plan.posts.sum()),
        "by_role": by_role,
        "by_facility": by_facility,
    }


def staffing_rows(prep: Prepared, results: Sequence[ReplicationResult]) -> list[list[Any]]:
    """Rows of ``staffing.csv``: per facility and role, one row per hour of the day and a
    total row (hour ``all``); columns `STAFFING_COLUMNS`."""
    plan = prep.staff
    tot = _stacked(results)
    if plan is None or tot is None:
        return []
    sc = prep.scenario
    n = len(results)
    years = float(sc.horizon_days) / 365.25
    counts = _hour_counts(sc.horizon_days)
    rows: list[list[Any]] = []
    for f, fid in enumerate(prep.fleet.facility_ids):
        for r, role in enumerate(plan.role_names):
            if plan.posts[f, r] == 0:
                continue
            on = tot["on_duty_h"][f, r] / (counts * n)
            busy = tot["busy_h"][f, r] / (counts * n)
            for h in range(24):
                util = busy[h] / on[h] if on[h] > 0 else None
                req = plan.rostered_by_hour[f, r, h]
                rows.append([fid, role, h, req, on[h], busy[h], util, None, None, None, None])
            on_all = float((tot["on_duty_h"][f, r]).sum() / (counts.sum() * n))
            busy_all = float((tot["busy_h"][f, r]).sum() / (counts.sum() * n))
            rows.append(
                [
                    fid,
                    role,
                    "all",
                    float((plan.rostered_by_hour[f, r] * counts).sum() / counts.sum()),
                    on_all,
                    busy_all,
                    busy_all / on_all if on_all > 0 else None,
                    int(plan.posts[f, r]),
                    float(tot["overtime_h"][f, r]) / n / years,
                    float(tot["callback_h"][f, r]) / n / years,
                    int(plan.posts[f, r]) * float(plan.role_cost_per_year[r]),
                ]
            )
    return rows


def aircraft_section(
    prep: Prepared, results: Sequence[ReplicationResult], table: dict[str, np.ndarray]
) -> dict[str, Any]:
    """The ``aircraft`` section of ``metrics.json`` (empty without aircraft rules).

    Per aircraft type: technical availability (share of the horizon serviceable), downtime,
    no-fly days, and helicopter missions asked for per year by kind.
    """
    if not prep.air_ops or not results or results[0].air is None:
        return {}
    sc = prep.scenario
    n = len(results)
    years = float(sc.horizon_days) / 365.25
    horizon_s = float(sc.horizon_days) * 86400.0
    down = np.stack([r.air["downtime_s"] for r in results if r.air is not None])
    out: dict[str, Any] = {}
    for k, tname in enumerate(prep.fleet.type_names):
        if sc.unit_types[tname].mode != "air":
            continue
        us = prep.fleet.units_of_type[k]
        if us.size == 0:
            continue
        d = down[:, us]
        out[tname] = {
            "units": int(us.size),
            "availability_mean": float(1.0 - d.mean() / horizon_s),
            "availability_by_replication": [float(1.0 - x / horizon_s) for x in d.mean(axis=1)],
            "downtime_days_per_unit_per_year": float(d.mean() / 86400.0 / years),
        }
    missions: dict[str, float] = {}
    if "air_mission" in table:
        kinds = np.asarray(table["air_mission"], dtype=object)
        for kind in sorted({str(x) for x in kinds if x}):
            missions[kind] = float((kinds == kind).sum() / n / years)
    no_fly = [float(r.air["no_fly_days"]) for r in results if r.air is not None]
    return {
        "by_unit_type": out,
        "no_fly_days_per_year": float(np.mean(no_fly) / years) if no_fly else 0.0,
        "missions_per_year": missions,
    }
