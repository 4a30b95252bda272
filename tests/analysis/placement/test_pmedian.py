"""Tests of sim.analysis.placement.pmedian: hand-checked optima, brute force, capacities."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.analysis.placement import PMedian
from sim.errors import OptimizationError
from tests.analysis.placement.helpers import HAND_COST, HAND_W, SEEDS
from tests.analysis.placement.helpers import brute_median as _brute_median
from tests.analysis.placement.helpers import median_value as _median_value
from tests.analysis.placement.helpers import open_sets as _open_sets
from tests.analysis.placement.helpers import random_instance as _random_instance


def test_pmedian_hand_instance():
    """p-median on the 4×3 instance matches the hand computation.

    p = 1: column totals Σ w_i c_ij are 62 (j0), 54 (j1), 51 (j2) → open {2}, cost 51.
    p = 2: {0,1} → 1+4+9+32 = 46; {0,2} → 1+4+18+8 = 31; {1,2} → 5+8+9+8 = 30 → {1,2}, 30.
    """
    for formulation in ("compact", "dense"):
        r1 = PMedian.from_cost_matrix(HAND_COST, HAND_W, 1, formulation=formulation).solve()
        assert r1.selected == (2,)
        assert r1.objective == pytest.approx(51.0)
        r2 = PMedian.from_cost_matrix(HAND_COST, HAND_W, 2, formulation=formulation).solve()
        assert r2.selected == (1, 2)
        assert r2.objective == pytest.approx(30.0)
        assert r2.assignment.tolist() == [1, 1, 1, 2]
        assert r2.assigned_cost.tolist() == [5.0, 4.0, 3.0, 2.0]
        assert r2.max_cost == 5.0
        assert r2.mean_cost == pytest.approx(30.0 / 10.0)
        assert r2.status == "optimal"
        assert r2.mip_gap == 0.0


@pytest.mark.parametrize("integer", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_pmedian_matches_brute_force(seed, integer):
    """Compact and dense p-median both reach the brute-force optimum for p = 1..3."""
    cost, w = _random_instance(seed, integer=integer)
    for p in (1, 2, 3):
        expected = _brute_median(cost, w, p)
        compact = PMedian.from_cost_matrix(cost, w, p).solve()
        dense = PMedian.from_cost_matrix(cost, w, p, formulation="dense").solve()
        assert compact.formulation == "compact"
        assert dense.formulation == "dense"
        assert compact.objective == pytest.approx(expected, rel=1e-9)
        assert dense.objective == pytest.approx(expected, rel=1e-9)
        assert len(compact.selected) == p
        assert _median_value(cost, w, compact.selected) == pytest.approx(compact.objective)


def test_pmedian_larger_instance_compact_equals_dense():
    """On a 200 × 25 instance with fractional LP relaxations, compact and dense agree."""
    cost, w = _random_instance(11, m=200, n=25)
    for p in (2, 5):
        compact = PMedian.from_cost_matrix(cost, w, p).solve()
        dense = PMedian.from_cost_matrix(cost, w, p, formulation="dense").solve()
        assert compact.objective == pytest.approx(dense.objective, rel=1e-9)


def _brute_capacitated(cost, w, demand, cap, p) -> float:
    m, n = cost.shape
    best = np.inf
    for s in _open_sets(n, p):
        for assign in itertools.product(s, repeat=m):
            load = np.bincount(assign, weights=demand, minlength=n)
            if (load <= cap + 1e-9).all():
                best = min(best, float(sum(w[i] * cost[i, j] for i, j in enumerate(assign))))
    return best


def test_capacities_are_respected():
    """Capacitated p-median: loads stay within capacity and the optimum matches brute force."""
    cost, w = _random_instance(5, m=7, n=4)
    w = w + 1.0
    demand = np.ones(7)
    cap = np.array([3.0, 3.0, 4.0, 2.0])
    r = PMedian.from_cost_matrix(cost, w, 2, capacities=cap, demand=demand).solve()
    assert r.formulation == "dense"
    load = np.bincount(r.assignment, weights=demand, minlength=4)
    assert (load <= cap).all()
    assert (load[[j for j in range(4) if j not in r.selected]] == 0).all()
    assert r.objective == pytest.approx(_brute_capacitated(cost, w, demand, cap, 2))
    free = PMedian.from_cost_matrix(cost, w, 2).solve()
    assert r.objective >= free.objective - 1e-9


def test_capacity_shortfall_is_reported_before_solving():
    """Too little capacity raises with the numbers."""
    with pytest.raises(OptimizationError, match=r"largest possible capacity 5 .* total demand 10"):
        PMedian.from_cost_matrix(HAND_COST, HAND_W, 2, capacities=[1, 2, 3])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cost": [[1.0, -2.0]]}, r"cost\[0, 1\] = -2.0"),
        ({"cost": [[1.0, np.nan]]}, "negative or NaN"),
        ({"cost": [1.0, 2.0]}, "2-D array"),
        ({"weights": [1.0]}, "one value per demand point"),
        ({"weights": [1.0, -1.0]}, r"weights\[1\]"),
        ({"p": 3}, "exceed the 2 candidates"),
        ({"p": 0}, "open no facility"),
        ({"p": -1}, "integer >= 0"),
        ({"fixed": [5]}, "out of range"),
        ({"fixed": [1.5]}, "candidate indices"),
        ({"formulation": "sparse"}, "formulation"),
        ({"demand": [1.0, 1.0]}, "only applies together with `capacities`"),
        ({"capacities": [1.0, 1.0], "formulation": "compact"}, "has no capacities"),
    ],
)
def test_pmedian_rejects_bad_inputs(kwargs, match):
    """Invalid specifications raise OptimizationError naming the parameter or value."""
    args = {"cost": [[1.0, 2.0], [3.0, 4.0]], "weights": [1.0, 1.0], "p": 1, **kwargs}
    with pytest.raises(OptimizationError, match=match):
        PMedian.from_cost_matrix(args.pop("cost"), args.pop("weights"), args.pop("p"), **args)


def test_inputs_are_not_mutated():
    cost = HAND_COST.copy()
    PMedian.from_cost_matrix(cost, HAND_W, 2).solve()
    np.testing.assert_array_equal(cost, HAND_COST)


def test_duplicate_demand_rows_are_merged_without_changing_the_answer():
    """Repeating every demand row (weights split) gives the same objective."""
    cost, w = _random_instance(7)
    doubled = PMedian.from_cost_matrix(
        np.vstack([cost, cost]), np.concatenate([w, w]) / 2, 2
    ).solve()
    single = PMedian.from_cost_matrix(cost, w, 2).solve()
    assert doubled.objective == pytest.approx(single.objective)
