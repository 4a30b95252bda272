"""Tests of sim.analysis.placement.base: what all models share.

Fixed facilities, p = 0, infinite costs, the result object, solver status, spopt parity.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.placement import LSCP, MCLP, PCenter, PlacementResult, PMedian
from sim.analysis.placement.base import _accept, _Outcome
from sim.errors import OptimizationError
from tests.analysis.placement.helpers import HAND_COST, HAND_W, SEEDS
from tests.analysis.placement.helpers import brute_center as _brute_center
from tests.analysis.placement.helpers import brute_lscp as _brute_lscp
from tests.analysis.placement.helpers import brute_mclp as _brute_mclp
from tests.analysis.placement.helpers import brute_median as _brute_median
from tests.analysis.placement.helpers import random_instance as _random_instance


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_fixed_facilities_are_kept_and_p_counts_new_ones(seed):
    """`fixed` candidates stay open and `p` new ones are added on top (brute force)."""
    cost, w = _random_instance(seed)
    fixed = (2, 5)
    threshold = float(np.quantile(cost, 0.25))
    for p in (1, 2):
        for formulation in ("compact", "dense"):
            r = PMedian.from_cost_matrix(cost, w, p, fixed=fixed, formulation=formulation).solve()
            assert set(fixed) <= set(r.selected)
            assert len(r.selected) == p + len(fixed)
            assert r.fixed == fixed
            assert set(r.added) == set(r.selected) - set(fixed)
            assert r.objective == pytest.approx(_brute_median(cost, w, p, fixed))
        m = MCLP.from_cost_matrix(cost, w, threshold, p, fixed=fixed).solve()
        assert set(fixed) <= set(m.selected)
        assert len(m.selected) == p + len(fixed)
        assert m.objective == pytest.approx(_brute_mclp(cost, w, threshold, p, fixed))
        c = PCenter.from_cost_matrix(cost, p, fixed=fixed).solve()
        assert set(fixed) <= set(c.selected)
        assert len(c.selected) == p + len(fixed)
        assert c.objective == pytest.approx(_brute_center(cost, p, fixed))
    lscp_threshold = float(cost.min(axis=1).max() + 1000)
    r = LSCP.from_cost_matrix(cost, lscp_threshold, fixed=fixed).solve()
    assert set(fixed) <= set(r.selected)
    assert r.objective == _brute_lscp(cost, lscp_threshold, fixed)


def test_p_zero_evaluates_the_fixed_set():
    """With p = 0 the fixed set is the answer; no solver is needed."""
    r = PMedian.from_cost_matrix(HAND_COST, HAND_W, 0, fixed=[0]).solve()
    assert r.selected == (0,)
    assert r.objective == pytest.approx(62.0)
    assert r.iterations == 0
    c = PCenter.from_cost_matrix(HAND_COST, 0, fixed=[1]).solve()
    assert c.objective == 8.0


def test_inf_costs_mean_cannot_serve():
    """inf entries are never used and can force the choice of facility."""
    cost = HAND_COST.copy()
    cost[3, 2] = np.inf  # row 3 is now far from j2
    cost[3, 0] = np.inf
    # Row 3 can only be served by j1 (cost 8), so p = 1 must open j1.
    for formulation in ("compact", "dense"):
        r = PMedian.from_cost_matrix(cost, HAND_W, 1, formulation=formulation).solve()
        assert r.selected == (1,)
        assert r.objective == pytest.approx(5 + 8 + 9 + 32)
    assert PCenter.from_cost_matrix(cost, 1).solve().selected == (1,)
    m = MCLP.from_cost_matrix(cost, HAND_W, 4.0, 1).solve()
    assert m.objective == pytest.approx(5.0)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_inf_costs_random_brute_force(seed):
    """With a quarter of the pairs unusable, results still match brute force."""
    cost, w = _random_instance(seed)
    rng = np.random.default_rng(seed + 100)
    cost[rng.random(cost.shape) < 0.25] = np.inf
    cost[np.arange(cost.shape[0]), rng.integers(0, 8, cost.shape[0])] = 500.0  # keep rows servable
    for p in (2, 3):
        expected = _brute_median(cost, w, p)
        assert np.isfinite(expected)
        assert PMedian.from_cost_matrix(cost, w, p).solve().objective == pytest.approx(expected)
        dense = PMedian.from_cost_matrix(cost, w, p, formulation="dense").solve()
        assert dense.objective == pytest.approx(expected)
        assert PCenter.from_cost_matrix(cost, p).solve().objective == pytest.approx(
            _brute_center(cost, p)
        )


def test_unservable_demand_point_is_rejected_before_solving():
    """A row of inf costs is reported with its index."""
    cost = HAND_COST.copy()
    cost[2, :] = np.inf
    with pytest.raises(OptimizationError, match=r"p-median infeasible: 1 demand point.*: 2"):
        PMedian.from_cost_matrix(cost, HAND_W, 1)
    with pytest.raises(OptimizationError, match="p-center infeasible"):
        PCenter.from_cost_matrix(cost, 1)


def test_inf_costs_that_p_cannot_avoid_raise_solver_status():
    """Two points that only distinct candidates can serve make p = 1 infeasible."""
    cost = np.array([[1.0, np.inf, 5.0], [np.inf, 1.0, np.inf], [np.inf, np.inf, 1.0]])
    w = np.ones(3)
    with pytest.raises(OptimizationError, match="'infeasible'"):
        PMedian.from_cost_matrix(cost, w, 1).solve()
    with pytest.raises(OptimizationError, match="'infeasible'"):
        PMedian.from_cost_matrix(cost, w, 1, formulation="dense").solve()
    with pytest.raises(OptimizationError, match="'infeasible'"):
        PCenter.from_cost_matrix(cost, 1).solve()


def test_result_is_frozen_and_read_only():
    """PlacementResult cannot be changed after solving."""
    r = PMedian.from_cost_matrix(HAND_COST, HAND_W, 1).solve()
    assert isinstance(r, PlacementResult)
    with pytest.raises(AttributeError):
        r.objective = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        r.assignment[0] = 2


def test_solver_status_other_than_optimal_raises():
    """A run that ends without an optimum is reported with the HiGHS status."""
    out = _Outcome(None, None, 0.0, 0.0, "time limit reached", np.inf, 1.0)
    with pytest.raises(OptimizationError, match="'time limit reached' before finding a feasible"):
        _accept(out, "MCLP", time_limit_s=1.0)
    feasible = _Outcome(np.zeros(2), None, 0.0, 0.0, "time limit reached", 0.1, 1.0)
    with pytest.raises(OptimizationError, match="without a proven optimum"):
        _accept(feasible, "MCLP", time_limit_s=None)
    assert _accept(feasible, "MCLP", time_limit_s=1.0) is feasible.x


# --------------------------------------------------------------------------------------------
# spopt parity (optional extra: pip install spopt)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spopt_locate():
    locate = pytest.importorskip("spopt.locate")
    pulp = pytest.importorskip("pulp")
    return locate, pulp.PULP_CBC_CMD(msg=False)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pulp 3.x announces its 4.0 API
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_same_objectives_as_spopt(spopt_locate, seed):
    """PMedian, MCLP, LSCP and PCenter objectives equal spopt's on the same matrix."""
    locate, solver = spopt_locate
    cost, w = _random_instance(seed, m=40, n=10)
    p = 3
    ours = PMedian.from_cost_matrix(cost, w, p).solve()
    theirs = locate.PMedian.from_cost_matrix(cost, w, p_facilities=p).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-6)

    threshold = float(np.quantile(cost, 0.2))
    ours = MCLP.from_cost_matrix(cost, w, threshold, p).solve()
    theirs = locate.MCLP.from_cost_matrix(cost, w, threshold, p_facilities=p).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-6)

    lscp_threshold = float(cost.min(axis=1).max() + 500)
    ours = LSCP.from_cost_matrix(cost, lscp_threshold).solve()
    theirs = locate.LSCP.from_cost_matrix(cost, lscp_threshold).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value())

    ours = PCenter.from_cost_matrix(cost, p).solve()
    theirs = locate.PCenter.from_cost_matrix(cost, p_facilities=p).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-6)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_same_objectives_as_spopt_with_fixed(spopt_locate):
    """With existing facilities: spopt's p_facilities counts them, ours adds p on top."""
    locate, solver = spopt_locate
    cost, w = _random_instance(8, m=40, n=10)
    fixed = [1, 6]
    predefined = np.zeros(10, dtype=int)
    predefined[fixed] = 1
    ours = PMedian.from_cost_matrix(cost, w, 2, fixed=fixed).solve()
    theirs = locate.PMedian.from_cost_matrix(
        cost, w, p_facilities=4, predefined_facilities_arr=predefined
    ).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-6)
    threshold = float(np.quantile(cost, 0.2))
    ours = MCLP.from_cost_matrix(cost, w, threshold, 2, fixed=fixed).solve()
    theirs = locate.MCLP.from_cost_matrix(
        cost, w, threshold, p_facilities=4, predefined_facilities_arr=predefined
    ).solve(solver)
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-6)
