"""What the sub-commands share: common options, the progress bar and the targets table."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.results.measures import MEASURES
from sim.workflows.common import Progress as ProgressCallback


def add_common_options(p: argparse.ArgumentParser) -> None:
    """Options shared by run, compare, sweep and optimize."""
    p.add_argument(
        "--replications", type=int, default=None, help="override the scenario's replications"
    )
    p.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    p.add_argument(
        "--network", default=None, help="override the scenario's network (shaoguan, .graphml, .osm)"
    )
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: all cores)"
    )
    p.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="run replications on a dask.distributed scheduler (tcp://host:8786) or 'local'",
    )
    p.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="language of charts and report"
    )
    p.add_argument("--no-plots", action="store_true", help="skip the PNG charts")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments every simulating workflow takes, from the common options."""
    return {
        "replications": args.replications,
        "seed": args.seed,
        "network": args.network,
        "workers": args.workers,
        "dask": args.dask,
        "lang": args.lang,
        "plots": not args.no_plots,
    }


@contextmanager
def progress_bar(quiet: bool) -> Iterator[ProgressCallback | None]:
    """Yield a progress callback drawing one bar per label (None when `quiet`)."""
    if quiet:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)

        yield update


def print_targets(console: Console, metrics: dict[str, Any], *, lang: str = "zh") -> None:
    """Print the targets table (target, share or value, CI, required, met)."""
    zh = lang == "zh"
    run = metrics["run"]
    reps, days = run["replications"], run["horizon_days"]
    title = (
        f"{run['scenario']}: {reps} 次重复 × {days:g} 天"
        if zh
        else (f"{run['scenario']}: {reps} replications × {days:g} days")
    )
    table = Table(title=title)
    for zh_col, en_col in (
        ("指标", "target"),
        ("数值", "share / value"),
        ("95% 置信区间", "95% CI"),
        ("要求", "required"),
        ("达标", "met"),
    ):
        table.add_column(zh_col if zh else en_col)
    for tid, t in metrics["targets"].items():
        m = MEASURES[t["measure"]]
        label = f"{t['label']['zh' if zh else 'en']} ({tid})"
        met = ("是" if zh else "yes") if t["met"] else ("否" if zh else "NO")
        table.add_row(
            label,
            m.format_value(m.value(t), lang=lang),
            m.format_interval(t.get("ci95")),
            m.requirement_text(t, lang, short=True),
            f"[green]{met}[/]" if t["met"] else f"[red]{met}[/]",
        )
    console.print(table)
    for tid, t in metrics["targets"].items():
        detail = MEASURES[t["measure"]].detail_text(t, lang)
        if detail:
            console.print(f"  {tid}: {detail}", highlight=False)
    uns = metrics["unserved"]
    if uns["incidents_without_any_arrival"] or uns["relief_never_arrived"]:
        console.print(
            ("未获响应的事件：" if zh else "Unserved at end of run: ")
            + f"{uns['incidents_without_any_arrival']} / relief {uns['relief_never_arrived']}"
        )
