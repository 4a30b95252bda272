"""Command line of the simulator: parse arguments, run a sub-command, map errors to exit codes.

Each sub-command has a module ``sim/cli/<name>.py`` with ``add_parser(subparsers)`` and
``run(args) -> int``: it parses, calls one workflow (`sim.workflows`) and prints its result.
Only expected errors (`SimError`, and wrong flags) are turned into a message and exit status 2;
anything else is a bug and keeps its traceback. SIGINT (Ctrl-C) and SIGTERM stop the command
the same way: the exception unwinds through the runner, which stops its worker processes, and
through the results-folder writer, which removes its temporary folder (exit 130 or 143).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, ModuleType

from sim import __version__
from sim.cli.common import EXIT_USAGE, Parser
from sim.errors import SimError
from sim.model.runner import clear_stop, request_stop

#: A ``lon,lat`` pair with a negative longitude (``-102.27,21.87``): a value, not an option.
_NEGATIVE_LONLAT = re.compile(r"^-\d+(?:\.\d+)?,\s*-?\d+(?:\.\d+)?$")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's `KeyboardInterrupt` so that the same clean-up runs."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    request_stop(Terminated)
    raise Terminated(signum)


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    request_stop(KeyboardInterrupt)
    raise KeyboardInterrupt


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into `Terminated` and SIGINT into `KeyboardInterrupt` while a command runs
    (main thread only), and record the request with the runner, which checks it between tasks
    (an exception raised inside a finalizer would be lost). An ignored SIGINT stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        if previous_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous_int)
        clear_stop()


def _commands() -> dict[str, ModuleType]:
    """Every command module of this package (one with `add_parser`), in ``ORDER``."""
    found = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        module = importlib.import_module(f"sim.cli.{info.name}")
        if hasattr(module, "add_parser") and hasattr(module, "ORDER"):
            found.append(module)
    found.sort(key=lambda m: m.ORDER)
    return {m.__name__.rsplit(".", 1)[1]: m for m in found}


#: Sub-commands in the order ``--help`` lists them.
COMMANDS = _commands()


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every available sub-command."""
    parser = Parser(
        prog="run_scenario.py",
        description="Shaoguan emergency resource dispatch simulator (韶关应急资源调度仿真).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `run_scenario.py` alone or `run_scenario.py SCENARIO.yaml` mean `run`.
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["run", *argv]
    # argparse reads any word starting with '-' as an option unless it is a plain number; a
    # leading space keeps a negative lon,lat a value (place parsing strips it again).
    argv = [f" {a}" if _NEGATIVE_LONLAT.match(a) else a for a in argv]
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help (0) or a wrong flag (2, message already printed)
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        with warnings.catch_warnings(), _sigterm_as_interrupt():
            # Warnings are for the user: one line each, without the internal source path and
            # line that Python's default format adds (recording in tests is unaffected).
            warnings.formatwarning = _format_warning
            return int(args.handler(args) or 0)
    except SimError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Terminated:
        print("terminated (SIGTERM); results folders are complete or untouched", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("interrupted; results folders are complete or untouched", file=sys.stderr)
        return 128 + signal.SIGINT


def _format_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    """Format a warning as ``warning: <message>`` (no file name, no source line)."""
    return f"warning: {message}\n"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
