"""Tornado charts of a sensitivity analysis: one per target, inputs ranked by their effect."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sim.analysis.sensitivity import DIRECTION_SHARE
from sim.output.plots import plt, setup_fonts, text
from sim.results.measures import MEASURES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Raising the input helps / hurts the target; negligible or without a clear direction.
HELPS_COLOUR = "#2a6f97"
HURTS_COLOUR = "#d1495b"
MIXED_COLOUR = "#9aa5b1"


def _label(sens: Mapping[str, Any], lang: str) -> dict[str, str]:
    return {i["id"]: i["label"]["zh" if lang == "zh" else "en"] for i in sens["inputs"]}


def _wrap(s: str, width: int) -> str:
    return "\n".join(textwrap.wrap(s, width)) or s


def plot_tornado(sens: Mapping[str, Any], tid: str, *, lang: str = "zh") -> tuple[Figure, Axes]:
    """Tornado chart of one target: one bar per input, largest effect on top.

    Morris: the bar runs from 0 to μ* (the mean absolute change of the target across the
    input's range, in the target's units: percentage points for shares), to the right when
    raising the input raises the target (μ > 0), to the left when it lowers it, in blue when
    that helps the target and red when it hurts, grey when the direction changes from point
    to point (|μ| < 0.8 μ*) or the effect is negligible; the whisker is μ*'s bootstrap 95 %
    interval, the label gives μ* and σ. Sobol: ST (light) and S1 (dark) with their intervals.
    """
    setup_fonts()
    t = sens["targets"][tid]
    a = t["analysis"]
    rows = a["inputs"]
    names = _label(sens, lang)
    measure = MEASURES[t["measure"]]
    n = len(rows)
    fig, ax = plt.subplots(figsize=(9.5, 0.36 * n + 1.9), layout="constrained")
    ys = list(range(n))
    labels = [_wrap(f"{names[r['id']]} ({r['id']})", 38) for r in rows]
    if a["index"] == "mu_star":
        scale = measure.effect_scale()
        lower_better = measure.lower_is_better
        right = 0.0
        for y, r in zip(ys, rows, strict=True):
            mu_star, mu = r["mu_star"] * scale, r["mu"] * scale
            clear = abs(mu) >= DIRECTION_SHARE * mu_star and not r["negligible"]
            sign = 1.0 if mu >= 0 else -1.0
            helps = (sign > 0) != lower_better
            colour = (HELPS_COLOUR if helps else HURTS_COLOUR) if clear else MIXED_COLOUR
            x = sign * mu_star if clear else mu_star
            ax.barh(y, x, color=colour, height=0.62, edgecolor="black", linewidth=0.4)
            lo, hi = (v * scale for v in r["mu_star_ci95"])
            lo = max(lo, 0.0)
            xs = (sign * lo, sign * hi) if clear and sign < 0 else (lo, hi)
            ax.plot(xs, (y, y), color="black", lw=1.1)
            end = max(abs(xs[0]), abs(xs[1]), abs(x))
            right = max(right, end)
            ax.annotate(
                f"μ* {mu_star:.2f}  σ {r['sigma'] * scale:.2f}",
                (sign * end if clear and sign < 0 else end, y),
                xytext=(-4 if clear and sign < 0 else 4, 0),
                textcoords="offset points",
                ha="right" if clear and sign < 0 else "left",
                va="center",
                fontsize=7.5,
            )
        span = right or 1.0
        neg = any(r["mu"] < 0 and abs(r["mu"]) >= DIRECTION_SHARE * r["mu_star"] for r in rows)
        ax.set_xlim(-1.35 * span if neg else -0.05 * span, 1.35 * span)
        ax.axvline(0, color="black", lw=0.8)
        unit = measure.effect_unit(lang)
        ax.set_xlabel(
            text(
                lang,
                f"μ*：输入在其取值范围内变化时指标的平均变化（{unit}；右 = 输入增大使指标增大）",
                f"μ*: mean change of the target across the input's range ({unit}; right = "
                "raising the input raises the target)",
            )
        )
        handles = [
            plt.Rectangle((0, 0), 1, 1, color=HELPS_COLOUR),
            plt.Rectangle((0, 0), 1, 1, color=HURTS_COLOUR),
            plt.Rectangle((0, 0), 1, 1, color=MIXED_COLOUR),
        ]
        ax.legend(
            handles,
            [
                text(lang, "有利于指标", "helps the target"),
                text(lang, "不利于指标", "hurts the target"),
                text(lang, "方向不定或可忽略", "mixed direction or negligible"),
            ],
            fontsize=8,
            loc="lower right",
            framealpha=0.9,
        )
        method = text(
            lang,
            f"Morris 筛选：{sens['design']['trajectories']} 条轨迹，"
            f"{sens['design']['levels']} 个水平，每点 {sens['replications']} 次重复",
            f"Morris screening: {sens['design']['trajectories']} trajectories, "
            f"{sens['design']['levels']} levels, {sens['replications']} replications per point",
        )
    else:
        for y, r in zip(ys, rows, strict=True):
            ax.barh(y, r["ST"], color="#a8c5da", height=0.7, edgecolor="black", linewidth=0.4)
            ax.barh(y, r["S1"], color="#2a6f97", height=0.38)
            lo, hi = r["ST_ci95"]
            ax.plot((max(lo, 0.0), hi), (y, y), color="black", lw=1.1)
            ax.annotate(
                f"ST {r['ST']:.2f}  S1 {r['S1']:.2f}",
                (max(hi, r["ST"]), y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=7.5,
            )
        ax.set_xlim(0, 1.25)
        ax.set_xlabel(
            text(
                lang,
                "Sobol 指数：ST 总效应（浅色，含交互），S1 一阶效应（深色）",
                "Sobol indices: ST total effect (light, with interactions), S1 first order (dark)",
            )
        )
        method = text(
            lang,
            f"Sobol 指数：{sens['design']['samples']} 个基样本，每点 {sens['replications']} 次重复",
            f"Sobol indices: base sample {sens['design']['samples']}, "
            f"{sens['replications']} replications per point",
        )
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(n - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.3)
    req = t["requirement"]["zh" if lang == "zh" else "en"]
    base = t["base"]
    base_text = measure.value_text({measure.value_key: base["value"], "ci95": base["ci95"]})
    ax.set_title(
        text(
            lang,
            f"{t['label']['zh']}（{tid}，要求 {req}；基准 {base_text}）\n{method}",
            f"{t['label']['en']} ({tid}, required {req}; baseline {base_text})\n{method}",
        ),
        fontsize=10,
    )
    return fig, ax
