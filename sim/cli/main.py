"""Command line of the simulator: parse arguments, run a sub-command, map errors to exit codes.

Each sub-command has a module ``sim/cli/<name>.py`` with ``add_parser(subparsers)`` and
``run(args) -> int``: it parses, calls one workflow (`sim.workflows`) and prints its result.
Only expected errors (`SimError`) are turned into a message and exit status 2; anything else is
a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sim.cli import compare, network, optimize, route, run, sweep
from sim.errors import SimError

#: Sub-commands in the order ``--help`` lists them.
COMMANDS = {
    "run": run,
    "network": network,
    "route": route,
    "compare": compare,
    "sweep": sweep,
    "optimize": optimize,
}
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="run_scenario.py",
        description="Shaoguan emergency resource dispatch simulator (韶关应急资源调度仿真).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
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
