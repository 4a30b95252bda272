"""``run``: simulate one scenario and write its results folder."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from sim.cli.common import add_common_options, file_path, out_folder, print_targets, progress_bar
from sim.workflows.common import load
from sim.workflows.run import default_out, run_scenario

DEFAULT_SCENARIO = "scenarios/shaoguan_baseline.yaml"


#: Position of the command in ``--help``.
ORDER = 10


def add_parser(sub: Any) -> None:
    """Register the ``run`` sub-command."""
    p = sub.add_parser(
        "run",
        help="simulate a scenario and write results/<scenario>/",
        description=(
            "Simulate a scenario: metrics.json, incidents.csv, charts and the resolved scenario."
        ),
    )
    p.add_argument(
        "scenario",
        nargs="?",
        type=file_path,
        default=DEFAULT_SCENARIO,
        help=f"scenario YAML (default {DEFAULT_SCENARIO})",
    )
    add_common_options(p)
    p.add_argument(
        "--out",
        type=out_folder,
        default=None,
        help="output folder (default results/<scenario name>)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``run``."""
    scenario = load(
        args.scenario, replications=args.replications, seed=args.seed, network=args.network
    )
    out = args.out or default_out(scenario)
    with progress_bar(args.quiet) as progress:
        result = run_scenario(
            scenario,
            out=out,
            workers=args.workers,
            dask=args.dask,
            lang=args.lang,
            plots=not args.no_plots,
            progress=progress,
            source=str(args.scenario),
        )
    console = Console()
    print_targets(console, result.metrics, lang=args.lang)
    console.print(f"results written to {out}/ in {result.wall_s:.1f} s")
    return 0
