"""``compare``: run two or more scenarios and compare them pairwise to the first.

All scenarios run with common random numbers.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.cli.common import add_common_options, file_path, out_folder, progress_bar, run_options
from sim.results.measures import MEASURES
from sim.workflows.compare import compare_scenarios

#: Position of the command in ``--help``.
ORDER = 40


def add_parser(sub: Any) -> None:
    """Register the ``compare`` sub-command."""
    p = sub.add_parser(
        "compare",
        help="compare scenarios (paired, common random numbers) and write results/compare_A_vs_B/",
        description=(
            "Run every scenario with the same seed and replications (common random numbers) and "
            "compare each to the first: target shares with CIs, paired differences d_r = x_X,r - "
            "x_A,r with t-intervals, first-arrival times per incident type, per-county equity. "
            "Writes comparison.json, comparison.csv, charts, report.html and report.md."
        ),
    )
    p.add_argument(
        "scenarios",
        nargs="+",
        type=file_path,
        metavar="SCENARIO",
        help="scenario YAML files; the first is the reference",
    )
    add_common_options(p)
    p.add_argument(
        "--out",
        type=out_folder,
        default=None,
        help="output folder (default results/compare_<A>_vs_<B>...)",
    )
    p.set_defaults(handler=run)


def print_comparison(console: Console, comparison: dict[str, Any], *, lang: str) -> None:
    """Print the targets with each scenario's share and the paired difference to the reference."""
    zh = lang == "zh"
    labels = [s["label"] for s in comparison["scenarios"]]
    ref = comparison["reference"]
    table = Table(
        title=(
            f"方案比较（{comparison['replications']} 次重复，种子 {comparison['seed']}，"
            f"配对差值相对 {ref}）"
            if zh
            else f"Comparison ({comparison['replications']} replications, "
            f"seed {comparison['seed']}, paired differences vs {ref})"
        )
    )
    table.add_column("指标" if zh else "target")
    for lab in labels:
        table.add_column(lab)
    for lab in labels[1:]:
        table.add_column(f"{lab} − {ref}")
    for tid, t in comparison["targets"].items():
        m = MEASURES[t["measure"]]
        row = [
            f"{t['label']['zh' if zh else 'en']}\n({tid}) {m.requirement_text(t, lang, short=True)}"
        ]
        for lab in labels:
            b = t["by_scenario"].get(lab)
            if b is None:
                row.append("—")
            else:
                mark = "green" if b["met_95"] else "red"
                row.append(f"[{mark}]{m.value_text(t | b, lang=lang)}[/]")
        for lab in labels[1:]:
            d = t["diff_vs_reference"].get(lab)
            if d is None or d["diff"] is None:
                row.append("—")
                continue
            txt = m.format_diff(d)
            colour = {"better": "green", "worse": "red"}.get(d.get("verdict", ""))
            row.append(f"[{colour}]{txt}[/]" if colour else txt)
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
    disp = comparison.get("dispatch")
    if disp:
        print_dispatch(console, disp, labels, ref, zh=zh)
    for n in comparison.get("notes", []):
        console.print(
            f"[yellow]{'注意' if zh else 'note'}: {n}[/]", soft_wrap=True, highlight=False
        )


def _diff_text(d: dict[str, Any], scale: float, fmt: str, lower_better: bool) -> str:
    """A paired difference with its interval, coloured when significant."""
    if d.get("diff") is None:
        return "—"
    lo, hi = d["ci95"]
    ci = "" if lo is None else f" [{lo * scale:{fmt}}, {hi * scale:{fmt}}]"
    txt = f"{d['diff'] * scale:{fmt}}{ci}"
    if d["significant"]:
        good = d["diff"] < 0 if lower_better else d["diff"] > 0
        txt = f"[{'green' if good else 'red'}]{txt}[/]"
    return txt


def print_dispatch(
    console: Console, disp: dict[str, Any], labels: list[str], ref: str, *, zh: bool
) -> None:
    """Print the command-centre measures: top-priority first arrival, coverage over time and
    the rules' actions per year."""
    t = Table(title="调度规则（指挥中心）" if zh else "Dispatch rules (command centre)")
    t.add_column("指标" if zh else "measure")
    for lab in labels:
        t.add_column(lab)
    for lab in labels[1:]:
        t.add_column(f"{lab} − {ref}")
    top = disp["top_priority_first_arrival"]
    types = ", ".join(top["types"])
    row = [
        f"最高优先级事件平均首车到场（分钟）\n({types})"
        if zh
        else f"Top-priority mean first arrival (min)\n({types})"
    ]
    for lab in labels:
        m = top["by_scenario"][lab]["mean_h"]
        row.append("—" if m is None else f"{m * 60:.2f}")
    for lab in labels[1:]:
        row.append(_diff_text(top["diff_vs_reference"][lab], 60.0, "+.2f", lower_better=True))
    t.add_row(*row)
    cov = disp.get("coverage")
    if cov:
        thr = f"{cov['threshold_h'] * 60:g}"
        unit = cov.get("unit_label") or {"zh": cov["unit_type"], "en": cov["unit_type"]}
        row = [
            f"可用{unit['zh']} {thr} 分钟内覆盖人口比例（时间加权，%）"
            if zh
            else f"Population within {thr} min of an available {unit['en']} (time-weighted, %)"
        ]
        for lab in labels:
            b = cov["by_scenario"][lab]
            lo, hi = b["ci95"]
            row.append(f"{b['share_mean'] * 100:.2f} [{lo * 100:.2f}, {hi * 100:.2f}]")
        for lab in labels[1:]:
            row.append(_diff_text(cov["diff_vs_reference"][lab], 100.0, "+.2f", lower_better=False))
        t.add_row(*row)
    names = {
        "reassigned": ("返回途中改派（次/年）", "Sent on while driving home (per year)"),
        "diverted": ("途中改派（次/年）", "Diverted en route (per year)"),
        "cover_moves": ("移防备勤（次/年）", "Cover moves (per year)"),
    }
    for k, (lzh, len_) in names.items():
        row = [lzh if zh else len_]
        for lab in labels:
            row.append(f"{disp['actions_per_year'][lab][k]:.1f}")
        row += ["" for _ in labels[1:]]
        t.add_row(*row)
    console.print(t)


def run(args: argparse.Namespace) -> int:
    """Execute ``compare``."""
    with progress_bar(args.quiet) as progress:
        result = compare_scenarios(
            args.scenarios, out=args.out, progress=progress, **run_options(args)
        )
    console = Console()
    print_comparison(console, result.comparison, lang=args.lang)
    console.print(f"results written to {result.out_dir}/ in {result.wall_s:.1f} s")
    return 0
