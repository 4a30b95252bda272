"""Benchmark the placement models: compact vs dense p-median, MCLP, and spopt on the same data.

Run from the repository root::

    python benchmarks/bench_optimize.py                     # both instances
    python benchmarks/bench_optimize.py --instance shaoguan # (a) only
    python benchmarks/bench_optimize.py --instance synthetic --time-limit 600

Instances (costs are travel-time-like: great-circle distance × a random detour factor in
[1.2, 1.6] at 50 km/h, plus 60 s; weights are random integers 1..99; nothing is read from a
road network):

(a) ``shaoguan``: the real township seats of ``sim/data/towns.csv`` as candidates and 2,000
    random demand points in the city bounding box ``sim.geo.CITY_BBOX``; p = 20.
(b) ``synthetic``: 500 candidates and 20,000 demand points uniform in a 200 km box; p = 20.

For each model the script reports the model build time and the solver time separately.
spopt (optional: ``pip install spopt``) is run with pulp's bundled CBC
(``pulp.PULP_CBC_CMD(msg=False, timeLimit=...)``, the solver its documentation uses, limited
to ``--spopt-time-limit`` on (a)); its "build" is ``from_cost_matrix`` (the pulp model) and
its "solve" is ``.solve(...)``. Our models get no time limit on (a). On (b) the dense and
spopt p-median runs are skipped by default: the dense model has one x_ij per pair (10 million
columns and 10 million x_ij ≤ y_j rows) and pulp would build 10 million Python objects; pass
``--large-dense`` / ``--large-spopt`` to try them under the same time limit.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass

import numpy as np

from sim.analysis.placement.mclp import MCLP
from sim.analysis.placement.pmedian import PMedian
from sim.geo import CITY_BBOX, haversine_m, load_towns

SPEED_MPS = 50 / 3.6  # 50 km/h
TURNOUT_S = 60.0
DETOUR = (1.2, 1.6)


@dataclass(frozen=True, slots=True)
class Row:
    """One benchmark measurement."""

    instance: str
    model: str
    method: str
    build_s: float | None
    solve_s: float | None
    objective: float | None
    status: str
    note: str = ""

    @property
    def total_s(self) -> float | None:
        if self.build_s is None or self.solve_s is None:
            return None
        return self.build_s + self.solve_s


def shaoguan_instance(n_demand: int, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Town seats as candidates, random demand points in the city bbox."""
    rng = np.random.default_rng(seed)
    towns = load_towns()
    lon = np.array([t.lon for t in towns])
    lat = np.array([t.lat for t in towns])
    lon0, lat0, lon1, lat1 = CITY_BBOX
    dlon = rng.uniform(lon0, lon1, n_demand)
    dlat = rng.uniform(lat0, lat1, n_demand)
    dist_m = haversine_m(dlon[:, None], dlat[:, None], lon[None, :], lat[None, :])
    cost = dist_m * rng.uniform(*DETOUR, dist_m.shape) / SPEED_MPS + TURNOUT_S
    weights = rng.integers(1, 100, n_demand).astype(float)
    return cost, weights, f"(a) Shaoguan {n_demand:,} x {len(towns)}"


def synthetic_instance(
    n_candidates: int, n_demand: int, seed: int, box_m: float = 200_000.0
) -> tuple[np.ndarray, np.ndarray, str]:
    """Uniform random candidates and demand points in a square box."""
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0, box_m, (n_candidates, 2))
    demand = rng.uniform(0, box_m, (n_demand, 2))
    cost = np.empty((n_demand, n_candidates))
    for lo in range(0, n_demand, 2000):  # bounded temporaries
        d = demand[lo : lo + 2000, None, :] - sites[None, :, :]
        cost[lo : lo + 2000] = np.sqrt((d**2).sum(-1))
    cost *= rng.uniform(*DETOUR, cost.shape) / SPEED_MPS
    cost += TURNOUT_S
    weights = rng.integers(1, 100, n_demand).astype(float)
    return cost, weights, f"(b) synthetic {n_demand:,} x {n_candidates}"


def run_ours(label, model_name, method, factory, time_limit_s) -> Row:
    t0 = time.perf_counter()
    model = factory()
    validate_s = time.perf_counter() - t0
    try:
        r = model.solve(time_limit_s=time_limit_s)
    except Exception as e:
        return Row(label, model_name, method, None, None, None, f"error: {e}")
    note = f"{r.n_variables:,} cols, {r.n_constraints:,} rows, {r.iterations} runs"
    if r.mip_gap > 0:
        note += f", gap {100 * r.mip_gap:.3f} %"
    return Row(
        label,
        model_name,
        method,
        validate_s + r.build_time_s,
        r.solve_time_s,
        r.objective,
        r.status,
        note,
    )


def run_spopt(label, model_name, build, time_limit_s) -> Row:
    import pulp

    t0 = time.perf_counter()
    model = build()
    build_s = time.perf_counter() - t0
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s)
    t0 = time.perf_counter()
    try:
        model = model.solve(solver)
    except Exception as e:
        return Row(
            label, model_name, "spopt + CBC", build_s, time.perf_counter() - t0, None, f"error: {e}"
        )
    solve_s = time.perf_counter() - t0
    status = pulp.LpStatus[model.problem.status].lower()
    return Row(
        label, model_name, "spopt + CBC", build_s, solve_s, model.problem.objective.value(), status
    )


def skipped(label, model_name, method, why) -> Row:
    return Row(label, model_name, method, None, None, None, "skipped", why)


def bench_instance(cost, weights, label, args, *, large: bool) -> list[Row]:
    rows: list[Row] = []
    p = args.p
    tl = args.time_limit if large else None
    tl_spopt = args.time_limit if large else args.spopt_time_limit
    try:
        import spopt.locate as spl
    except ImportError:
        spl = None
    print(f"\n{label}: p = {p}, demand weight {weights.sum():,.0f}", flush=True)

    def add(row: Row) -> None:
        rows.append(row)
        print("  " + _fmt_row(row), flush=True)

    def wanted(key: str) -> bool:
        return args.only is None or key in args.only

    if wanted("compact"):
        add(
            run_ours(
                label,
                "p-median",
                "compact (HiGHS)",
                lambda: PMedian.from_cost_matrix(cost, weights, p),
                tl,
            )
        )
    if not wanted("dense"):
        pass
    elif large and not args.large_dense:
        add(skipped(label, "p-median", "dense (HiGHS)", "10M x_ij; > 24 GB, see --large-dense"))
    else:
        add(
            run_ours(
                label,
                "p-median",
                "dense (HiGHS)",
                lambda: PMedian.from_cost_matrix(cost, weights, p, formulation="dense"),
                tl,
            )
        )
    if not wanted("spopt"):
        pass
    elif spl is None:
        add(skipped(label, "p-median", "spopt + CBC", "spopt not installed"))
    elif large and not args.large_spopt:
        add(skipped(label, "p-median", "spopt + CBC", "10M pulp variables; see --large-spopt"))
    else:
        add(
            run_spopt(
                label,
                "p-median",
                lambda: spl.PMedian.from_cost_matrix(cost, weights, p_facilities=p),
                tl_spopt,
            )
        )

    threshold = args.threshold
    if wanted("mclp"):
        add(
            run_ours(
                label,
                f"MCLP {threshold:.0f} s",
                "coverage (HiGHS)",
                lambda: MCLP.from_cost_matrix(cost, weights, threshold, p),
                tl,
            )
        )
    if not wanted("mclp-spopt"):
        pass
    elif spl is None:
        add(skipped(label, f"MCLP {threshold:.0f} s", "spopt + CBC", "spopt not installed"))
    elif large and not args.large_spopt:
        add(skipped(label, f"MCLP {threshold:.0f} s", "spopt + CBC", "see --large-spopt"))
    else:
        add(
            run_spopt(
                label,
                f"MCLP {threshold:.0f} s",
                lambda: spl.MCLP.from_cost_matrix(cost, weights, threshold, p_facilities=p),
                tl_spopt,
            )
        )
    return rows


def _num(v: float | None, fmt: str) -> str:
    return "-" if v is None else format(v, fmt)


def _fmt_row(r: Row) -> str:
    return (
        f"{r.model:<12} {r.method:<18} build {_num(r.build_s, '8.2f')} s  solve "
        f"{_num(r.solve_s, '8.2f')} s  total {_num(r.total_s, '8.2f')} s  objective "
        f"{_num(r.objective, '16,.2f')}  {r.status} {r.note}"
    )


def print_table(rows: list[Row]) -> None:
    print(
        "\n| instance | model | method | build s | solve s | total s | objective | status | notes |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |")
    for r in rows:
        print(
            f"| {r.instance} | {r.model} | {r.method} | {_num(r.build_s, '.2f')} | "
            f"{_num(r.solve_s, '.2f')} | {_num(r.total_s, '.2f')} | {_num(r.objective, ',.1f')} | "
            f"{r.status} | {r.note} |"
        )
    by_key = {(r.instance, r.model, r.method): r for r in rows}
    for inst in dict.fromkeys(r.instance for r in rows):
        ours = by_key.get((inst, "p-median", "compact (HiGHS)"))
        if ours is None or ours.total_s is None or ours.status != "optimal":
            continue
        for method in ("dense (HiGHS)", "spopt + CBC"):
            other = by_key.get((inst, "p-median", method))
            if other is not None and other.total_s is not None and other.status == "optimal":
                ratio = other.total_s / ours.total_s
                print(f"{inst}: compact p-median is {ratio:.1f}x faster than {method}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", choices=["shaoguan", "synthetic", "all"], default="all")
    parser.add_argument("--p", type=int, default=20)
    parser.add_argument("--threshold", type=float, default=1800.0, help="MCLP threshold [s]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=600.0, help="per run on (b) [s]")
    parser.add_argument(
        "--spopt-time-limit", type=float, default=600.0, help="CBC time limit on (a) [s]"
    )
    parser.add_argument("--large-dense", action="store_true", help="run dense p-median on (b)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["compact", "dense", "spopt", "mclp", "mclp-spopt"],
        help="run only these methods (default: all)",
    )
    parser.add_argument("--large-spopt", action="store_true", help="run spopt on (b)")
    args = parser.parse_args(argv)
    try:
        import spopt

        spopt_version = spopt.__version__
    except ImportError:
        spopt_version = "not installed"
    import highspy

    h = highspy._Highs()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, HiGHS {h.version()}, "
        f"spopt {spopt_version}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    rows: list[Row] = []
    if args.instance in {"shaoguan", "all"}:
        cost, w, label = shaoguan_instance(2000, args.seed)
        rows += bench_instance(cost, w, label, args, large=False)
    if args.instance in {"synthetic", "all"}:
        cost, w, label = synthetic_instance(500, 20_000, args.seed)
        rows += bench_instance(cost, w, label, args, large=True)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
