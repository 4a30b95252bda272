"""``sweep``: run a scenario over a grid of settings and find the smallest that meets each target.

All settings run under common random numbers.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.analysis.sweep import (
    DEFAULT_MAX_STEPS,
    MAX_SETTINGS,
    format_value,
    short_key,
    statement,
)
from sim.cli.common import (
    add_common_options,
    file_path,
    integer,
    out_folder,
    progress_bar,
    run_options,
    text_value,
)
from sim.results.measures import MEASURES
from sim.workflows.sweep import sweep_scenario

#: Position of the command in ``--help``.
ORDER = 50


def add_parser(sub: Any) -> None:
    """Register the ``sweep`` sub-command."""
    p = sub.add_parser(
        "sweep",
        help="run a scenario over a grid of settings and find the smallest that meets each target",
        description=(
            "Run a scenario for every combination of --set values (same seed and replications: "
            "common random numbers). KEY is a dotted path into the scenario file; list items "
            "(facilities, targets) are addressed by id, e.g. "
            "facilities.fs_xinshao.units.water_rescue_team.count. Reports the smallest setting "
            "that meets each target with 95% confidence. Writes sweep.json, sweep.csv, charts, "
            "report.html and report.md."
        ),
    )
    p.add_argument("scenario", type=file_path, help="scenario YAML")
    p.add_argument(
        "--set",
        dest="sets",
        type=text_value,
        action="append",
        required=True,
        metavar="KEY=V1,V2,...",
        help="swept key and its values (repeat for a grid); with --until-met: KEY=START[:STEP]",
    )
    p.add_argument(
        "--until-met",
        action="store_true",
        help=(
            "search upward from START in steps of STEP until every time target is met with 95%% "
            "confidence"
        ),
    )
    p.add_argument(
        "--target",
        dest="targets",
        type=text_value,
        action="append",
        default=None,
        metavar="ID",
        help=(
            "--until-met: stop when these targets are met (repeatable; default: every time "
            "target); also reported together in the results"
        ),
    )
    p.add_argument(
        "--max-steps",
        type=integer(1, MAX_SETTINGS),
        default=DEFAULT_MAX_STEPS,
        help=(
            f"--until-met: settings to try at most, START included (default {DEFAULT_MAX_STEPS}, "
            f"at most {MAX_SETTINGS:,})"
        ),
    )
    add_common_options(p)
    p.add_argument(
        "--out",
        type=out_folder,
        default=None,
        help="output folder (default results/sweep_<scenario>_<key>)",
    )
    p.set_defaults(handler=run)


def print_sweep(console: Console, sweep: dict[str, Any], *, lang: str) -> None:
    """Print the share of every target at every setting, then the search result per target."""
    zh = lang == "zh"
    table = Table(
        title=(
            f"参数扫描（{sweep['replications']} 次重复，种子 {sweep['seed']}，公共随机数；"
            "绿色 = 95% 置信达标）"
            if zh
            else f"Sweep ({sweep['replications']} replications, seed {sweep['seed']}, "
            "common random numbers; green = met with 95% confidence)"
        )
    )
    keys = [p["key"] for p in sweep["parameters"]]
    # One swept key: its short name heads the column and the rows show only the values.
    single = len(keys) == 1
    table.add_column(
        short_key(keys[0]) if single else ("设置" if zh else "setting"), no_wrap=single
    )
    for tid, t in sweep["targets"].items():
        table.add_column(f"{tid}\n{MEASURES[t['measure']].requirement_text(t, lang, short=True)}")
    for pt in sweep["points"]:
        row = [format_value(pt["setting"][keys[0]]) if single else pt["label"]]
        for t in pt["targets"].values():
            txt = MEASURES[t["measure"]].value_text(t, lang=lang)
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
    with progress_bar(args.quiet) as progress:
        result = sweep_scenario(
            args.scenario,
            args.sets,
            until_met=args.until_met,
            targets=args.targets,
            max_steps=args.max_steps,
            out=args.out,
            progress=progress,
            **run_options(args),
        )
    console = Console()
    print_sweep(console, result.sweep, lang=args.lang)
    console.print(f"results written to {result.out_dir}/ in {result.wall_s:.1f} s")
    return 0
