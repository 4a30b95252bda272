"""``sweep``: run a scenario over a grid of settings (common random numbers) and find the smallest that meets each target."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.run import add_common_options
from sim.analysis.sweep import DEFAULT_MAX_STEPS

if TYPE_CHECKING:
    from rich.console import Console

CSV_PREFIX = ("point",)
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
INCOMPLETE = "INCOMPLETE"
#: Target fields a sweep may vary; None in ``sweep.json["targets"]`` when it does.
REQUIREMENT_KEYS = ("threshold_h", "required_share", "required_per_mille", "max_per_mille")


def add_parser(sub: Any) -> None:
    """Register the ``sweep`` sub-command."""
    p = sub.add_parser(
        "sweep",
        help="run a scenario over a grid of settings and find the smallest that meets each target",
        description=(
            "Run a scenario for every combination of --set values (same seed and replications: common random "
            "numbers). KEY is a dotted path into the scenario file; list items (facilities, targets) are "
            "addressed by id, e.g. facilities.fs_xinshao.units.water_rescue_team.count. Reports the smallest "
            "setting that meets each target with 95%% confidence. Writes sweep.json, sweep.csv, charts, "
            "report.html and report.md."
        ),
    )
    p.add_argument("scenario", help="scenario YAML")
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        required=True,
        metavar="KEY=V1,V2,...",
        help="swept key and its values (repeat for a grid); with --until-met: KEY=START[:STEP]",
    )
    p.add_argument(
        "--until-met",
        action="store_true",
        help="search upward from START in steps of STEP until every time target is met with 95%% confidence",
    )
    p.add_argument(
        "--target",
        dest="targets",
        action="append",
        default=None,
        metavar="ID",
        help="--until-met: stop when these targets are met (repeatable; default: every time target); "
        "also reported together in the results",
    )
    p.add_argument(
        "--max-steps",
        type=int,
        default=DEFAULT_MAX_STEPS,
        help=f"--until-met: settings to try at most, START included (default {DEFAULT_MAX_STEPS})",
    )
    add_common_options(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default results/sweep_<scenario>_<key>)",
    )
    p.set_defaults(handler=run)


def default_out(name: str, keys: list[str]) -> Path:
    """``results/sweep_<scenario>_<key>[_<key2>…]`` with folder-safe characters."""
    folder = "sweep_" + name + "_" + "_".join(keys)
    return Path("results") / re.sub(r"[^\w.\-]+", "_", folder, flags=re.UNICODE)[:150]


def point_record(pt: Any, metrics: dict[str, Any]) -> dict[str, Any]:
    """The per-point entry of ``sweep.json`` (targets keep their per-replication shares)."""
    keep = (
        "label",
        "measure",
        "share",
        "ci95",
        "value",
        "required_share",
        "required_per_mille",
        "max_per_mille",
        "threshold_h",
        "incident_types",
        "n_incidents",
        "met",
        "met_95",
        "per_replication",
    )
    return {
        "index": pt.index,
        "label": pt.label,
        "setting": dict(pt.setting),
        "targets": {
            tid: {k: t[k] for k in keep if k in t} for tid, t in metrics["targets"].items()
        },
        "units": metrics["run"]["units"],
        "warnings": list(pt.warnings),
        "incidents_per_replication_mean": metrics["run"]["incidents_per_replication_mean"],
    }


def write_outputs(
    out: Path, sweep: dict[str, Any], extras: dict[str, Any], *, lang: str, plots: bool
) -> None:
    """Write the sweep folder; an ``INCOMPLETE`` marker exists until every file is written."""
    from sim.results import files as io
    from sim.output.report import sweep_doc, write_doc
    from sim.scenario import dump_scenario_yaml

    out.mkdir(parents=True, exist_ok=True)
    marker = out / INCOMPLETE
    marker.write_text(
        "sweep results are being written; this folder is not complete\n", encoding="utf-8"
    )
    for stale in ("sweep.json", "report.html", "report.md"):
        (out / stale).unlink(missing_ok=True)
    points_dir = out / "points"
    if points_dir.is_dir():
        shutil.rmtree(points_dir)
    for pt, metrics in zip(extras["points"], extras["metrics"], strict=True):
        sub = points_dir / f"{pt.index:02d}"
        sub.mkdir(parents=True)
        io.write_json(sub / "metrics.json", metrics)
        (sub / "scenario.yaml").write_text(dump_scenario_yaml(pt.scenario), encoding="utf-8")
    write_csv(out / "sweep.csv", sweep)
    charts: list[Path] = []
    if plots:
        from sim.output.plots import save
        from sim.output.plots.compare import plot_county_maps, plot_sweep_targets

        charts.append(save(plot_sweep_targets(sweep, lang=lang)[0], out / "sweep_targets.png"))
        missed = {pt["label"]: extras["county_missed"][i] for i, pt in enumerate(sweep["points"])}
        title = (
            "各设置下各县（市、区）时间类指标未达标的事件比例（灰色斜线 = 无此类事件）"
            if lang == "zh"
            else "Share of target incidents missing any time target, by county and setting (hatched = no such incident)"
        )
        charts.append(
            save(plot_county_maps(missed, lang=lang, title=title)[0], out / "county_maps.png")
        )
    sel = extras["selected"]
    doc = sweep_doc(
        sweep, extras["base"], extras["base_prep"], extras["base_metrics"], sel, charts, lang=lang
    )
    write_doc(doc, out)
    io.write_json(out / "sweep.json", sweep)
    marker.unlink()


def write_csv(path: Path, sweep: dict[str, Any]) -> Path:
    """One row per setting and target: share (or value), CI, required, met."""
    import csv

    from sim.cli.compare import fmt_cell
    from sim.analysis.compare import requirement

    keys = [p["key"] for p in sweep["parameters"]]

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([*CSV_PREFIX, *keys, *CSV_TARGET_COLUMNS])
        for pt in sweep["points"]:
            for tid, t in pt["targets"].items():
                req = requirement(t)[1]
                ci = t.get("ci95") or [None, None]
                w.writerow(
                    [
                        fmt_cell(pt["index"]),
                        *[fmt_cell(pt["setting"][k]) for k in keys],
                        tid,
                        t["measure"],
                        fmt_cell(t.get("share")),
                        fmt_cell(ci[0]),
                        fmt_cell(ci[1]),
                        fmt_cell(t.get("value")),
                        fmt_cell(req),
                        fmt_cell(t["met"]),
                        fmt_cell(t["met_95"]),
                    ]
                )
    return path


def print_sweep(console: Console, sweep: dict[str, Any], *, lang: str) -> None:
    """Print the share of every target at every setting, then the search result per target."""
    from rich.table import Table

    from sim.output.report import req_text, value_text
    from sim.analysis.sweep import format_value, short_key, statement

    zh = lang == "zh"
    table = Table(
        title=(
            f"参数扫描（{sweep['replications']} 次重复，种子 {sweep['seed']}，公共随机数；绿色 = 95% 置信达标）"
            if zh
            else f"Sweep ({sweep['replications']} replications, seed {sweep['seed']}, common random numbers; "
            "green = met with 95% confidence)"
        )
    )
    keys = [p["key"] for p in sweep["parameters"]]
    # One swept key: its short name heads the column and the rows show only the values.
    single = len(keys) == 1
    table.add_column(
        short_key(keys[0]) if single else ("设置" if zh else "setting"), no_wrap=single
    )
    for tid, t in sweep["targets"].items():
        table.add_column(f"{tid}\n{req_text(t, lang, short=True)}")
    for pt in sweep["points"]:
        row = [format_value(pt["setting"][keys[0]]) if single else pt["label"]]
        for t in pt["targets"].values():
            txt = value_text(t)
            row.append(f"[{'green' if t['met_95'] else 'red'}]{txt}[/]")
        table.add_row(*row)
    console.print(table)
    console.print(("扫描参数：" if zh else "Swept: ") + ", ".join(keys))
    for pt in sweep["points"]:
        for w in pt.get("warnings", []):
            console.print(
                f"[yellow]{'警告' if zh else 'warning'} ({pt['label']}): {w}[/]",
                highlight=False,
                soft_wrap=True,
            )
    for tid in [
        *sweep["targets"],
        "all_time_targets",
        *(["selected_targets"] if sweep.get("stop_targets") else []),
    ]:
        console.print(
            statement(
                tid,
                sweep["smallest_meeting"][tid],
                sweep["targets"].get(tid),
                lang=lang,
                until_met=sweep["mode"] == "until_met",
            ),
            soft_wrap=True,
            highlight=False,
        )
    if sweep["mode"] == "until_met":
        um = sweep["until_met"]
        if um["stopped_because"] == "met":
            which = ", ".join(sweep["stop_targets"]) if sweep.get("stop_targets") else None
            console.print(
                (
                    "已停止："
                    + (f"所选指标（{which}）" if which else "全部时间类指标")
                    + "以 95% 置信达标。"
                )
                if zh
                else "Stopped: "
                + (f"the selected targets ({which}) are" if which else "every time target is")
                + " met with 95% confidence."
            )
        else:
            console.print(
                f"已停止：达到最大步数 {um['max_steps']}。"
                if zh
                else f"Stopped: --max-steps {um['max_steps']} reached."
            )


def run(args: argparse.Namespace) -> int:
    """Execute ``sweep``."""
    from rich.console import Console

    from sim.analysis.compare import clean, county_equity, county_missed
    from sim.errors import ScenarioError
    from sim.analysis.summary import concat_tables, summarise
    from sim.scenario import scenario_to_dict
    from sim.analysis.sweep import (
        all_time_targets_met,
        expand_grid,
        parse_set,
        parse_until,
        smallest_meeting,
    )
    from sim.workflows.common import load_with_overrides, simulate_scenario

    console = Console(stderr=False)
    if args.until_met:
        if len(args.sets) != 1:
            msg = f"--until-met searches one key, got {len(args.sets)} --set options"
            raise ScenarioError(msg)
        params = [parse_until(args.sets[0], args.max_steps)]
    else:
        params = [parse_set(s) for s in args.sets]
    base = load_with_overrides(args.scenario, args)
    known = [t.id for t in base.targets]
    chosen = list(dict.fromkeys(args.targets)) if getattr(args, "targets", None) else None
    for tid in chosen or []:
        if tid not in known:
            msg = f"--target {tid}: no such target in {args.scenario} (targets: {', '.join(known)})"
            raise ScenarioError(msg)
    updates = {"replications": base.replications, "seed": base.seed, "network": base.network}
    # Every point is validated before the first one runs: a bad path or value costs nothing.
    points = expand_grid(scenario_to_dict(base), params, source=str(args.scenario), updates=updates)
    out = args.out or default_out(base.name, [p.key for p in params])

    t0 = time.perf_counter()
    records, metrics_list, missed, equities = [], [], [], []
    base_prep = None
    stopped = "max_steps"
    for pt in points:
        prep, results = simulate_scenario(
            pt.scenario,
            workers=args.workers,
            dask=getattr(args, "dask", None),
            progress=not args.quiet,
            label=pt.label,
        )
        metrics = summarise(prep, results)
        table = concat_tables(results)
        base_prep = base_prep or prep
        metrics_list.append(metrics)
        records.append(clean(point_record(pt, metrics)))
        missed.append(county_missed(table, prep.scenario))
        equities.append((prep, county_equity(prep, table)))
        del table, results
        if args.until_met and all_time_targets_met(metrics["targets"], chosen):
            stopped = "met"
            break
    done = points[: len(records)]
    tids = [t.id for t in base.targets]
    if args.until_met:
        params_json = [{"key": params[0].key, "values": [pt.setting[0][1] for pt in done]}]
    else:
        params_json = [{"key": p.key, "values": list(p.values)} for p in params]
    sm = smallest_meeting(records, params, tids, selected=chosen)
    first_metrics = metrics_list[0]
    # A requirement the sweep varies (--set targets.X.threshold_h=...) has no single value.
    common: dict[str, dict[str, Any]] = {}
    for tid in tids:
        common[tid] = {}
        for k in REQUIREMENT_KEYS:
            vals = {json.dumps(r["targets"][tid].get(k)) for r in records}
            if k in first_metrics["targets"][tid]:
                common[tid][k] = first_metrics["targets"][tid][k] if len(vals) == 1 else None
    sweep: dict[str, Any] = {
        "scenario": base.name,
        "file": str(args.scenario),
        "seed": base.seed,
        "replications": base.replications,
        "mode": "until_met" if args.until_met else "grid",
        "parameters": params_json,
        "targets": {
            tid: {
                "label": first_metrics["targets"][tid]["label"],
                "measure": first_metrics["targets"][tid]["measure"],
                **(
                    {"incident_types": first_metrics["targets"][tid]["incident_types"]}
                    if "incident_types" in first_metrics["targets"][tid]
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
    if args.until_met:
        p0 = params[0]
        sweep["until_met"] = {
            "start": p0.values[0],
            "step": (p0.values[1] - p0.values[0]) if len(p0.values) > 1 else None,
            "max_steps": args.max_steps,
            "stopped_because": stopped,
        }
    sweep = clean(sweep)
    # Equity table of the smallest setting meeting every time target (or the --target ones),
    # else of the last setting.
    all_met = sm["selected_targets" if chosen else "all_time_targets"]
    idx = len(done) - 1
    if all_met["met"]:
        first_ok = all_met["settings"][0]
        idx = next(i for i, r in enumerate(records) if r["setting"] == clean(first_ok))
    sel_prep, sel_eq = equities[idx]
    extras = {
        "points": done,
        "metrics": metrics_list,
        "county_missed": missed,
        "base": base,
        "base_prep": base_prep,
        "base_metrics": first_metrics,
        "selected": (records[idx]["label"], sel_eq, sel_prep.scenario),
    }
    write_outputs(out, sweep, extras, lang=args.lang, plots=not args.no_plots)
    print_sweep(console, sweep, lang=args.lang)
    console.print(f"results written to {out}/ in {time.perf_counter() - t0:.1f} s")
    return 0
