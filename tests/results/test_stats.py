"""Statistics behind the verdicts: t-intervals, clipped only to the quantity's range."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.results.stats import mean_ci


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
