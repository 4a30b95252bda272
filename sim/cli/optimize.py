"""``optimize``: place K more facilities of one kind by MILP; re-score the plan by simulation."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from sim.analysis.placement import OBJECTIVES
from sim.cli.common import (
    add_common_options,
    file_path,
    integer,
    number,
    out_folder,
    progress_bar,
    run_options,
    text_value,
)
from sim.cli.compare import print_comparison
from sim.scenario.schema import FACILITY_KINDS, MAX_DURATION_H
from sim.workflows.optimize import MAX_ADD, MAX_TIME_LIMIT_S, optimize_placement

#: Position of the command in ``--help``.
ORDER = 60


def add_parser(sub: Any) -> None:
    """Register the ``optimize`` sub-command."""
    p = sub.add_parser(
        "optimize",
        help="place facilities (p-median, MCLP, LSCP, p-center) and compare by simulation",
        description=(
            "Choose sites for --add new facilities of --kind on the road network with an exact "
            "MILP (HiGHS), write placement.json and a scenario.yaml with the new sites, and "
            "compare the old and new plans by simulation under common random numbers."
        ),
    )
    p.add_argument("scenario", type=file_path, help="scenario YAML")
    p.add_argument(
        "--kind",
        required=True,
        choices=FACILITY_KINDS,
        metavar="KIND",
        help=f"facility kind: {', '.join(FACILITY_KINDS)}",
    )
    p.add_argument(
        "--add",
        type=integer(0, MAX_ADD),
        default=1,
        help=f"new facilities to place (default 1, at most {MAX_ADD})",
    )
    grp = p.add_mutually_exclusive_group()
    grp.add_argument(
        "--keep-existing", action="store_true", default=True, help="existing sites stay (default)"
    )
    grp.add_argument(
        "--relocate", action="store_true", help="re-choose the existing sites of the kind too"
    )
    p.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default="pmedian",
        help="location model (default pmedian)",
    )
    p.add_argument(
        "--threshold-h",
        type=number(0, MAX_DURATION_H, above=True),
        default=None,
        help="coverage time for mclp / lscp (h)",
    )
    p.add_argument(
        "--candidates",
        type=candidates_value,
        default="towns",
        help="'towns' (every township seat) or a CSV name,lon,lat|town",
    )
    p.add_argument(
        "--capacity",
        type=number(0, above=True),
        default=None,
        help="p-median: demand each site can serve per year",
    )
    p.add_argument(
        "--template",
        type=text_value,
        default=None,
        help="facility id whose units/stock new sites copy",
    )
    p.add_argument(
        "--time-limit-s",
        type=number(0, MAX_TIME_LIMIT_S),
        default=None,
        help="solver time limit (s)",
    )
    p.add_argument("--no-compare", action="store_true", help="skip the before/after simulation")
    add_common_options(p)
    p.add_argument(
        "--out",
        type=out_folder,
        default=None,
        help="output folder (default results/optimize_<scenario>_<kind>)",
    )
    p.set_defaults(handler=run)


def candidates_value(text: str) -> str:
    """Flag type of ``--candidates``: ``towns`` or a path a file system can hold."""
    if text == "towns":
        return text
    file_path(text)
    return text


def run(args: argparse.Namespace) -> int:
    """Execute ``optimize``."""
    with progress_bar(args.quiet) as progress:
        result = optimize_placement(
            args.scenario,
            kind=args.kind,
            add=args.add,
            objective=args.objective,
            relocate=args.relocate,
            threshold_h=args.threshold_h,
            candidates=args.candidates,
            capacity=args.capacity,
            template=args.template,
            time_limit_s=args.time_limit_s,
            compare=not args.no_compare,
            out=args.out,
            progress=progress,
            **run_options(args),
        )
    console = Console()
    pl, problem, sol = result.placement, result.problem, result.solution
    before = pl["before"]
    console.print(
        f"{args.objective} on {len(problem.candidates)} candidates × {len(problem.demand_towns)} "
        f"towns: status {sol.status}, solved in {sol.solve_time_s:.2f} s"
    )
    console.print(
        f"mean travel time to {args.kind}: {before['mean_travel_time_h']:.2f} h → "
        f"{pl['mean_travel_time_h']:.2f} h (demand-weighted); max "
        f"{before['max_travel_time_h']:.2f} h → {pl['max_travel_time_h']:.2f} h"
    )
    for a in pl["added"]:
        console.print(f"  + {a['id']}: {a['site']} ({a['county']}) {a['lon']:.4f}, {a['lat']:.4f}")
    if result.comparison is not None:
        print_comparison(console, result.comparison, lang=args.lang)
    console.print(f"results written to {result.out_dir}/ in {result.wall_s:.1f} s")
    return 0
