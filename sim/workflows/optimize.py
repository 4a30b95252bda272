"""``optimize``: place K more facilities of one kind by MILP; re-score the plan by simulation."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.analysis.compare import ScenarioRun, compare_runs
from sim.analysis.placement import (
    PlacementProblem,
    PlacementResult,
    build_problem,
    file_candidates,
    new_scenario_data,
    placement_sites,
    score_existing,
    solve,
    town_candidates,
)
from sim.errors import UsageError
from sim.model.compile import prepare
from sim.output.gis import GPKG_NAME, write_geopackage
from sim.output.plots import save
from sim.output.plots.charts import plot_placement_map
from sim.results.files import write_json
from sim.results.folder import fit_folder_name, maybe_results_folder
from sim.results.measures import arrival_unit_types
from sim.results.schema import empty_table
from sim.scenario import dump_scenario_yaml, scenario_from_dict
from sim.scenario.schema import MAX_DURATION_H
from sim.workflows.common import Progress, check_run_options, compile_scenario, load, simulate
from sim.workflows.compare import write_compare_files


@dataclass(frozen=True, slots=True)
class OptimizeResult:
    """What `optimize_placement` produced.

    Attributes
    ----------
    placement
        The ``placement.json`` mapping (model, status, sites added, before/after objective).
    problem, solution
        The placement problem and the solver's result.
    comparison
        ``comparison.json`` of the before/after simulation, or None when skipped.
    out_dir
        The results folder written, or None.
    wall_s
        Wall-clock time (s).
    """

    placement: dict[str, Any]
    problem: PlacementProblem
    solution: PlacementResult
    comparison: dict[str, Any] | None
    out_dir: Path | None
    wall_s: float


#: Most facilities one placement adds (a city has about a hundred township seats).
MAX_ADD = 1_000
#: Longest solver time limit (s): one week.
MAX_TIME_LIMIT_S = 604_800


def check_optimize_options(
    *, add: int, threshold_h: float | None, capacity: float | None, time_limit_s: float | None
) -> None:
    """Refuse out-of-range placement options before anything is loaded, naming the flag."""
    problems = []
    if not 0 <= add <= MAX_ADD:
        problems.append(f"--add: expected an integer >= 0 and <= {MAX_ADD:,}, got {add}")
    if threshold_h is not None and not (
        math.isfinite(threshold_h) and 0 < threshold_h <= MAX_DURATION_H
    ):
        problems.append(
            f"--threshold-h: expected a number > 0 and <= {MAX_DURATION_H:,}, got {threshold_h}"
        )
    if capacity is not None and not (math.isfinite(capacity) and capacity > 0):
        problems.append(f"--capacity: expected a number > 0, got {capacity}")
    if time_limit_s is not None and not (
        math.isfinite(time_limit_s) and 0 <= time_limit_s <= MAX_TIME_LIMIT_S
    ):
        problems.append(
            f"--time-limit-s: expected a number >= 0 and <= {MAX_TIME_LIMIT_S:,}, "
            f"got {time_limit_s}"
        )
    if problems:
        raise UsageError("; ".join(problems))


def default_out(name: str, kind: str) -> Path:
    """``results/optimize_<scenario>_<kind>``."""
    return Path("results") / fit_folder_name(f"optimize_{name}_{kind}")


def optimize_placement(
    path: str | Path,
    *,
    kind: str,
    add: int = 1,
    objective: str = "pmedian",
    relocate: bool = False,
    threshold_h: float | None = None,
    candidates: str = "towns",
    capacity: float | None = None,
    template: str | None = None,
    time_limit_s: float | None = None,
    compare: bool = True,
    replications: int | None = None,
    seed: int | None = None,
    network: str | None = None,
    out: Path | None = None,
    write: bool = True,
    workers: int | None = None,
    dask: str | None = None,
    lang: str = "zh",
    plots: bool = True,
    progress: Progress | None = None,
) -> OptimizeResult:
    """Choose sites for `add` new facilities of `kind` and re-score the plan by simulation.

    Parameters
    ----------
    path
        Scenario file.
    kind
        Facility kind to place (``depot``, ``fire_station``, ...).
    add
        New facilities to place.
    objective
        {"pmedian", "mclp", "lscp", "pcenter"}: location model.
    relocate
        Re-choose the existing sites of the kind too.
    threshold_h
        Coverage time of ``mclp`` / ``lscp`` (h).
    candidates
        ``"towns"`` (every township seat) or a CSV file of candidate sites.
    capacity
        p-median: demand each site can serve per year.
    template
        Facility id whose units and stock new sites copy.
    time_limit_s
        Solver time limit (s).
    compare
        Simulate the old and the new plan under common random numbers.
    replications, seed, network, out, write, workers, dask, lang, plots, progress
        As for `sim.workflows.compare.compare_scenarios`.

    Returns
    -------
    result
        The placement, the solver's result, the comparison and the folder.
    """
    t0 = time.perf_counter()
    check_run_options(workers=workers, dask=dask)
    check_optimize_options(
        add=add, threshold_h=threshold_h, capacity=capacity, time_limit_s=time_limit_s
    )
    sc = load(path, replications=replications, seed=seed, network=network)
    folder = (out or default_out(sc.name, kind)) if write else None
    # The folder is checked and locked before the model is solved and anything simulated.
    with maybe_results_folder(folder, what="placement results") as tmp:
        prep = compile_scenario(sc, source=str(path))
        net = prep.net
        cands = (
            town_candidates(net, prep.region)
            if candidates == "towns"
            else file_candidates(Path(candidates), net, prep.region)
        )
        problem = build_problem(prep, kind, candidates=cands, relocate=relocate)
        solution = solve(
            problem,
            objective,
            add=add,
            threshold_h=threshold_h,
            capacity=capacity,
            time_limit_s=time_limit_s,
        )
        data, added = new_scenario_data(sc, problem, solution, template=template, relocate=relocate)
        new_source = f"{folder or default_out(sc.name, kind)}/scenario.yaml"
        new_sc = scenario_from_dict(data, source=new_source)
        placement = {
            "scenario": sc.name,
            "kind": kind,
            "objective": objective,
            "status": solution.status,
            "objective_value": solution.objective,
            "mip_gap": solution.mip_gap,
            "solve_time_s": round(solution.solve_time_s, 3),
            "build_time_s": round(solution.build_time_s, 3),
            "formulation": solution.formulation,
            "n_candidates": len(problem.candidates),
            "n_demand_points": len(problem.demand_towns),
            "demand_unit": problem.weight_unit,
            "demand_total": float(problem.weights.sum()),
            "incident_types": list(problem.incident_types),
            "fixed": [problem.candidates[k].name for k in problem.fixed],
            "added": added,
            "mean_travel_time_h": solution.mean_cost / 3600.0,
            "max_travel_time_h": solution.max_cost / 3600.0,
            "coverage_fraction": solution.coverage_fraction,
            "threshold_h": threshold_h,
            "relocate": bool(relocate),
            # The same objective for the existing sites only, for the before/after line.
            "before": score_existing(problem),
        }
        runs: tuple[ScenarioRun, ...] = ()
        comparison = None
        if compare:
            runs = (
                simulate(
                    sc,
                    label=sc.name,
                    source=str(path),
                    workers=workers,
                    dask=dask,
                    progress=progress,
                ),
                simulate(
                    new_sc,
                    label=new_sc.name,
                    source=new_source,
                    workers=workers,
                    dask=dask,
                    progress=progress,
                ),
            )
            comparison = compare_runs(runs)
        if tmp is not None:
            sites = placement_sites(problem, solution, added, relocate=relocate)
            if runs:  # the new plan as simulated: its incidents and towns with their outcomes
                new_prep, new_table = runs[1].prep, runs[1].table
            else:
                new_prep = prepare(new_sc, net)
                new_table = empty_table(arrival_unit_types(new_sc.targets))
            (tmp / "scenario.yaml").write_text(dump_scenario_yaml(new_sc), encoding="utf-8")
            write_json(tmp / "placement.json", placement)
            write_geopackage(tmp / GPKG_NAME, new_prep, new_table, placements=sites)
            if plots:
                fig, _ = plot_placement_map(prep, problem, solution, added, lang=lang)
                save(fig, tmp / "placement_map.png")
            if comparison is not None:  # inside the same folder: complete or absent together
                (tmp / "compare").mkdir()
                write_compare_files(tmp / "compare", runs, comparison, lang=lang, plots=plots)
    return OptimizeResult(
        placement, problem, solution, comparison, folder, time.perf_counter() - t0
    )
