"""\
Benchmark: incidents simulated per second, simpy engine vs a bare heapq loop, and 30 replications.

Usage::

    python benchmarks/bench_engine.py [SCENARIO] [--replications 30] [--workers 2]

SCENARIO defaults to ``scenarios/shaoguan_baseline.yaml``.

1. One replication of the scenario's incident stream (one simulated year for the baseline) is run
   through `sim.engine.simulate` and through `bare_loop.simulate_heapq` (same dispatch rule,
   relief switched off in both, since the bare loop has none). Both must give identical arrival
   times; the script reports incidents per second for each and the ratio (goal: engine ≥ 50 %).
2. The full scenario (all replications, relief included) is timed end to end with the given
   number of worker processes (goal for the baseline: 30 one-year replications < 30 s on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bare_loop import simulate_heapq

from sim.model.compile import prepare
from sim.model.engine import simulate
from sim.model.incidents import generate_incidents
from sim.model.replication import DRAIN_S
from sim.model.runner import run_replications
from sim.network import access_time_s
from sim.workflows.common import load, load_network


def best_of(fn, repeat: int = 3) -> float:
    """Return the best wall time (s) of `repeat` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    """Run the benchmark and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?", default="scenarios/shaoguan_baseline.yaml")
    ap.add_argument("--replications", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    sc = load(args.scenario, replications=args.replications)
    prep = prepare(sc, load_network(sc.network))
    inc = generate_incidents(sc, prep.geography, prep.population, 0)
    node, dist = prep.net.nearest_nodes(inc.lon, inc.lat)
    access = access_time_s(dist, sc.access.speed_kph, sc.access.circuity)
    until = sc.horizon_days * 86400 + DRAIN_S

    out = simulate(prep.fleet, inc, node, access, prep.demand, relief=None, until_s=until)
    first, allarr, _ = simulate_heapq(prep.fleet, inc, node, access, prep.demand, until_s=until)
    same = np.allclose(out.first_arrival_s, first, equal_nan=True) and np.allclose(
        out.all_arrived_s, allarr, equal_nan=True
    )
    t_engine = best_of(
        lambda: simulate(prep.fleet, inc, node, access, prep.demand, relief=None, until_s=until)
    )
    t_bare = best_of(
        lambda: simulate_heapq(prep.fleet, inc, node, access, prep.demand, until_s=until)
    )
    n = len(inc)
    print(f"scenario: {sc.name}; one replication = {sc.horizon_days:g} days, {n} incidents")
    print(f"identical arrival times engine vs bare loop: {same}")
    print(f"{'loop':<22}{'seconds':>10}{'incidents/s':>14}")
    print(f"{'simpy engine':<22}{t_engine:>10.3f}{n / t_engine:>14,.0f}")
    print(f"{'bare heapq loop':<22}{t_bare:>10.3f}{n / t_bare:>14,.0f}")
    print(f"engine speed relative to bare loop: {t_bare / t_engine:.0%} (goal >= 50%)")

    for workers in sorted({1, args.workers}):
        t0 = time.perf_counter()
        run_replications(prep, args.replications, workers=workers)
        wall = time.perf_counter() - t0
        print(f"{args.replications} replications, {workers} worker(s), relief on: {wall:.1f} s")


if __name__ == "__main__":
    main()
