"""Tests of sim.analysis.placement.lscp: set covering and its infeasibility message."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.placement import LSCP
from sim.errors import OptimizationError
from tests.analysis.placement.helpers import HAND_COST, SEEDS
from tests.analysis.placement.helpers import brute_lscp as _brute_lscp
from tests.analysis.placement.helpers import random_instance as _random_instance


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
