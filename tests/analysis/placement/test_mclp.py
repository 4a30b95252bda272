"""Tests of sim.analysis.placement.mclp: the maximal covering location problem."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.placement import MCLP
from sim.errors import OptimizationError
from tests.analysis.placement.helpers import HAND_COST, HAND_W, SEEDS
from tests.analysis.placement.helpers import brute_mclp as _brute_mclp
from tests.analysis.placement.helpers import random_instance as _random_instance


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


def test_threshold_must_be_non_negative():
    with pytest.raises(OptimizationError, match="`threshold` must be >= 0"):
        MCLP.from_cost_matrix(HAND_COST, HAND_W, -1.0, 1)
