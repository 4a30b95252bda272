"""The ``fit`` sub-command: incident rates, profiles and on-scene times from historical calls."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.workflows.fit import fit_from_calls

#: Position of the command in ``--help``.
ORDER = 35


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"expected a date YYYY-MM-DD, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def add_parser(subparsers: Any) -> None:
    """Register ``fit`` on the top-level sub-parser."""
    p = subparsers.add_parser(
        "fit",
        help="estimate incident rates, profiles and on-scene times from a CSV of calls",
        description=(
            "Fit each incident type of a calls CSV (time, type, optional on_scene_h): annual "
            "rate, 12 monthly and 24 hourly profile values, and the on-scene distribution "
            "(exponential, lognormal or gamma by AIC), with goodness of fit. Prints a scenario "
            "block; with --scenario it is a variant that extends that scenario."
        ),
    )
    p.add_argument("calls", type=Path, help="CSV of calls (see docs/scenario-reference.md)")
    p.add_argument("--scenario", type=Path, help="scenario whose incident types the calls use")
    p.add_argument("--start", type=_date, help="observation window start (YYYY-MM-DD)")
    p.add_argument("--end", type=_date, help="observation window end, exclusive (YYYY-MM-DD)")
    p.add_argument("--out", type=Path, help="write the fitted YAML here")
    p.add_argument("--json", action="store_true", help="print the fits as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Fit and print."""
    if not args.calls.is_file():
        msg = f"{args.calls}: calls file not found"
        raise ScenarioError(msg)
    result = fit_from_calls(
        args.calls, scenario=args.scenario, start=args.start, end=args.end, out=args.out
    )
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.text, end="")
        if result.out is not None:
            print(f"# written to {result.out}")
    return 0
