"""Tests of sim.model.dispatch: the nearest-available rule and the relief allocation."""

from __future__ import annotations

import numpy as np

from sim.model.dispatch import NearestAvailable, allocate_relief


def test_allocate_relief_respects_order_and_max_depots():
    """Allocation fills depots in order, up to max_depots."""
    alloc = allocate_relief(1000, np.array([2, 0, 1]), np.array([500, 300, 400]), max_depots=2)
    assert alloc == [(2, 400), (0, 500)]


def test_policy_picks_k_smallest_finite():
    """The nearest-available rule never sends an unreachable unit and breaks ties by order."""
    pol = NearestAvailable()
    eta = np.array([5.0, np.inf, 1.0, 5.0, 3.0])
    assert pol.choose(eta, 2).tolist() == [2, 4]
    assert pol.choose(eta, 3).tolist() == [2, 4, 0]
    assert pol.choose(eta, 10).tolist() == [2, 4, 0, 3]
