"""\
Benchmark: one replication-year end to end, and where its time goes (engine vs the rest).

Usage::

    python benchmarks/bench_replication.py [SCENARIO] [--replications 10] [--repeat 3]

SCENARIO defaults to ``benchmarks/baseline_2025.yaml`` (the 2025 baseline, frozen for
benchmarks). Goal on that scenario: one replication-year in 0.17 s or less on one core.

1. **End to end.** The scenario is compiled once; then replications 1..N run one after the
   other in this process (`sim.model.replication.run_replication`: incident generation,
   snapping, travel-model set-up, the simpy engine, the incident table), and the targets are
   evaluated from their tables (`sim.analysis.summary.evaluate_targets`, what a sensitivity
   point needs). The best of `--repeat` batches is reported, per replication-year and as
   incidents per second. Times are CPU seconds of this process (`time.process_time`), so
   that other work on the machine does not inflate them (it still slows caches a little).
2. **Split.** The same batch again with timers around the stages (instrumented; the timers
   cost a few per cent, printed): incident generation; set-up of the replication (snapping,
   fire plan, boat legs, closure sampling, travel model); inside the engine call, the travel
   model (ETAs, legs, returns, boat legs) and the road-closure recomputation
   (`RoadState.close`/`reopen`), and the rest of it, which is the simpy engine itself (event
   loop, dispatch, fire and relief logic); the incident table; the targets.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.analysis.summary import evaluate_targets
from sim.model import replication as rep_mod
from sim.model import travel as travel_mod
from sim.model.compile import prepare
from sim.results.schema import concat_tables
from sim.workflows.common import load, load_network

DEFAULT = Path(__file__).resolve().parent / "baseline_2025.yaml"
#: CPU time of this process (s): on a shared machine, other processes' load does not count.
clock = time.process_time


def forget(prep: Any) -> None:
    """Drop the trees remembered under closures, so that a batch pays for its own searches.

    (A sensitivity screening reuses them from point to point; a single run cannot.)
    """
    searched = getattr(getattr(prep, "road_trees", None), "searched", None)
    if searched is not None:
        searched.clear()


def batch(prep: Any, reps: range) -> tuple[float, int]:
    """Run replications `reps` and evaluate the targets; return (seconds, incidents)."""
    forget(prep)
    t0 = clock()
    results = [rep_mod.run_replication(prep, r) for r in reps]
    evaluate_targets(prep, concat_tables([r.incidents for r in results]), len(results))
    return clock() - t0, sum(len(r.incidents["id"]) for r in results)


class Timers:
    """Wall-clock time per stage; nested timed calls count only in the outermost stage."""

    def __init__(self) -> None:
        self.acc: dict[str, float] = {}
        self.depth = 0

    def wrap(self, owner: Any, name: str, stage: str) -> Callable[[], None]:
        """Time calls of ``owner.name`` under `stage`; return a function that undoes it."""
        original = getattr(owner, name)

        def timed(*a: Any, **k: Any) -> Any:
            if self.depth:
                return original(*a, **k)
            self.depth += 1
            t0 = clock()
            try:
                return original(*a, **k)
            finally:
                self.acc[stage] = self.acc.get(stage, 0.0) + clock() - t0
                self.depth -= 1

        setattr(owner, name, timed)
        return lambda: setattr(owner, name, original)


def split(prep: Any, reps: range) -> tuple[dict[str, float], float]:
    """Instrumented batch: seconds per stage (summed over `reps`) and the batch's wall time."""
    forget(prep)
    tm = Timers()
    undo = [
        tm.wrap(rep_mod, "generate_incidents", "incidents"),
        tm.wrap(rep_mod, "_fire_plan", "set-up"),
        tm.wrap(rep_mod, "_boat_legs", "set-up"),
        tm.wrap(rep_mod, "_disruption_plan", "set-up"),
        tm.wrap(rep_mod, "TravelModel", "set-up"),
        tm.wrap(rep_mod, "_nearest_town", "table"),
        tm.wrap(rep_mod, "_county_of", "table"),
        tm.wrap(rep_mod, "check_table", "table"),
    ]
    inner = Timers()  # inside the engine call: its own depth counter
    for name in ("eta_s", "road_eta_s", "legs", "return_s", "road_rows"):
        undo.append(inner.wrap(travel_mod.TravelModel, name, "travel model"))
    undo.append(inner.wrap(travel_mod.BoatLegs, "__call__", "travel model"))
    undo.append(inner.wrap(travel_mod.RoadState, "close", "road closures"))
    undo.append(inner.wrap(travel_mod.RoadState, "reopen", "road closures"))
    undo.append(tm.wrap(rep_mod, "simulate", "engine call"))
    t0 = clock()
    try:
        results = [rep_mod.run_replication(prep, r) for r in reps]
        t1 = clock()
        evaluate_targets(prep, concat_tables([r.incidents for r in results]), len(results))
        tm.acc["targets"] = clock() - t1
    finally:
        for u in reversed(undo):
            u()
    wall = clock() - t0
    acc = dict(tm.acc)
    engine_call = acc.pop("engine call", 0.0)
    for k, v in inner.acc.items():
        acc[k] = v
    acc["simpy engine"] = engine_call - sum(inner.acc.values())
    acc["other (snapping, table columns)"] = wall - sum(acc.values())
    return acc, wall


def main() -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?", default=str(DEFAULT))
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sc = load(args.scenario, replications=args.replications)
    t0 = clock()
    prep = prepare(sc, load_network(sc.network))
    t_prep = clock() - t0
    rep_mod.run_replication(prep, 0)  # warm caches (sun tables, k-d trees) before timing
    reps = range(1, args.replications + 1)
    best, n_inc = min(batch(prep, reps) for _ in range(args.repeat))
    n = args.replications
    print(f"scenario {sc.name}: {n} replication-years, {n_inc / n:,.0f} incidents each")
    print(f"compile (prepare, once per scenario): {t_prep:.3f} s")
    print(
        f"end to end, best of {args.repeat}: {best / n:.3f} s per replication-year, "
        f"{n_inc / best:,.0f} incidents/s (goal <= 0.17 s)"
    )
    acc, wall = split(prep, reps)
    print(f"split (instrumented batch: {wall / n:.3f} s per replication-year):")
    print(f"  {'stage':<34}{'ms/year':>9}{'share':>8}")
    for k, v in sorted(acc.items(), key=lambda kv: -kv[1]):
        print(f"  {k:<34}{v / n * 1000:>9.1f}{v / wall:>8.0%}")
    rest = wall - acc["simpy engine"]
    print(
        f"  simpy engine {acc['simpy engine'] / n:.3f} s, everything else {rest / n:.3f} s "
        "per replication-year"
    )


if __name__ == "__main__":
    main()
