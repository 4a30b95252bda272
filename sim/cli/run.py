"""``run``: simulate one scenario and write its results folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

DEFAULT_SCENARIO = "scenarios/shaoguan_baseline.yaml"


def add_parser(sub: Any) -> None:
    """Register the ``run`` sub-command."""
    p = sub.add_parser(
        "run",
        help="simulate a scenario and write results/<scenario>/",
        description="Simulate a scenario: metrics.json, incidents.csv, charts and the resolved scenario.",
    )
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help=f"scenario YAML (default {DEFAULT_SCENARIO})")
    add_common_options(p)
    p.add_argument("--out", type=Path, default=None, help="output folder (default results/<scenario name>)")
    p.set_defaults(handler=run)


def add_common_options(p: argparse.ArgumentParser) -> None:
    """Options shared by run, compare and sweep."""
    p.add_argument("--replications", type=int, default=None, help="override the scenario's replications")
    p.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    p.add_argument("--network", default=None, help="override the scenario's network (shaoguan, .graphml, .osm)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run replications on a dask.distributed scheduler (tcp://host:8786) or 'local'")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of charts and report")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG charts")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Execute ``run``."""
    from rich.console import Console

    from sim.workflows.common import execute, load_with_overrides, print_targets

    console = Console(stderr=False)
    scenario = load_with_overrides(args.scenario, args)
    out = args.out or Path("results") / scenario.name
    t0 = time.perf_counter()
    result = execute(scenario, out, workers=args.workers, dask=args.dask, lang=args.lang, plots=not args.no_plots,
                     progress=not args.quiet)
    print_targets(console, result.metrics, lang=args.lang)
    console.print(f"results written to {out}/ in {time.perf_counter() - t0:.1f} s")
    return 0
