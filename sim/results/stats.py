"""Statistics behind the verdicts: intervals over replications and pooled counts, differences.

Each replication of a terminating simulation is one independent observation of a measure, so
the basic interval is the Student-t interval over replications (Law, *Simulation Modeling and
Analysis*, 5th ed., §9.4.1), and comparisons under common random numbers use the paired-t
interval of the per-replication differences (§10.2.2).

A t-interval collapses to a point when every replication gives the same value, which happens at
the boundary: a share of 100 % in every replication would be reported as certain. Shares are
therefore given the hull of the t-interval and the Wilson score interval of the pooled counts
(`share_interval`; Wilson 1927, recommended near 0 and 1 by Brown, Cai & DasGupta 2001,
*Statistical Science* 16:101–133), and counts of rare events the hull of the t-interval and the
exact Poisson interval of the pooled count (`rate_interval`; Garwood 1936). Each part of a hull
is an approximate 95 % interval on its own (the t part allows for replications that differ more
than binomial or Poisson noise, the pooled part stays honest at the boundary), so the hull
covers at least as often as either. Pure numpy/scipy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import stats

#: Confidence level of every interval the tool reports.
LEVEL = 0.95
#: Percentiles reported for time distributions.
PERCENTILES = (50, 90, 95)
#: How the interval of a share is computed, in words (zh, en); reports and docs quote it.
SHARE_INTERVAL_METHOD = (
    "比例的 95% 置信区间取各次重复比例的 t 区间与合并计数的 Wilson 区间之并，"
    "因此即使每次重复都是 100%，也不会显示为确定无误",
    "95 % interval of a share: the hull of the Student-t interval over replications and the "
    "Wilson score interval of the pooled counts, so a share of 100 % in every replication is "
    "never reported as certain",
)
#: How the interval of a count of rare events per year is computed, in words (zh, en).
RATE_INTERVAL_METHOD = (
    "每年失败次数的 95% 置信区间取各次重复的 t 区间与合并计数的精确（Garwood）泊松区间之并；"
    "无失败年份的概率用各次重复的 Wilson 区间",
    "95 % interval of failures per year: the hull of the Student-t interval over replications "
    "and the exact (Garwood) Poisson interval of the pooled count; the probability of a year "
    "without failure has the Wilson interval over replications",
)
#: How the interval of any other per-replication value (ratios) is computed, in words (zh, en).
MEAN_INTERVAL_METHOD = (
    "比率类指标为各次重复数值的 t 区间（只截断在数值可取的范围内）",
    "95 % interval of a ratio: the Student-t interval over replications, clipped only to the "
    "range the value can take",
)


def mean_ci(
    values: Sequence[float],
    level: float = LEVEL,
    *,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> tuple[float, float, float]:
    """Return (mean, low, high) of a t-interval; with one value the interval is the value.

    Parameters
    ----------
    values
        One observation per replication; NaN entries are left out.
    level
        Confidence level.
    bounds
        The range the quantity can take: [0, 1] for a share, [0, inf) for a non-negative
        ratio. The interval is clipped to it and nothing else.

    Returns
    -------
    mean, low, high
        NaN for all three when there is no value.
    """
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if x.size == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if x.size == 1:
        return (m, m, m)
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return (m, max(bounds[0], m - half), min(bounds[1], m + half))


def wilson_interval(successes: float, n: float, level: float = LEVEL) -> tuple[float, float]:
    """Return the Wilson score interval of a binomial proportion.

    Parameters
    ----------
    successes, n
        Count of successes and of trials (0 ≤ successes ≤ n).
    level
        Confidence level.

    Returns
    -------
    low, high
        Within [0, 1]; NaN for both when ``n == 0``. With every trial a success the interval
        is ``[n / (n + z²), 1]`` (z the normal quantile), never ``[1, 1]``.
    """
    if n <= 0:
        return (math.nan, math.nan)
    if not 0 <= successes <= n:
        msg = f"need 0 <= successes <= n, got successes={successes!r}, n={n!r}"
        raise ValueError(msg)
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
    # At p = 0 or 1 the formula gives the bound exactly up to rounding; pin it.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


def poisson_interval(count: int, exposure: float, level: float = LEVEL) -> tuple[float, float]:
    """Return the exact (Garwood 1936) interval of a Poisson rate.

    Parameters
    ----------
    count
        Events observed (≥ 0).
    exposure
        Observation length (> 0), e.g. simulated years: the interval is per unit of it.
    level
        Confidence level.

    Returns
    -------
    low, high
        ``χ²(α/2; 2k) / 2 / exposure`` and ``χ²(1 − α/2; 2k + 2) / 2 / exposure``; with no event
        the lower end is 0 and the upper ``−ln(α/2) / exposure`` (3.689 / exposure at 95 %).
    """
    if count < 0 or not exposure > 0:
        msg = f"need count >= 0 and exposure > 0, got count={count!r}, exposure={exposure!r}"
        raise ValueError(msg)
    alpha = 1.0 - level
    low = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count)) / 2
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return (low / exposure, high / exposure)


def share_interval(
    shares: Sequence[float], met: int, n: int, level: float = LEVEL
) -> tuple[float, float, float]:
    """Return (mean, low, high) of a share: hull of the t-interval and the pooled Wilson interval.

    Parameters
    ----------
    shares
        The share of each replication (NaN: no incident of the kind in that replication).
    met, n
        Pooled counts over all replications: incidents that met the threshold, and all.
    level
        Confidence level.

    Returns
    -------
    mean, low, high
        The mean of the replications' shares and the hull, within [0, 1]; NaN when no
        replication has an incident.
    """
    mean, lo, hi = mean_ci(shares, level, bounds=(0.0, 1.0))
    if math.isnan(mean) or n <= 0:
        return (mean, lo, hi)
    w_lo, w_hi = wilson_interval(met, n, level)
    return (mean, min(lo, w_lo), max(hi, w_hi))


def rate_interval(
    per_replication: Sequence[float], count: int, exposure: float, level: float = LEVEL
) -> tuple[float, float, float]:
    """Return (mean, low, high) of events per unit of exposure over replications.

    Parameters
    ----------
    per_replication
        Events per unit of exposure in each replication (e.g. failures per year).
    count, exposure
        Pooled events and pooled exposure (e.g. replications × years).
    level
        Confidence level.

    Returns
    -------
    mean, low, high
        The mean over replications and the hull of its t-interval (clipped at 0) and the exact
        Poisson interval of the pooled count.
    """
    mean, lo, hi = mean_ci(per_replication, level, bounds=(0.0, math.inf))
    if math.isnan(mean):
        return (mean, lo, hi)
    p_lo, p_hi = poisson_interval(count, exposure, level)
    return (mean, min(lo, p_lo), max(hi, p_hi))


def paired_difference(
    values: Sequence[float], reference: Sequence[float], level: float = LEVEL
) -> dict[str, Any]:
    """Mean and t-interval of the per-replication differences ``values[r] − reference[r]``.

    Parameters
    ----------
    values, reference
        One number per replication (same replication order); NaN entries (no incident of the
        kind in that replication) drop the pair.
    level
        Confidence level of the interval.

    Returns
    -------
    diff
        ``{"diff", "ci95", "n_pairs", "significant", "per_replication"}``. With a single pair
        the interval is unknown (None); ``significant`` is True when the interval excludes 0.
        The interval is not clipped (differences of shares lie in [−1, 1]).
    """
    x = np.asarray(values, dtype=float)
    a = np.asarray(reference, dtype=float)
    if x.shape != a.shape:
        msg = f"paired difference needs equal replication counts, got {x.size} and {a.size}"
        raise ValueError(msg)
    d_all = x - a
    ok = ~np.isnan(d_all)
    d = d_all[ok]
    n = int(d.size)
    out: dict[str, Any] = {
        "diff": None,
        "ci95": [None, None],
        "n_pairs": n,
        "significant": False,
        "per_replication": [None if math.isnan(v) else float(v) for v in d_all],
    }
    if n == 0:
        return out
    m = float(d.mean())
    out["diff"] = m
    if n >= 2:
        half = float(stats.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
        lo, hi = m - half, m + half
        out["ci95"] = [lo, hi]
        out["significant"] = bool(lo > 0 or hi < 0)
    return out


def verdict(diff: Mapping[str, Any] | None, *, lower_better: bool) -> str:
    """``"better"``, ``"worse"`` or ``"not significant"`` for a paired difference."""
    if not diff or diff.get("diff") is None or not diff.get("significant"):
        return "not significant"
    return "better" if (diff["diff"] < 0) == lower_better else "worse"


def distribution(x: np.ndarray) -> dict[str, Any]:
    """Summarise a time column: count, count without the event (NaN), mean, percentiles, max."""
    served = x[~np.isnan(x)]
    out: dict[str, Any] = {"n": int(x.size), "n_without": int(x.size - served.size)}
    if served.size:
        out["mean"] = float(served.mean())
        for p in PERCENTILES:
            out[f"p{p}"] = float(np.percentile(served, p))
        out["max"] = float(served.max())
    return out
