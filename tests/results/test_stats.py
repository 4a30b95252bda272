"""Statistics behind the verdicts: t-intervals, clipped only to the quantity's range."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.results.stats import mean_ci, paired_difference


def test_ratio_interval_is_not_clipped_at_one() -> None:
    """A ‰ ratio with mean below 1 keeps the t-interval's upper end (about 1.25 here), not 1.0."""
    x = [0.2, 0.9, 0.1, 0.95]
    m, lo, hi = mean_ci(x, bounds=(0.0, math.inf))
    ref_lo, ref_hi = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    assert m == pytest.approx(0.5375)
    assert hi == pytest.approx(ref_hi, rel=1e-12)
    assert hi == pytest.approx(1.2532, abs=1e-4)
    assert lo == 0.0 < ref_lo + 1.0  # the lower end is clipped at the quantity's range only
    assert ref_lo < 0.0


def test_share_interval_is_clipped_to_unit_range() -> None:
    """Shares cannot leave [0, 1]: the interval is clipped there."""
    m, _lo, hi = mean_ci([0.9, 1.0, 1.0, 0.6], bounds=(0.0, 1.0))
    _, ref_hi = stats.t.interval(0.95, 3, loc=0.875, scale=stats.sem([0.9, 1.0, 1.0, 0.6]))
    assert ref_hi > 1.0
    assert (m, hi) == (pytest.approx(0.875), 1.0)


def test_paired_difference_matches_the_t_interval():
    """Mean and t-interval of d_r; NaN pairs dropped; the interval is not clipped to [0, 1]."""
    d = paired_difference([0.5, 0.7, 0.9, math.nan], [0.4, 0.5, 0.6, 0.3])
    half = stats.t.ppf(0.975, 2) * 0.1 / math.sqrt(3)
    assert d["n_pairs"] == 3
    assert d["diff"] == pytest.approx(0.2)
    assert d["ci95"] == pytest.approx([0.2 - half, 0.2 + half])
    assert d["ci95"][0] < 0  # would be clipped at 0 by a share interval
    assert d["significant"] is False
    assert d["per_replication"][3] is None
    one = paired_difference([0.5], [0.25])
    assert one["diff"] == 0.25
    assert one["ci95"] == [None, None]
    sig = paired_difference([0.9, 0.8, 0.85], [0.5, 0.55, 0.5])
    assert sig["significant"] is True
    with pytest.raises(ValueError, match="equal replication counts"):
        paired_difference([1.0, 2.0], [1.0])
