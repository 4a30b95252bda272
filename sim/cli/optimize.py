"""``optimize``: place K more facilities of one kind by MILP, then re-score the plan by simulation."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from sim.cli.run import add_common_options
from sim.analysis.placement.problem import OBJECTIVES


def add_parser(sub: Any) -> None:
    """Register the ``optimize`` sub-command."""
    p = sub.add_parser(
        "optimize",
        help="place facilities (p-median, MCLP, LSCP, p-center) and compare by simulation",
        description=(
            "Choose sites for --add new facilities of --kind on the road network with an exact MILP "
            "(HiGHS), write placement.json and a scenario.yaml with the new sites, and compare the "
            "old and new plans by simulation under common random numbers."
        ),
    )
    p.add_argument("scenario", help="scenario YAML")
    p.add_argument("--kind", required=True, help="facility kind, e.g. depot, fire_station, water_rescue_base")
    p.add_argument("--add", type=int, default=1, help="new facilities to place (default 1)")
    grp = p.add_mutually_exclusive_group()
    grp.add_argument("--keep-existing", action="store_true", default=True, help="existing sites stay (default)")
    grp.add_argument("--relocate", action="store_true", help="re-choose the existing sites of the kind too")
    p.add_argument("--objective", choices=OBJECTIVES, default="pmedian", help="location model (default pmedian)")
    p.add_argument("--threshold-h", type=float, default=None, help="coverage time for mclp / lscp (h)")
    p.add_argument("--candidates", default="towns", help="'towns' (every township seat) or a CSV name,lon,lat|town")
    p.add_argument("--capacity", type=float, default=None, help="p-median: demand each site can serve per year")
    p.add_argument("--template", default=None, help="facility id whose units/stock new sites copy")
    p.add_argument("--time-limit-s", type=float, default=None, help="solver time limit (s)")
    p.add_argument("--no-compare", action="store_true", help="skip the before/after simulation")
    add_common_options(p)
    p.add_argument("--out", type=Path, default=None, help="output folder (default results/optimize_<scenario>_<kind>)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``optimize``."""
    from rich.console import Console

    from sim.results import files as io
    from sim.analysis.placement import problem as placement
    from sim.errors import ScenarioError
    from sim.model.runner import prepare
    from sim.scenario import dump_scenario_yaml, scenario_from_dict
    from sim.workflows.common import load_network, load_with_overrides

    console = Console()
    if args.add < 0:
        msg = f"--add must be >= 0, got {args.add}"
        raise ScenarioError(msg)
    sc = load_with_overrides(args.scenario, args)
    net = load_network(sc.network)
    prep = prepare(sc, net)
    out = args.out or Path("results") / f"optimize_{sc.name}_{args.kind}"
    cands = (placement.town_candidates(net) if args.candidates == "towns"
             else placement.file_candidates(Path(args.candidates), net))
    t0 = time.perf_counter()
    problem = placement.build_problem(prep, args.kind, candidates=cands, relocate=args.relocate)
    result = placement.solve(problem, args.objective, add=args.add, threshold_h=args.threshold_h,
                             capacity=args.capacity, time_limit_s=args.time_limit_s)
    data, added = placement.new_scenario_data(sc, problem, result, template=args.template, relocate=args.relocate)
    new_sc = scenario_from_dict(data, source=f"{out}/scenario.yaml")
    out.mkdir(parents=True, exist_ok=True)
    (out / "scenario.yaml").write_text(dump_scenario_yaml(new_sc), encoding="utf-8")
    summary = {
        "scenario": sc.name,
        "kind": args.kind,
        "objective": args.objective,
        "status": result.status,
        "objective_value": result.objective,
        "mip_gap": result.mip_gap,
        "solve_time_s": round(result.solve_time_s, 3),
        "build_time_s": round(result.build_time_s, 3),
        "formulation": result.formulation,
        "n_candidates": len(problem.candidates),
        "n_demand_points": len(problem.demand_towns),
        "demand_unit": problem.weight_unit,
        "demand_total": float(problem.weights.sum()),
        "incident_types": list(problem.incident_types),
        "fixed": [problem.candidates[k].name for k in problem.fixed],
        "added": added,
        "mean_travel_time_h": result.mean_cost / 3600.0,
        "max_travel_time_h": result.max_cost / 3600.0,
        "coverage_fraction": result.coverage_fraction,
        "threshold_h": args.threshold_h,
        "relocate": bool(args.relocate),
    }
    # Baseline value of the same objective (existing sites only) for the before/after line.
    before = placement.score_existing(problem)
    summary["before"] = before
    io.write_json(out / "placement.json", summary)
    console.print(
        f"{args.objective} on {len(problem.candidates)} candidates × {len(problem.demand_towns)} towns: "
        f"status {result.status}, solved in {result.solve_time_s:.2f} s"
    )
    console.print(f"mean travel time to {args.kind}: {before['mean_travel_time_h']:.2f} h → "
                  f"{summary['mean_travel_time_h']:.2f} h (demand-weighted); max {before['max_travel_time_h']:.2f} h → "
                  f"{summary['max_travel_time_h']:.2f} h")
    for a in added:
        console.print(f"  + {a['id']}: {a['site']} ({a['county']}) {a['lon']:.4f}, {a['lat']:.4f}")
    if not args.no_plots:
        from sim.output.plots import save
        from sim.output.plots.charts import plot_placement_map

        save(plot_placement_map(prep, problem, result, added, lang=args.lang)[0], out / "placement_map.png")
    if not args.no_compare:
        _compare(args, sc, new_sc, out, console)
    console.print(f"results written to {out}/ in {time.perf_counter() - t0:.1f} s")
    return 0


def _compare(args: argparse.Namespace, sc: Any, new_sc: Any, out: Path, console: Any) -> None:
    """Simulate the old and the new plan with the same seed and write a comparison."""
    from sim.cli.compare import print_comparison, write_outputs
    from sim.analysis.compare import ScenarioRun, compare_runs
    from sim.analysis.summary import concat_tables, summarise
    from sim.workflows.common import simulate_scenario

    runs = []
    for s, label, src in ((sc, sc.name, args.scenario), (new_sc, new_sc.name, str(out / "scenario.yaml"))):
        prep, results = simulate_scenario(s, workers=args.workers, dask=getattr(args, "dask", None),
                                          progress=not args.quiet, label=label)
        runs.append(ScenarioRun(label=label, source=src, prep=prep, metrics=summarise(prep, results),
                                table=concat_tables(results)))
    comparison = compare_runs(runs)
    write_outputs(out / "compare", runs, comparison, lang=args.lang, plots=not args.no_plots)
    print_comparison(console, comparison, lang=args.lang)
