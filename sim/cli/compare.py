"""``compare``: run two or more scenarios with common random numbers and compare them pairwise to the first."""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.run import add_common_options

if TYPE_CHECKING:
    from rich.console import Console

    from sim.analysis.compare import ScenarioRun

CSV_COLUMNS = (
    "section",
    "item",
    "metric",
    "scenario",
    "reference",
    "value",
    "ci95_low",
    "ci95_high",
    "diff_vs_reference",
    "diff_ci95_low",
    "diff_ci95_high",
)


def add_parser(sub: Any) -> None:
    """Register the ``compare`` sub-command."""
    p = sub.add_parser(
        "compare",
        help="compare scenarios (paired, common random numbers) and write results/compare_A_vs_B/",
        description=(
            "Run every scenario with the same seed and replications (common random numbers) and compare each "
            "to the first: target shares with CIs, paired differences d_r = x_X,r - x_A,r with t-intervals, "
            "first-arrival times per incident type, per-county equity. Writes comparison.json, comparison.csv, "
            "charts, report.html and report.md."
        ),
    )
    p.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="scenario YAML files; the first is the reference",
    )
    add_common_options(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default results/compare_<A>_vs_<B>...)",
    )
    p.set_defaults(handler=run)


def default_out(labels: list[str]) -> Path:
    """``results/compare_A_vs_B[_vs_C…]`` (long lists are shortened)."""
    name = "compare_" + "_vs_".join(labels)
    if len(name) > 120:
        name = "compare_" + "_vs_".join(labels[:2]) + f"_and_{len(labels) - 2}_more"
    return Path("results") / name


def write_csv(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Path:
    """Write tidy rows with fixed float formatting (empty cell = no value)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([fmt_cell(r.get(c)) for c in columns])
    return path


def fmt_cell(v: Any) -> str:
    """Format a CSV cell: floats with up to 6 decimals, booleans 1/0, None empty."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if v != 0 else "0"
    return str(v)


def write_outputs(
    out: Path, runs: list[ScenarioRun], comparison: dict[str, Any], *, lang: str, plots: bool
) -> list[Path]:
    """Write comparison.json/csv, each scenario's metrics and resolved scenario, charts and reports.

    Everything has been simulated before this is called; an ``INCOMPLETE`` marker exists while
    the files are being written and ``comparison.json`` is written last.
    """
    from sim.results import files as io
    from sim.cli.sweep import INCOMPLETE
    from sim.analysis.compare import comparison_rows, county_missed
    from sim.output.report import compare_doc, write_doc
    from sim.scenario import dump_scenario_yaml

    out.mkdir(parents=True, exist_ok=True)
    marker = out / INCOMPLETE
    marker.write_text(
        "comparison results are being written; this folder is not complete\n", encoding="utf-8"
    )
    (out / "comparison.json").unlink(missing_ok=True)
    for run in runs:
        sub = out / run.label
        sub.mkdir(exist_ok=True)
        io.write_json(sub / "metrics.json", run.metrics)
        (sub / "scenario.yaml").write_text(dump_scenario_yaml(run.prep.scenario), encoding="utf-8")
    write_csv(out / "comparison.csv", comparison_rows(comparison), CSV_COLUMNS)
    charts: list[Path] = []
    if plots:
        from sim.output.plots import save
        from sim.output.plots.compare import (
            plot_compare_cdfs,
            plot_compare_diffs,
            plot_compare_targets,
            plot_county_change,
            plot_county_maps,
        )

        tables = {r.label: r.table for r in runs}
        missed = {r.label: county_missed(r.table, r.prep.scenario) for r in runs}
        charts = [
            save(plot_compare_targets(comparison, lang=lang)[0], out / "compare_targets.png"),
            save(plot_compare_diffs(comparison, lang=lang)[0], out / "compare_diffs.png"),
            save(
                plot_compare_cdfs(tables, comparison, lang=lang)[0],
                out / "compare_response_times.png",
            ),
            save(plot_county_maps(missed, lang=lang)[0], out / "county_maps.png"),
            save(
                plot_county_change(missed, comparison["reference"], lang=lang)[0],
                out / "county_change.png",
            ),
        ]
    doc = compare_doc(
        comparison,
        {r.label: r.prep.scenario for r in runs},
        {r.label: r.prep for r in runs},
        {r.label: r.metrics for r in runs},
        charts,
        lang=lang,
    )
    write_doc(doc, out)
    # Written last: its presence marks a complete folder.
    io.write_json(out / "comparison.json", comparison)
    marker.unlink()
    return charts


def print_comparison(console: Console, comparison: dict[str, Any], *, lang: str) -> None:
    """Print the targets with each scenario's share and the paired difference to the reference."""
    from rich.table import Table

    from sim.output.report import diff_class, diff_text, req_text, value_text

    zh = lang == "zh"
    labels = [s["label"] for s in comparison["scenarios"]]
    ref = comparison["reference"]
    table = Table(
        title=(
            f"方案比较（{comparison['replications']} 次重复，种子 {comparison['seed']}，配对差值相对 {ref}）"
            if zh
            else f"Comparison ({comparison['replications']} replications, seed {comparison['seed']}, "
            f"paired differences vs {ref})"
        )
    )
    table.add_column("指标" if zh else "target")
    for lab in labels:
        table.add_column(lab)
    for lab in labels[1:]:
        table.add_column(f"{lab} − {ref}")
    for tid, t in comparison["targets"].items():
        row = [f"{t['label']['zh' if zh else 'en']}\n({tid}) {req_text(t, lang, short=True)}"]
        for lab in labels:
            b = t["by_scenario"].get(lab)
            if b is None:
                row.append("—")
            else:
                row.append(f"[{'green' if b['met_95'] else 'red'}]{value_text(t | b)}[/]")
        for lab in labels[1:]:
            d = t["diff_vs_reference"].get(lab)
            if d is None or d["diff"] is None:
                row.append("—")
                continue
            cls = diff_class(t, d)
            txt = diff_text(t, d)
            row.append(f"[{'green' if cls == 'ok' else 'red'}]{txt}[/]" if cls else txt)
        table.add_row(*row)
    console.print(table)
    rt = Table(title="平均首车到场时间（分钟）" if zh else "Mean first arrival (minutes)")
    rt.add_column("事件类型" if zh else "incident type")
    for lab in labels:
        rt.add_column(lab)
    for lab in labels[1:]:
        rt.add_column(f"{lab} − {ref}")
    for name, r in comparison["response_times"].items():
        row = [f"{r['label']['zh' if zh else 'en']} ({name})"]
        for lab in labels:
            m = r["by_scenario"][lab]["mean_h"]
            row.append("—" if m is None else f"{m * 60:.1f}")
        for lab in labels[1:]:
            d = r["diff_vs_reference"][lab]["mean_h"]
            if d["diff"] is None:
                row.append("—")
                continue
            lo, hi = d["ci95"]
            ci = "" if lo is None else f" [{lo * 60:+.1f}, {hi * 60:+.1f}]"
            txt = f"{d['diff'] * 60:+.1f}{ci}"
            if d["significant"]:
                txt = f"[{'green' if d['diff'] < 0 else 'red'}]{txt}[/]"
            row.append(txt)
        rt.add_row(*row)
    console.print(rt)
    for n in comparison.get("notes", []):
        console.print(
            f"[yellow]{'注意' if zh else 'note'}: {n}[/]", soft_wrap=True, highlight=False
        )


def run(args: argparse.Namespace) -> int:
    """Execute ``compare``."""
    from rich.console import Console

    from sim.analysis.compare import ScenarioRun, compare_runs, distinct_labels
    from sim.errors import ScenarioError
    from sim.analysis.summary import concat_tables, summarise
    from sim.workflows.common import load_with_overrides, simulate_scenario

    console = Console(stderr=False)
    if len(args.scenarios) < 2:
        msg = f"compare needs at least two scenario files, got {len(args.scenarios)}: {args.scenarios[0]}"
        raise ScenarioError(msg)
    # Load and validate everything before running anything.
    first = load_with_overrides(args.scenarios[0], args)
    common = {"replications": first.replications, "seed": first.seed}
    scenarios = [first] + [load_with_overrides(p, args, **common) for p in args.scenarios[1:]]
    labels = distinct_labels([s.name for s in scenarios], args.scenarios)
    out = args.out or default_out(labels)
    t0 = time.perf_counter()
    runs = []
    for sc, label, src in zip(scenarios, labels, args.scenarios, strict=True):
        prep, results = simulate_scenario(
            sc,
            workers=args.workers,
            dask=getattr(args, "dask", None),
            progress=not args.quiet,
            label=label,
        )
        runs.append(
            ScenarioRun(
                label=label,
                source=str(src),
                prep=prep,
                metrics=summarise(prep, results),
                table=concat_tables(results),
            )
        )
    comparison = compare_runs(runs)
    write_outputs(out, runs, comparison, lang=args.lang, plots=not args.no_plots)
    print_comparison(console, comparison, lang=args.lang)
    console.print(f"results written to {out}/ in {time.perf_counter() - t0:.1f} s")
    return 0
