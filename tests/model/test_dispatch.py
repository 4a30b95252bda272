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


def test_one_unit_goes_to_the_first_smallest_finite_eta():
    """k = 1 (most requests): the lowest position among the smallest finite ETAs, none if every
    unit is unreachable; NaN is never chosen. Checked on arrays full of ties and infinities."""
    pol = NearestAvailable()
    rng = np.random.default_rng(3)
    for _ in range(2000):
        n = int(rng.integers(1, 9))
        eta = rng.choice([1.0, 2.0, 3.0, np.inf, np.nan], size=n, p=[0.3, 0.2, 0.2, 0.2, 0.1])
        finite = np.flatnonzero(np.isfinite(eta))
        want = [] if finite.size == 0 else [int(finite[np.argmin(eta[finite])])]
        got = pol.choose(eta, 1)
        assert got.tolist() == want, eta
        assert got.dtype == np.int64
    assert pol.choose(np.zeros(0), 1).tolist() == []
