"""Benchmark: replication scaling (1 → 2 workers, Dask local) and a 200,000-node network in memory.

Usage::

    python benchmarks/bench_scale.py scaling [--scenario SCENARIO] [--replications 30]
    python benchmarks/bench_scale.py large [--rows 400] [--cols 500] [--facilities 500]

``--scenario`` defaults to ``scenarios/shaoguan_baseline.yaml``.

``scaling`` compiles the scenario once and times `run_replications` with 1 worker, 2 worker
processes and a 2-worker Dask LocalCluster; it checks that the three give identical metrics and
prints the speed-ups (goal on 2 cores: ≥ 1.8× from 1 to 2 workers).

``large`` builds a synthetic road-like graph of rows × cols nodes (the perturbed grid of
``bench_matrix.py``, placed over the Shaoguan area), puts `--facilities` stations with one engine
each on random nodes, and simulates one year of two incident types on it; it prints the time of
each stage and the peak resident memory of the process (goal: < 8 GiB for 200,000 nodes and 500
facilities).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matrix import synthetic_graph

from sim.analysis.summary import summarise
from sim.model.compile import prepare
from sim.model.runner import run_replications
from sim.network import RoadNetwork
from sim.scenario import scenario_from_dict
from sim.workflows.common import load, load_network


def peak_rss_gib() -> float:
    """Peak resident set size of this process (GiB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def scaling(args: argparse.Namespace) -> None:
    """Time replications with 1 and 2 local workers and a Dask LocalCluster."""
    sc = load(args.scenario, replications=args.replications)
    prep = prepare(sc, load_network(sc.network))
    run_replications(prep, 1, workers=1)  # warm caches (sun tables, k-d trees) before timing
    rows = []
    outputs = {}
    for label, kw in (
        ("1 worker", {"workers": 1}),
        ("2 workers", {"workers": 2}),
        ("dask local, 2 workers", {"workers": 2, "dask": "local"}),
    ):
        t0 = time.perf_counter()
        res = run_replications(prep, args.replications, **kw)
        wall = time.perf_counter() - t0
        outputs[label] = json.dumps(summarise(prep, res), sort_keys=True)
        rows.append((label, wall))
    base = rows[0][1]
    print(f"scenario {sc.name}: {args.replications} replications of {sc.horizon_days:g} days")
    print(f"{'run':<24}{'seconds':>10}{'speed-up':>10}")
    for label, wall in rows:
        print(f"{label:<24}{wall:>10.2f}{base / wall:>9.2f}x")
    same = len(set(outputs.values())) == 1
    print(f"identical metrics across the three: {same}")


def large(args: argparse.Namespace) -> None:
    """Simulate one year on a synthetic graph of rows × cols nodes with many facilities."""
    t0 = time.perf_counter()
    G = synthetic_graph(args.rows, args.cols, seed=7)
    t_graph = time.perf_counter() - t0
    t0 = time.perf_counter()
    net = RoadNetwork.from_graph(G)
    del G  # the RoadNetwork keeps its own arrays; the networkx graph is the biggest object
    t_net = time.perf_counter() - t0
    rng = np.random.default_rng(1)
    nodes = rng.choice(net.n, size=args.facilities, replace=False)
    data = {
        "name": "synthetic_large",
        "network": "synthetic",
        "horizon_days": 365,
        "replications": 1,
        "seed": 1,
        "unit_types": {"engine": {"label": {"zh": "消防车", "en": "Engine"}, "vehicle": "light"}},
        "facilities": [
            {
                "id": f"fs{k}",
                "kind": "fire_station",
                "location": {"lon": float(net.lon[n]), "lat": float(net.lat[n])},
                "units": {"engine": {"count": 1}},
            }
            for k, n in enumerate(nodes)
        ],
        "incidents": {
            "fire": {
                "label": {"zh": "火灾", "en": "Fire"},
                "rate": {"per_year": 3000},
                "units": {"engine": 2},
                "on_scene": {"dist": "lognormal", "mean_h": 1.0, "sd_h": 0.8},
            },
            "rescue": {
                "label": {"zh": "救援", "en": "Rescue"},
                "rate": {"per_year": 2000},
                "units": {"engine": 1},
                "on_scene": {"dist": "exponential", "mean_h": 1.0},
            },
        },
        "targets": [
            {
                "id": "fire_30min",
                "label": {"zh": "火灾30分钟", "en": "Fire 30 min"},
                "measure": "first_arrival",
                "incident_types": ["fire"],
                "threshold_h": 0.5,
            }
        ],
    }
    sc = scenario_from_dict(data, source="synthetic")
    t0 = time.perf_counter()
    prep = prepare(sc, net)
    t_prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = run_replications(prep, 1, workers=1)
    t_run = time.perf_counter() - t0
    m = summarise(prep, res)
    print(f"graph: {net.n:,} nodes, {len(net.edge_u):,} edges; {args.facilities} facilities")
    print(
        f"build networkx graph {t_graph:.1f} s; RoadNetwork {t_net:.1f} s; "
        f"prepare (travel-time matrices, float32) {t_prep:.1f} s; one year {t_run:.1f} s"
    )
    print(
        f"incidents simulated: {len(res[0].incidents['id']):,}; "
        f"fire_30min share {m['targets']['fire_30min']['share']:.3f}"
    )
    print(f"peak resident memory: {peak_rss_gib():.2f} GiB (goal < 8 GiB)")


def main() -> None:
    """Parse the sub-command and run it."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("scaling")
    s.add_argument("--scenario", default="scenarios/shaoguan_baseline.yaml")
    s.add_argument("--replications", type=int, default=30)
    lg = sub.add_parser("large")
    lg.add_argument("--rows", type=int, default=400)
    lg.add_argument("--cols", type=int, default=500)
    lg.add_argument("--facilities", type=int, default=500)
    args = ap.parse_args()
    (scaling if args.what == "scaling" else large)(args)


if __name__ == "__main__":
    main()
