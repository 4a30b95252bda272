"""``sensitivity``: rank a scenario's assumptions by their effect on each target."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.analysis.sensitivity import (
    DEFAULT_LEVELS,
    DEFAULT_SOBOL_N,
    DEFAULT_TRAJECTORIES,
    METHODS,
    NEGLIGIBLE_SHARE,
)
from sim.cli.common import add_common_options, progress_bar, run_options
from sim.results.measures import MEASURES
from sim.workflows.sensitivity import sensitivity_scenario

#: Position of the command in ``--help``.
ORDER = 55
#: Inputs shown per target on the terminal (all are in the files).
SHOWN = 5


def add_parser(sub: Any) -> None:
    """Register the ``sensitivity`` sub-command."""
    p = sub.add_parser(
        "sensitivity",
        help="rank the scenario's assumptions by their effect on each target (Morris, Sobol)",
        description=(
            "Global sensitivity analysis of the scenario's `assumptions` (each a dotted path "
            "with a range and a source): Morris elementary effects by default, Sobol indices "
            "with --method sobol (SALib). Every point runs with the scenario's seed and "
            "replications (common random numbers). Writes sensitivity.json, sensitivity.csv, "
            "points.csv, a tornado chart per target, report.html and report.md."
        ),
    )
    p.add_argument("scenario", help="scenario YAML with an `assumptions:` list")
    p.add_argument("--method", choices=METHODS, default="morris", help="morris (default) or sobol")
    p.add_argument(
        "--trajectories",
        type=int,
        default=DEFAULT_TRAJECTORIES,
        help=f"Morris trajectories (default {DEFAULT_TRAJECTORIES}; points = r × (inputs + 1))",
    )
    p.add_argument(
        "--levels",
        type=int,
        default=DEFAULT_LEVELS,
        help=f"Morris grid levels, even (default {DEFAULT_LEVELS})",
    )
    p.add_argument(
        "--samples",
        type=int,
        default=DEFAULT_SOBOL_N,
        help=f"Sobol base sample, a power of 2 (default {DEFAULT_SOBOL_N}; "
        "points = N × (inputs + 2))",
    )
    add_common_options(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default results/sensitivity_<scenario>_<method>)",
    )
    p.set_defaults(handler=run)


def print_sensitivity(console: Console, sens: dict[str, Any], *, lang: str) -> None:
    """Print the leading inputs of every target, then what to measure first."""
    zh = lang == "zh"
    names = {i["id"]: i["label"]["zh" if zh else "en"] for i in sens["inputs"]}
    morris = sens["method"] == "morris"
    d = sens["design"]
    title = (
        f"敏感性分析（{sens['method']}，{d['points']} 个样本点 × {sens['replications']} 次重复，"
        f"种子 {sens['seed']}）"
        if zh
        else f"Sensitivity ({sens['method']}, {d['points']} points × {sens['replications']} "
        f"replications, seed {sens['seed']})"
    )
    table = Table(title=title)
    table.add_column("指标" if zh else "target")
    table.add_column("基准 / 要求" if zh else "baseline / required")
    table.add_column(
        ("影响最大的假设（μ*）" if morris else "影响最大的假设（ST）")
        if zh
        else ("leading assumptions (μ*)" if morris else "leading assumptions (ST)")
    )
    for tid, t in sens["targets"].items():
        a = t["analysis"]
        measure = MEASURES[t["measure"]]
        if a.get("analysed"):
            live = [r for r in a["inputs"] if not r["negligible"]]
            lines = [
                f"{r['rank']}. {names[r['id']]}  "
                + (measure.format_effect(r["mu_star"]) if morris else f"{r['ST']:.2f}")
                for r in live[:SHOWN]
            ]
            rest = len(a["inputs"]) - len(lines)
            if rest:
                lines.append(
                    f"（其余 {rest} 个" + ("影响可忽略）" if len(live) <= SHOWN else "见报告）")
                    if zh
                    else f"({rest} more, "
                    + ("negligible)" if len(live) <= SHOWN else "see the report)")
                )
            leading = "\n".join(lines)
        else:
            leading = a.get("reason", "")
        b = t["base"]
        base = measure.value_text({measure.value_key: b["value"], "ci95": b["ci95"]})
        table.add_row(
            f"{t['label']['zh' if zh else 'en']}\n({tid})",
            f"{base}\n{t['requirement'][lang]}",
            leading,
        )
    console.print(table)
    if morris:
        console.print(
            f"μ* = 输入在其范围内变化时指标的平均绝对变化；可忽略 = 小于最大影响的 "
            f"{NEGLIGIBLE_SHARE:.0%}"
            if zh
            else "μ* = mean absolute change of the target across an input's range; negligible = "
            f"below {NEGLIGIBLE_SHARE:.0%} of the largest"
        )
    else:
        console.print("ST = 总效应指数" if zh else "ST = total-effect index")
    console.print("[bold]" + ("应优先核实：" if zh else "What to measure first:") + "[/]")
    for line in sens["what_to_measure"][lang]:
        console.print(f"- {line}", soft_wrap=True, highlight=False)


def run(args: argparse.Namespace) -> int:
    """Execute ``sensitivity``."""
    with progress_bar(args.quiet) as progress:
        result = sensitivity_scenario(
            args.scenario,
            method=args.method,
            trajectories=args.trajectories,
            levels=args.levels,
            samples=args.samples,
            out=args.out,
            progress=progress,
            **run_options(args),
        )
    console = Console()
    print_sensitivity(console, result.sensitivity, lang=args.lang)
    console.print(f"results written to {result.out_dir}/ in {result.wall_s:.1f} s")
    return 0
