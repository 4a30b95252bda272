"""Global sensitivity of the targets to a scenario's assumptions: Morris screening, Sobol indices.

A scenario declares its uncertain inputs (``assumptions``, `sim.scenario.Assumption`), each
with a range and a distribution. This module turns them into a SALib problem, draws the
sample (Morris trajectories, or Saltelli's extension of the Sobol' sequence), and, once every
point has been simulated, estimates per target

* Morris (default): μ* (mean absolute elementary effect) with its bootstrap 95 % interval, μ
  (its sign: does raising the input raise the target?) and σ (spread: non-linearity or
  interaction) — Morris (1991), Campolongo et al. (2007);
* Sobol: first-order and total indices S1 and ST with bootstrap 95 % intervals — Saltelli
  (2002), Saltelli et al. (2010).

The sampling and the estimators are SALib's (Herman & Usher 2017; Iwanaga et al. 2022); this
module only chooses their settings, orders the results and words them. Elementary effects are
SALib's: the change of the target over a step of Δ = levels / (2 (levels − 1)) of an input's
range (2/3 with 4 levels), divided by Δ, so μ* reads "change of the target across the whole
range of the input", in the target's own units, and inputs can be compared with each other.
Nothing here simulates, writes files or plots.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.analysis.summary import evaluate_targets
from sim.errors import ScenarioError
from sim.model.runner import Prepared, ReplicationResult
from sim.results.files import clean
from sim.results.measures import MEASURES
from sim.results.schema import concat_tables
from sim.scenario import Resolved

#: The methods `sensitivity` offers.
METHODS = ("morris", "sobol")
#: Morris trajectories and grid levels by default (Campolongo et al. 2007: r = 10, p = 4).
DEFAULT_TRAJECTORIES = 10
DEFAULT_LEVELS = 4
#: Sobol base sample size by default (a power of 2); the points are N (k + 2).
DEFAULT_SOBOL_N = 64
#: Bootstrap resamples of the confidence intervals.
RESAMPLES = 1000
#: An input whose μ* (or ST) is below this share of the largest for a target is "negligible".
NEGLIGIBLE_SHARE = 0.05
#: Inputs named per target in the "what to measure first" section.
TOP = 3
#: A Morris input has a clear direction when |μ| is at least this share of μ* (the sign of
#: its effect is the same at most points).
DIRECTION_SHARE = 0.8

_DIST = {"uniform": "unif", "triangular": "triang", "loguniform": "logunif"}


def salib_problem(resolved: Sequence[Resolved]) -> dict[str, Any]:
    """The SALib problem of a scenario's assumptions (names, bounds, distributions).

    A triangular range is given to SALib as ``[low, high, c]`` with the peak at
    ``c = (peak − low) / (high − low)`` of the width.
    """
    if not resolved:
        msg = "the scenario declares no assumptions: add an `assumptions:` list to vary"
        raise ScenarioError(msg)
    bounds = []
    for r in resolved:
        a = r.assumption
        if a.distribution == "triangular":
            assert a.peak is not None  # the schema requires it
            bounds.append([a.low, a.high, (a.peak - a.low) / (a.high - a.low)])
        else:
            bounds.append([a.low, a.high])
    return {
        "num_vars": len(resolved),
        "names": [r.assumption.id for r in resolved],
        "bounds": bounds,
        "dists": [_DIST[r.assumption.distribution] for r in resolved],
    }


def check_design(method: str, *, trajectories: int, levels: int, samples: int) -> None:
    """Reject impossible sample settings with the option as the user typed it."""
    if method not in METHODS:
        msg = f"--method: expected one of {', '.join(METHODS)}, got {method!r}"
        raise ScenarioError(msg)
    if method == "morris":
        if trajectories < 2:
            msg = f"--trajectories: expected an integer >= 2, got {trajectories}"
            raise ScenarioError(msg)
        if levels < 2 or levels % 2:
            msg = f"--levels: expected an even integer >= 2, got {levels}"
            raise ScenarioError(msg)
    elif samples < 2 or samples & (samples - 1):
        msg = f"--samples: expected a power of 2 (Sobol' sequence), got {samples}"
        raise ScenarioError(msg)


def sample(
    problem: Mapping[str, Any],
    method: str,
    *,
    trajectories: int = DEFAULT_TRAJECTORIES,
    levels: int = DEFAULT_LEVELS,
    samples: int = DEFAULT_SOBOL_N,
    seed: int,
) -> np.ndarray:
    """Draw the points: (points, inputs) values in the inputs' own units (factors for factors).

    Morris: ``trajectories × (k + 1)`` points, one input changing between consecutive points of
    a trajectory. Sobol: ``samples × (k + 2)`` points (first-order and total indices only).
    The draw depends only on the problem, the settings and `seed`.
    """
    check_design(method, trajectories=trajectories, levels=levels, samples=samples)
    if method == "morris":
        X = morris_sample.sample(dict(problem), trajectories, num_levels=levels, seed=seed)
    else:
        X = sobol_sample.sample(dict(problem), samples, calc_second_order=False, seed=seed)
    return np.asarray(X, dtype=float)


def point_summary(prep: Prepared, results: list[ReplicationResult]) -> dict[str, Any]:
    """What one point keeps of its replications: per target its estimate and verdicts.

    Runs in the worker (`sim.model.runner.run_points`), so only this small mapping travels
    back. The value of each target is its measure's estimate (`Measure.value`).
    """
    table = concat_tables([r.incidents for r in results])
    targets = evaluate_targets(prep, table, len(results))
    n = len(results)
    return clean(
        {
            "targets": {
                tid: {
                    "value": MEASURES[t["measure"]].value(t),
                    "ci95": t.get("ci95"),
                    "met": t["met"],
                    "met_95": t["met_95"],
                }
                for tid, t in targets.items()
            },
            "incidents_per_replication": len(table["id"]) / n if n else 0.0,
        }
    )


def _ci(v: float, half: float) -> list[float]:
    return [v - half, v + half]


def analyse_target(
    problem: Mapping[str, Any],
    X: np.ndarray,
    y: np.ndarray,
    method: str,
    *,
    levels: int = DEFAULT_LEVELS,
    seed: int,
) -> dict[str, Any]:
    """Sensitivity of one target: per input its indices, inputs ranked (largest first).

    Parameters
    ----------
    problem, X
        The SALib problem and the sampled points.
    y
        The target's value at each point (NaN where it has none, e.g. no incident).
    method
        ``"morris"`` or ``"sobol"``.
    levels
        Morris grid levels used for the sample.
    seed
        Seed of the bootstrap intervals (so reruns give the same numbers).

    Returns
    -------
    entry
        ``{"analysed": True, "inputs": [...], "range": [min, max]}`` with per input
        ``id``, ``rank`` and ``mu_star``, ``mu_star_ci95``, ``mu``, ``sigma`` (Morris) or
        ``S1``, ``S1_ci95``, ``ST``, ``ST_ci95`` (Sobol); or ``{"analysed": False,
        "reason": ...}`` when some point has no value.
    """
    y = np.asarray(y, dtype=float)
    missing = int(np.isnan(y).sum())
    if missing:
        return {
            "analysed": False,
            "reason": f"no value at {missing} of {y.size} points (no incident of its types?)",
        }
    names = list(problem["names"])
    if y.size and float(y.max()) == float(y.min()):
        # The target does not move at all (every fire contained, every relief in time): every
        # effect is 0 (Sobol's estimators would divide by a zero variance).
        zero = [
            {"id": n, "mu_star": 0.0, "mu_star_ci95": [0.0, 0.0], "mu": 0.0, "sigma": 0.0}
            if method == "morris"
            else {"id": n, "S1": 0.0, "S1_ci95": [0.0, 0.0], "ST": 0.0, "ST_ci95": [0.0, 0.0]}
            for n in names
        ]
        for k, r in enumerate(zero, start=1):
            r["rank"] = k
            r["negligible"] = True
        return {
            "analysed": True,
            "index": "mu_star" if method == "morris" else "ST",
            "inputs": zero,
            "range": [float(y.min()), float(y.max())],
            "constant": True,
        }
    if method == "morris":
        res = morris_analyze.analyze(
            dict(problem),
            X,
            y,
            num_resamples=RESAMPLES,
            conf_level=0.95,
            num_levels=levels,
            seed=seed,
        )
        rows = [
            {
                "id": n,
                "mu_star": float(res["mu_star"][k]),
                "mu_star_ci95": _ci(float(res["mu_star"][k]), float(res["mu_star_conf"][k])),
                "mu": float(res["mu"][k]),
                "sigma": float(res["sigma"][k]),
            }
            for k, n in enumerate(names)
        ]
        key = "mu_star"
    else:
        res = sobol_analyze.analyze(
            dict(problem),
            y,
            calc_second_order=False,
            num_resamples=RESAMPLES,
            conf_level=0.95,
            seed=seed,
        )
        rows = [
            {
                "id": n,
                "S1": float(res["S1"][k]),
                "S1_ci95": _ci(float(res["S1"][k]), float(res["S1_conf"][k])),
                "ST": float(res["ST"][k]),
                "ST_ci95": _ci(float(res["ST"][k]), float(res["ST_conf"][k])),
            }
            for k, n in enumerate(names)
        ]
        key = "ST"
    # Largest first; equal values keep the order of the scenario file.
    rows.sort(key=lambda r: -r[key] if math.isfinite(r[key]) else math.inf)
    top = max((r[key] for r in rows if math.isfinite(r[key])), default=0.0)
    for k, r in enumerate(rows, start=1):
        r["rank"] = k
        r["negligible"] = bool(top <= 0 or r[key] < NEGLIGIBLE_SHARE * top)
    return {
        "analysed": True,
        "index": key,
        "inputs": rows,
        "range": [float(y.min()), float(y.max())],
    }


def verdict_share(values: Sequence[float | None], target: Mapping[str, Any]) -> float | None:
    """Share of the points whose estimate meets the target's requirement (None: no values)."""
    measure = MEASURES[target["measure"]]
    limit = measure.limit(target)
    ok = [measure.met(v, limit) for v in values if v is not None and math.isfinite(v)]
    return sum(ok) / len(ok) if ok else None


def what_to_measure(
    targets: Mapping[str, Mapping[str, Any]],
    labels: Mapping[str, Mapping[str, str]],
    *,
    lang: str,
) -> list[str]:
    """Plain-language advice, target by target and overall: which inputs to measure first.

    Parameters
    ----------
    targets
        ``sensitivity.json["targets"]``: per target its label, measure, requirement, the
        analysis (`analyse_target`), ``met_share`` (share of points meeting it) and
        ``base`` (the scenario's own estimate, if run).
    labels
        Input id → ``{"zh": ..., "en": ...}``.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    lines
        One sentence per target, then one with the inputs that matter across the targets
        whose verdict depends on the assumptions.
    """
    zh = lang == "zh"
    out: list[str] = []
    score: dict[str, float] = {}
    drives: dict[str, list[str]] = {}
    for tid, t in targets.items():
        name = f"{t['label']['zh' if zh else 'en']} ({tid})"
        a = t["analysis"]
        if not a.get("analysed"):
            out.append(
                f"{name}：未分析（{a.get('reason', '')}）。"
                if zh
                else f"{name}: not analysed ({a.get('reason', '')})."
            )
            continue
        key = a["index"]
        live = [r for r in a["inputs"] if not r["negligible"]]
        measure = MEASURES[t["measure"]]
        top = []
        for r in live[:TOP]:
            lab = labels[r["id"]]["zh" if zh else "en"]
            eff = measure.format_effect(r[key]) if key == "mu_star" else f"ST {r[key]:.2f}"
            top.append(f"{lab}（{eff}）" if zh else f"{lab} ({eff})")
        share = t.get("met_share")
        if share is None:
            state_zh, state_en = "", ""
        elif share in (0.0, 1.0):
            met = share == 1.0
            state_zh = (
                "在各假设的取值范围内结论不变（" + ("全部达标" if met else "全部未达标") + "）"
            )
            state_en = "the verdict is the same across the ranges (" + (
                "met everywhere)" if met else "missed everywhere)"
            )
        else:
            state_zh = f"结论取决于假设：{share:.0%} 的样本点达标"
            state_en = f"the verdict depends on the assumptions: met at {share:.0%} of the points"
        if not top:
            out.append(
                f"{name}：{state_zh}；各输入的影响均可忽略。"
                if zh
                else f"{name}: {state_en}; no input has a noticeable effect."
            )
            continue
        out.append(
            f"{name}：{state_zh}；影响最大的是 " + "、".join(top) + "。"
            if zh
            else f"{name}: {state_en}; moved most by " + ", ".join(top) + "."
        )
        if share is not None and 0.0 < share < 1.0:
            best = a["inputs"][0][key]
            for r in live:
                score[r["id"]] = score.get(r["id"], 0.0) + (r[key] / best if best > 0 else 0.0)
                drives.setdefault(r["id"], []).append(tid)
    if score:
        ranked = sorted(score, key=lambda k: -score[k])[:5]
        items = [
            f"{labels[k]['zh']}（{'、'.join(drives[k])}）"
            if zh
            else f"{labels[k]['en']} ({', '.join(drives[k])})"
            for k in ranked
        ]
        out.append(
            "优先核实（对结论不确定的指标影响最大）：" + "；".join(items) + "。"
            if zh
            else "Measure first (largest effect on the targets whose verdict is uncertain): "
            + "; ".join(items)
            + "."
        )
    else:
        out.append(
            "在所给范围内，没有哪个指标的结论取决于这些假设：优先核实的是影响最大的输入，"
            "以提高精度，而非改变结论。"
            if zh
            else "Within the given ranges no target's verdict depends on these assumptions: "
            "measuring the largest effects first improves precision, not the verdict."
        )
    return out
