"""Instances and brute-force references shared by the placement-model tests."""

from __future__ import annotations

import itertools

import numpy as np

# Hand-checkable instance: 4 demand points (rows) × 3 candidates (columns).
HAND_COST = np.array(
    [
        [1.0, 5.0, 9.0],
        [2.0, 4.0, 8.0],
        [7.0, 3.0, 6.0],
        [9.0, 8.0, 2.0],
    ]
)
HAND_W = np.array([1.0, 2.0, 3.0, 4.0])


def open_sets(n: int, p: int, fixed: tuple[int, ...] = ()):
    """Every open set with the fixed candidates plus p others."""
    others = [j for j in range(n) if j not in fixed]
    for combo in itertools.combinations(others, p):
        yield tuple(sorted((*fixed, *combo)))


def median_value(cost, w, open_set) -> float:
    best = cost[:, list(open_set)].min(axis=1)
    if not np.isfinite(best).all():
        return np.inf
    return float(w @ best)


def brute_median(cost, w, p, fixed=()) -> float:
    return min(median_value(cost, w, s) for s in open_sets(cost.shape[1], p, fixed))


def brute_mclp(cost, w, threshold, p, fixed=()) -> float:
    return max(
        float(w[(cost[:, list(s)] <= threshold).any(axis=1)].sum())
        for s in open_sets(cost.shape[1], p, fixed)
    )


def brute_center(cost, p, fixed=()) -> float:
    return min(
        float(cost[:, list(s)].min(axis=1).max()) for s in open_sets(cost.shape[1], p, fixed)
    )


def brute_lscp(cost, threshold, fixed=()) -> int:
    n = cost.shape[1]
    for k in range(n - len(fixed) + 1):
        for s in open_sets(n, k, fixed):
            if (cost[:, list(s)] <= threshold).any(axis=1).all():
                return len(s)
    raise AssertionError  # pragma: no cover - the instances are feasible


def random_instance(seed: int, m: int = 30, n: int = 8, *, integer: bool = False):
    """Travel-time-like costs between random points; integer costs create many ties."""
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 50_000, (m, 2))
    sites = rng.uniform(0, 50_000, (n, 2))
    dist = np.sqrt(((demand[:, None, :] - sites[None, :, :]) ** 2).sum(-1))
    cost = dist * rng.uniform(1.2, 1.6, (m, n)) / 13.9 + 60.0
    if integer:
        cost = np.round(cost / 300.0) * 300.0  # 5-minute bands: lots of equal costs
    weights = rng.integers(0, 20, m).astype(float)
    return cost, weights


SEEDS = [0, 1, 2, 3]
