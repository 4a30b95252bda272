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


# --------------------------------------------------------------------------- command-centre rules


def _reassign(**kw):
    from sim.model.dispatch import Reassignment

    args = {
        "returning": True,
        "divert": True,
        "max_priority": 1,
        "min_priority_gap": 1,
        "min_gain_s": 120.0,
    }
    return Reassignment(**(args | kw))


def test_reassignment_rule_by_priority():
    """Only urgent requests take units on the road; diversion needs the priority gap."""
    ra = _reassign(max_priority=2, min_priority_gap=2)
    assert ra.takes_moving_units(1)
    assert ra.takes_moving_units(2)
    assert not ra.takes_moving_units(3)
    assert ra.may_divert(1, 3)
    assert not ra.may_divert(1, 2)
    assert not ra.may_divert(3, 5)  # the request itself is not urgent enough
    assert not _reassign(divert=False).may_divert(1, 5)


def test_diversion_ranks_with_the_required_gain():
    """A diversion wins only when it beats the best free unit by min_gain_s."""
    ra = _reassign(min_gain_s=120.0)
    pol = NearestAvailable()
    eta = np.array([600.0, 500.0])  # free unit, unit on its way elsewhere
    assert pol.choose(ra.ranking_eta_s(eta, np.array([False, True])), 1).tolist() == [0]
    eta = np.array([600.0, 479.0])  # 121 s sooner: diverted
    assert pol.choose(ra.ranking_eta_s(eta, np.array([False, True])), 1).tolist() == [1]


def test_cover_groups_and_donor_choice():
    """Empty groups without an incoming unit need cover; the nearest donor that keeps enough
    units, within the drive limit and not of the group itself, is chosen."""
    from sim.model.dispatch import CoverMoves

    cv = CoverMoves(
        unit_type=0,
        group_of_facility=np.array([0, 1, -1]),
        target=np.array([0, 1]),
        donor_group=np.array([0, 1, 2]),
        donors_keep=1,
        max_travel_s=1800.0,
        delay_s=0.0,
    )
    assert cv.groups_needing_cover(np.array([0, 0]), np.array([0, 1])).tolist() == [0]
    drive = np.array([300.0, 900.0, 2000.0, 600.0])
    donor_available = np.array([1, 2, 3, 2])  # the nearest keeps none after leaving
    own = np.array([-1, -1, -1, 0])  # the last one belongs to the group to cover
    assert cv.choose_donor(drive, donor_available, own, 0) == 1
    assert cv.choose_donor(drive[[0, 2]], donor_available[[0, 2]], own[[0, 2]], 0) == -1


def test_covered_share_by_hand():
    """Town seats within the threshold of turnout + drive from any available unit count."""
    from sim.model.dispatch import CoveragePlan

    cp = CoveragePlan(
        unit_type=0,
        threshold_s=1800.0,
        town_node=np.array([0, 1, 2]),
        town_access_s=np.array([0.0, 100.0, 0.0]),
        town_weight=np.array([500.0, 300.0, 200.0]),
        horizon_s=86400.0,
    )
    rows = np.array([[0.0, 1650.0, 4000.0], [4000.0, 4000.0, 1700.0]])
    # Unit 0 (turnout 60): towns 0 (60 s) and 1 (60 + 1650 + 100 = 1810 s > 1800: no).
    # Unit 1 (turnout 120): town 2 (1820 s > 1800: no) -> only town 0 covered.
    share = cp.covered_share(np.array([0, 1]), np.array([60.0, 120.0]), rows)
    assert share == 0.5
    share = cp.covered_share(np.array([0, 1]), np.array([40.0, 100.0]), rows)
    assert share == 1.0  # 1790 s and 1800 s: both within
    assert cp.covered_share(np.zeros(0, int), np.zeros(0), np.zeros((0, 3))) == 0.0


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
