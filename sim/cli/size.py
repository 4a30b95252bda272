"""``size``: the cheapest configuration of staff and aircraft that meets the chosen targets."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.analysis.sizing import statement
from sim.cli.common import add_common_options, progress_bar, run_options
from sim.results.measures import MEASURES
from sim.workflows.size import DEFAULT_BEYOND, size_scenario

#: Position of the command in ``--help``.
ORDER = 55


def add_parser(sub: Any) -> None:
    """Register the ``size`` sub-command."""
    p = sub.add_parser(
        "size",
        help="find the cheapest staffing/aircraft configuration meeting the chosen targets",
        description=(
            "Run configurations of a grid (--vary KEY=V1,V2,..., like sweep --set) in "
            "increasing order of annual cost (unit_types.*.cost_per_year, "
            "staffing.roles.*.cost_per_post_per_year) with the same seed and replications "
            "(common random numbers), until one meets every chosen target with 95%% "
            "confidence. Writes size.json, size.csv, staffing.csv of that configuration and "
            "the cost-performance frontier chart frontier.png."
        ),
    )
    p.add_argument("scenario", help="scenario YAML")
    p.add_argument(
        "--vary",
        dest="varies",
        action="append",
        required=True,
        metavar="KEY=V1,V2,...",
        help=(
            "varied key and its values (repeat for a grid), e.g. "
            "facilities.regional_centre.units.helicopter.count=3,4,5 or "
            "facilities.regional_centre.staff.pilot.per_shift=6,8"
        ),
    )
    p.add_argument(
        "--target",
        dest="targets",
        action="append",
        default=None,
        metavar="ID",
        help="target that must be met (repeatable; default: every time target)",
    )
    p.add_argument(
        "--beyond",
        type=int,
        default=DEFAULT_BEYOND,
        help=(
            "configurations run after the cheapest one that meets the targets, for the "
            f"frontier (default {DEFAULT_BEYOND})"
        ),
    )
    p.add_argument("--exhaustive", action="store_true", help="run every configuration of the grid")
    add_common_options(p)
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default results/size_<scenario>_…)"
    )
    p.set_defaults(handler=run)


def print_size(console: Console, size: dict[str, Any], *, lang: str) -> None:
    """Print the evaluated configurations in cost order, then the cheapest one."""
    zh = lang == "zh"
    table = Table(
        title=(
            f"规模测算（{size['replications']} 次重复，种子 {size['seed']}，公共随机数；"
            f"网格 {size['grid_points']} 个配置，已运行 {size['evaluated']} 个）"
            if zh
            else f"Sizing ({size['replications']} replications, seed {size['seed']}, common "
            f"random numbers; {size['evaluated']} of {size['grid_points']} configurations run)"
        )
    )
    table.add_column("配置" if zh else "configuration")
    table.add_column("年成本（万元）" if zh else "cost (10,000 yuan/yr)", justify="right")
    for tid in size["targets_chosen"]:
        t = size["targets"][tid]
        table.add_column(f"{tid}\n{MEASURES[t['measure']].requirement_text(t, lang, short=True)}")
    table.add_column("全部达标" if zh else "all met")
    for pt in size["points"]:
        row = [pt["label"], f"{pt['cost_per_year'] / 1e4:,.0f}"]
        for tid in size["targets_chosen"]:
            t = pt["targets"][tid]
            txt = MEASURES[t["measure"]].value_text(t)
            row.append(f"[{'green' if t['met_95'] else 'red'}]{txt}[/]")
        ok = pt["feasible"]
        row.append(("是" if zh else "yes") if ok else ("否" if zh else "no"))
        table.add_row(*row)
    console.print(table)
    console.print(statement(size, lang=lang), soft_wrap=True, highlight=False)


def run(args: argparse.Namespace) -> int:
    """Execute ``size``."""
    with progress_bar(args.quiet) as progress:
        result = size_scenario(
            args.scenario,
            args.varies,
            targets=args.targets,
            beyond=args.beyond,
            exhaustive=args.exhaustive,
            out=args.out,
            progress=progress,
            **run_options(args),
        )
    console = Console()
    print_size(console, result.size, lang=args.lang)
    console.print(f"results written to {result.out_dir}/ in {result.wall_s:.1f} s")
    return 0
