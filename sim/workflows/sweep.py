"""``sweep``: run a scenario over a grid of settings (common random numbers) and size it.

Every point of the grid runs with the base scenario's seed and replications; the smallest
setting that meets each target with 95 % confidence is reported (`sim.analysis.sweep`).
With ``until_met`` one key is searched upward until the chosen targets are met.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.analysis.compare import county_equity, county_missed
from sim.analysis.sweep import (
    DEFAULT_MAX_STEPS,
    Point,
    all_time_targets_met,
    expand_grid,
    parse_set,
    parse_until,
    smallest_meeting,
)
from sim.errors import ScenarioError
from sim.model.compile import Prepared
from sim.output.plots import save
from sim.output.plots.compare import plot_county_maps, plot_sweep_targets
from sim.output.report import sweep_doc, write_doc
from sim.results.files import clean, fmt_cell, write_json
from sim.results.folder import fit_folder_name, maybe_results_folder, results_folder
from sim.results.measures import MEASURES
from sim.scenario import Scenario, dump_scenario_yaml, scenario_to_dict
from sim.workflows.common import Progress, check_run_options, load, simulate

#: Columns of ``sweep.csv`` after the point index and the swept keys.
CSV_TARGET_COLUMNS = (
    "target",
    "measure",
    "share",
    "ci95_low",
    "ci95_high",
    "value",
    "limit",
    "met",
    "met_95",
)
#: Target fields a sweep may vary; None in ``sweep.json["targets"]`` when it does.
REQUIREMENT_KEYS = tuple(dict.fromkeys(k for m in MEASURES.values() for k in m.requirement_keys()))
#: Fields of each point's targets kept in ``sweep.json``.
POINT_TARGET_KEYS = tuple(
    dict.fromkeys(
        (
            "label",
            "measure",
            "share",
            "ci95",
            "value",
            *REQUIREMENT_KEYS,
            "incident_types",
            "n_incidents",
            "met",
            "met_95",
            "per_replication",
            *(k for m in MEASURES.values() for k in m.extra_keys),
        )
    )
)


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What `sweep_scenario` produced.

    Attributes
    ----------
    sweep
        The ``sweep.json`` mapping.
    out_dir
        The results folder written, or None.
    wall_s
        Wall-clock time (s).
    """

    sweep: dict[str, Any]
    out_dir: Path | None
    wall_s: float


@dataclass(frozen=True, slots=True)
class _Evaluated:
    point: Point
    metrics: dict[str, Any]
    record: dict[str, Any]
    missed: dict[str, Any]
    prep: Prepared
    equity: dict[str, Any]


def default_out(name: str, keys: Sequence[str]) -> Path:
    """``results/sweep_<scenario>_<key>[_<key2>…]`` with folder-safe characters."""
    folder = "sweep_" + name + "_" + "_".join(keys)
    return Path("results") / fit_folder_name(re.sub(r"[^\w.\-]+", "_", folder, flags=re.UNICODE))


def point_record(pt: Point, metrics: dict[str, Any]) -> dict[str, Any]:
    """The per-point entry of ``sweep.json`` (targets keep their per-replication values)."""
    return {
        "index": pt.index,
        "label": pt.label,
        "setting": dict(pt.setting),
        "targets": {
            tid: {k: t[k] for k in POINT_TARGET_KEYS if k in t}
            for tid, t in metrics["targets"].items()
        },
        "units": metrics["run"]["units"],
        "warnings": list(pt.warnings),
        "incidents_per_replication_mean": metrics["run"]["incidents_per_replication_mean"],
    }


def sweep_scenario(
    path: str | Path,
    sets: Sequence[str],
    *,
    until_met: bool = False,
    targets: Sequence[str] | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
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
) -> SweepResult:
    """Run a scenario for every setting of a grid, or upward until targets are met.

    Parameters
    ----------
    path
        Base scenario file.
    sets
        ``KEY=V1,V2,...`` options (a grid over their product); with `until_met` exactly one
        ``KEY=START[:STEP]``.
    until_met
        Search upward from START in steps of STEP until the chosen targets are met with 95 %
        confidence, at most `max_steps` settings.
    targets
        Target ids that must be met (default: every time target); also reported together.
    max_steps
        Settings tried at most by `until_met`, START included.
    replications, seed, network
        Overrides of the base scenario.
    out, write, workers, dask, lang, plots, progress
        As for `sim.workflows.compare.compare_scenarios`.

    Returns
    -------
    result
        The ``sweep.json`` mapping and the folder.
    """
    t0 = time.perf_counter()
    check_run_options(workers=workers, dask=dask)
    if until_met:
        if len(sets) != 1:
            msg = f"--until-met searches one key, got {len(sets)} --set options"
            raise ScenarioError(msg)
        params = [parse_until(sets[0], max_steps)]
    else:
        params = [parse_set(s) for s in sets]
    base = load(path, replications=replications, seed=seed, network=network)
    known = [t.id for t in base.targets]
    chosen = list(dict.fromkeys(targets)) if targets else None
    for tid in chosen or []:
        if tid not in known:
            msg = f"--target {tid}: no such target in {path} (targets: {', '.join(known)})"
            raise ScenarioError(msg)
    updates = {"replications": base.replications, "seed": base.seed, "network": base.network}
    # Every point is validated before the first one runs: a bad path or value costs nothing.
    points = expand_grid(scenario_to_dict(base), params, source=str(path), updates=updates)
    folder = (out or default_out(base.name, [p.key for p in params])) if write else None
    # The folder is checked and locked before simulating: a bad path costs no simulation.
    with maybe_results_folder(folder, what="sweep results") as tmp:
        sweep, done, selected = _run_sweep(
            base,
            points,
            params,
            until_met=until_met,
            chosen=chosen,
            max_steps=max_steps,
            path=path,
            workers=workers,
            dask=dask,
            progress=progress,
        )
        if tmp is not None:
            write_sweep_files(tmp, sweep, done, base, selected, lang=lang, plots=plots)
    return SweepResult(sweep, folder, time.perf_counter() - t0)


def _run_sweep(
    base: Scenario,
    points: Sequence[Point],
    params: Sequence[Any],
    *,
    until_met: bool,
    chosen: list[str] | None,
    max_steps: int,
    path: str | Path,
    workers: int | None,
    dask: str | None,
    progress: Progress | None,
) -> tuple[dict[str, Any], list[_Evaluated], _Evaluated]:
    """Simulate the points; return sweep.json, the evaluated points and the one to detail."""
    done: list[_Evaluated] = []
    stopped = "max_steps"
    for pt in points:
        run = simulate(pt.scenario, label=pt.label, workers=workers, dask=dask, progress=progress)
        done.append(
            _Evaluated(
                point=pt,
                metrics=run.metrics,
                record=clean(point_record(pt, run.metrics)),
                missed=county_missed(run.table, run.prep.scenario),
                prep=run.prep,
                equity=county_equity(run.prep, run.table),
            )
        )
        if until_met and all_time_targets_met(run.metrics["targets"], chosen):
            stopped = "met"
            break
    records = [e.record for e in done]
    tids = [t.id for t in base.targets]
    if until_met:
        params_json = [{"key": params[0].key, "values": [e.point.setting[0][1] for e in done]}]
    else:
        params_json = [{"key": p.key, "values": list(p.values)} for p in params]
    sm = smallest_meeting(records, params, tids, selected=chosen)
    first = done[0].metrics["targets"]
    # A requirement the sweep varies (--set targets.X.threshold_h=...) has no single value.
    common: dict[str, dict[str, Any]] = {}
    for tid in tids:
        common[tid] = {}
        for k in REQUIREMENT_KEYS:
            vals = {json.dumps(r["targets"][tid].get(k)) for r in records}
            if k in first[tid]:
                common[tid][k] = first[tid][k] if len(vals) == 1 else None
    sweep: dict[str, Any] = {
        "scenario": base.name,
        "file": str(path),
        "seed": base.seed,
        "replications": base.replications,
        "mode": "until_met" if until_met else "grid",
        "parameters": params_json,
        "targets": {
            tid: {
                "label": first[tid]["label"],
                "measure": first[tid]["measure"],
                **(
                    {"incident_types": first[tid]["incident_types"]}
                    if "incident_types" in first[tid]
                    else {}
                ),
                **common[tid],
            }
            for tid in tids
        },
        "points": records,
        "stop_targets": chosen,
        "smallest_meeting": sm,
    }
    if until_met:
        p0 = params[0]
        sweep["until_met"] = {
            "start": p0.values[0],
            "step": (p0.values[1] - p0.values[0]) if len(p0.values) > 1 else None,
            "max_steps": max_steps,
            "stopped_because": stopped,
        }
    sweep = clean(sweep)
    # Equity table of the smallest setting meeting every time target (or the --target ones),
    # else of the last setting.
    all_met = sm["selected_targets" if chosen else "all_time_targets"]
    idx = len(done) - 1
    if all_met["met"]:
        first_ok = clean(all_met["settings"][0])
        idx = next(i for i, r in enumerate(records) if r["setting"] == first_ok)
    return sweep, done, done[idx]


def write_sweep_folder(
    out: Path,
    sweep: dict[str, Any],
    done: Sequence[_Evaluated],
    base: Scenario,
    selected: _Evaluated,
    *,
    lang: str,
    plots: bool,
) -> None:
    """Write the sweep results folder (complete or not at all, see `results_folder`)."""
    with results_folder(out, what="sweep results") as tmp:
        write_sweep_files(tmp, sweep, done, base, selected, lang=lang, plots=plots)


def write_sweep_files(
    tmp: Path,
    sweep: dict[str, Any],
    done: Sequence[_Evaluated],
    base: Scenario,
    selected: _Evaluated,
    *,
    lang: str,
    plots: bool,
) -> None:
    """Write sweep.json/csv, each point's metrics and scenario, charts and reports into `tmp`."""
    for e in done:
        sub = tmp / "points" / f"{e.point.index:02d}"
        sub.mkdir(parents=True)
        write_json(sub / "metrics.json", e.metrics)
        (sub / "scenario.yaml").write_text(dump_scenario_yaml(e.point.scenario), encoding="utf-8")
    write_csv(tmp / "sweep.csv", sweep)
    charts: list[Path] = []
    if plots:
        charts.append(save(plot_sweep_targets(sweep, lang=lang)[0], tmp / "sweep_targets.png"))
        missed = {pt["label"]: done[i].missed for i, pt in enumerate(sweep["points"])}
        region = base.study_region
        uzh, uen = region.unit_words
        title = (
            f"各设置下各{uzh}时间类指标未达标的事件比例（灰色斜线 = 无此类事件）"
            if lang == "zh"
            else f"Share of target incidents missing any time target, by {uen} and setting "
            "(hatched = no such incident)"
        )
        fig, _ = plot_county_maps(missed, lang=lang, title=title, region=region)
        charts.append(save(fig, tmp / "county_maps.png"))
    doc = sweep_doc(
        sweep,
        base,
        done[0].prep,
        done[0].metrics,
        (selected.record["label"], selected.equity, selected.prep.scenario),
        charts,
        lang=lang,
    )
    write_doc(doc, tmp)
    write_json(tmp / "sweep.json", sweep)


def write_csv(path: Path, sweep: dict[str, Any]) -> Path:
    """One row per setting and target: share (or value), CI, required, met."""
    keys = [p["key"] for p in sweep["parameters"]]
    rows = []
    for pt in sweep["points"]:
        for tid, t in pt["targets"].items():
            ci = t.get("ci95") or [None, None]
            rows.append(
                [
                    pt["index"],
                    *[pt["setting"][k] for k in keys],
                    tid,
                    t["measure"],
                    t.get("share"),
                    ci[0],
                    ci[1],
                    t.get("value"),
                    MEASURES[t["measure"]].limit(t),
                    t["met"],
                    t["met_95"],
                ]
            )
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(["point", *keys, *CSV_TARGET_COLUMNS]) + "\n")
        for row in rows:
            fh.write(",".join(_csv_quote(fmt_cell(v)) for v in row) + "\n")
    return path


def _csv_quote(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
