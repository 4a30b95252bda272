"""Fit incident models to historical calls: annual rates, monthly and hourly profiles, on-scene.

For each incident type of a calls file (`sim.scenario.calls.CallTable`):

* **rate** - calls in the observation window / window length in years (1/yr);
* **seasonality** - calls per day of exposure in each calendar month, relative to the whole
  window (days-weighted mean 1, as `sim.model.incidents.hourly_intensity` normalises it);
* **diurnal** - calls per hour of the day, relative to the mean hour (mean 1);
* **on_scene** - exponential, lognormal and gamma fitted by maximum likelihood (scipy), the
  one with the smallest AIC kept, written by mean and sd as the scenario expects.

Goodness of fit (each with its p-value; small p = the model is doubtful):

* ``daily_counts`` - Pearson chi-square of calls per day against the fitted intensity (tests
  the Poisson assumption: over-dispersion from clustered events shows here);
* ``seasonality`` / ``diurnal`` - chi-square of monthly / hourly counts against a flat
  profile (is the profile worth having?);
* ``on_scene`` - Kolmogorov-Smirnov statistic of each candidate (p-values are approximate:
  the parameters come from the same data) and its AIC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from scipy import stats

from sim.scenario.calls import CallTable

DAYS_PER_YEAR = 365.25
#: Fewest on-scene times for a distribution fit; fewer keep the type's exponential mean only.
MIN_ON_SCENE = 5
#: Decimals of fitted profile values written into the scenario.
PROFILE_DECIMALS = 3


@dataclass(frozen=True, slots=True)
class TypeFit:
    """The fitted model of one incident type and its goodness of fit."""

    type: str
    calls: int
    per_year: float
    seasonality: tuple[float, ...]
    diurnal: tuple[float, ...]
    on_scene: dict[str, Any] | None
    gof: dict[str, Any]

    def scenario_block(self) -> dict[str, Any]:
        """The fitted keys of ``incidents.<type>`` in a scenario file."""
        out: dict[str, Any] = {
            "rate": {"per_year": round(self.per_year, 2)},
            "seasonality": list(self.seasonality),
            "diurnal": list(self.diurnal),
        }
        if self.on_scene is not None:
            out["on_scene"] = dict(self.on_scene)
        return out


def _window(calls: CallTable, start: date | None, end: date | None) -> tuple[date, date]:
    days = calls.time.astype("datetime64[D]")
    lo = start or days.min().astype(object)
    hi = end or (days.max() + np.timedelta64(1, "D")).astype(object)
    return lo, hi


def _month_exposure_days(lo: date, hi: date) -> np.ndarray:
    """Days of the window falling in each calendar month (12 values)."""
    days = np.arange(np.datetime64(lo), np.datetime64(hi), dtype="datetime64[D]")
    months = days.astype("datetime64[M]").astype(int) % 12
    return np.bincount(months, minlength=12).astype(float)


def _chi2_flat(counts: np.ndarray, exposure: np.ndarray) -> dict[str, float]:
    """Chi-square of counts against a constant rate over the exposure (bins with exposure)."""
    keep = exposure > 0
    o, w = counts[keep].astype(float), exposure[keep]
    e = o.sum() * w / w.sum()
    ok = e > 0
    chi2 = float(((o[ok] - e[ok]) ** 2 / e[ok]).sum())
    dof = max(int(ok.sum()) - 1, 1)
    return {"chi2": round(chi2, 2), "dof": dof, "p_value": float(stats.chi2.sf(chi2, dof))}


def fit_on_scene(hours: np.ndarray) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Fit the on-scene distribution; return the scenario spec and the candidates' fit.

    Parameters
    ----------
    hours
        On-scene times (h, > 0).

    Returns
    -------
    spec, candidates
        ``{"dist": ..., "mean_h": ..., "sd_h": ...}`` of the best candidate by AIC (None
        with fewer than `MIN_ON_SCENE` values) and, per candidate, its parameters, AIC, KS
        statistic and p-value.
    """
    x = np.asarray(hours, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    if x.size < MIN_ON_SCENE:
        return None, {"n": int(x.size)}
    cands: dict[str, dict[str, Any]] = {}
    scale = float(x.mean())
    cands["exponential"] = {"frozen": stats.expon(scale=scale), "k": 1, "mean_h": scale}
    s, _, sc = stats.lognorm.fit(x, floc=0)
    ln = stats.lognorm(s, scale=sc)
    cands["lognormal"] = {"frozen": ln, "k": 2, "mean_h": ln.mean(), "sd_h": ln.std()}
    a, _, sc = stats.gamma.fit(x, floc=0)
    ga = stats.gamma(a, scale=sc)
    cands["gamma"] = {"frozen": ga, "k": 2, "mean_h": ga.mean(), "sd_h": ga.std()}
    table: dict[str, Any] = {"n": int(x.size)}
    for name, c in cands.items():
        loglik = float(np.sum(c["frozen"].logpdf(x)))
        ks = stats.kstest(x, c["frozen"].cdf)
        table[name] = {
            "aic": round(2 * c["k"] - 2 * loglik, 2),
            "ks_statistic": round(float(ks.statistic), 4),
            "ks_p_value": float(ks.pvalue),
            "mean_h": round(float(c["mean_h"]), 4),
            **({"sd_h": round(float(c["sd_h"]), 4)} if "sd_h" in c else {}),
        }
    best = min(cands, key=lambda k: table[k]["aic"])
    spec: dict[str, Any] = {"dist": best, "mean_h": table[best]["mean_h"]}
    if "sd_h" in table[best]:
        spec["sd_h"] = table[best]["sd_h"]
    table["chosen"] = best
    return spec, table


def fit_calls(
    calls: CallTable, *, start: date | None = None, end: date | None = None
) -> tuple[list[TypeFit], dict[str, Any]]:
    """Fit every incident type found in `calls`.

    Parameters
    ----------
    calls
        The calls (local clock times).
    start, end
        Observation window [start, end); default from the first call's day to the day after
        the last call. Calls outside are ignored.

    Returns
    -------
    fits, window
        One `TypeFit` per type (file order of first appearance) and the window
        (``{"start", "end", "days"}``).
    """
    lo, hi = _window(calls, start, end)
    t = calls.time
    inside = (t >= np.datetime64(lo)) & (t < np.datetime64(hi))
    span_days = float((np.datetime64(hi) - np.datetime64(lo)).astype(int))
    exposure_m = _month_exposure_days(lo, hi)
    days = np.arange(np.datetime64(lo), np.datetime64(hi), dtype="datetime64[D]")
    day_month = days.astype("datetime64[M]").astype(int) % 12
    fits: list[TypeFit] = []
    for kind in dict.fromkeys(calls.type[inside]):
        sel = inside & (calls.type == kind)
        ts = t[sel]
        n = int(sel.sum())
        month = ts.astype("datetime64[M]").astype(int) % 12
        hour = (ts - ts.astype("datetime64[D]")).astype("timedelta64[h]").astype(int)
        m_counts = np.bincount(month, minlength=12).astype(float)
        h_counts = np.bincount(hour, minlength=24).astype(float)
        per_day = n / span_days
        with np.errstate(invalid="ignore", divide="ignore"):
            month_rate = np.where(exposure_m > 0, m_counts / exposure_m, np.nan)
        season = np.where(np.isfinite(month_rate), month_rate / per_day, 1.0)
        diurnal = h_counts / h_counts.mean() if n else np.ones(24)
        # daily counts against the fitted intensity (hourly profile integrates to 1 per day)
        d_counts = np.bincount(
            (ts.astype("datetime64[D]") - np.datetime64(lo)).astype(int), minlength=days.size
        ).astype(float)
        expected = per_day * season[day_month]
        ok = expected > 0
        chi2 = float(((d_counts[ok] - expected[ok]) ** 2 / expected[ok]).sum())
        dof = max(int(ok.sum()) - 1 - int((exposure_m > 0).sum() - 1), 1)
        spec, scene_table = fit_on_scene(calls.on_scene_h[sel])
        gof = {
            "daily_counts": {
                "chi2": round(chi2, 2),
                "dof": dof,
                "p_value": float(stats.chi2.sf(chi2, dof)),
                "dispersion": round(chi2 / dof, 3),
            },
            "seasonality_vs_flat": _chi2_flat(m_counts, exposure_m),
            "diurnal_vs_flat": _chi2_flat(h_counts, np.ones(24)),
            "on_scene": scene_table,
        }
        fits.append(
            TypeFit(
                type=str(kind),
                calls=n,
                per_year=n / span_days * DAYS_PER_YEAR,
                seasonality=tuple(round(float(v), PROFILE_DECIMALS) for v in season),
                diurnal=tuple(round(float(v), PROFILE_DECIMALS) for v in diurnal),
                on_scene=spec,
                gof=gof,
            )
        )
    window = {"start": lo.isoformat(), "end": hi.isoformat(), "days": span_days}
    if not math.isfinite(span_days) or span_days <= 0:  # pragma: no cover - read_calls needs rows
        window["days"] = 0.0
    return fits, window
