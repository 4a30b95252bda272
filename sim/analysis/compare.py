"""Paired comparison of scenarios run with common random numbers, and per-county equity tables.

Every scenario in a comparison runs with the same seed and replications, so replication ``r``
of each scenario sees the same incidents (see `sim.incidents.stream`). A difference between two
scenarios is therefore estimated from the paired per-replication differences
``d_r = x_X,r − x_A,r`` with a t-interval over replications (Law, *Simulation Modeling and
Analysis*, §10.2 "paired-t confidence interval"). A scenario compared with itself gives exactly
``d_r = 0``, hence a difference of 0 with the interval [0, 0].

Pure numpy/scipy: per-incident columns and metrics in, JSON-ready mappings out; no files, no
plotting.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.model.runner import Prepared
from sim.results.files import clean
from sim.results.measures import MEASURES, TimeShare, per_incident_targets
from sim.results.stats import paired_difference, verdict
from sim.scenario import Scenario, Target

#: Percentile reported per incident type and county (first-arrival hours).
P_HIGH = 90
#: A town counts as "beyond the target" when fewer than this share of its incidents met it.
TOWN_MET_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    """One simulated scenario of a comparison or sweep point (kept in memory, not written)."""

    label: str
    source: str
    prep: Prepared
    metrics: dict[str, Any]
    table: dict[str, np.ndarray]
    staffing_rows: tuple[tuple[Any, ...], ...] = ()
    """Rows of ``staffing.csv`` (`sim.analysis.resources.STAFFING_COLUMNS`); empty without staff."""
    trips: dict[str, np.ndarray] | None = None
    """The per-trip log of every replication (columns of ``trips.csv``)."""


# --------------------------------------------------------------------------- small helpers


def distinct_labels(names: Sequence[str], sources: Sequence[str]) -> list[str]:
    """Return one distinct, folder-safe label per scenario.

    The scenario ``name`` is used; names given more than once get the file stem appended
    (``name@stem``) and, if still equal, their position (``name@stem-2``).
    """
    safe = [re.sub(r"[^\w.\-]+", "_", n, flags=re.UNICODE).strip("_") or "scenario" for n in names]
    counts: dict[str, int] = {}
    for s in safe:
        counts[s] = counts.get(s, 0) + 1
    out = []
    for s, src in zip(safe, sources, strict=True):
        stem = re.sub(r"[^\w.\-]+", "_", Path(src).stem, flags=re.UNICODE) or "file"
        out.append(s if counts[s] == 1 else (s if s == stem else f"{s}@{stem}"))
    seen: dict[str, int] = {}
    final = []
    for lab in out:
        seen[lab] = seen.get(lab, 0) + 1
        final.append(lab if seen[lab] == 1 else f"{lab}-{seen[lab]}")
    return final


def any_target_missed(
    table: Mapping[str, np.ndarray], scenario: Scenario
) -> tuple[np.ndarray, np.ndarray]:
    """Return (relevant, missed): incidents covered by a time target, and which missed one.

    ``missed`` is true where any of the incident's time targets was missed.
    """
    n = len(table["type"])
    relevant = np.zeros(n, dtype=bool)
    missed = np.zeros(n, dtype=bool)
    for tg in per_incident_targets(scenario.targets):
        measure = _time_measure(tg)
        m = measure.mask(table, tg)
        relevant |= m
        missed |= m & ~measure.met_by_incident(table, tg)
    return relevant, missed


# --------------------------------------------------------------------------- per-county equity


def incident_town_index(
    table: Mapping[str, np.ndarray],
    town_names: Sequence[str],
    town_lon: np.ndarray,
    town_lat: np.ndarray,
) -> np.ndarray:
    """Index of each incident's town in the geography.

    Matched by the ``town`` column; among namesakes, the town with the nearest seat.
    """
    by_name: dict[str, list[int]] = {}
    for i, name in enumerate(town_names):
        by_name.setdefault(str(name), []).append(i)
    names = np.asarray(table["town"]).astype(str)
    lon = np.asarray(table["lon"], dtype=float)
    lat = np.asarray(table["lat"], dtype=float)
    out = np.full(names.size, -1, dtype=np.int64)
    for name, idx in by_name.items():
        sel = names == name
        if not sel.any():
            continue
        if len(idx) == 1:
            out[sel] = idx[0]
            continue
        # Two towns share a name (大桥镇, 黄坑镇): the runner assigned the nearest seat.
        cand = np.asarray(idx)
        d = (lon[sel, None] - town_lon[cand][None, :]) ** 2 + (
            lat[sel, None] - town_lat[cand][None, :]
        ) ** 2
        out[sel] = cand[np.argmin(d, axis=1)]
    return out


def county_equity(prep: Prepared, table: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Per-county equity of the time targets.

    Parameters
    ----------
    prep
        Compiled scenario (targets, geography with town populations).
    table
        Per-incident columns of all replications.

    Returns
    -------
    equity
        ``{"counties": {county: {"population", "first_arrival_p90_h", "n_incidents",
        "targets": {target id: {...}}}}, "definition": {...}}``. Per target and county:
        ``n`` incidents (by the incident's county), ``p90_h`` (90th percentile of the target's
        measured time over incidents where it happened, hours), ``missed_share`` (share of the
        incidents that missed the threshold, never-reached counted as missed, pooled over
        replications), ``pop_beyond_share`` (share of the county's population living in towns
        where fewer than half of the target's incidents met the threshold) and
        ``pop_no_sample_share`` (share living in towns with no such incident in the simulation).

    Notes
    -----
    Town populations are those the incident generator uses: each county's 2020 census
    population split over its towns in proportion to their estimated populations
    (``sim/data/towns.csv``, DATA.md "Township populations"); an incident belongs to the town
    whose seat is nearest (the ``town`` column). Counties are the administrative units of the
    scenario's study region (`Prepared.region`: Shaoguan's counties in code order, or a loaded
    region's units in file order).
    """
    sc = prep.scenario
    g = prep.geography
    town_pop = np.asarray(g.town_weight, dtype=float)
    town_county = np.asarray(g.town_counties).astype(str)
    tidx = incident_town_index(table, g.town_names, np.asarray(g.town_lon), np.asarray(g.town_lat))
    inc_county = np.asarray(table["county"]).astype(str)
    needs_units = np.asarray(table["units_required"]) > 0
    fa = np.asarray(table["first_arrival_h"], dtype=float)
    targets = per_incident_targets(sc.targets)
    per_target = {
        tg.id: (
            _time_measure(tg).mask(table, tg),
            _time_measure(tg).met_by_incident(table, tg),
            np.asarray(table[_time_measure(tg).column(tg)], dtype=float),
        )
        for tg in targets
    }
    n_towns = len(g.town_names)
    town_stats = {}
    for tid, (mask, met, _x) in per_target.items():
        n_t = np.bincount(tidx[mask & (tidx >= 0)], minlength=n_towns)
        met_t = np.bincount(tidx[mask & met & (tidx >= 0)], minlength=n_towns)
        town_stats[tid] = (n_t, met_t)

    counties: dict[str, Any] = {}
    for c in prep.region.counties:
        in_c = town_county == c.name
        pop_c = float(town_pop[in_c].sum())
        m_c = inc_county == c.name
        served = fa[m_c & needs_units]
        served = served[~np.isnan(served)]
        entry: dict[str, Any] = {
            "population": round(pop_c),
            "n_incidents": int((m_c & needs_units).sum()),
            "first_arrival_p90_h": float(np.percentile(served, P_HIGH)) if served.size else None,
            "targets": {},
        }
        for tg in targets:
            mask, met, x = per_target[tg.id]
            sel = mask & m_c
            xs = x[sel]
            xs = xs[~np.isnan(xs)]
            n_t, met_t = town_stats[tg.id]
            sampled = in_c & (n_t > 0)
            beyond = sampled & (met_t < TOWN_MET_SHARE * n_t)
            entry["targets"][tg.id] = {
                "n": int(sel.sum()),
                "p90_h": float(np.percentile(xs, P_HIGH)) if xs.size else None,
                "missed_share": float(1.0 - met[sel].mean()) if sel.any() else None,
                "pop_beyond_share": float(town_pop[beyond].sum() / pop_c) if pop_c > 0 else None,
                "pop_no_sample_share": float(town_pop[in_c & ~sampled].sum() / pop_c)
                if pop_c > 0
                else None,
            }
        counties[c.name] = entry
    return clean({"counties": counties, "targets": [tg.id for tg in targets]})


def county_missed(table: Mapping[str, np.ndarray], scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Per county: ``n`` target-covered incidents and the ``share`` that missed a time target.

    ``share`` counts incidents that missed at least one time target; it is None if n = 0.
    Counties are the administrative units of the scenario's study region.
    """
    relevant, missed = any_target_missed(table, scenario)
    county = np.asarray(table["county"]).astype(str)
    out: dict[str, dict[str, Any]] = {}
    for c in scenario.study_region.counties:
        m = relevant & (county == c.name)
        out[c.name] = {"n": int(m.sum()), "share": float(missed[m].mean()) if m.any() else None}
    return out


# --------------------------------------------------------------------------- response times


def per_replication_times(
    table: Mapping[str, np.ndarray],
    incident_type: str,
    replications: int,
    column: str = "first_arrival_h",
) -> tuple[list[float], list[float]]:
    """Per-replication mean and 90th percentile (hours) of a time column for one incident type.

    Only incidents that need units and where the event happened are used (as in
    ``metrics.json``); a replication without any gives NaN.
    """
    x = np.asarray(table[column], dtype=float)
    m = (
        (np.asarray(table["type"]) == incident_type)
        & (np.asarray(table["units_required"]) > 0)
        & ~np.isnan(x)
    )
    rep = np.asarray(table["replication"])
    means, highs = [], []
    for r in range(replications):
        v = x[m & (rep == r)]
        means.append(float(v.mean()) if v.size else math.nan)
        highs.append(float(np.percentile(v, P_HIGH)) if v.size else math.nan)
    return means, highs


# --------------------------------------------------------------------------- comparison


def same_incidents(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios generate the same incidents (the common-random-numbers condition).

    Severity levels are left out: they are drawn on their own streams and change no call's
    time, place or on-scene time (`sim.model.severity`).
    """
    keys = (
        "seed",
        "replications",
        "horizon_days",
        "start_date",
        "population",
        "network",
        "access",
    )

    def calls(s: Scenario) -> dict[str, Any]:
        return {k: inc.model_copy(update={"levels": None}) for k, inc in s.incidents.items()}

    return all(getattr(a, k) == getattr(b, k) for k in keys) and calls(a) == calls(b)


def top_priority_types(scenario: Scenario) -> tuple[str, ...]:
    """Incident types of the most urgent type priority that ask for units (at the call, before
    severity levels), in file order."""
    prios = [inc.priority for inc in scenario.incidents.values() if inc.units]
    if not prios:
        return ()
    top = min(prios)
    return tuple(n for n, inc in scenario.incidents.items() if inc.units and inc.priority == top)


def per_replication_group_mean(
    table: Mapping[str, np.ndarray], types: Sequence[str], replications: int
) -> list[float]:
    """Per-replication mean first arrival (h) over the incidents of several types together."""
    x = np.asarray(table["first_arrival_h"], dtype=float)
    m = (
        np.isin(np.asarray(table["type"]), list(types))
        & (np.asarray(table["units_required"]) > 0)
        & ~np.isnan(x)
    )
    rep = np.asarray(table["replication"])
    out = []
    for r in range(replications):
        v = x[m & (rep == r)]
        out.append(float(v.mean()) if v.size else math.nan)
    return out


def dispatch_comparison(runs: Sequence[ScenarioRun]) -> dict[str, Any]:
    """The ``dispatch`` block of a comparison: mean first arrival of the reference's
    top-priority incident types, coverage over time (when every scenario reports it) with
    paired differences, and what the command-centre rules did per year. Empty when no scenario
    reports dispatch rules or coverage."""
    if not any("dispatch" in r.metrics or "coverage" in r.metrics for r in runs):
        return {}
    ref = runs[0]
    n_rep = int(ref.prep.scenario.replications)
    types = top_priority_types(ref.prep.scenario)
    means = {r.label: per_replication_group_mean(r.table, types, n_rep) for r in runs}
    top: dict[str, Any] = {"types": list(types), "by_scenario": {}, "diff_vs_reference": {}}
    for r in runs:
        v = np.asarray(means[r.label], dtype=float)
        top["by_scenario"][r.label] = {"mean_h": float(np.nanmean(v)) if v.size else None}
        d = paired_difference(means[r.label], means[ref.label])
        d["verdict"] = verdict(d, lower_better=True)
        top["diff_vs_reference"][r.label] = d
    out: dict[str, Any] = {"top_priority_first_arrival": top}
    cov: dict[str, Any] = {r.label: r.metrics.get("coverage") or {} for r in runs}
    if all(cov.values()):
        base = cov[ref.label]
        by_type = ref.metrics.get("utilisation", {}).get("by_unit_type", {})
        label = by_type.get(base["unit_type"], {}).get("label")
        block: dict[str, Any] = {
            "unit_type": base["unit_type"],
            # The unit type's label, as the run reports name it (the id when unknown).
            "unit_label": label or {"zh": base["unit_type"], "en": base["unit_type"]},
            "threshold_h": base["threshold_h"],
            "by_scenario": {
                lab: {"share_mean": c["share_mean"], "ci95": c["ci95"]} for lab, c in cov.items()
            },
            "diff_vs_reference": {},
        }
        for lab, c in cov.items():
            d = paired_difference(c["per_replication"], base["per_replication"])
            d["verdict"] = verdict(d, lower_better=False)
            block["diff_vs_reference"][lab] = d
        out["coverage"] = block
    out["actions_per_year"] = {
        r.label: {
            k: r.metrics.get("dispatch", {}).get(f"{k}_per_year", 0.0)
            for k in ("reassigned", "diverted", "cover_moves")
        }
        for r in runs
    }
    return out


def _time_measure(tg: Target) -> TimeShare:
    measure = MEASURES[tg.measure]
    assert isinstance(measure, TimeShare)
    return measure


def _target_block(run: ScenarioRun, tg: Target) -> dict[str, Any]:
    """A scenario's estimate of one target, as in its ``metrics.json`` entry."""
    m = run.metrics["targets"][tg.id]
    key = MEASURES[tg.measure].value_key
    return {
        key: m[key],
        "ci95": m["ci95"],
        "met": m["met"],
        "met_95": m["met_95"],
        **({"n_incidents": m["n_incidents"]} if "n_incidents" in m else {}),
        **{k: m[k] for k in MEASURES[tg.measure].extra_keys if k in m},
        "per_replication": m.get("per_replication"),
    }


def compare_runs(runs: Sequence[ScenarioRun]) -> dict[str, Any]:
    """Compare scenarios to the first one with paired per-replication differences.

    Parameters
    ----------
    runs
        Two or more simulated scenarios with the same seed and replications; the first is the
        reference.

    Returns
    -------
    comparison
        JSON-ready ``comparison.json`` mapping: ``scenarios``, ``reference``, ``targets`` (per
        target: each scenario's share or value with CI, and ``diff_vs_reference`` with the
        paired mean difference, its 95 % t-interval and the per-replication differences),
        ``response_times`` (per incident type: mean and P90 first arrival per scenario, paired
        differences), ``counties`` (per-county equity of each scenario) and ``notes``.
    """
    if len(runs) < 2:
        msg = f"a comparison needs at least two scenarios, got {len(runs)}"
        raise ValueError(msg)
    ref = runs[0]
    rsc = ref.prep.scenario
    n_rep = int(rsc.replications)
    notes = []
    for run in runs[1:]:
        if not same_incidents(rsc, run.prep.scenario):
            notes.append(
                f"{run.label}: incident model, horizon, population or network differ from "
                f"{ref.label}; incidents are not common random numbers and differences mix demand "
                "and resources"
            )

    scenarios = []
    for run in runs:
        s = run.prep.scenario
        title = {"zh": s.title.zh, "en": s.title.en} if s.title else {"zh": s.name, "en": s.name}
        scenarios.append(
            {
                "label": run.label,
                "name": s.name,
                "file": run.source,
                "title": title,
                "seed": s.seed,
                "replications": s.replications,
                "horizon_days": s.horizon_days,
                "facilities": len(s.facilities),
                "units": int(run.metrics["run"]["units"]),
                "full_time_staff": int(run.prep.full_time_staff),
            }
        )

    targets: dict[str, Any] = {}
    for tg in rsc.targets:
        measure = MEASURES[tg.measure]
        entry: dict[str, Any] = {
            "label": {"zh": tg.label.zh, "en": tg.label.en},
            "measure": tg.measure,
        }
        for key in measure.keys:
            value = getattr(tg, key)
            entry[key] = list(value or ()) if key == "incident_types" else value
        if isinstance(measure, TimeShare):
            entry["column"] = measure.column(tg)
        entry["lower_is_better"] = measure.lower_is_better
        by_sc: dict[str, Any] = {}
        for run in runs:
            other = {t.id: t for t in run.prep.scenario.targets}.get(tg.id)
            by_sc[run.label] = None if other is None else _target_block(run, other)
        base = by_sc[ref.label]
        diffs: dict[str, Any] = {}
        for run in runs:
            blk = by_sc[run.label]
            if blk is None:
                diffs[run.label] = None
            elif blk.get("per_replication") is None or base.get("per_replication") is None:
                # A ratio without sampling error (firefighters per mille): the plain difference.
                d = float(blk["value"]) - float(base["value"])
                diffs[run.label] = {
                    "diff": d,
                    "ci95": [d, d],
                    "n_pairs": None,
                    "significant": d != 0,
                    "per_replication": None,
                }
            else:
                diffs[run.label] = paired_difference(
                    blk["per_replication"], base["per_replication"]
                )
        for d in diffs.values():
            if d is not None:
                d["verdict"] = verdict(d, lower_better=measure.lower_is_better)
        entry["by_scenario"] = by_sc
        entry["diff_vs_reference"] = diffs
        targets[tg.id] = entry

    response: dict[str, Any] = {}
    for name, inc in rsc.incidents.items():
        if not inc.units:
            continue
        per = {run.label: per_replication_times(run.table, name, n_rep) for run in runs}
        by_sc = {}
        diffs = {}
        for run in runs:
            means, highs = per[run.label]
            summ = run.metrics["response_times"]["by_type"].get(name, {}).get("first_arrival_h", {})
            by_sc[run.label] = {
                "mean_h": summ.get("mean"),
                "p90_h": summ.get(f"p{P_HIGH}"),
                "n": summ.get("n"),
                "n_without": summ.get("n_without"),
            }
            diffs[run.label] = {
                "mean_h": paired_difference(means, per[ref.label][0]),
                "p90_h": paired_difference(highs, per[ref.label][1]),
            }
            for d in diffs[run.label].values():
                d["verdict"] = verdict(d, lower_better=True)
        response[name] = {
            "label": {"zh": inc.label.zh, "en": inc.label.en},
            "by_scenario": by_sc,
            "diff_vs_reference": diffs,
        }

    counties: dict[str, Any] = {}
    for run in runs:
        eq = county_equity(run.prep, run.table)
        miss = county_missed(run.table, run.prep.scenario)
        for cname, row in eq["counties"].items():
            counties.setdefault(cname, {})[run.label] = row | {
                "any_target_missed_share": miss[cname]["share"],
                "any_target_n": miss[cname]["n"],
            }

    dispatch = dispatch_comparison(runs)
    return clean(
        {
            "reference": ref.label,
            "seed": rsc.seed,
            "replications": n_rep,
            "method": "paired differences over replications with common random numbers; "
            "t-interval (95 %) of d_r = x_scenario,r - x_reference,r",
            "scenarios": scenarios,
            "targets": targets,
            "response_times": response,
            "counties": counties,
            **({"dispatch": dispatch} if dispatch else {}),
            "notes": notes,
        }
    )


def comparison_rows(comparison: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Flatten a comparison into tidy rows for ``comparison.csv``."""
    ref = comparison["reference"]
    rows: list[dict[str, Any]] = []

    def add(
        section: str,
        item: str,
        metric: str,
        label: str,
        blk: Mapping[str, Any] | None,
        value_key: str,
        diff: Mapping[str, Any] | None,
    ) -> None:
        ci = (blk or {}).get("ci95") or [None, None]
        dci = (diff or {}).get("ci95") or [None, None]
        rows.append(
            {
                "section": section,
                "item": item,
                "metric": metric,
                "scenario": label,
                "reference": ref,
                "value": (blk or {}).get(value_key),
                "ci95_low": ci[0],
                "ci95_high": ci[1],
                "diff_vs_reference": (diff or {}).get("diff"),
                "diff_ci95_low": dci[0],
                "diff_ci95_high": dci[1],
            }
        )

    for tid, t in comparison["targets"].items():
        key = MEASURES[t["measure"]].value_key
        for label, blk in t["by_scenario"].items():
            add("target", tid, key, label, blk, key, t["diff_vs_reference"][label])
    for name, r in comparison["response_times"].items():
        for label, blk in r["by_scenario"].items():
            for metric in ("mean_h", "p90_h"):
                add(
                    "first_arrival",
                    name,
                    metric,
                    label,
                    {metric: blk[metric]},
                    metric,
                    r["diff_vs_reference"][label][metric],
                )
    disp = comparison.get("dispatch", {})
    top = disp.get("top_priority_first_arrival")
    if top:
        for label, blk in top["by_scenario"].items():
            add(
                "dispatch",
                "top_priority",
                "first_arrival_mean_h",
                label,
                blk,
                "mean_h",
                top["diff_vs_reference"][label],
            )
    cov = disp.get("coverage")
    if cov:
        for label, blk in cov["by_scenario"].items():
            add(
                "dispatch",
                "coverage",
                "share_mean",
                label,
                blk,
                "share_mean",
                cov["diff_vs_reference"][label],
            )
    for label, acts in disp.get("actions_per_year", {}).items():
        for k, v in acts.items():
            add("dispatch", k, "per_year", label, {"v": v}, "v", None)
    for cname, by_sc in comparison["counties"].items():
        for label, row in by_sc.items():
            add(
                "county",
                cname,
                "first_arrival_p90_h",
                label,
                {"v": row["first_arrival_p90_h"]},
                "v",
                None,
            )
            add(
                "county",
                cname,
                "any_target_missed_share",
                label,
                {"v": row.get("any_target_missed_share")},
                "v",
                None,
            )
            for tid, t in row["targets"].items():
                for metric in ("missed_share", "pop_beyond_share"):
                    add("county", cname, f"{tid}.{metric}", label, {"v": t[metric]}, "v", None)
    return rows
