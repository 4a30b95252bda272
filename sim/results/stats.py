"""Statistics behind the verdicts: t-intervals over replications, paired differences, percentiles.

Each replication of a terminating simulation is one independent observation of a measure, so
intervals are Student-t intervals over replications (Law, *Simulation Modeling and Analysis*,
5th ed., §9.4.1), and comparisons under common random numbers use the paired-t interval of the
per-replication differences (§10.2.2). Pure numpy/scipy.
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
