"""Charts of comparisons and sweeps.

Shares side by side, paired differences, CDFs, county maps, share vs parameter.
"""

from __future__ import annotations

import json
import math
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, Normalize, TwoSlopeNorm

from sim import geo
from sim.output.mapdata import MET_COLOUR, MISSED_COLOUR, REQUIRED_COLOUR
from sim.output.plots import plt, setup_fonts, text
from sim.output.plots.maps import map_lat0, region_extent
from sim.results.measures import MEASURES, TimeShare

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Colours of the compared scenarios (reference first), colour-blind friendly (Okabe–Ito).
SCENARIO_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
NEUTRAL_COLOUR = "#8d99ae"


def _colour(i: int) -> str:
    return SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]


def _tlabel(t: Mapping[str, Any], lang: str) -> str:
    return str(t["label"].get(lang) or t["label"].get("en") or "")


def _wrap(s: str, width: int) -> str:

    if any("\u4e00" <= ch <= "\u9fff" for ch in s):
        return "\n".join(s[i : i + width // 2] for i in range(0, len(s), width // 2))
    return "\n".join(textwrap.wrap(s, width)) or s


def plot_compare_targets(comparison: Mapping[str, Any], *, lang: str = "zh") -> tuple[Figure, Axes]:
    """Grouped bars: each target's share per scenario, 95 % CI, required level.

    Ratio targets show value / required instead of a share.
    """
    setup_fonts()
    labels = [s["label"] for s in comparison["scenarios"]]
    rows = list(comparison["targets"].items())
    k = len(labels)
    fig, ax = plt.subplots(figsize=(9.5, (0.32 * k + 0.45) * len(rows) + 1.8))
    h = 0.8 / k
    xmax = 1.0
    for y, (_tid, t) in enumerate(rows):
        m = MEASURES[t["measure"]]
        req_x = m.bar(t)[3]
        for j, lab in enumerate(labels):
            blk = t["by_scenario"].get(lab)
            if blk is None:
                continue
            yy = y - 0.4 + h * (j + 0.5)
            # Ratios are drawn as value / limit: 1 is the requirement (a floor or a ceiling).
            v, lo, hi, _ = m.bar(t | blk)
            txt = m.bar_text(t | blk, lang)
            xmax = max(xmax, hi)
            ax.barh(
                yy, v, height=h * 0.9, color=_colour(j), alpha=0.9, label=lab if y == 0 else None
            )
            if hi > lo:
                ax.errorbar(
                    v, yy, xerr=[[v - lo], [hi - v]], fmt="none", ecolor="black", capsize=2.5, lw=1
                )
            ax.text(hi + 0.01, yy, txt, va="center", fontsize=7.5)
        ax.plot([req_x, req_x], [y - 0.45, y + 0.45], color=REQUIRED_COLOUR, lw=2.2)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{_wrap(_tlabel(t, lang), 26)}\n({tid})" for tid, t in rows], fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, max(1.15, xmax + 0.12))
    ax.set_xlabel(
        text(
            lang,
            "达标比例（比率类指标为 实际值/要求值；深蓝竖线 = 要求；森林受害率须在竖线左侧；"
            "失败次数类指标为无失败年份的比例）",
            "Share meeting target (ratios: value / limit; dark line = requirement; damaged forest "
            "ratio must stay left of it; failure counts: share of years without failure)",
        )
    )
    ax.set_title(
        text(
            lang,
            f"各方案规划指标达成情况（{comparison['replications']} 次重复，95% 置信区间）",
            f"Plan targets by scenario ({comparison['replications']} replications, 95% CI)",
        )
    )
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right", framealpha=0.9)
    return fig, ax


def _diff_rows(
    comparison: Mapping[str, Any], lang: str
) -> tuple[list[tuple[str, Any, int]], list[tuple[str, Any, int]]]:
    ref = comparison["reference"]
    labels = [s["label"] for s in comparison["scenarios"] if s["label"] != ref]
    idx = {s["label"]: i for i, s in enumerate(comparison["scenarios"])}
    share_rows, time_rows = [], []
    for tid, t in comparison["targets"].items():
        if MEASURES[t["measure"]].value_key != "share":  # differences here are in pp of shares
            continue
        for lab in labels:
            d = t["diff_vs_reference"].get(lab)
            if d is not None:
                share_rows.append((f"{_wrap(_tlabel(t, lang), 22)} ({tid})\n{lab}", d, idx[lab]))
    for name, r in comparison["response_times"].items():
        for lab in labels:
            d = r["diff_vs_reference"][lab]["mean_h"]
            time_rows.append((f"{_tlabel(r, lang)} ({name})\n{lab}", d, idx[lab]))
    return share_rows, time_rows


def _forest(
    ax: Axes, rows: Sequence[tuple[str, Any, int]], scale: float, better_positive: bool
) -> None:
    for y, (_lab, d, j) in enumerate(rows):
        if d["diff"] is None:
            continue
        v = d["diff"] * scale
        lo, hi = d["ci95"]
        if lo is None:
            lo = hi = d["diff"]
        lo, hi = lo * scale, hi * scale
        good = (lo > 0) if better_positive else (hi < 0)
        bad = (hi < 0) if better_positive else (lo > 0)
        colour = MET_COLOUR if good else MISSED_COLOUR if bad else NEUTRAL_COLOUR
        ax.plot([lo, hi], [y, y], color=colour, lw=2.5, solid_capstyle="butt")
        ax.errorbar(
            [v], [y], xerr=[[v - lo], [hi - v]], fmt="none", ecolor=colour, capsize=4, lw=1.2
        )
        # Marker shape tells the scenario apart, its colour the verdict (the interval may be
        # narrower).
        ax.plot([v], [y], marker="osD^vP*X"[j % 8], color=colour, mec="black", ms=6.5, zorder=5)
        nd = 2 if max(abs(lo), abs(hi)) < 1 else 1
        ax.annotate(
            f"{v:+.{nd}f} [{lo:+.{nd}f}, {hi:+.{nd}f}]",
            (hi, y),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
        )
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r[0] for r in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.3)
    lo_all = [
        min(0.0, (r[1]["ci95"][0] if r[1]["ci95"][0] is not None else r[1]["diff"] or 0) * scale)
        for r in rows
    ]
    hi_all = [
        max(0.0, (r[1]["ci95"][1] if r[1]["ci95"][1] is not None else r[1]["diff"] or 0) * scale)
        for r in rows
    ]
    if rows:
        a, b = min(lo_all), max(hi_all)
        span = max(b - a, 1e-9 if (a or b) else 1.0)
        ax.set_xlim(a - 0.08 * span, b + 0.45 * span)


def plot_compare_diffs(comparison: Mapping[str, Any], *, lang: str = "zh") -> tuple[Figure, Any]:
    """Forest plot of the paired differences to the reference scenario with 95 % CIs.

    Left: target shares (percentage points, positive = better). Right: mean first-arrival time
    per incident type (minutes, negative = faster). Green: significantly better, red:
    significantly worse, grey: the interval contains 0 (not distinguishable from noise).
    """
    setup_fonts()
    share_rows, time_rows = _diff_rows(comparison, lang)
    n = max(len(share_rows), len(time_rows), 1)
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.55 * n + 2.2), layout="constrained")
    _forest(axes[0], share_rows, 100.0, better_positive=True)
    axes[0].set_xlabel(
        text(
            lang,
            "达标比例之差（百分点，正 = 更好）",
            "Difference in share (percentage points, + = better)",
        )
    )
    axes[0].set_title(text(lang, "指标达标比例", "Target shares"), fontsize=10)
    _forest(axes[1], time_rows, 60.0, better_positive=False)
    axes[1].set_xlabel(
        text(
            lang,
            "平均首车到场时间之差（分钟，负 = 更快）",
            "Difference in mean first arrival (minutes, − = faster)",
        )
    )
    axes[1].set_title(text(lang, "平均首车到场时间", "Mean first arrival"), fontsize=10)
    fig.suptitle(
        text(
            lang,
            f"与参照方案 {comparison['reference']} 的配对差值（同一随机数，95% 置信区间；"
            "绿=显著更好，红=显著更差，灰=与随机波动无法区分）",
            f"Paired difference to reference {comparison['reference']} (common random numbers, "
            "95% CI; green = significantly better, red = worse, grey = not distinguishable from "
            "noise)",
        ),
        fontsize=10,
    )
    return fig, axes


def plot_compare_cdfs(
    tables: Mapping[str, Mapping[str, np.ndarray]],
    comparison: Mapping[str, Any],
    *,
    lang: str = "zh",
) -> tuple[Figure, Any]:
    """Response-time distributions side by side: one panel per time target, one curve per scenario.

    The curve is the share of the target's incidents reached within x hours (never reached
    keeps it below 1); the target is met where the curve passes above the marked point
    (threshold, required share).
    """
    setup_fonts()
    targets = [
        (tid, t) for tid, t in comparison["targets"].items() if MEASURES[t["measure"]].per_incident
    ]
    n = max(len(targets), 1)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(5.2 * ncols, 4.2 * nrows), squeeze=False, layout="constrained"
    )
    for k, (_tid, t) in enumerate(targets):
        ax = axes[k // ncols][k % ncols]
        measure = MEASURES[t["measure"]]
        assert isinstance(measure, TimeShare)
        xmax = t["threshold_h"] * 1.3
        for j, s in enumerate(comparison["scenarios"]):
            tab = tables[s["label"]]
            m = measure.mask(tab, t)
            x = np.asarray(tab[t["column"]], dtype=float)[m]
            if x.size == 0:
                continue
            served = np.sort(x[~np.isnan(x)])
            if served.size == 0:
                continue
            y = np.arange(1, served.size + 1) / x.size
            ax.step(
                np.r_[0.0, served],
                np.r_[0.0, y],
                where="post",
                color=_colour(j),
                lw=1.6,
                label=s["label"],
            )
            xmax = max(xmax, float(np.percentile(served, 97)))
        required = measure.share_required(t)
        required = 1.0 if required is None else required
        ax.axvline(t["threshold_h"], color=REQUIRED_COLOUR, ls=":", lw=1.3)
        ax.axhline(required, color=REQUIRED_COLOUR, ls=":", lw=1.0)
        ax.plot(
            [t["threshold_h"]],
            [required],
            marker="D",
            color=REQUIRED_COLOUR,
            ms=6,
            zorder=6,
        )
        ax.set_xlim(0, xmax)
        ax.set_ylim(0, 1.02)
        ax.set_title(
            f"{_wrap(_tlabel(t, lang), 30)}\n" + measure.requirement_text(t, lang, short=True),
            fontsize=9,
        )
        ax.set_xlabel(text(lang, "自事件发生起的时间（小时）", "Hours from onset"), fontsize=8)
        ax.set_ylabel(text(lang, "已到达的比例", "Share reached"), fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    for k in range(len(targets), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    fig.suptitle(
        text(
            lang,
            "到场时间分布对比（◆ = 指标要求：曲线须从其上方通过）",
            "Response-time distributions (◆ = requirement: the curve must pass above it)",
        ),
        fontsize=11,
    )
    return fig, axes


def _county_geoms(region: geo.Region) -> list[tuple[str, Any]]:
    """(unit name, shapely geometry) of the region's units, in the region's order."""
    return [(c.name, region.county_shapes[c.name]) for c in region.counties
            if c.name in region.county_shapes]  # fmt: skip


def _polys(geom: Any) -> list[Any]:
    if geom.geom_type == "Polygon":
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polys(g)]


def _choropleth(
    ax: Axes,
    values: Mapping[str, float | None],
    cmap: Any,
    norm: Any,
    lang: str,
    fmt: Callable[[float], str],
    counts: Mapping[str, int] | None = None,
    region: geo.Region | None = None,
) -> None:
    region = region or geo.shaoguan_region()
    names = {c.name: c for c in region.counties}
    for cname, geom in _county_geoms(region):
        v = values.get(cname)
        face = "#eeeeee" if v is None else cmap(norm(v))
        for poly in _polys(geom):
            xy = np.asarray(poly.exterior.coords)
            ax.fill(
                xy[:, 0],
                xy[:, 1],
                facecolor=face,
                edgecolor="#5d5346",
                lw=0.7,
                hatch=None if v is not None else "///",
            )
        p = geom.representative_point()
        c = names[cname]
        label = text(lang, c.name_short, c.pinyin)
        val = "—" if v is None else fmt(v)
        if counts is not None:
            val += f"\n(n={counts.get(cname, 0)})"
        ax.annotate(
            f"{label}\n{val}",
            (p.x, p.y),
            ha="center",
            va="center",
            fontsize=6.5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    w, s, e, n = region_extent(region)
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(1 / math.cos(math.radians(map_lat0(region))))
    ax.set_xticks([])
    ax.set_yticks([])


def _tall(region: geo.Region | None) -> float:
    """Height over width of the region's map window (true scale), kept within [0.5, 1.4]."""
    w, s, e, n = region_extent(region or geo.shaoguan_region())
    lat0 = map_lat0(region or geo.shaoguan_region())
    return min(max((n - s) / ((e - w) * math.cos(math.radians(lat0))), 0.5), 1.4)


def _grid(n: int, ncols: int, panel_w: float, panel_h: float) -> tuple[Figure, Any, int, int]:
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(panel_w * ncols + 1.0, panel_h * nrows + 0.9),
        squeeze=False,
        layout="constrained",
    )
    for k in range(n, nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    return fig, axes, nrows, ncols


def plot_county_maps(
    values: Mapping[str, Mapping[str, Mapping[str, Any]]],
    *,
    lang: str = "zh",
    title: str | None = None,
    ncols: int = 4,
    region: geo.Region | None = None,
) -> tuple[Figure, Any]:
    """Small-multiple county maps of the share missing a time target.

    One panel per scenario or sweep point.

    Parameters
    ----------
    values
        ``{panel label: {county name: {"share": share or None, "n": incidents}}}``
        (`sim.compare.county_missed`); counties without incidents are hatched grey.
    region
        The study region whose units are drawn (`Scenario.study_region`); default Shaoguan.
    title
        Figure title; default: share of target incidents that missed a time target.
    ncols
        Panels per row.
    """
    setup_fonts()

    labels = list(values)
    fig, axes, _nrows, ncols = _grid(max(len(labels), 1), ncols, 3.9, 3.9 * _tall(region))
    cmap = plt.get_cmap("OrRd")
    norm = Normalize(0.0, 1.0)
    for k, lab in enumerate(labels):
        ax = axes[k // ncols][k % ncols]
        shares = {c: d["share"] for c, d in values[lab].items()}
        counts = {c: d["n"] for c, d in values[lab].items()}
        _choropleth(ax, shares, cmap, norm, lang, lambda v: f"{v:.0%}", counts, region)
        ax.set_title(_wrap(lab, 40), fontsize=9)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = fig.colorbar(sm, ax=axes.ravel().tolist(), shrink=0.8)
    cb.ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: f"{v:.0%}"))
    cb.set_label(text(lang, "未达标事件比例", "Share of incidents missing a target"), fontsize=8)
    uzh, uen = (region or geo.shaoguan_region()).unit_words
    fig.suptitle(
        title
        or text(
            lang,
            f"各{uzh}时间类指标未达标的事件比例（任一指标未达标即计入；n = 事件数；"
            "斜线 = 无此类事件）",
            f"Share of target incidents missing any time target, by {uen} (n = incidents; "
            "hatched = none)",
        ),
        fontsize=10,
    )
    return fig, axes


def _pp(v: float) -> str:
    r = round(v * 100, 1) + 0.0
    return "0.0 pp" if r == 0 else f"{r:+.1f} pp"


def plot_county_change(
    values: Mapping[str, Mapping[str, Mapping[str, Any]]],
    reference: str,
    *,
    lang: str = "zh",
    region: geo.Region | None = None,
) -> tuple[Figure, Any]:
    """County maps of the change in the missed share against the reference (percentage points).

    `region` is the study region whose units are drawn; default Shaoguan.
    """
    setup_fonts()

    others = [lab for lab in values if lab != reference]
    diffs: dict[str, dict[str, float | None]] = {}
    for lab in others:
        diffs[lab] = {}
        for c, d in values[lab].items():
            r = values[reference].get(c, {}).get("share")
            v = d["share"]
            diffs[lab][c] = None if v is None or r is None else v - r
    fig, axes, _nrows, ncols = _grid(max(len(others), 1), 4, 4.2, 3.9 * _tall(region))
    lim = max([abs(v) for d in diffs.values() for v in d.values() if v is not None] + [0.05])
    norm = TwoSlopeNorm(vmin=-lim, vcenter=0.0, vmax=lim)

    cmap = LinearSegmentedColormap.from_list("better_worse", ["#1a9850", "#f7f7f7", "#d73027"])
    for k, lab in enumerate(others):
        ax = axes[k // ncols][k % ncols]
        _choropleth(ax, diffs[lab], cmap, norm, lang, _pp, region=region)
        ax.set_title(f"{lab} − {reference}", fontsize=9)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = fig.colorbar(sm, ax=axes.ravel().tolist(), shrink=0.8)
    cb.ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: f"{v * 100:+.0f}"))
    cb.set_label(
        text(
            lang,
            "未达标比例变化（百分点，负 = 改善）",
            "Change in missed share (percentage points, − = better)",
        ),
        fontsize=8,
    )
    uzh, uen = (region or geo.shaoguan_region()).unit_words
    fig.suptitle(
        text(
            lang,
            f"各{uzh}未达标事件比例的变化（相对参照方案；绿 = 改善，红 = 变差；斜线 = 无此类事件）",
            f"Change in share of incidents missing a time target vs the reference, by {uen} "
            "(green = better, red = worse; hatched = none)",
        ),
        fontsize=10,
    )
    return fig, axes


def plot_sweep_targets(sweep: Mapping[str, Any], *, lang: str = "zh") -> tuple[Figure, Any]:
    """Each target's share (ratio: value) against the first swept parameter, with 95 % CI bands.

    One panel per target. With several swept keys, each combination of the other keys is a
    separate line. The dashed line is the required share; a star marks the smallest setting
    that meets the target with 95 % confidence.
    """
    setup_fonts()
    params = sweep["parameters"]
    key0 = params[0]["key"]
    xs_vals = params[0]["values"]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in xs_vals)
    xpos = {json_key(v): (float(v) if numeric else i) for i, v in enumerate(xs_vals)}
    targets = sweep["targets"]
    tids = list(targets)
    n = max(len(tids), 1)
    ncols = min(n, 2)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(6.2 * ncols, 4.2 * nrows), squeeze=False, layout="constrained"
    )
    other_keys = [p["key"] for p in params[1:]]
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for pt in sweep["points"]:
        g = ", ".join(
            f"{p.split('.')[-2] if p.endswith('.count') else p.split('.')[-1]}={pt['setting'][p]}"
            for p in other_keys
        )
        groups.setdefault(g, []).append(pt)
    for k, tid in enumerate(tids):
        ax = axes[k // ncols][k % ncols]
        t = targets[tid]
        measure = MEASURES[t["measure"]]
        ratio = measure.value_key != "share"
        for j, (g, pts) in enumerate(groups.items()):
            pts = sorted(pts, key=lambda p: xpos[json_key(p["setting"][key0])])
            x = np.array([xpos[json_key(p["setting"][key0])] for p in pts])
            tv = [p["targets"][tid] for p in pts]
            y = np.array([measure.value(v) for v in tv], dtype=float)
            lo = np.array(
                [np.nan if v["ci95"][0] is None else v["ci95"][0] for v in tv], dtype=float
            )
            hi = np.array(
                [np.nan if v["ci95"][1] is None else v["ci95"][1] for v in tv], dtype=float
            )
            colour = _colour(j)
            if np.nanmax(hi - lo, initial=0.0) > 0:
                ax.fill_between(x, lo, hi, color=colour, alpha=0.18, lw=0)
            met = np.array([bool(v.get("met_95")) for v in tv])
            ax.plot(x, y, color=colour, lw=1.6, label=g or None)
            ax.scatter(x[met], y[met], color=MET_COLOUR, edgecolor="black", s=36, zorder=5)
            ax.scatter(
                x[~met], y[~met], color=MISSED_COLOUR, edgecolor="black", marker="X", s=40, zorder=5
            )
        req = measure.limit(t)
        if req is not None:  # None: the sweep varies the requirement itself
            ax.axhline(
                req,
                color=REQUIRED_COLOUR,
                ls="--",
                lw=1.3,
                label=text(lang, "要求 ", "required ")
                + measure.requirement_text(t, lang, short=True),
            )
        for setting in sweep["smallest_meeting"][tid]["settings"]:
            pt = next((q for q in sweep["points"] if q["setting"] == setting), None)
            if pt is None:
                continue
            tv = pt["targets"][tid]
            yv = measure.value(tv)
            xv = xpos[json_key(setting[key0])]
            ax.scatter(
                [xv],
                [yv],
                marker="*",
                s=260,
                facecolor="none",
                edgecolor=MET_COLOUR,
                lw=1.6,
                zorder=6,
            )
            ax.annotate(
                text(lang, "最小达标设置", "smallest setting met"),
                (xv, yv),
                # Keep the label inside the axes when the point is at the right end.
                xytext=(-95 if xv > np.mean(list(xpos.values())) else 10, -26),
                textcoords="offset points",
                fontsize=7.5,
                color=MET_COLOUR,
                arrowprops={"arrowstyle": "-", "color": MET_COLOUR, "lw": 0.8},
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": MET_COLOUR, "lw": 0.6},
            )
        ax.set_title(
            f"{_wrap(_tlabel(t, lang), 34)} ({tid})"
            + ("" if t.get("threshold_h") is None else f"\n< {t['threshold_h']:g} h"),
            fontsize=9,
        )
        ax.set_xlabel(key0, fontsize=8)
        ax.set_ylabel(measure.axis_label(lang), fontsize=8)
        ax.margins(x=0.08)
        if not ratio:
            # Zoom on the shares and the requirement; the axis is labelled, so nothing is hidden.
            lows = [
                v
                for p in sweep["points"]
                for v in (
                    p["targets"][tid].get("share"),
                    (p["targets"][tid].get("ci95") or [None])[0],
                    req,
                )
                if v is not None
            ]
            ymin = max(0.0, math.floor((min(lows, default=0.0) - 0.05) * 10) / 10)
            ax.set_ylim(ymin - 0.02 * (1.04 - ymin), 1.04)
            ax.yaxis.set_major_formatter(
                plt.FuncFormatter(lambda v, _p: f"{v:.0%}" if v <= 1.0001 else "")
            )
        else:
            vals = [
                max(
                    p["targets"][tid].get("value") or 0.0,
                    (p["targets"][tid].get("ci95") or [0, 0])[1] or 0.0,
                )
                for p in sweep["points"]
            ]
            ax.set_ylim(0, max([req or 0.0, *vals]) * 1.2 or 1.0)
        if numeric:
            ax.set_xticks(sorted({float(v) for v in xs_vals}))
        else:
            ax.set_xticks(range(len(xs_vals)))
            ax.set_xticklabels([str(v) for v in xs_vals], fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    for k in range(len(tids), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    fig.suptitle(
        text(
            lang,
            f"参数扫描：各指标达标比例（{sweep['replications']} 次重复，同一随机数；"
            "● = 95% 置信达标，× = 未达标）",
            f"Sweep: target shares vs parameter ({sweep['replications']} replications, common "
            "random numbers; ● = met with 95% confidence, × = not)",
        ),
        fontsize=10,
    )
    return fig, axes


def json_key(v: Any) -> str:
    """Hashable key of a JSON value (numbers compare by value)."""

    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return repr(float(v))
    return json.dumps(v, sort_keys=True, ensure_ascii=False)
