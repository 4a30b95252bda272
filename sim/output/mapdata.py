"""What every map shows, whatever draws it: road classes and their styles, facility kinds,
outcome colours, and the road polylines of a network.

The PNG maps (`sim.output.plots.maps`, matplotlib) and the interactive map page
(`sim.output.webmap`, Leaflet) both take their colours, labels and road geometry from here,
so the two agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.network import SHAOGUAN

if TYPE_CHECKING:
    from sim.network import RoadNetwork

#: Colours of incidents that met / missed their time target, and of requirement marks.
MET_COLOUR = "#2a9d8f"
MISSED_COLOUR = "#e63946"
REQUIRED_COLOUR = "#1d3557"
OTHER_COLOUR = "#757575"

#: Facility kinds: (matplotlib marker, colour, labels).
KIND_STYLE: dict[str, tuple[str, str, dict[str, str]]] = {
    "fire_station": ("s", "#d62828", {"zh": "消防救援站", "en": "Fire-rescue station"}),
    "township_team": ("^", "#f77f00", {"zh": "乡镇专职消防队", "en": "Township team"}),
    "rescue_base": ("P", "#6a4c93", {"zh": "救援基地", "en": "Rescue base"}),
    "water_rescue_base": ("D", "#0077b6", {"zh": "水域救援点", "en": "Water-rescue base"}),
    "depot": ("h", "#8d6e63", {"zh": "物资储备库", "en": "Relief depot"}),
    "helicopter_base": ("*", "#111111", {"zh": "直升机基地", "en": "Helicopter base"}),
    "regional_centre": ("*", "#c1121f", {"zh": "区域应急救援中心", "en": "Regional centre"}),
    "mutual_aid": ("X", "#555555", {"zh": "增援力量", "en": "Mutual aid"}),
    "village_store": ("p", "#a47148", {"zh": "村级应急物资储备点", "en": "Village relief store"}),
}

#: Road drawing style by osmnx class: (colour, line width in points, z-order, zh label, en label).
#: The labels are those of the embedded Shaoguan network, whose classes stand for China's
#: administrative road classes; `OSM_ROAD_LABELS` names the same classes on an OSM network.
ROAD_STYLE: dict[str, tuple[str, float, float, str, str]] = {
    "motorway": ("#c2185b", 2.6, 6.0, "高速公路", "Expressway"),
    "trunk": ("#ef6c00", 1.9, 5.0, "国道", "National road"),
    "primary": ("#f9a825", 1.4, 4.0, "省道", "Provincial road"),
    "secondary": ("#6d6d6d", 0.9, 3.0, "县道（近似）", "County road (approx.)"),
    "tertiary": ("#a8a8a8", 0.6, 2.5, "乡道（近似）", "Township road (approx.)"),
}
#: Legend names of OpenStreetMap highway classes (``*_link`` ramps join their class).
OSM_ROAD_LABELS: dict[str, tuple[str, str]] = {
    "motorway": ("高速公路", "Motorway"),
    "trunk": ("干线公路", "Trunk road"),
    "primary": ("主干道", "Primary road"),
    "secondary": ("次干道", "Secondary road"),
    "tertiary": ("支路", "Tertiary road"),
}
OTHER_ROAD = ("#c8c8c8", 0.4, 2.0, "其他道路", "Other road")
OSM_OTHER_LABEL = ("街道及其他道路", "Residential and other streets")


def is_embedded(net: RoadNetwork) -> bool:
    """Whether `net` is the embedded Shaoguan network (its classes stand for China's roads)."""
    return str(net.G.graph.get("name", "")) == SHAOGUAN


def road_class(hw: str, embedded: bool) -> str:
    """Drawing class of an edge: OSM ramps (``primary_link``) are drawn as their road."""
    if embedded:
        return hw
    return hw.removesuffix("_link")


def road_style(cls: str, embedded: bool) -> tuple[str, float, float, str, str]:
    """(colour, width in points, z-order, zh label, en label) of a drawing class."""
    colour, lw, z, zh, en = ROAD_STYLE.get(cls, OTHER_ROAD)
    if not embedded:
        zh, en = OSM_ROAD_LABELS.get(cls, OSM_OTHER_LABEL)
    return colour, lw, z, zh, en


def _edge_name(data: dict[str, object]) -> str:
    """A road's reference or name (OSM may give a list after simplification)."""
    for key in ("ref", "name"):
        value = data.get(key)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in dict.fromkeys(value))
        if value:
            return str(value)
    return ""


def road_lines(net: RoadNetwork) -> dict[tuple[str, str], list[np.ndarray]]:
    """Edge polylines (lon/lat vertex arrays) by (drawing class, road name), each road once.

    Edges with a ``geometry`` (OSM) follow it; others are straight. A two-way road is one
    line. The embedded network's interchange links join a seat to its own interchange (the
    same point) and are left out.
    """
    embedded = is_embedded(net)
    seen: set[tuple[int, int, str]] = set()
    out: dict[tuple[str, str], list[np.ndarray]] = {}
    G = net.G
    ids = net.node_ids
    for i in range(len(net.edge_u)):
        u, v = int(net.edge_u[i]), int(net.edge_v[i])
        hw = str(net.edge_highway[i])
        key = (min(u, v), max(u, v), hw)
        if key in seen:
            continue
        if (
            embedded
            and hw == "motorway_link"
            and "interchange"
            in (
                net.node_kind[u],
                net.node_kind[v],
            )
        ):
            continue
        seen.add(key)
        data = G.get_edge_data(int(ids[u]), int(ids[v]), int(net.edge_key[i])) or {}
        geom = data.get("geometry")
        if geom is not None and hasattr(geom, "coords"):
            xy = np.asarray(geom.coords)[:, :2]
        else:
            xy = np.array([[net.lon[u], net.lat[u]], [net.lon[v], net.lat[v]]])
        out.setdefault((road_class(hw, embedded), _edge_name(data)), []).append(xy)
    return out


def road_segments(net: RoadNetwork) -> dict[str, list[np.ndarray]]:
    """Edge polylines by drawing class (`road_lines` without the names)."""
    out: dict[str, list[np.ndarray]] = {}
    for (cls, _name), lines in road_lines(net).items():
        out.setdefault(cls, []).extend(lines)
    return out
