"""Command line of the simulator: parse arguments, dispatch to a sub-command, map errors to exit codes.

Each sub-command lives in its own private module ``sim/_cmd_<name>.py`` that exposes
``add_parser(subparsers)`` and ``run(args) -> int``. Only expected errors (`SimError`) are
turned into a message and exit status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sim.errors import SimError

#: Sub-commands in the order ``--help`` lists them.
COMMANDS = ("run", "network", "route", "compare", "sweep", "optimize")
EXIT_USAGE = 2


def _load(name: str):  # noqa: ANN202 - returns a module
    try:
        return importlib.import_module(f"sim.cli.{name}")
    except ModuleNotFoundError as e:
        if e.name == f"sim.cli.{name}":
            return None
        raise


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="run_scenario.py",
        description="Shaoguan emergency resource dispatch simulator (韶关应急资源调度仿真).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = _load(name)
        if module is not None:
            module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `run_scenario.py` alone or `run_scenario.py SCENARIO.yaml` mean `run`.
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args) or 0)
    except SimError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
