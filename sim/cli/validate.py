"""``validate``: check the model against known answers and public figures (docs/validation.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.cli.common import progress_bar
from sim.workflows.validate import DEFAULT_OUT, DEFAULT_SCENARIO, validate_model

#: Position of the command in ``--help``.
ORDER = 60


def add_parser(sub: Any) -> None:
    """Register the ``validate`` sub-command."""
    p = sub.add_parser(
        "validate",
        help="validate the model and write docs/validation.md",
        description=(
            "Compare the model with known answers and public figures: the engine against "
            "Erlang C, route times against sim/data/reference_routes.csv, forest-fire sizes "
            "against the 广西 2016-2021 statistics, call volumes against 119 figures."
        ),
    )
    p.add_argument(
        "scenario",
        nargs="?",
        default=DEFAULT_SCENARIO,
        help=f"scenario to check (default {DEFAULT_SCENARIO})",
    )
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"page to write (default {DEFAULT_OUT})"
    )
    p.add_argument("--fast", action="store_true", help="few replications (smoke test)")
    p.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: all cores)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``validate``."""
    with progress_bar(args.quiet) as progress:
        result = validate_model(
            args.scenario,
            fast=args.fast,
            seed=args.seed,
            out=args.out,
            workers=args.workers,
            progress=progress,
        )
    table = Table(title="validation")
    for col in ("check", "model", "reference", "verdict"):
        table.add_column(col)
    for c in result.checks:
        colour = "green" if c.verdict == "ok" else "red"
        table.add_row(c.item, c.model, c.reference, f"[{colour}]{c.verdict}[/]")
    console = Console()
    console.print(table)
    ok = sum(1 for c in result.checks if c.verdict == "ok")
    console.print(f"{ok} of {len(result.checks)} checks ok; page written to {result.out}")
    return 0
