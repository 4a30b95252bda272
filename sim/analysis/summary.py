"""Summaries of replications: target compliance with confidence intervals, times, utilisation.

Pure numpy/scipy: per-incident columns in, a JSON-ready mapping out. Confidence intervals are
t-intervals over replications (each replication's share is one observation), the standard
approach for terminating simulations (Law, *Simulation Modeling and Analysis*, ch. 9).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sim.model.runner import Prepared, ReplicationResult

TIME_COLUMNS = {
    "first_arrival": "first_arrival_h",
    "all_arrived": "all_arrived_h",
    "relief": "relief_h",
    "contained": "contained_h",
}


def time_column(target: Any) -> str:
    """Return the incidents-table column a time target is measured on."""
    if target.measure == "unit_arrival":
        return f"{target.unit_type}_arrival_h"
    return TIME_COLUMNS[target.measure]
PERCENTILES = (50, 90, 95)


def concat_tables(results: Sequence[ReplicationResult]) -> dict[str, np.ndarray]:
    """Stack the per-incident columns of all replications (replication order kept)."""
    keys = list(results[0].incidents)
    return {k: np.concatenate([np.asarray(r.incidents[k]) for r in results]) for k in keys}


def mean_ci(
    values: Sequence[float], level: float = 0.95, *, bounds: tuple[float, float] = (-math.inf, math.inf)
) -> tuple[float, float, float]:
    """Return (mean, low, high) of a t-interval; with one value the interval is the value.

    The interval is clipped to `bounds`, the range the quantity can take: [0, 1] for a share,
    [0, inf) for a non-negative ratio. Nothing else is clipped.
    """
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if x.size == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if x.size == 1:
        return (m, m, m)
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return (m, max(bounds[0], m - half), min(bounds[1], m + half))


def target_shares(table: dict[str, np.ndarray], target: Any, replications: int) -> dict[str, Any]:
    """Compute per-replication shares of incidents meeting a time target.

    An incident that never got the measured event (NaN: unserved, or relief never arrived)
    counts as missed: it is never dropped from the denominator.
    """
    col = table[time_column(target)]
    mask = np.isin(table["type"], list(target.incident_types))
    if target.measure == "relief":
        mask &= table["affected_people"] > 0
    met = np.zeros(col.size, dtype=bool)
    ok = mask & ~np.isnan(col)
    met[ok] = col[ok] < target.threshold_h
    rep = table["replication"]
    shares, counts = [], []
    for r in range(replications):
        sel = mask & (rep == r)
        n = int(sel.sum())
        counts.append(n)
        shares.append(float(met[sel].mean()) if n else math.nan)
    mean, lo, hi = mean_ci(shares, bounds=(0.0, 1.0))
    n_all = int(mask.sum())
    return {
        "share": mean,
        "ci95": [lo, hi],
        "share_pooled": float(met[mask].mean()) if n_all else math.nan,
        "n_incidents": n_all,
        "n_met": int(met[mask].sum()),
        "n_never": int((mask & np.isnan(col)).sum()),
        "per_replication": shares,
    }


def burn_ratio(prep: Prepared, table: dict[str, np.ndarray], target: Any, replications: int) -> dict[str, Any]:
    """Burned forest area per year over the forest area (‰), per replication, with a t-interval.

    Forest area = 74.52 % (2023 forest cover) of the study area: 1,372,137 ha for Shaoguan.
    """
    from sim.physics.fire import SHAOGUAN_FOREST_HA

    sc = prep.scenario
    kinds = list(target.incident_types or [n for n, inc in sc.incidents.items() if inc.fire is not None])
    mask = np.isin(table["type"], kinds)
    years = float(sc.horizon_days) / 365.25
    burned = np.nan_to_num(np.asarray(table["burned_ha"], dtype=float), nan=0.0)
    per_rep = [
        float(burned[mask & (table["replication"] == r)].sum()) / years / SHAOGUAN_FOREST_HA * 1000.0
        for r in range(replications)
    ]
    mean, lo, hi = mean_ci(per_rep, bounds=(0.0, math.inf))
    return {
        "incident_types": kinds,
        "value": mean,
        "unit": "per_mille_per_year",
        "ci95": [lo, hi],
        "max_per_mille": target.max_per_mille,
        "burned_ha_per_year": mean * SHAOGUAN_FOREST_HA / 1000.0,
        "forest_area_ha": SHAOGUAN_FOREST_HA,
        "per_replication": per_rep,
        "met": bool(mean <= target.max_per_mille),
        "met_95": bool(hi <= target.max_per_mille),
    }


def _pct(x: np.ndarray) -> dict[str, Any]:
    served = x[~np.isnan(x)]
    out: dict[str, Any] = {"n": int(x.size), "n_without": int(x.size - served.size)}
    if served.size:
        out["mean"] = float(served.mean())
        for p in PERCENTILES:
            out[f"p{p}"] = float(np.percentile(served, p))
        out["max"] = float(served.max())
    return out


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
    table = concat_tables(results)
    horizon_s = float(sc.horizon_days) * 86400.0

    targets: dict[str, Any] = {}
    for tg in sc.targets:
        entry: dict[str, Any] = {"label": {"zh": tg.label.zh, "en": tg.label.en}, "measure": tg.measure}
        if tg.measure == "burn_ratio":
            entry |= burn_ratio(prep, table, tg, n_rep)
        elif tg.measure == "firefighter_ratio":
            value = prep.full_time_staff / prep.population * 1000.0
            entry |= {
                "value": value,
                "unit": "per_mille",
                "ci95": [value, value],
                "required_per_mille": tg.required_per_mille,
                "full_time_staff": prep.full_time_staff,
                "population": prep.population,
                "met": bool(value >= tg.required_per_mille),
                "met_95": bool(value >= tg.required_per_mille),
            }
        else:
            s = target_shares(table, tg, n_rep)
            entry |= {
                "incident_types": list(tg.incident_types),
                "threshold_h": tg.threshold_h,
                "required_share": tg.required_share,
                **s,
                "met": bool(s["share"] >= tg.required_share) if not math.isnan(s["share"]) else False,
                "met_95": bool(s["ci95"][0] >= tg.required_share) if not math.isnan(s["share"]) else False,
            }
        targets[tg.id] = entry

    types = table["type"]
    needs_units = table["units_required"] > 0
    by_type: dict[str, Any] = {}
    for name in sc.incidents:
        m = types == name
        entry = {
            "incidents_per_year": float(m.sum() / n_rep / (sc.horizon_days / 365.25)) if n_rep else 0.0,
            "first_arrival_h": _pct(table["first_arrival_h"][m & needs_units]),
            "all_arrived_h": _pct(table["all_arrived_h"][m & needs_units]),
        }
        if (table["affected_people"][m] > 0).any():
            entry["relief_h"] = _pct(table["relief_h"][m])
        modes = table["first_mode"][m & needs_units]
        entry["first_arrival_mode"] = {str(k): int((modes == k).sum()) for k in sorted({str(x) for x in modes}) if k}
        if np.isfinite(np.asarray(table["first_air_h"][m], dtype=float)).any():
            entry["first_ground_h"] = _pct(table["first_ground_h"][m & needs_units])
            entry["first_air_h"] = _pct(table["first_air_h"][m & needs_units])
        if sc.incidents[name].fire is not None:
            entry["detection_h"] = _pct(table["report_h"][m])
            entry["contained_h"] = _pct(table["contained_h"][m])
            entry["burned_ha"] = _pct(np.asarray(table["burned_ha"][m], dtype=float))
        if (table["boat_h"][m & needs_units] > 0).any():
            entry["boat_leg_share"] = float((table["first_mode"][m & needs_units] == "boat").mean())
        by_type[name] = entry
    by_county: dict[str, Any] = {}
    for county in sorted({str(c) for c in table["county"]}):
        m = (table["county"] == county) & needs_units
        by_county[county] = {"first_arrival_h": _pct(table["first_arrival_h"][m])}

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
                "wait_h": _pct(table["wait_h"][m & queued]),
            }

    unserved_mask = needs_units & np.isnan(table["first_arrival_h"])
    relief_mask = table["affected_people"] > 0
    unserved = {
        "incidents_without_any_arrival": int(unserved_mask.sum()),
        "incidents_without_full_complement": int((needs_units & np.isnan(table["all_arrived_h"])).sum()),
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
            "by_type": {name: int((used & (types == name)).sum()) for name in sc.incidents if (used & (types == name)).any()},
            "units_sent_per_year": float(np.asarray(table["mutual_aid_units"]).sum() / n_rep / (sc.horizon_days / 365.25)),
        }
    isolation: dict[str, Any] = {}
    if any(r.isolation_h for r in results) or any(r.road_events.get("isolation_events") for r in results):
        towns = sorted({t for r in results for t in r.isolation_h})
        isolation = {
            "towns": {
                t: {
                    "hours_per_year_mean": float(sum(r.isolation_h.get(t, 0.0) for r in results) / n_rep / (sc.horizon_days / 365.25)),
                    "replications_with_isolation": int(sum(1 for r in results if r.isolation_h.get(t, 0.0) > 0)),
                }
                for t in towns
            },
            "isolation_events_per_year": float(sum(r.road_events["isolation_events"] for r in results) / n_rep / (sc.horizon_days / 365.25)),
        }
    road_events = {
        k: int(sum(r.road_events.get(k, 0) for r in results)) for k in ("rerouted", "recalled")
    } if results and results[0].road_events else {}

    n_inc = [int((table["replication"] == r).sum()) for r in range(n_rep)]
    relief_stats = {
        "events": int(relief_mask.sum()),
        "affected_people": int(table["affected_people"][relief_mask].sum()),
        "relief_h": _pct(table["relief_h"][relief_mask]),
    }
    if prep.relief is not None and relief_mask.any():
        people = np.asarray(table["affected_people"], dtype=float)[relief_mask]
        unmet = np.asarray(table["relief_unmet_people"], dtype=float)[relief_mask]
        relief_stats["days_of_need"] = prep.relief.days_of_need
        relief_stats["days_of_need_met_mean"] = float(np.mean((people - unmet) / people) * prep.relief.days_of_need)
        relief_stats["share_of_need_met"] = float((people - unmet).sum() / people.sum())
        relief_stats["first_relief_by_air"] = int(np.asarray(table["relief_air"])[relief_mask].sum())
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
        }
    )


def clean(x: Any) -> Any:
    """Round floats to 6 decimals, map NaN/inf to None and −0.0 to 0.0 (stable, valid JSON)."""
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return round(v, 6) + 0.0 if math.isfinite(v) else None
    return x
