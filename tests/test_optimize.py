"""Tests for sim.optimize: hand-checked optima, brute force, inf costs, errors, spopt parity."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.analysis.placement import LSCP, MCLP, PCenter, PlacementResult, PMedian
from sim.analysis.placement.base import _accept, _Outcome
from sim.errors import OptimizationError

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


# --------------------------------------------------------------------------------------------
# brute force references
# --------------------------------------------------------------------------------------------


def _open_sets(n: int, p: int, fixed: tuple[int, ...] = ()):
    """Every open set with the fixed candidates plus p others."""
    others = [j for j in range(n) if j not in fixed]
    for combo in itertools.combinations(others, p):
        yield tuple(sorted((*fixed, *combo)))


def _median_value(cost, w, open_set) -> float:
    best = cost[:, list(open_set)].min(axis=1)
    if not np.isfinite(best).all():
        return np.inf
    return float(w @ best)


def _brute_median(cost, w, p, fixed=()) -> float:
    return min(_median_value(cost, w, s) for s in _open_sets(cost.shape[1], p, fixed))


def _brute_mclp(cost, w, threshold, p, fixed=()) -> float:
    return max(
        float(w[(cost[:, list(s)] <= threshold).any(axis=1)].sum())
        for s in _open_sets(cost.shape[1], p, fixed)
    )


def _brute_center(cost, p, fixed=()) -> float:
    return min(
        float(cost[:, list(s)].min(axis=1).max()) for s in _open_sets(cost.shape[1], p, fixed)
    )


def _brute_lscp(cost, threshold, fixed=()) -> int:
    n = cost.shape[1]
    for k in range(n - len(fixed) + 1):
        for s in _open_sets(n, k, fixed):
            if (cost[:, list(s)] <= threshold).any(axis=1).all():
                return len(s)
    raise AssertionError  # pragma: no cover - the instances are feasible


def _random_instance(seed: int, m: int = 30, n: int = 8, *, integer: bool = False):
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


# --------------------------------------------------------------------------------------------
# hand-checked instance
# --------------------------------------------------------------------------------------------


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


def test_mclp_hand_instance():
    """MCLP, threshold 4: j0 covers rows {0,1} (w 3), j1 {1,2} (w 5), j2 {3} (w 4).

    p = 1 → {1} covers 5; p = 2 → {1,2} covers rows 1,2,3 = 9 of 10 (row 0 is 5 from j1).
    """
    r1 = MCLP.from_cost_matrix(HAND_COST, HAND_W, 4.0, 1).solve()
    assert r1.selected == (1,)
    assert r1.objective == pytest.approx(5.0)
    r2 = MCLP.from_cost_matrix(HAND_COST, HAND_W, 4.0, 2).solve()
    assert r2.selected == (1, 2)
    assert r2.objective == pytest.approx(9.0)
    assert r2.coverage_fraction == pytest.approx(0.9)
    assert r2.assignment.tolist() == [-1, 1, 1, 2]
    assert r2.n_uncovered == 1


def test_lscp_hand_instance():
    """LSCP: threshold 4 needs all three (rows 0, 2, 3 each have one coverer).

    Threshold 6: no single column covers all rows (maxima 9, 8, 9); {1,2} and {0,2} both do.
    """
    r4 = LSCP.from_cost_matrix(HAND_COST, 4.0).solve()
    assert r4.selected == (0, 1, 2)
    assert r4.objective == 3
    r6 = LSCP.from_cost_matrix(HAND_COST, 6.0).solve()
    assert r6.selected in {(0, 2), (1, 2)}
    assert r6.objective == 2
    assert r6.coverage_fraction == 1.0


def test_pcenter_hand_instance():
    """p-center: column maxima 9, 8, 9 → p = 1 gives 8 at {1}; p = 2: {1,2} → max(5,4,3,2) = 5."""
    r1 = PCenter.from_cost_matrix(HAND_COST, 1).solve()
    assert r1.selected == (1,)
    assert r1.objective == 8.0
    r2 = PCenter.from_cost_matrix(HAND_COST, 2).solve()
    assert r2.selected == (1, 2)
    assert r2.objective == 5.0


# --------------------------------------------------------------------------------------------
# brute force on random instances
# --------------------------------------------------------------------------------------------


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


@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_matches_brute_force(seed):
    """MCLP covered weight equals the brute-force maximum."""
    cost, w = _random_instance(seed)
    threshold = float(np.quantile(cost, 0.25))
    for p in (1, 2, 3):
        r = MCLP.from_cost_matrix(cost, w, threshold, p).solve()
        assert r.objective == pytest.approx(_brute_mclp(cost, w, threshold, p))
        covered = (cost[:, list(r.selected)] <= threshold).any(axis=1)
        assert r.objective == pytest.approx(w[covered].sum())
        assert ((r.assignment >= 0) == covered).all()


@pytest.mark.parametrize("integer", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_pcenter_matches_brute_force(seed, integer):
    """p-center largest cost equals the brute-force minimum."""
    cost, _ = _random_instance(seed, integer=integer)
    for p in (1, 2, 3):
        r = PCenter.from_cost_matrix(cost, p).solve()
        assert r.objective == pytest.approx(_brute_center(cost, p))
        assert len(r.selected) == p
        assert r.max_cost == r.objective


@pytest.mark.parametrize("seed", SEEDS)
def test_lscp_matches_brute_force(seed):
    """LSCP uses the brute-force minimum number of facilities and covers everyone."""
    cost, _ = _random_instance(seed)
    for q in (0.3, 0.5, 0.8):
        threshold = float(np.quantile(cost.min(axis=1), 1.0) + q * 2000)
        r = LSCP.from_cost_matrix(cost, threshold).solve()
        assert r.objective == _brute_lscp(cost, threshold)
        assert (cost[:, list(r.selected)] <= threshold).any(axis=1).all()
        assert r.coverage_fraction == 1.0


def test_pmedian_larger_instance_compact_equals_dense():
    """On a 200 × 25 instance with fractional LP relaxations, compact and dense agree."""
    cost, w = _random_instance(11, m=200, n=25)
    for p in (2, 5):
        compact = PMedian.from_cost_matrix(cost, w, p).solve()
        dense = PMedian.from_cost_matrix(cost, w, p, formulation="dense").solve()
        assert compact.objective == pytest.approx(dense.objective, rel=1e-9)


# --------------------------------------------------------------------------------------------
# fixed facilities
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# capacities
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# inf costs
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# LSCP feasibility message, validation
# --------------------------------------------------------------------------------------------


def test_lscp_infeasible_message_lists_worst_points_with_numbers():
    """The message names the farthest points, their nearest-candidate cost and the threshold."""
    cost = np.full((20, 3), 1000.0)
    cost[17] = [5412.0, 6000.0, np.inf]
    cost[4] = [4000.0, 3900.0, 3700.0]
    cost[9, :] = np.inf
    with pytest.raises(OptimizationError) as err:
        LSCP.from_cost_matrix(cost, 3600)
    msg = str(err.value)
    assert msg.startswith("LSCP infeasible: demand point 9 cannot be reached")
    assert "demand point 17 is 5,412 s from the nearest candidate" in msg
    assert "demand point 4 is 3,700 s from the nearest candidate" in msg
    assert msg.endswith("above threshold 3,600 s")
    assert msg.index("point 17") < msg.index("point 4")


def test_lscp_infeasible_message_caps_the_list():
    """At most five points are listed, with the total count."""
    cost = np.arange(1, 9, dtype=float)[:, None] * 1000.0
    with pytest.raises(OptimizationError, match=r"\(7 demand points in all\)") as err:
        LSCP.from_cost_matrix(cost, 1500.0)
    assert str(err.value).count("demand point ") == 5


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


def test_threshold_must_be_non_negative():
    with pytest.raises(OptimizationError, match="`threshold` must be >= 0"):
        MCLP.from_cost_matrix(HAND_COST, HAND_W, -1.0, 1)


def test_result_is_frozen_and_read_only():
    """PlacementResult cannot be changed after solving."""
    r = PMedian.from_cost_matrix(HAND_COST, HAND_W, 1).solve()
    assert isinstance(r, PlacementResult)
    with pytest.raises(AttributeError):
        r.objective = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        r.assignment[0] = 2


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
