"""The cost–performance frontier of a sizing (`sim.workflows.size`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.analysis.sweep import format_value, short_key
from sim.output.plots import plt, setup_fonts, text
from sim.output.plots.charts import MET_COLOUR, MISSED_COLOUR, REQUIRED_COLOUR
from sim.results.measures import MEASURES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.figure import Figure

#: Yuan per axis unit (万元).
WAN = 1e4


def plot_frontier(size: Mapping[str, Any], *, lang: str = "zh") -> tuple[Figure, Any]:
    """Each chosen target's estimate (95 % CI bars) against the annual cost of every evaluated
    configuration.

    ● met with 95 % confidence, × not; the line joins the cost–performance frontier (no other
    configuration is both cheaper and better); ☆ the cheapest configuration meeting every
    chosen target; dashed: the requirement.
    """
    setup_fonts()
    tids = list(size["targets_chosen"])
    n = max(len(tids), 1)
    ncols = min(n, 2)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(6.6 * ncols, 4.6 * nrows), squeeze=False, layout="constrained"
    )
    pts = size["points"]
    best = size.get("cheapest")
    for j, tid in enumerate(tids):
        ax = axes[j // ncols][j % ncols]
        meta = size["targets"][tid]
        m = MEASURES[meta["measure"]]
        share = m.value_key == "share"
        scale = 100.0 if share else 1.0
        x = np.array([p["cost_per_year"] / WAN for p in pts], dtype=float)
        tv = [p["targets"][tid] for p in pts]
        y = np.array([np.nan if m.value(t) is None else m.value(t) for t in tv], dtype=float)
        lo = np.array([np.nan if t["ci95"][0] is None else t["ci95"][0] for t in tv], dtype=float)
        hi = np.array([np.nan if t["ci95"][1] is None else t["ci95"][1] for t in tv], dtype=float)
        met = np.array([bool(t.get("met_95")) for t in tv])
        ax.errorbar(
            x,
            y * scale,
            yerr=[(y - lo) * scale, (hi - y) * scale],
            fmt="none",
            ecolor="#888888",
            elinewidth=1,
            capsize=3,
            zorder=2,
        )
        front = [k for k, p in enumerate(pts) if p["index"] in size["frontier"][tid]]
        if front:
            ax.plot(
                x[front],
                y[front] * scale,
                color="#457b9d",
                lw=1.6,
                zorder=3,
                label=text(lang, "成本—绩效前沿", "cost–performance frontier"),
            )
        ax.scatter(
            x[met],
            y[met] * scale,
            color=MET_COLOUR,
            edgecolor="black",
            s=44,
            zorder=5,
            label=text(lang, "以 95% 置信度达标", "met with 95% confidence"),
        )
        ax.scatter(
            x[~met],
            y[~met] * scale,
            color=MISSED_COLOUR,
            edgecolor="black",
            marker="X",
            s=48,
            zorder=5,
            label=text(lang, "未达标", "not met"),
        )
        for k, p in enumerate(pts):
            ax.annotate(
                " / ".join(_short(v) for v in p["setting"].values()),
                (x[k], y[k] * scale),
                textcoords="offset points",
                xytext=(4, -10 if k % 2 else 5),
                fontsize=6.5,
                color="#333333",
            )
        if best is not None:
            k = next(i for i, p in enumerate(pts) if p["index"] == best["index"])
            ax.scatter(
                [x[k]],
                [y[k] * scale],
                marker="*",
                s=330,
                facecolor="none",
                edgecolor=MET_COLOUR,
                linewidth=1.6,
                zorder=6,
                label=text(lang, "最低成本达标配置", "cheapest configuration meeting all"),
            )
        req = m.limit(meta)
        if req is not None:
            ax.axhline(
                req * scale,
                color=REQUIRED_COLOUR,
                ls="--",
                lw=1.2,
                label=text(lang, "要求 ", "required ") + m.requirement_text(meta, lang, short=True),
            )
        ax.set_xlabel(text(lang, "年成本（万元/年）", "annual cost (10,000 yuan per year)"))
        unit = "%" if share else ("‰" if "per_mille" in m.limit_key else "")
        ax.set_ylabel(text(lang, "指标值", "estimate") + (f" ({unit})" if unit else ""))
        ax.set_title(f"{meta['label']['zh' if lang == 'zh' else 'en']} ({tid})", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    for j in range(len(tids), nrows * ncols):
        axes[j // ncols][j % ncols].axis("off")
    keys = " / ".join(short_key(p["key"]) for p in size["parameters"])
    fig.suptitle(
        text(
            lang,
            f"规模测算：成本与绩效（{size['replications']} 次重复，公共随机数）\n点标注：{keys}",
            f"Sizing: cost and performance ({size['replications']} replications, "
            f"common random numbers)\npoint labels: {keys}",
        ),
        fontsize=11,
    )
    return fig, axes


def _short(v: Any) -> str:
    return format_value(v)
