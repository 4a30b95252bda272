"""Summaries of replications: target compliance with confidence intervals, times, utilisation.

Pure numpy/scipy: per-incident columns in, a JSON-ready mapping out. Confidence intervals are
t-intervals over replications (each replication's share is one observation), the standard
approach for terminating simulations (Law, *Simulation Modeling and Analysis*, ch. 9).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.analysis.resources import aircraft_section, annual_cost, staffing_section
from sim.model.runner import Prepared, ReplicationResult
from sim.results.files import clean
from sim.results.measures import MEASURES, Context
from sim.results.schema import concat_tables
from sim.results.stats import distribution, mean_ci
from sim.scenario.schema import LEVEL_IDS


def context(prep: Prepared, replications: int) -> Context:
    """Return the run-level facts the measures need (population, staff, forest area, years)."""
    sc = prep.scenario
    return Context(
        replications=replications,
        horizon_days=float(sc.horizon_days),
        population=prep.population,
        full_time_staff=prep.full_time_staff,
        # the loader refuses a burn_ratio target in a region without a forest area
        forest_area_ha=prep.region.forest_area_ha or math.nan,
        fire_types=tuple(n for n, inc in sc.incidents.items() if inc.fire is not None),
    )


def evaluate_targets(
    prep: Prepared, table: Mapping[str, np.ndarray], replications: int
) -> dict[str, Any]:
    """Return the ``targets`` section of ``metrics.json``: each target evaluated by its measure."""
    ctx = context(prep, replications)
    return {
        tg.id: {"label": {"zh": tg.label.zh, "en": tg.label.en}, "measure": tg.measure}
        | MEASURES[tg.measure].evaluate(table, tg, ctx)
        for tg in prep.scenario.targets
    }


def summarise(prep: Prepared, results: Sequence[ReplicationResult]) -> dict[str, Any]:
    """Summarise replications into the `metrics.json` mapping.

    Parameters
    ----------
    prep
        The compiled scenario (targets, fleet, population).
    results
        Replication results in replication order.

    Returns
    -------
    metrics
        JSON-ready mapping: ``run``, ``targets``, ``response_times``, ``relief``,
        ``utilisation``, ``queue``, ``unserved``. No wall-clock values.
    """
    sc = prep.scenario
    n_rep = len(results)
    table = concat_tables([r.incidents for r in results])
    horizon_s = float(sc.horizon_days) * 86400.0

    targets = evaluate_targets(prep, table, n_rep)

    types = table["type"]
    needs_units = table["units_required"] > 0
    by_type: dict[str, Any] = {}
    for name in sc.incidents:
        m = types == name
        entry = {
            "incidents_per_year": float(m.sum() / n_rep / (sc.horizon_days / 365.25))
            if n_rep
            else 0.0,
            "first_arrival_h": distribution(table["first_arrival_h"][m & needs_units]),
            "all_arrived_h": distribution(table["all_arrived_h"][m & needs_units]),
        }
        if (table["affected_people"][m] > 0).any():
            entry["relief_h"] = distribution(table["relief_h"][m])
            entry["relief_done_h"] = distribution(table["relief_done_h"][m])
        modes = table["first_mode"][m & needs_units]
        entry["first_arrival_mode"] = {
            str(k): int((modes == k).sum()) for k in sorted({str(x) for x in modes}) if k
        }
        if np.isfinite(np.asarray(table["first_air_h"][m], dtype=float)).any():
            entry["first_ground_h"] = distribution(table["first_ground_h"][m & needs_units])
            entry["first_air_h"] = distribution(table["first_air_h"][m & needs_units])
        if sc.incidents[name].fire is not None:
            entry["detection_h"] = distribution(table["report_h"][m])
            entry["contained_h"] = distribution(table["contained_h"][m])
            entry["burned_ha"] = distribution(np.asarray(table["burned_ha"][m], dtype=float))
        if (table["boat_h"][m & needs_units] > 0).any():
            entry["boat_leg_share"] = float((table["first_mode"][m & needs_units] == "boat").mean())
        by_type[name] = entry
    by_county: dict[str, Any] = {}
    for county in sorted({str(c) for c in table["county"]}):
        m = (table["county"] == county) & needs_units
        by_county[county] = {"first_arrival_h": distribution(table["first_arrival_h"][m])}

    fleet = prep.fleet
    busy = np.stack([r.unit_busy_s for r in results]) if n_rep else np.zeros((0, fleet.n_units))
    trips = np.stack([r.unit_trips for r in results]) if n_rep else np.zeros((0, fleet.n_units))
    util_unit = busy.mean(axis=0) / horizon_s if fleet.n_units else np.zeros(0)
    by_unit_type = {}
    for k, tname in enumerate(fleet.type_names):
        us = fleet.units_of_type[k]
        if us.size == 0:
            continue
        lab = sc.unit_types[tname].label
        by_unit_type[tname] = {
            "label": {"zh": lab.zh, "en": lab.en},
            "units": int(us.size),
            "utilisation_mean": float(util_unit[us].mean()),
            "utilisation_max": float(util_unit[us].max()),
            "trips_per_unit_per_year": float(trips[:, us].mean() / (sc.horizon_days / 365.25)),
        }
        if sc.unit_types[tname].mode == "air":
            flight = np.stack([r.unit_flight_s for r in results])[:, us]
            by_unit_type[tname]["flight_hours_per_unit_per_year"] = float(
                flight.mean() / 3600.0 / (sc.horizon_days / 365.25)
            )
    by_facility = {}
    for f, fid in enumerate(fleet.facility_ids):
        us = np.flatnonzero(fleet.unit_facility == f)
        if us.size:
            by_facility[fid] = {
                "kind": fleet.facility_kinds[f],
                "units": int(us.size),
                "utilisation_mean": float(util_unit[us].mean()),
            }

    queued = table["queued"].astype(bool)
    queue: dict[str, Any] = {}
    for name in sc.incidents:
        m = (types == name) & needs_units
        if m.any():
            queue[name] = {
                "share_queued": float(queued[m].mean()),
                "wait_h": distribution(table["wait_h"][m & queued]),
            }

    unserved_mask = needs_units & np.isnan(table["first_arrival_h"])
    relief_mask = table["affected_people"] > 0
    unserved = {
        "incidents_without_any_arrival": int(unserved_mask.sum()),
        "incidents_without_full_complement": int(
            (needs_units & np.isnan(table["all_arrived_h"])).sum()
        ),
        "relief_never_arrived": int((relief_mask & np.isnan(table["relief_h"])).sum()),
        "relief_unmet_people": int(table["relief_unmet_people"].sum()),
        "by_type": {
            name: int((unserved_mask & (types == name)).sum())
            for name in sc.incidents
            if (unserved_mask & (types == name)).any()
        },
    }

    mutual_sections = {}
    if prep.mutual.any():
        used = np.asarray(table["mutual_aid_units"], dtype=float) > 0
        mutual_sections = {
            "units": int(prep.mutual.sum()),
            "incidents_using_mutual_aid": int(used.sum()),
            "share_of_incidents": float(used[needs_units].mean()) if needs_units.any() else 0.0,
            "by_type": {
                name: int((used & (types == name)).sum())
                for name in sc.incidents
                if (used & (types == name)).any()
            },
            "units_sent_per_year": float(
                np.asarray(table["mutual_aid_units"]).sum() / n_rep / (sc.horizon_days / 365.25)
            ),
        }
    isolation: dict[str, Any] = {}
    if any(r.isolation_h for r in results) or any(
        r.road_events.get("isolation_events") for r in results
    ):
        towns = sorted({t for r in results for t in r.isolation_h})
        isolation = {
            "towns": {
                t: {
                    "hours_per_year_mean": float(
                        sum(r.isolation_h.get(t, 0.0) for r in results)
                        / n_rep
                        / (sc.horizon_days / 365.25)
                    ),
                    "replications_with_isolation": int(
                        sum(1 for r in results if r.isolation_h.get(t, 0.0) > 0)
                    ),
                }
                for t in towns
            },
            "isolation_events_per_year": float(
                sum(r.road_events["isolation_events"] for r in results)
                / n_rep
                / (sc.horizon_days / 365.25)
            ),
        }
    road_events = (
        {k: int(sum(r.road_events.get(k, 0) for r in results)) for k in ("rerouted", "recalled")}
        if results and results[0].road_events
        else {}
    )

    dispatch = dispatch_section(prep, results, table)
    coverage = coverage_section(prep, results)
    staffing = staffing_section(prep, results)
    aircraft = aircraft_section(prep, results, table)
    costs = annual_cost(sc)

    n_inc = [int((table["replication"] == r).sum()) for r in range(n_rep)]
    relief_stats = {
        "events": int(relief_mask.sum()),
        "affected_people": int(table["affected_people"][relief_mask].sum()),
        "relief_h": distribution(table["relief_h"][relief_mask]),
        "relief_done_h": distribution(table["relief_done_h"][relief_mask]),
    }
    if prep.relief is not None and relief_mask.any():
        people = np.asarray(table["affected_people"], dtype=float)[relief_mask]
        unmet = np.asarray(table["relief_unmet_people"], dtype=float)[relief_mask]
        relief_stats["days_of_need"] = prep.relief.days_of_need
        relief_stats["days_of_need_met_mean"] = float(
            np.mean((people - unmet) / people) * prep.relief.days_of_need
        )
        relief_stats["share_of_need_met"] = float((people - unmet).sum() / people.sum())
        relief_stats["first_relief_by_air"] = int(
            np.asarray(table["relief_air"])[relief_mask].sum()
        )
    if prep.relief is not None and n_rep:
        start = prep.relief.stock.sum(axis=0)
        end = np.stack([r.final_stock.sum(axis=0) for r in results]).mean(axis=0)
        items = list(sc.relief.items)
        relief_stats["stock_start"] = {it: float(start[j]) for j, it in enumerate(items)}
        relief_stats["stock_end_mean"] = {it: float(end[j]) for j, it in enumerate(items)}

    return clean(
        {
            "run": {
                "scenario": sc.name,
                "seed": sc.seed,
                "replications": n_rep,
                "horizon_days": sc.horizon_days,
                "start_date": str(sc.start_date),
                "network": sc.network,
                "network_nodes": int(prep.net.n),
                "population": prep.population,
                "facilities": len(fleet.facility_ids),
                "units": fleet.n_units,
                "incidents_per_replication_mean": float(np.mean(n_inc)) if n_inc else 0.0,
            },
            "targets": targets,
            "response_times": {"by_type": by_type, "by_county": by_county},
            "relief": relief_stats,
            "utilisation": {"by_unit_type": by_unit_type, "by_facility": by_facility},
            "queue": queue,
            "unserved": unserved,
            **({"mutual_aid": mutual_sections} if mutual_sections else {}),
            **({"isolation": isolation} if isolation else {}),
            **({"road_events": road_events} if road_events else {}),
            **({"dispatch": dispatch} if dispatch else {}),
            **({"coverage": coverage} if coverage else {}),
            **({"staffing": staffing} if staffing else {}),
            **({"aircraft": aircraft} if aircraft else {}),
            **({"costs": costs} if costs["total_per_year"] > 0 else {}),
        }
    )


def coverage_section(prep: Prepared, results: Sequence[ReplicationResult]) -> dict[str, Any]:
    """The ``coverage`` section: share of the population within the threshold of an available
    unit, over the horizon (time-weighted) and by hour of day, with t-intervals over
    replications; empty without ``dispatch.coverage``."""
    spec = prep.scenario.dispatch.coverage
    rows = [r.coverage_by_hour for r in results if r.coverage_by_hour is not None]
    if spec is None or not rows:
        return {}
    by_hour = np.stack(rows)  # (replications, 24)
    share = np.nanmean(by_hour, axis=1)  # hours of the day weigh equally
    m, lo, hi = mean_ci(share.tolist(), bounds=(0.0, 1.0))
    hours = [mean_ci(by_hour[:, h].tolist(), bounds=(0.0, 1.0)) for h in range(24)]
    return {
        "unit_type": spec.unit_type,
        "threshold_h": spec.threshold_h,
        "share_mean": m,
        "ci95": [lo, hi],
        "per_replication": [float(x) for x in share],
        "by_hour": [h[0] for h in hours],
        "by_hour_ci95": [[h[1], h[2]] for h in hours],
        "min_hour": int(np.argmin([h[0] for h in hours])),
    }


def dispatch_section(
    prep: Prepared, results: Sequence[ReplicationResult], table: Mapping[str, np.ndarray]
) -> dict[str, Any]:
    """The ``dispatch`` section: what the command-centre rules did (per year) and the
    incidents by severity level; empty when no rule or level is on."""
    sc = prep.scenario
    years = len(results) * float(sc.horizon_days) / 365.25 if results else 1.0
    out: dict[str, Any] = {}
    counts = [r.dispatch_counts for r in results if r.dispatch_counts is not None]
    if counts:
        for key in ("reassigned", "diverted", "cover_moves"):
            out[f"{key}_per_year"] = float(sum(c.get(key, 0) for c in counts) / years)
    if "level" in table:
        types = np.asarray(table["type"])
        level = np.asarray(table["level"])
        final = np.asarray(table["level_final"])
        by_type: dict[str, Any] = {}
        for name, inc in sc.incidents.items():
            if not inc.levels:
                continue
            m = types == name
            by_type[name] = {
                "at_call_per_year": {
                    lv: float((level[m] == lv).sum() / years)
                    for lv in LEVEL_IDS
                    if lv in inc.levels
                },
                "final_per_year": {
                    lv: float((final[m] == lv).sum() / years)
                    for lv in LEVEL_IDS
                    if lv in inc.levels
                },
                "escalated_share": float((np.asarray(table["escalations"])[m] > 0).mean())
                if m.any()
                else 0.0,
            }
        out["levels"] = by_type
    return out
