"""Tests of sim.analysis.placement.pcenter: the p-center problem."""

from __future__ import annotations

import pytest

from sim.analysis.placement import PCenter
from tests.analysis.placement.helpers import HAND_COST, SEEDS
from tests.analysis.placement.helpers import brute_center as _brute_center
from tests.analysis.placement.helpers import random_instance as _random_instance


def test_pcenter_hand_instance():
    """p-center: column maxima 9, 8, 9 → p = 1 gives 8 at {1}; p = 2: {1,2} → max(5,4,3,2) = 5."""
    r1 = PCenter.from_cost_matrix(HAND_COST, 1).solve()
    assert r1.selected == (1,)
    assert r1.objective == 8.0
    r2 = PCenter.from_cost_matrix(HAND_COST, 2).solve()
    assert r2.selected == (1, 2)
    assert r2.objective == 5.0


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
