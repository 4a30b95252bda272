"""Statistics behind the verdicts: t-intervals clipped only to the quantity's range, and the
intervals valid at the boundary (Wilson for shares, exact Poisson for counts of failures)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.results.stats import (
    distribution,
    mean_ci,
    paired_difference,
    poisson_interval,
    rate_interval,
    share_interval,
    verdict,
    wilson_interval,
)


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


# --------------------------------------------------------------------------- boundary intervals


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe_1998(successes, n, low, high) -> None:
    """The Wilson score interval reproduces the published values to 4 decimals."""
    lo, hi = wilson_interval(successes, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_share_of_100_percent_in_every_replication_is_not_certain() -> None:
    """30 of 30 incidents met, 10 in each of 3 replications: the t-interval alone is [1, 1];
    the reported interval's lower end is the Wilson bound n / (n + z²) = 30 / 33.8415 = 0.8865."""
    shares = [1.0, 1.0, 1.0]
    assert mean_ci(shares, bounds=(0.0, 1.0)) == (1.0, 1.0, 1.0)
    m, lo, hi = share_interval(shares, 30, 30)
    assert (m, hi) == (1.0, 1.0)
    assert lo == pytest.approx(30 / (30 + 1.959963984540054**2), abs=1e-12)
    assert round(lo, 4) == 0.8865
    assert [lo, hi] != [1.0, 1.0]
    # A share of 0 everywhere is symmetric: upper end z² / (n + z²).
    assert share_interval([0.0, 0.0], 0, 50)[2] == pytest.approx(3.841459 / 53.841459, rel=1e-6)


def test_share_interval_keeps_the_wider_t_interval_in_the_middle() -> None:
    """Replications that differ more than binomial noise: the t-interval is wider and is kept."""
    shares = [0.5, 0.9, 0.6, 0.95]
    _, t_lo, t_hi = mean_ci(shares, bounds=(0.0, 1.0))
    w_lo, w_hi = wilson_interval(295, 400)
    _m, lo, hi = share_interval(shares, 295, 400)
    assert (lo, hi) == (t_lo, t_hi)
    assert t_lo < w_lo
    assert w_hi < t_hi


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [
        (0, 0.0, 3.6889),  # −ln(0.025)
        (1, 0.0253, 5.5716),  # Garwood (1936); e.g. the exact Poisson tables of Ulm (1990)
        (5, 1.6235, 11.6683),
    ],
)
def test_poisson_interval_matches_the_exact_tables(count, low, high) -> None:
    """Exact Poisson limits for 0, 1 and 5 events; scaled by the exposure."""
    lo, hi = poisson_interval(count, 1.0)
    assert (round(lo, 4), round(hi, 4)) == (low, high)
    lo30, hi30 = poisson_interval(count, 30.0)
    assert (lo30, hi30) == (pytest.approx(lo / 30), pytest.approx(hi / 30))


def test_no_failure_in_30_years_still_leaves_an_upper_bound() -> None:
    """Zero events in 30 replication-years: the rate's interval is [0, 3.689 / 30] = [0, 0.123]."""
    m, lo, hi = rate_interval([0.0] * 30, 0, 30.0)
    assert (m, lo) == (0.0, 0.0)
    assert hi == pytest.approx(-math.log(0.025) / 30)
    # Failures clustered in one replication: the t-interval is wider than the Poisson one.
    clustered = [0.0] * 29 + [12.0]
    m, lo, hi = rate_interval(clustered, 12, 30.0)
    _, _t_lo, t_hi = mean_ci(clustered, bounds=(0.0, math.inf))
    assert m == pytest.approx(0.4)
    assert hi == t_hi > poisson_interval(12, 30.0)[1]


# --------------------------------------------------------------------------- known answers


def test_mean_ci_drops_nan_and_uses_the_t_quantile_of_its_level() -> None:
    """[1, 2, 3, NaN]: mean 2, s = 1, n = 3; half-width t(0.975, 2) / √3 = 4.3027 / 1.7321 =
    2.4841 at 95 % and t(0.95, 2) / √3 = 2.9200 / 1.7321 = 1.6859 at 90 % (a 90 % interval
    labelled 95 % would be 1.69 wide on each side)."""
    m, lo, hi = mean_ci([1.0, 2.0, 3.0, math.nan])
    assert m == 2.0
    assert (round(lo, 4), round(hi, 4)) == (round(2 - 2.4841, 4), round(2 + 2.4841, 4))
    _m90, lo90, hi90 = mean_ci([1.0, 2.0, 3.0], 0.90)
    assert (round(lo90, 4), round(hi90, 4)) == (0.3141, 3.6859)
    assert mean_ci([7.5]) == (7.5, 7.5, 7.5)
    assert all(math.isnan(v) for v in mean_ci([math.nan, math.nan]))
    assert all(math.isnan(v) for v in mean_ci([]))


def test_wilson_interval_at_another_level_and_its_refusals() -> None:
    """8 of 10 at 90 % (z = 1.644854, z²/n = 0.270554): centre (0.8 + 0.135277) / 1.270554 =
    0.736119, half 1.644854 √(0.016 + 0.006764) / 1.270554 = 0.195325 → [0.5408, 0.9314]."""
    lo, hi = wilson_interval(8, 10, 0.90)
    assert (round(lo, 4), round(hi, 4)) == (0.5408, 0.9314)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    with pytest.raises(ValueError, match="successes=11"):
        wilson_interval(11, 10)
    with pytest.raises(ValueError, match="successes=-1"):
        wilson_interval(-1, 10)
    # Exactly n successes: the upper end is 1 and the lower n / (n + z²) (not 1).
    assert wilson_interval(10, 10) == (pytest.approx(10 / (10 + 1.959964**2), rel=1e-6), 1.0)


def test_poisson_interval_at_another_level_and_its_refusals() -> None:
    """2 events at 90 %: [χ²(0.05; 4) / 2, χ²(0.95; 6) / 2] = [0.7107 / 2, 12.5916 / 2]."""
    lo, hi = poisson_interval(2, 2.0, 0.90)
    assert (round(lo, 4), round(hi, 4)) == (round(0.710723 / 4, 4), round(12.591587 / 4, 4))
    with pytest.raises(ValueError, match="count=-1"):
        poisson_interval(-1, 1.0)
    with pytest.raises(ValueError, match="exposure=0"):
        poisson_interval(1, 0.0)


def test_share_and_rate_intervals_with_no_incident() -> None:
    """No replication had an incident: NaN, not an interval around nothing."""
    assert all(math.isnan(v) for v in share_interval([math.nan, math.nan], 0, 0))
    assert all(math.isnan(v) for v in rate_interval([math.nan], 0, 1.0))
    # One replication: the t part is the point, the pooled Wilson part gives the width.
    m, lo, hi = share_interval([0.5], 5, 10)
    assert m == 0.5
    assert (lo, hi) == wilson_interval(5, 10)
    m, lo, hi = rate_interval([2.0], 2, 1.0)
    assert (m, lo, hi) == (2.0, *poisson_interval(2, 1.0))


def test_paired_difference_without_pairs_and_on_the_negative_side() -> None:
    """No pair: no difference and not significant; a significant fall has the interval below 0."""
    none = paired_difference([math.nan, 1.0], [0.5, math.nan])
    assert (none["diff"], none["ci95"], none["n_pairs"]) == (None, [None, None], 0)
    assert none["significant"] is False
    down = paired_difference([0.5, 0.55, 0.5], [0.9, 0.8, 0.85])
    assert down["diff"] == pytest.approx(-1 / 3)
    assert down["ci95"][1] < 0
    assert down["significant"] is True
    # Differences [1, 2, 3] at 90 %: half-width t(0.95, 2) / √3 = 2.919986 / 1.732051 = 1.685854.
    d90 = paired_difference([2.0, 4.0, 6.0], [1.0, 2.0, 3.0], 0.90)
    assert d90["ci95"] == pytest.approx([2 - 1.685854, 2 + 1.685854], abs=1e-6)


@pytest.mark.parametrize(
    ("diff", "lower_better", "word"),
    [
        (-0.1, True, "better"),  # a time fell
        (0.1, True, "worse"),  # a time rose
        (0.1, False, "better"),  # a share rose
        (-0.1, False, "worse"),  # a share fell
    ],
)
def test_verdict_words_follow_sign_and_direction(diff, lower_better, word) -> None:
    """The four combinations of sign and direction, and not significant whatever the sign."""
    assert verdict({"diff": diff, "significant": True}, lower_better=lower_better) == word
    assert (
        verdict({"diff": diff, "significant": False}, lower_better=lower_better)
        == "not significant"
    )


def test_verdict_without_a_difference() -> None:
    assert verdict(None, lower_better=True) == "not significant"
    assert verdict({"diff": None, "significant": True}, lower_better=False) == "not significant"


def test_distribution_by_hand() -> None:
    """[4, 1, NaN, 3, 2]: 5 rows, 1 without; numpy's linear percentiles of [1, 2, 3, 4] are
    p50 = 2.5, p90 = 3.7, p95 = 3.85; mean 2.5, max 4."""
    d = distribution(np.array([4.0, 1.0, math.nan, 3.0, 2.0]))
    assert d == {
        "n": 5,
        "n_without": 1,
        "mean": 2.5,
        "p50": 2.5,
        "p90": pytest.approx(3.7),
        "p95": pytest.approx(3.85),
        "max": 4.0,
    }
    assert distribution(np.array([math.nan, math.nan])) == {"n": 2, "n_without": 2}


def test_share_and_rate_intervals_pass_their_level_on() -> None:
    """At 90 % both parts of each hull are the 90 % ones."""
    shares = [0.5, 0.9, 0.6, 0.95]
    _, t_lo, t_hi = mean_ci(shares, 0.90, bounds=(0.0, 1.0))
    assert share_interval(shares, 295, 400, 0.90)[1:] == (t_lo, t_hi)
    _m, lo, hi = share_interval([1.0, 1.0], 20, 20, 0.90)
    assert (lo, hi) == wilson_interval(20, 20, 0.90)
    per_year = [0.0, 3.0, 0.0, 1.0]
    _, t_lo, t_hi = mean_ci(per_year, 0.90, bounds=(0.0, math.inf))
    p_lo, p_hi = poisson_interval(4, 4.0, 0.90)
    assert rate_interval(per_year, 4, 4.0, 0.90)[1:] == (min(t_lo, p_lo), max(t_hi, p_hi))
    assert rate_interval([0.0, 0.0], 0, 2.0, 0.90)[2] == pytest.approx(-math.log(0.05) / 2)


def test_two_pairs_already_give_an_interval() -> None:
    """n = 2: d = [1, 3], mean 2, s = √2; half-width t(0.975, 1) √2 / √2 = 12.7062."""
    d = paired_difference([2.0, 4.0], [1.0, 1.0])
    assert d["ci95"] == pytest.approx([2 - 12.706205, 2 + 12.706205], abs=1e-6)
    assert d["significant"] is False


def test_a_single_pooled_incident_still_gets_the_wilson_width() -> None:
    """One replication with one incident, met: the t part is the point 1; the Wilson part for
    1 of 1 gives the lower end 1 / (1 + z²) = 0.2065."""
    m, lo, hi = share_interval([1.0], 1, 1)
    assert (m, hi) == (1.0, 1.0)
    assert lo == pytest.approx(1 / (1 + 1.959964**2), rel=1e-6)
