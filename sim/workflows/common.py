"""What every workflow shares: loading a scenario with overrides, the network cache, simulating.

The layers below know nothing of folders, charts or terminals; the workflows tie them together
and return frozen result objects. Nothing here prints or parses arguments: progress goes
through a callback the caller may pass.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from sim.analysis.compare import ScenarioRun
from sim.analysis.resources import staffing_rows
from sim.analysis.summary import summarise
from sim.errors import ScenarioError, UsageError
from sim.model.compile import Prepared, prepare
from sim.model.runner import MAX_WORKERS, dask_address_problem, default_workers, run_replications
from sim.network import RoadNetwork, network_from_spec
from sim.physics.aviation import AviationPoint, load_aviation_points
from sim.results.schema import concat_tables
from sim.scenario import Scenario, load_scenario, scenario_from_dict, scenario_to_dict

#: Progress callback: ``progress(label, done, total)`` after each finished replication.
Progress = Callable[[str, int, int], None]


@cache
def load_network(spec: str) -> RoadNetwork:
    """Return the `RoadNetwork` for a network spec, built once per process."""
    return network_from_spec(spec)


def load(path: str | Path, **overrides: Any) -> Scenario:
    """Load a scenario file and apply overrides (``replications``, ``seed``, ``network``, ...).

    Overrides that are None are ignored. The overridden scenario is validated again, so
    ``seed=-1`` is reported like a bad file, naming the file and the key.
    """
    scenario = load_scenario(path)
    upd = {k: v for k, v in overrides.items() if v is not None}
    if not upd:
        return scenario
    return scenario_from_dict(
        {**scenario_to_dict(scenario), **upd}, source=f"{path} (command-line overrides)"
    )


def worker_count(workers: int | None, replications: int) -> int:
    """Worker processes to use: `workers`, at most one per replication.

    `workers` defaults to every usable core.
    """
    check_run_options(workers=workers)
    return min(workers or default_workers(), int(replications))


def check_run_options(*, workers: int | None = None, dask: str | None = None) -> None:
    """Refuse a bad worker count or Dask address before anything is loaded or simulated.

    Raises
    ------
    UsageError
        Naming the command-line flag (``--workers``, ``--dask``) and what was expected.
    """
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        msg = f"--workers: expected an integer >= 1 and <= {MAX_WORKERS}, got {workers!r}"
        raise UsageError(msg)
    problem = dask_address_problem(dask) if dask is not None else None
    if problem is not None:
        msg = f"--dask: {problem}"
        raise UsageError(msg)


def simulate(
    scenario: Scenario,
    *,
    label: str | None = None,
    source: str = "",
    workers: int | None = None,
    dask: str | None = None,
    progress: Progress | None = None,
) -> ScenarioRun:
    """Compile and run every replication of a scenario and summarise it (no files written).

    Parameters
    ----------
    scenario
        Validated scenario.
    label
        Name of the run in comparisons and progress (default: the scenario name).
    source
        File the scenario came from (kept for reports).
    workers, dask
        Local worker processes, or a Dask scheduler address (``"local"`` for a local cluster).
    progress
        Called as ``progress(label, done, total)`` after each replication.

    Returns
    -------
    run
        The compiled scenario, its ``metrics.json`` mapping and its incident table.
    """
    label = label or scenario.name
    prep = compile_scenario(scenario, source=source)
    n = int(scenario.replications)
    w = worker_count(workers, n)
    report = None if progress is None else (lambda k: progress(label, k, n))
    results = run_replications(prep, n, workers=w, dask=dask, progress=report)
    return ScenarioRun(
        label=label,
        source=source,
        prep=prep,
        metrics=summarise(prep, results),
        table=concat_tables([r.incidents for r in results]),
        staffing_rows=tuple(tuple(row) for row in staffing_rows(prep, results)),
        trips=concat_tables(trips) if (trips := [r.trips for r in results if r.trips]) else None,
    )


def compile_scenario(scenario: Scenario, *, source: str = "") -> Prepared:
    """Load the scenario's network and compile the scenario against it.

    A problem only the network shows (a static closure between towns no road joins) is a
    `ScenarioError` naming the file, when `source` gives it, and the key.
    """
    net = load_network(scenario.network)
    try:
        return prepare(scenario, net)
    except ScenarioError as e:
        if not source:
            raise
        msg = f"{source}: {e}"
        raise ScenarioError(msg) from e


def aviation_points(scenario: Scenario) -> list[AviationPoint]:
    """Return the scenario's aviation points.

    These are the shipped ones when `aviation.builtin`, plus the scenario's own.
    """
    pts: list[AviationPoint] = list(load_aviation_points()) if scenario.aviation.builtin else []
    for p in scenario.aviation.points:
        lon, lat = p.lonlat()
        pts.append(AviationPoint(p.id, p.kind, p.name, lon, lat, source=scenario.name, note=""))
    return pts
