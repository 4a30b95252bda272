"""Charts of a run: target compliance, response-time CDFs, incident map, utilisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim import geo
from sim.analysis.compare import any_target_missed
from sim.output.mapdata import KIND_STYLE, MET_COLOUR, MISSED_COLOUR, REQUIRED_COLOUR
from sim.output.plots import plt, setup_fonts, text
from sim.output.plots.maps import decorate_map, place_labels, plot_base, spread_colocated
from sim.results.measures import MEASURES, TimeShare

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.network import RoadNetwork

#: Marker area (pt²) per facility kind; 40 otherwise. Big markers are drawn first, and
#: facilities sharing a town are spread on a small ring (`spread_colocated`).
_KIND_SIZE = {
    "regional_centre": 150,
    "depot": 95,
    "village_store": 70,
    "mutual_aid": 60,
    "helicopter_base": 120,
}


def _map_axes(
    lang: str, region: geo.Region | None, net: RoadNetwork | None
) -> tuple[Figure, Axes, list[Any]]:
    """A figure with the region map: units, rivers, roads, place names, scale bar, north arrow.

    Returns the figure, the axes (lon/lat) and the background's legend handles; the legend
    goes right of the map so that it hides no data.
    """
    fig, ax = plt.subplots(figsize=(11.5, 9))
    region = region or geo.shaoguan_region()
    plot_base(ax, lang=lang, region=region)
    handles = decorate_map(ax, region, net, lang=lang)
    return fig, ax, handles


def _legend(ax: Axes, data: list[Any], background: list[Any]) -> None:
    """Data entries, then the background's, right of the map."""
    ax.legend(
        handles=data + background,
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
    )


def _facilities(ax: Axes, facilities: Mapping[str, Any], lang: str) -> list[Any]:
    """Facilities by kind (biggest markers drawn first); return their legend handles."""
    kinds = np.asarray(facilities["kind"])
    lon, lat = spread_colocated(ax, facilities["lon"], facilities["lat"])
    order = sorted(KIND_STYLE, key=lambda k: -_KIND_SIZE.get(k, 40))
    handles = []
    for z, kind in enumerate(order):
        marker, colour, lab = KIND_STYLE[kind]
        m = kinds == kind
        if m.any():
            handles.append(
                ax.scatter(
                    lon[m],
                    lat[m],
                    marker=marker,
                    s=_KIND_SIZE.get(kind, 40),
                    c=colour,
                    edgecolors="white",
                    lw=0.7,
                    label=lab[lang],
                    zorder=8 + 0.01 * z,
                )
            )
    return handles


def _label(entry: Mapping[str, Any], lang: str) -> str:
    lab = entry.get("label", {})
    return str(lab.get(lang) or lab.get("en") or "")


def plot_target_compliance(metrics: Mapping[str, Any], *, lang: str = "zh") -> tuple[Figure, Axes]:
    """Bar chart of each target's share (or ratio) with its 95 % CI and the required level.

    Each measure places its bar (`sim.results.measures.Measure.bar`): shares as they are,
    ratios as value / requirement, so that 1.0 is the requirement.
    """
    setup_fonts()
    rows = list(metrics["targets"].items())
    fig, ax = plt.subplots(figsize=(9, 0.75 * len(rows) + 1.6))
    xmax = 1.45
    for y, (_, t) in enumerate(rows):
        m = MEASURES[t["measure"]]
        v, lo, hi, required = m.bar(t)
        colour = MET_COLOUR if t["met"] else MISSED_COLOUR
        ax.barh(y, v, color=colour, alpha=0.85, height=0.6)
        ax.errorbar(v, y, xerr=[[v - lo], [hi - v]], fmt="none", ecolor="black", capsize=4, lw=1.2)
        ax.plot([required, required], [y - 0.4, y + 0.4], color=REQUIRED_COLOUR, lw=2.5)
        label_val = f"{m.value_text(t, lang=lang)}  ({m.requirement_text(t, lang, short=True)})"
        ax.text(max(hi, required) + 0.02, y, label_val, va="center", fontsize=9)
        xmax = max(xmax, hi + 0.45)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{_label(t, lang)}\n({tid})" for tid, t in rows], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, xmax)
    ax.set_xlabel(
        text(
            lang,
            "达标比例（比率类指标为 实际值/要求值，受害率须在竖线左侧；"
            "失败次数类指标为无失败年份的比例）",
            "Share meeting target (ratios: value / required, burn ratio left of the bar; failure "
            "counts: share of years without failure)",
        )
    )
    ax.set_title(
        text(
            lang,
            f"规划指标达成情况（{metrics['run']['replications']} 次重复，95% 置信区间；竖线=要求）",
            f"Plan targets ({metrics['run']['replications']} replications, 95% CI; bar = required)",
        )
    )
    ax.grid(axis="x", alpha=0.3)
    return fig, ax


def plot_response_cdfs(
    table: Mapping[str, np.ndarray],
    scenario: Any,
    *,
    lang: str = "zh",
) -> tuple[Figure, Axes]:
    """Empirical CDFs of first-arrival (or relief) times per incident type, with target lines."""
    setup_fonts()
    fig, ax = plt.subplots(figsize=(12, 5.5))
    types = table["type"]
    # Up to 20 types with distinct colours (the baseline has 15; tab10 repeated them).
    cmap = plt.get_cmap("tab20" if len(scenario.incidents) > 10 else "tab10")
    ncol = 20 if len(scenario.incidents) > 10 else 10
    xmax = 0.0
    for k, (name, inc) in enumerate(scenario.incidents.items()):
        m = types == name
        col = "first_arrival_h"
        if inc.units == {} or (not inc.units and inc.affected_people is not None):
            col = "relief_h"
        x = np.asarray(table[col][m], dtype=float)
        if x.size == 0:
            continue
        served = np.sort(x[~np.isnan(x)])
        if served.size == 0:
            continue
        y = np.arange(1, served.size + 1) / x.size  # unserved keep the curve below 1
        lab = inc.label.zh if lang == "zh" else inc.label.en
        ax.step(served, y, where="post", color=cmap(k % ncol), label=f"{lab} (n={x.size})")
        xmax = max(xmax, float(np.percentile(served, 99)))
        if inc.affected_people is not None and col != "relief_h":
            r = np.asarray(table["relief_h"][m], dtype=float)
            rs = np.sort(r[~np.isnan(r)])
            if rs.size:
                ax.step(
                    rs,
                    np.arange(1, rs.size + 1) / r.size,
                    where="post",
                    color=cmap(k % ncol),
                    ls="--",
                    label=text(lang, f"{lab}：初步救助", f"{lab}: first relief"),
                )
                xmax = max(xmax, float(np.percentile(rs, 99)))
    for tg in scenario.targets:
        measure = MEASURES[tg.measure]
        if not (isinstance(measure, TimeShare) and measure.chart):  # fires have their own chart
            continue
        ax.axvline(tg.threshold_h, color=REQUIRED_COLOUR, ls=":", lw=1.5)
        ax.text(
            tg.threshold_h,
            0.55,
            f"{tg.label.zh if lang == 'zh' else tg.label.en} < {tg.threshold_h:g} h",
            rotation=90,
            va="center",
            ha="right",
            fontsize=8,
            color=REQUIRED_COLOUR,
            bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1},
        )
        xmax = max(xmax, tg.threshold_h * 1.1)
    ax.set_xlim(0, xmax or 1)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel(text(lang, "自事件发生起的时间（小时）", "Hours from onset"))
    ax.set_ylabel(text(lang, "累计比例", "Cumulative share"))
    ax.set_title(
        text(
            lang,
            "到场时间分布（实线：首车到场；虚线：初步救助）",
            "Response times (solid: first arrival; dashed: first relief)",
        )
    )
    ax.grid(alpha=0.3)
    # Beside the axes: inside, the legend hid the curves and target lines on its right.
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    return fig, ax


def plot_incident_map(
    table: Mapping[str, np.ndarray],
    scenario: Any,
    facilities: Mapping[str, np.ndarray],
    *,
    lang: str = "zh",
    replication: int | None = 0,
    region: geo.Region | None = None,
    net: RoadNetwork | None = None,
) -> tuple[Figure, Axes]:
    """Map of incidents coloured by target outcome (met / missed), with facilities by kind.

    Drawn over the study region (units, rivers, the run's roads by class, place names, scale
    bar and north arrow).

    Parameters
    ----------
    table
        Per-incident columns.
    scenario
        The scenario (targets decide what counts as met).
    facilities
        ``{"lon", "lat", "kind", "name"}`` arrays.
    replication
        Which replication's incidents to draw (None = all).
    region
        The study region; default the scenario's (`Scenario.study_region`).
    net
        The road network the run used (drawn under the incidents); None: no roads.
    """
    setup_fonts()
    fig, ax, background = _map_axes(lang, region or scenario.study_region, net)
    sel = np.ones(len(table["type"]), dtype=bool)
    if replication is not None:
        sel = table["replication"] == replication
    relevant, missed = any_target_missed(table, scenario)
    met = ~missed
    lon, lat = table["lon"], table["lat"]
    other = sel & ~relevant
    data = [
        ax.scatter(
            lon[other],
            lat[other],
            s=4,
            c="#757575",
            alpha=0.35,
            lw=0,
            label=text(lang, "其他事件", "Other incidents"),
            zorder=3.5,
        )
    ]
    ok = sel & relevant & met
    bad = sel & relevant & ~met
    data.append(
        ax.scatter(
            lon[ok],
            lat[ok],
            s=14,
            c=MET_COLOUR,
            alpha=0.8,
            lw=0,
            zorder=6.5,
            label=text(lang, f"达标 ({ok.sum()})", f"Target met ({ok.sum()})"),
        )
    )
    data.append(
        ax.scatter(
            lon[bad],
            lat[bad],
            s=22,
            c=MISSED_COLOUR,
            alpha=0.9,
            marker="x",
            zorder=6.6,
            label=text(lang, f"未达标 ({bad.sum()})", f"Target missed ({bad.sum()})"),
        )
    )
    data += _facilities(ax, facilities, lang)
    rep_txt = (
        text(lang, f"第 {replication + 1} 次重复", f"replication {replication + 1}")
        if replication is not None
        else text(lang, "全部重复", "all replications")
    )
    reg = region or scenario.study_region
    ax.set_title(
        text(
            lang,
            f"{reg.name}：事件分布与目标达成（{rep_txt}）",
            f"{reg.name_en}: incidents by target outcome ({rep_txt})",
        )
    )
    _legend(ax, data, background)
    return fig, ax


def plot_utilisation(metrics: Mapping[str, Any], *, lang: str = "zh") -> tuple[Figure, Axes]:
    """Bar chart of mean and maximum unit utilisation by unit type."""
    setup_fonts()
    rows = metrics["utilisation"]["by_unit_type"]
    names = list(rows)
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(names) + 1.8))
    y = np.arange(len(names))
    mean = [rows[n]["utilisation_mean"] * 100 for n in names]
    mx = [rows[n]["utilisation_max"] * 100 for n in names]
    ax.barh(y - 0.18, mean, height=0.36, color="#457b9d", label=text(lang, "平均", "mean"))
    ax.barh(
        y + 0.18, mx, height=0.36, color="#e76f51", label=text(lang, "最忙单元", "busiest unit")
    )
    for yy, a, b in zip(y, mean, mx, strict=True):
        ax.text(b + 0.2, yy + 0.18, f"{b:.1f}%", va="center", fontsize=8)
        ax.text(a + 0.2, yy - 0.18, f"{a:.1f}%", va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(
        [f"{rows[n].get('label', {}).get(lang, n)} ({rows[n]['units']})" for n in names]
    )
    ax.invert_yaxis()
    ax.set_xlabel(text(lang, "忙碌时间占比（%）", "Share of time busy (%)"))
    ax.set_title(
        text(
            lang, "各类力量利用率（括号内为单元数）", "Unit utilisation by type (units in brackets)"
        )
    )
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig, ax


def plot_coverage_by_hour(
    metrics: Mapping[str, Any], *, lang: str = "zh", unit_label: str | None = None
) -> tuple[Figure, Axes]:
    """Coverage over time: share of the population within the threshold of an available unit
    (time-weighted), by hour of day, with its 95 % interval over replications (%).

    `unit_label` names the counted unit type (default: its id)."""
    setup_fonts()
    cov = metrics["coverage"]
    unit = unit_label or cov["unit_type"]
    share = np.asarray(cov["by_hour"], dtype=float) * 100
    ci = np.asarray(cov["by_hour_ci95"], dtype=float) * 100
    hours = np.arange(24)
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.fill_between(hours, ci[:, 0], ci[:, 1], color="#a8dadc", step="mid", label="95% CI")
    ax.step(hours, share, where="mid", color="#1d3557", lw=1.5, label=text(lang, "平均", "mean"))
    ax.axhline(cov["share_mean"] * 100, color="#e76f51", ls="--", lw=1)
    thr = f"{cov['threshold_h'] * 60:g}"
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlim(-0.5, 23.5)
    ax.set_xlabel(text(lang, "时刻（时）", "Hour of day"))
    ax.set_ylabel(
        text(lang, f"{thr} 分钟内覆盖人口比例（%）", f"Population covered within {thr} min (%)")
    )
    ax.set_title(
        text(
            lang,
            f"可用{unit}覆盖率随时刻变化（全时段平均 {cov['share_mean'] * 100:.1f}%）",
            f"Coverage by an available {unit} by hour of day (mean {cov['share_mean'] * 100:.1f}%)",
        )
    )
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    return fig, ax


def plot_fire_outcomes(
    table: Mapping[str, np.ndarray], scenario: Any, *, lang: str = "zh"
) -> tuple[Figure, Any]:
    """Two panels for forest fires: burned-area distribution and time-to-containment CDF.

    The CDF panel marks 24 h with a line.
    """
    setup_fonts()
    fire_types = [n for n, inc in scenario.incidents.items() if inc.fire is not None]
    m = np.isin(table["type"], fire_types)
    burned = np.asarray(table["burned_ha"][m], dtype=float)
    cont = np.asarray(table["contained_h"][m], dtype=float)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    b = burned[np.isfinite(burned)]
    if b.size:
        bins = np.logspace(
            np.log10(max(b[b > 0].min() if (b > 0).any() else 0.01, 0.01)),
            np.log10(max(b.max(), 0.1)) + 0.1,
            30,
        )
        ax1.hist(np.maximum(b, bins[0]), bins=bins, color="#bc6c25", alpha=0.85)
        ax1.set_xscale("log")
        ax1.axvline(np.median(b), color="black", ls="--", lw=1)
        ax1.text(
            np.median(b),
            ax1.get_ylim()[1] * 0.9,
            text(lang, f" 中位数 {np.median(b):.1f} ha", f" median {np.median(b):.1f} ha"),
            fontsize=8,
        )
    ax1.set_xlabel(
        text(lang, "单次火灾过火面积（公顷，对数刻度）", "Burned area per fire (ha, log scale)")
    )
    ax1.set_ylabel(text(lang, "火灾次数（全部重复）", "Fires (all replications)"))
    ax1.set_title(
        text(lang, f"过火面积分布（{m.sum()} 起）", f"Burned area per fire ({m.sum()} fires)")
    )
    ax1.grid(alpha=0.3)
    c = np.sort(cont[np.isfinite(cont)])
    if c.size:
        ax2.step(
            c,
            np.arange(1, c.size + 1) / cont.size,
            where="post",
            color="#bc6c25",
            label=text(lang, "扑灭（控制）时间", "Time to containment"),
        )
    ax2.axvline(24, color=REQUIRED_COLOUR, ls=":", lw=1.5)
    ax2.text(24, 0.05, text(lang, " 24 小时", " 24 h"), color=REQUIRED_COLOUR, fontsize=9)
    share = float(np.mean(np.nan_to_num(cont, nan=np.inf) < 24)) if cont.size else float("nan")
    ax2.axhline(0.95, color="grey", ls="--", lw=1)
    ax2.text(0.5, 0.955, text(lang, "要求 95%", "required 95%"), fontsize=8, color="grey")
    ax2.set_xlim(0, max(48.0, float(np.percentile(c, 99)) if c.size else 48.0))
    ax2.set_ylim(0, 1.01)
    ax2.set_xlabel(text(lang, "自起火起的小时数", "Hours from ignition"))
    ax2.set_ylabel(text(lang, "累计比例", "Cumulative share"))
    ax2.set_title(
        text(
            lang,
            f"24 小时扑灭率 {share:.1%}（合并全部重复）",
            f"Contained within 24 h: {share:.1%} (pooled)",
        )
    )
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig, (ax1, ax2)


def plot_fire_map(
    table: Mapping[str, np.ndarray],
    scenario: Any,
    facilities: Mapping[str, np.ndarray],
    points: Any,
    *,
    lang: str = "zh",
    region: geo.Region | None = None,
    net: RoadNetwork | None = None,
) -> tuple[Figure, Axes]:
    """Map of forest fires (all replications) coloured by outcome, with aviation infrastructure.

    `region` defaults to the scenario's study region; `net` (the run's roads) is drawn under
    the fires when given.
    """
    setup_fonts()
    fig, ax, background = _map_axes(lang, region or scenario.study_region, net)
    fire_types = [n for n, inc in scenario.incidents.items() if inc.fire is not None]
    m = np.isin(table["type"], fire_types)
    cont = np.nan_to_num(np.asarray(table["contained_h"], dtype=float), nan=np.inf)
    burned = np.nan_to_num(np.asarray(table["burned_ha"], dtype=float), nan=0.0)
    ok = m & (cont < 24)
    bad = m & (cont >= 24)
    size = 6 + 40 * np.sqrt(np.minimum(burned, 3000) / 3000)
    ax.scatter(
        table["lon"][ok],
        table["lat"][ok],
        s=size[ok],
        c=MET_COLOUR,
        alpha=0.6,
        lw=0,
        zorder=6.5,
        label=text(lang, f"24 小时内扑灭 ({ok.sum()})", f"Contained < 24 h ({ok.sum()})"),
    )
    ax.scatter(
        table["lon"][bad],
        table["lat"][bad],
        s=size[bad] + 10,
        c=MISSED_COLOUR,
        alpha=0.85,
        marker="X",
        lw=0,
        zorder=6.6,
        label=text(lang, f"超过 24 小时 ({bad.sum()})", f"Not contained in 24 h ({bad.sum()})"),
    )
    style = {
        "heliport": ("*", "#c1121f", 160, text(lang, "直升机场", "Heliport")),
        "landing": ("^", "#111111", 60, text(lang, "航空停降点", "Landing point")),
        "water_intake": ("v", "#0077b6", 40, text(lang, "取水点", "Water-intake point")),
    }
    for kind, (marker, colour, s, lab) in style.items():
        pts = [p for p in points if p.kind == kind]
        if pts:
            ax.scatter(
                [p.lon for p in pts],
                [p.lat for p in pts],
                marker=marker,
                c=colour,
                s=s,
                edgecolors="white",
                lw=0.6,
                zorder=8,
                label=lab,
            )
    kinds = np.asarray(facilities["kind"])
    for kind in ("helicopter_base", "regional_centre"):
        sel = kinds == kind
        if sel.any():
            marker, colour, names = KIND_STYLE[kind]
            ax.scatter(
                np.asarray(facilities["lon"])[sel],
                np.asarray(facilities["lat"])[sel],
                marker="o",
                s=120,
                facecolors="none",
                edgecolors=colour,
                lw=1.5,
                zorder=8.5,
                label=names[lang],
            )
    ax.set_title(
        text(
            lang,
            "森林火灾结果（全部重复；点大小∝过火面积）",
            "Forest fires by outcome (all replications; size ∝ burned area)",
        )
    )
    _legend(ax, ax.get_legend_handles_labels()[0], background)
    return fig, ax


def plot_placement_map(
    prep: Any, problem: Any, result: Any, added: list[dict[str, Any]], *, lang: str = "zh"
) -> tuple[Figure, Axes]:
    """Map of demand (circle size ∝ yearly demand), existing sites and the sites the model added."""
    setup_fonts()

    fig, ax, background = _map_axes(lang, prep.region, prep.net)
    lon, lat = problem.demand_lon, problem.demand_lat
    w = problem.weights
    ax.scatter(
        lon,
        lat,
        s=8 + 300 * w / max(w.max(), 1e-9),
        c="#8ecae6",
        alpha=0.7,
        edgecolors="#219ebc",
        lw=0.5,
        zorder=6.5,
        label=text(
            lang, f"需求（{problem.weight_unit}，圆大小）", f"Demand ({problem.weight_unit}, size)"
        ),
    )
    kind_label = KIND_STYLE.get(problem.kind, ("", "", {"zh": problem.kind, "en": problem.kind}))[
        2
    ][lang]
    fixed = [problem.candidates[k] for k in problem.fixed]
    if fixed:
        ax.scatter(
            [c.lon for c in fixed],
            [c.lat for c in fixed],
            marker="s",
            s=70,
            c="#6c757d",
            edgecolors="white",
            zorder=8.5,
            label=text(
                lang, f"现有{kind_label}（{len(fixed)}）", f"Existing: {kind_label} ({len(fixed)})"
            ),
        )
    if added:
        ax.scatter(
            [a["lon"] for a in added],
            [a["lat"] for a in added],
            marker="*",
            s=260,
            c="#d62828",
            edgecolors="white",
            lw=0.8,
            zorder=9,
            label=text(lang, f"新增选址（{len(added)}）", f"New sites ({len(added)})"),
        )
        style = {"fontsize": 9, "color": "#d62828", "zorder": 14,
                 "bbox": {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "#d62828",
                          "lw": 0.6, "alpha": 0.9}}  # fmt: skip
        # the new sites' names keep clear of the place names already on the map
        place_labels(
            ax,
            [(a["lon"], a["lat"], text(lang, f"新增：{a['site']}", f"New: {a['id']}"), style)
             for a in added],
            avoid=[t for t in ax.texts if t.get_text()],
        )  # fmt: skip
    ax.set_title(
        text(
            lang,
            f"选址优化：{kind_label}（模型 {result.model}，求解状态 {result.status}）",
            f"Placement: {kind_label} ({result.model}, {result.status})",
        )
    )
    _legend(ax, ax.get_legend_handles_labels()[0], background)
    return fig, ax
