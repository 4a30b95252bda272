"""``size``: the cheapest staffing and aircraft configuration meeting the chosen targets.

Every configuration of a grid (``--vary KEY=V1,V2,…``, as `sweep`'s ``--set``) runs with the
base scenario's seed and replications (common random numbers). Configurations run in
increasing order of annual cost until one meets every chosen target with 95 % confidence
(`sim.analysis.sizing`); a few more run for the cost–performance frontier.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.analysis.resources import STAFFING_COLUMNS, annual_cost
from sim.analysis.sizing import (
    cheapest,
    feasible,
    frontier,
    largest_index,
    search_order,
    setting_label,
)
from sim.analysis.sweep import expand_grid, parse_set
from sim.errors import ScenarioError
from sim.output.plots import save
from sim.output.plots.sizing import plot_frontier
from sim.results.files import clean, fmt_cell, write_json, write_rows_csv
from sim.results.folder import results_folder
from sim.results.measures import MEASURES
from sim.scenario import dump_scenario_yaml, scenario_to_dict
from sim.workflows.common import Progress, load, simulate

#: Configurations run after the cheapest feasible one, for the frontier (default).
DEFAULT_BEYOND = 2
#: Columns of ``size.csv`` after the point index, evaluation order, swept keys and cost.
CSV_COLUMNS = ("target", "measure", "share", "ci95_low", "ci95_high", "value", "limit", "met_95")


@dataclass(frozen=True, slots=True)
class SizeResult:
    """What `size_scenario` produced.

    Attributes
    ----------
    size
        The ``size.json`` mapping.
    out_dir
        The results folder written, or None.
    wall_s
        Wall-clock time (s).
    """

    size: dict[str, Any]
    out_dir: Path | None
    wall_s: float


def default_out(name: str, keys: Sequence[str]) -> Path:
    """``results/size_<scenario>_<key>[_<key2>…]`` with folder-safe characters."""
    folder = "size_" + name + "_" + "_".join(k.split(".")[-2] for k in keys)
    return Path("results") / re.sub(r"[^\w.\-]+", "_", folder, flags=re.UNICODE)[:150]


def size_scenario(
    path: str | Path,
    varies: Sequence[str],
    *,
    targets: Sequence[str] | None = None,
    beyond: int = DEFAULT_BEYOND,
    exhaustive: bool = False,
    replications: int | None = None,
    seed: int | None = None,
    network: str | None = None,
    out: Path | None = None,
    write: bool = True,
    workers: int | None = None,
    dask: str | None = None,
    lang: str = "zh",
    plots: bool = True,
    progress: Progress | None = None,
) -> SizeResult:
    """Find the cheapest configuration of a grid that meets every chosen target.

    Parameters
    ----------
    path
        Base scenario file.
    varies
        ``KEY=V1,V2,...`` options (a grid over their product), e.g.
        ``facilities.regional_centre.units.helicopter.count=3,4,5``.
    targets
        Target ids to meet (default: every time target of the scenario).
    beyond
        Configurations run after the cheapest feasible one (frontier), in cost order.
    exhaustive
        Run every configuration (no early stop).
    replications, seed, network
        Overrides of the base scenario.
    out, write, workers, dask, lang, plots, progress
        As for `sim.workflows.sweep.sweep_scenario`.

    Returns
    -------
    result
        The ``size.json`` mapping and the folder written.
    """
    t0 = time.perf_counter()
    if beyond < 0:
        msg = f"--beyond must be >= 0, got {beyond}"
        raise ScenarioError(msg)
    params = [parse_set(v, "--vary") for v in varies]
    base = load(path, replications=replications, seed=seed, network=network)
    known = [t.id for t in base.targets]
    for tid in targets or []:
        if tid not in known:
            msg = f"--target {tid}: no such target in {path} (targets: {', '.join(known)})"
            raise ScenarioError(msg)
    chosen = (
        list(dict.fromkeys(targets))
        if targets
        else [t.id for t in base.targets if MEASURES[t.measure].per_incident]
    )
    if not chosen:
        msg = f"{path}: no time target to size for; name targets with --target"
        raise ScenarioError(msg)
    updates = {"replications": base.replications, "seed": base.seed, "network": base.network}
    points = expand_grid(
        scenario_to_dict(base), params, source=str(path), updates=updates, flag="--vary"
    )
    costs = [annual_cost(pt.scenario) for pt in points]
    totals = [c["total_per_year"] for c in costs]

    runs: dict[int, Any] = {}
    records: list[dict[str, Any]] = []

    def evaluate(k: int) -> dict[str, Any]:
        pt = points[k]
        run = simulate(pt.scenario, label=pt.label, workers=workers, dask=dask, progress=progress)
        runs[k] = run
        rec = {
            "index": k,
            "order": len(records),
            "label": setting_label(dict(pt.setting)),
            "setting": dict(pt.setting),
            "cost_per_year": totals[k],
            "costs": costs[k],
            "targets": {
                tid: {
                    key: t[key]
                    for key in (
                        "label", "measure", "share", "ci95", "value", "required_share",
                        "required_per_mille", "max_per_mille", "threshold_h", "met", "met_95",
                        "per_replication",
                    )
                    if key in t
                }
                for tid, t in run.metrics["targets"].items()
            },
            "feasible": feasible(run.metrics["targets"], chosen),
            "staffing": run.metrics.get("staffing", {}).get("by_role", {}),
            "aircraft": run.metrics.get("aircraft", {}),
            "warnings": list(pt.warnings),
        }  # fmt: skip
        records.append(clean(rec))
        return records[-1]

    order = search_order(totals)
    stopped = "exhaustive" if exhaustive else "none_feasible"
    if not exhaustive and not evaluate(largest_index(params))["feasible"]:
        stopped, order = "largest_fails", []
    remaining = -1  # configurations still to run after the cheapest feasible one
    for k in order:
        rec = next((r for r in records if r["index"] == k), None) or evaluate(k)
        if exhaustive:
            continue
        if remaining < 0 and rec["feasible"]:
            stopped, remaining = "found", beyond
        elif remaining > 0:
            remaining -= 1
        if remaining == 0:
            break
    evaluated = sorted(records, key=lambda r: (r["cost_per_year"], r["index"]))
    best = cheapest(evaluated)
    size: dict[str, Any] = {
        "scenario": base.name,
        "file": str(path),
        "seed": base.seed,
        "replications": base.replications,
        "parameters": [{"key": p.key, "values": list(p.values)} for p in params],
        "grid_points": len(points),
        "evaluated": len(records),
        "targets_chosen": chosen,
        "targets": {
            tid: {
                "label": records[0]["targets"][tid]["label"],
                "measure": records[0]["targets"][tid]["measure"],
            }
            | {
                k: records[0]["targets"][tid][k]
                for k in ("required_share", "required_per_mille", "max_per_mille", "threshold_h")
                if k in records[0]["targets"][tid]
            }
            for tid in chosen
        },
        "points": evaluated,
        "frontier": {
            tid: [evaluated[j]["index"] for j in frontier(evaluated, tid)] for tid in chosen
        },
        "cheapest": best,
        "stopped_because": stopped,
        "grid_costs": [
            {"index": k, "label": points[k].label, "cost_per_year": totals[k]}
            for k in search_order(totals)
        ],
    }
    size = clean(size)
    folder = (out or default_out(base.name, [p.key for p in params])) if write else None
    if folder is not None:
        chosen_run = runs[best["index"]] if best is not None else runs[records[-1]["index"]]
        write_size_folder(folder, size, runs, points, chosen_run, lang=lang, plots=plots)
    return SizeResult(size, folder, time.perf_counter() - t0)


def write_size_folder(
    out: Path,
    size: dict[str, Any],
    runs: dict[int, Any],
    points: Sequence[Any],
    chosen_run: Any,
    *,
    lang: str,
    plots: bool,
) -> None:
    """Write size.json/csv, staffing.csv of the chosen configuration, each point's metrics and
    scenario, and the frontier chart."""
    with results_folder(out, what="sizing results") as tmp:
        for k, run in runs.items():
            sub = tmp / "points" / f"{k:02d}"
            sub.mkdir(parents=True)
            write_json(sub / "metrics.json", run.metrics)
            (sub / "scenario.yaml").write_text(
                dump_scenario_yaml(points[k].scenario), encoding="utf-8"
            )
        write_csv(tmp / "size.csv", size)
        if chosen_run.staffing_rows:
            write_rows_csv(
                tmp / "staffing.csv",
                [dict(zip(STAFFING_COLUMNS, r, strict=True)) for r in chosen_run.staffing_rows],
                STAFFING_COLUMNS,
            )
        if plots:
            save(plot_frontier(size, lang=lang)[0], tmp / "frontier.png")
        write_json(tmp / "size.json", size)


def write_csv(path: Path, size: dict[str, Any]) -> Path:
    """One row per evaluated configuration and target: cost, estimate, CI, requirement, met."""
    keys = [p["key"] for p in size["parameters"]]
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(["point", "order", *keys, "cost_per_year", "feasible", *CSV_COLUMNS]))
        fh.write("\n")
        for pt in size["points"]:
            for tid, t in pt["targets"].items():
                ci = t.get("ci95") or [None, None]
                row = [
                    pt["index"],
                    pt["order"],
                    *[pt["setting"][k] for k in keys],
                    pt["cost_per_year"],
                    pt["feasible"],
                    tid,
                    t["measure"],
                    t.get("share"),
                    ci[0],
                    ci[1],
                    t.get("value"),
                    MEASURES[t["measure"]].limit(t),
                    t["met_95"],
                ]
                fh.write(",".join(_quote(fmt_cell(v)) for v in row) + "\n")
    return path


def _quote(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
