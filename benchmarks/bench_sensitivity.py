"""\
Benchmark: the Morris screening of a scenario's assumptions, end to end, and its parallelism.

Usage::

    python benchmarks/bench_sensitivity.py [SCENARIO] [--trajectories 10] [--replications 10]
        [--workers 2] [--modes 2]

SCENARIO defaults to ``benchmarks/baseline_2025.yaml`` (the 2025 baseline, frozen; 23
assumptions). Goal there: the screening (>= 20 inputs, 10 trajectories, 10 replications per
point) in under 3 minutes on 2 cores.

``--modes`` picks what is timed: ``2`` (default: `--workers` local processes), or a
comma-separated list of ``1``, ``2`` and ``dask`` (1 process, 2 processes, a 2-worker Dask
LocalCluster, its start-up included); with more than one, the script also checks that they
write the same ``sensitivity.json`` (byte for byte, after the wall-clock-free JSON dump).

Printed per mode: wall time, points and replication-years, incidents per second end to end
(incidents simulated / wall time, every stage included: validating the points, compiling,
simulating, estimating), and the CPU seconds of this process and of its worker processes.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from sim.workflows.sensitivity import sensitivity_scenario

DEFAULT = Path(__file__).resolve().parent / "baseline_2025.yaml"


def cpu_s() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> None:
    """Run the screening in each mode and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?", default=str(DEFAULT))
    ap.add_argument("--trajectories", type=int, default=10)
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--modes", default="2", help="comma-separated: 1, 2, dask")
    args = ap.parse_args()
    texts = {}
    print(
        f"{'mode':<14}{'wall s':>9}{'points':>8}{'rep-years':>11}{'incidents/s':>13}"
        f"{'CPU main s':>12}{'CPU workers s':>15}"
    )
    for mode in args.modes.split(","):
        kw: dict = {"workers": 1} if mode == "1" else {"workers": args.workers}
        if mode == "dask":
            kw["dask"] = "local"
        c0 = cpu_s()
        t0 = time.perf_counter()
        res = sensitivity_scenario(
            args.scenario,
            trajectories=args.trajectories,
            replications=args.replications,
            write=False,
            **kw,
        )
        wall = time.perf_counter() - t0
        c1 = cpu_s()
        sens = res.sensitivity
        points = sens["design"]["points"] + 1  # the scenario itself is run too
        reps = points * sens["replications"]
        incidents = sens["replications"] * sum(
            p["incidents_per_replication"] for p in sens["points"]
        )
        print(
            f"{mode:<14}{wall:>9.1f}{points:>8}{reps:>11}{incidents / wall:>13,.0f}"
            f"{c1[0] - c0[0]:>12.1f}{c1[1] - c0[1]:>15.1f}"
        )
        texts[mode] = json.dumps(sens, sort_keys=True)
    if len(texts) > 1:
        print(
            f"identical sensitivity.json across {', '.join(texts)}: {len(set(texts.values())) == 1}"
        )
    k = len(sens["inputs"])
    print(
        f"scenario {sens['scenario']}: {k} inputs, {sens['design']['trajectories']} trajectories, "
        f"{sens['replications']} replications x {sens['horizon_days']:g} days per point"
    )


if __name__ == "__main__":
    main()
