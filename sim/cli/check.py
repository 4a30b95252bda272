"""``check``: validate a scenario file without simulating it."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from sim.cli.common import file_path, integer, network_value
from sim.scenario.schema import MAX_REPLICATIONS, MAX_SEED
from sim.workflows.check import check_scenario

#: Position of the command in ``--help``.
ORDER = 15


def add_parser(sub: Any) -> None:
    """Register the ``check`` sub-command."""
    p = sub.add_parser(
        "check",
        help="validate scenario files without simulating (exit 0 when every file is valid)",
        description=(
            "Read and validate scenario files (every key, every rule between sections, the "
            "extends chain, the network file) and compile each against its road network; "
            "nothing is simulated or written. Exit status 2 and every problem when a file is "
            "not valid."
        ),
    )
    p.add_argument("scenarios", nargs="+", type=file_path, metavar="SCENARIO", help="YAML files")
    p.add_argument(
        "--replications",
        type=integer(1, MAX_REPLICATIONS),
        default=None,
        help="check with this replications override",
    )
    p.add_argument("--seed", type=integer(0, MAX_SEED), default=None, help="check with this seed")
    p.add_argument(
        "--network", type=network_value, default=None, help="check with this network override"
    )
    p.add_argument(
        "--no-network",
        action="store_true",
        help="check the files only; do not load the road network and compile against it",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``check``: one line per valid file, its warnings; the first invalid one stops."""
    console = Console(highlight=False)
    for path in args.scenarios:
        result = check_scenario(
            path,
            replications=args.replications,
            seed=args.seed,
            network=args.network,
            compile_network=not args.no_network,
        )
        sc = result.scenario
        against = f", compiled on network {sc.network}" if result.compiled else ""
        console.print(
            f"ok: {path}: {len(sc.facilities)} facilities, {len(sc.incidents)} incident types, "
            f"{len(sc.targets)} targets; about {result.incidents_per_replication:,.0f} incidents "
            f"per replication × {sc.replications} replications{against}",
            soft_wrap=True,
        )
        for w in result.warnings:
            console.print(f"[yellow]warning: {w}[/]", soft_wrap=True)
    return 0
