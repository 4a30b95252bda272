"""What the sub-commands share: common options, the progress bar and the targets table."""

from __future__ import annotations

import argparse
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.errors import SimError
from sim.model.runner import MAX_WORKERS, dask_address_problem
from sim.results.folder import OutputError, check_output_folder
from sim.results.measures import MEASURES
from sim.scenario.load import path_text_problem
from sim.scenario.network_spec import network_spec_problem, resolve_network_spec
from sim.scenario.schema import MAX_REPLICATIONS, MAX_SEED
from sim.workflows.common import Progress as ProgressCallback
from sim.workflows.route import resolve_route_place

#: Exit status of a usage error (a wrong flag or input file).
EXIT_USAGE = 2


# --------------------------------------------------------------------------- flag values
# Each flag's value is checked as argparse reads it, so a wrong value stops the command before
# anything is loaded or simulated, with a message that names the flag as typed
# (`--time-limit-s: expected a number >= 0, got -1`); see `Parser.error`.


def _range_text(lo: float | None, hi: float | None, *, above: bool = False) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>' if above else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"<= {hi:,}" if isinstance(hi, int) else f"<= {hi:g}")
    return " and ".join(parts)


def integer(lo: int | None = None, hi: int | None = None) -> Callable[[str], int]:
    """Flag type: an integer in ``lo .. hi`` (digits only: ``1e3`` or ``2.0`` are refused)."""

    def parse(text: str) -> int:
        expected = f"expected an integer {_range_text(lo, hi)}".rstrip()
        try:
            value = int(text.strip().replace("_", ""), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{expected}, got {text!r}") from None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"{expected}, got {text}")
        return value

    return parse


def number(
    lo: float | None = None, hi: float | None = None, *, above: bool = False
) -> Callable[[str], float]:
    """Flag type: a finite number ``>= lo`` (``> lo`` with `above`) and ``<= hi``."""

    def parse(text: str) -> float:
        expected = f"expected a number {_range_text(lo, hi, above=above)}".rstrip()
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{expected}, got {text!r}") from None
        low_bad = lo is not None and (value <= lo if above else value < lo)
        if not math.isfinite(value) or low_bad or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"{expected}, got {text}")
        return value

    return parse


def text_value(text: str) -> str:
    """Flag type: non-empty text without control characters (ids, names, places)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a value, got an empty text")
    bad = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise argparse.ArgumentTypeError(f"expected text without control characters, got {text!r}")
    return text


#: A ``lon,lat`` pair (either may be negative).
_LONLAT_TEXT = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*$")


def place_value(text: str) -> str:
    """Flag type: a place name or ``lon,lat`` in WGS84 degrees.

    A coordinate is checked here (degrees in range); a name is resolved by the workflow in the
    study region it works on (the scenario's, or Shaoguan's), so a typo still fails before any
    network is loaded.
    """
    text_value(text)
    if _LONLAT_TEXT.match(text):
        try:
            resolve_route_place(text)
        except SimError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return text


def file_path(text: str) -> Path:
    """Flag type: a path a file system can hold (not empty, no NUL character)."""
    problem = path_text_problem(text, "file")
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return Path(text)


def network_value(text: str) -> str:
    """Flag type: ``shaoguan``, an existing road-network file, or a place name.

    A file is returned as an absolute path, so the resolved ``scenario.yaml`` of a run names
    the file that was used whatever the working folder.
    """
    problem = network_spec_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return resolve_network_spec(text, Path.cwd())


def dask_value(text: str) -> str:
    """Flag type: ``local`` or a Dask scheduler address ``tcp://HOST:PORT``."""
    problem = dask_address_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def out_folder(text: str) -> Path:
    """Flag type: a results folder that can be written (checked before any simulation)."""
    try:
        return check_output_folder(text, what="results")
    except OutputError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors read like the simulator's: ``error: --flag: ...``."""

    def error(self, message: str) -> NoReturn:
        """Print the problem with the flag as typed and exit with status 2 (no traceback)."""
        message = re.sub(r"^argument ([^:]+): ", r"\1: ", message)
        message = re.sub(
            r"invalid choice: (.*) \(choose from (.*)\)", r"expected one of \2, got \1", message
        )
        self.exit(EXIT_USAGE, f"error: {message}\n(see {self.prog} --help)\n")


def add_common_options(p: argparse.ArgumentParser) -> None:
    """Options shared by run, compare, sweep and optimize."""
    p.add_argument(
        "--replications",
        type=integer(1, MAX_REPLICATIONS),
        default=None,
        help=f"override the scenario's replications (1 to {MAX_REPLICATIONS:,})",
    )
    p.add_argument(
        "--seed", type=integer(0, MAX_SEED), default=None, help="override the scenario's seed"
    )
    p.add_argument(
        "--network",
        type=network_value,
        default=None,
        help="override the scenario's network (shaoguan, .graphml, .osm)",
    )
    p.add_argument(
        "--workers",
        type=integer(1, MAX_WORKERS),
        default=None,
        help="worker processes (default: all cores)",
    )
    p.add_argument(
        "--dask",
        type=dask_value,
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
