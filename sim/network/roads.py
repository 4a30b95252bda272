"""Road networks: the embedded Shaoguan township network, OSM loaders, and fast travel-time queries.

Two layers:

* Building or loading a graph: `build_shaoguan_graph` (the embedded, approximate
  township-level network, see ``docs/network.md``) and `graph_from_spec` (``shaoguan``, a
  GraphML file, an OSM XML file, or a place name downloaded with osmnx). Every graph is an
  osmnx-compatible ``networkx.MultiDiGraph`` in WGS84 with ``length`` (m), ``speed_kph``,
  ``travel_time`` (s, light vehicle) and ``travel_time_heavy`` (s, heavy appliance) on every edge.
* Querying it: `RoadNetwork` turns a graph into numpy/scipy arrays once (node coordinates,
  a CSR matrix of edge travel times) so that travel-time matrices, nearest-node snapping and
  routes never call networkx per pair.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import warnings
import xml.sax
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra, minimum_spanning_tree
from scipy.spatial import cKDTree

from sim import geo
from sim.errors import NetworkError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

log = logging.getLogger(__name__)

#: Name of the embedded network in scenario files and on the command line.
SHAOGUAN = "shaoguan"

# --------------------------------------------------------------------------------------------
# Off-network access leg (incident or facility coordinate → nearest road node)
# --------------------------------------------------------------------------------------------

#: Speed on the off-network leg from a coordinate to its nearest network node (km/h).
#: Assumption: village roads and tracks, matching the scenario default ``access.speed_kph``.
ACCESS_SPEED_KPH = 30.0
#: Ratio of road distance to straight-line distance on the access leg (assumption).
ACCESS_CIRCUITY = 1.4


def access_time_s(
    dist_m: Any, speed_kph: float = ACCESS_SPEED_KPH, circuity: float = ACCESS_CIRCUITY
) -> Any:
    """Return the time of an off-network access leg.

    Parameters
    ----------
    dist_m
        Straight-line (great-circle) distance in metres; scalar or array.
    speed_kph
        Travel speed off the network in km/h.
    circuity
        Road distance divided by straight-line distance (≥ 1).

    Returns
    -------
    time_s
        ``dist_m * circuity / speed`` in seconds, same shape as `dist_m`.
    """
    if speed_kph <= 0 or circuity < 1:
        msg = f"access speed_kph={speed_kph!r} must be > 0 and circuity={circuity!r} >= 1"
        raise NetworkError(msg)
    t = np.asarray(dist_m, dtype=float) * circuity / (speed_kph / 3.6)
    return float(t) if np.ndim(t) == 0 else t


# --------------------------------------------------------------------------------------------
# Embedded network: parameters (every number here is documented in docs/network.md)
# --------------------------------------------------------------------------------------------

#: Speeds (km/h) by osmnx road class and terrain: (light rescue vehicle, heavy fire appliance).
#: Source: geodata.md §5.7 (JTG B01-2014 design speeds and Chinese GIS-accessibility practice,
#: recorded from memory, so all values are ASSUMPTIONS). Rule: valleys take the upper end of
#: each range, mountains the lower end ("in mountainous terrain the lower value applies").
#: Class mapping follows OSM China tagging: 高速 motorway, 国道 trunk, 省道 primary,
#: 县道 secondary, 乡道 tertiary.
SPEEDS_KPH: dict[tuple[str, str], tuple[float, float]] = {
    ("motorway", "valley"): (100.0, 80.0),  # §5.7 car 90–100, truck 70–80
    ("motorway", "mountain"): (90.0, 70.0),
    ("trunk", "valley"): (70.0, 55.0),  # §5.7 national road 60–70 / 45–55
    ("trunk", "mountain"): (60.0, 45.0),
    ("primary", "valley"): (60.0, 50.0),  # §5.7 provincial road 50–60 / 40–50
    ("primary", "mountain"): (50.0, 40.0),
    ("secondary", "valley"): (40.0, 35.0),  # §5.7 county road 40 / 30–35
    ("secondary", "mountain"): (35.0, 30.0),  # mountain light value is our assumption
    ("tertiary", "valley"): (30.0, 25.0),  # §5.7 township road 25–30 / 20–25
    ("tertiary", "mountain"): (25.0, 20.0),
}

#: Light-vehicle speeds (km/h) handed to ``osmnx.routing.add_edge_speeds`` for OSM edges
#: without ``maxspeed`` (valley values above; links and minor classes are assumptions).
OSM_HWY_SPEEDS_KPH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 70.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 40.0,
    "secondary_link": 35.0,
    "tertiary": 30.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "living_street": 15.0,
    "service": 20.0,
    "road": 30.0,
}
#: Speed for OSM highway types not listed above and without ``maxspeed`` (km/h).
OSM_FALLBACK_SPEED_KPH = 30.0
#: Heavy appliance speed on loaded OSM graphs = light speed × this factor, capped below.
#: The §5.7 fire-truck/car ratios are 0.75–0.88; 0.8 is their middle (assumption).
HEAVY_SPEED_FACTOR = 0.8
#: Cap on heavy appliance speed on loaded OSM graphs (km/h; §5.7 fire trucks ≤ 80 on expressways).
HEAVY_SPEED_CAP_KPH = 80.0

#: Terrain zones of the embedded network: zone → (terrain, circuity factor, description).
#: Circuity = road length / great-circle length. From memory (geodata.md §1.2 step 3):
#: ≈1.25–1.3 in the valley basins, ≈1.5–1.6 in the mountains. ASSUMPTIONS, not measured.
TERRAIN_ZONES: dict[str, tuple[str, float, str]] = {
    "city_basin": (
        "valley",
        1.25,
        "韶关 city basin: 武江/浈江/北江 valleys of 武江区, 浈江区, 曲江区",
    ),
    "nanxiong_shixing": ("valley", 1.25, "南雄–始兴 浈江 valley"),
    "wengyuan_basin": ("valley", 1.30, "翁源 basin (滃江)"),
    "renhua_south": ("valley", 1.30, "仁化 south: 丹霞 basin and lower 锦江 valley"),
    "lechang_south": ("valley", 1.30, "乐昌 south: 武江 valley around 乐城"),
    "ruyuan": ("mountain", 1.55, "乳源 (南岭 foothills, 南水 gorge)"),
    "lechang_north": ("mountain", 1.55, "乐昌 north and west (南岭, 武江 gorge)"),
    "renhua_north": ("mountain", 1.55, "仁化 north (湘粤 border ranges)"),
    "xinfeng": ("mountain", 1.50, "新丰 (九连山 spurs)"),
    "other_mountain": (
        "mountain",
        1.55,
        "hill and mountain towns elsewhere: 始兴 south, 南雄 north, 曲江 (罗坑, 小坑), "
        "武江 (江湾, 重阳), 浈江 (花坪)",
    ),
}
#: Default zone per county code.
_COUNTY_ZONE = {
    "440203": "city_basin",
    "440204": "city_basin",
    "440205": "city_basin",
    "440222": "nanxiong_shixing",
    "440224": "renhua_south",
    "440229": "wengyuan_basin",
    "440232": "ruyuan",
    "440233": "xinfeng",
    "440281": "lechang_north",
    "440282": "nanxiong_shixing",
}
#: Towns whose zone differs from their county default ("name/county-prefix" → zone).
_TOWN_ZONE = {
    "江湾镇/武江": "other_mountain",
    "重阳镇/武江": "other_mountain",
    "花坪镇/浈江": "other_mountain",
    "罗坑镇/曲江": "other_mountain",
    "小坑镇/曲江": "other_mountain",
    "司前镇/始兴": "other_mountain",
    "隘子镇/始兴": "other_mountain",
    "深渡水乡/始兴": "other_mountain",
    "百顺镇/南雄": "other_mountain",
    "澜河镇/南雄": "other_mountain",
    "帽子峰镇/南雄": "other_mountain",
    "油山镇/南雄": "other_mountain",
    "城口镇/仁化": "renhua_north",
    "长江镇/仁化": "renhua_north",
    "扶溪镇/仁化": "renhua_north",
    "闻韶镇/仁化": "renhua_north",
    "红山镇/仁化": "renhua_north",
    "黄坑镇/仁化": "renhua_north",
    "乐城街道/乐昌": "lechang_south",
    "长来镇/乐昌": "lechang_south",
    "北乡镇/乐昌": "lechang_south",
    "一六镇/乳源": "city_basin",
    "桂头镇/乳源": "city_basin",
}
#: Expressways are engineered through hills (tunnels, viaducts): their circuity is
#: ``1 + MOTORWAY_DETOUR_SHARE × (zone circuity − 1)`` (assumption).
MOTORWAY_DETOUR_SHARE = 0.6
#: Floor on edge length so that co-located seats (e.g. urban 街道) keep a positive time (m).
MIN_EDGE_M = 300.0
#: A river crossing closer than this to an edge's end node is not counted (m): the hand-drawn
#: tributaries pass through town seats, and seats sit on their river.
BRIDGE_END_TOLERANCE_M = 500.0
#: Local links: every seat to its `LOCAL_K` nearest seats within `LOCAL_RADIUS_M`, plus the MST.
LOCAL_K = 4
LOCAL_RADIUS_M = 30_000.0

#: The 粤北区域应急救援中心 (geodata.md §5.5): in 曲江区大塘镇. ASSUMED coordinate (lon, lat):
#: the exact site is not known offline; we place it 2.2 km ESE of the 大塘镇 seat.
REGIONAL_CENTRE_NAME = "粤北区域应急救援中心"
REGIONAL_CENTRE_NAME_EN = "North Guangdong Regional Emergency Rescue Centre"
REGIONAL_CENTRE_LONLAT = (113.7135, 24.7670)
REGIONAL_CENTRE_TOWN = "大塘镇/曲江"
#: Node id of the regional centre (town seat ids are their 9-digit NBS codes).
REGIONAL_CENTRE_ID = 4402059001


@dataclass(frozen=True, slots=True)
class Corridor:
    """An expressway or national road, as an ordered chain of township seats it serves."""

    ref: str
    name: str
    highway: str
    towns: tuple[str, ...]
    confidence: str
    note: str


#: Corridors through Shaoguan (from memory; geodata.md §1.2 with corrections). Waypoints are
#: township seats ("name" or "name/county-prefix" when the name exists twice); consecutive
#: seats are joined by one edge of the corridor's class. A seat on a corridor stands for the
#: nearest interchange. Confidence is ours; see docs/network.md.
CORRIDORS: tuple[Corridor, ...] = (
    Corridor(
        "G4", "京港澳高速", "motorway",
        ("坪石镇", "云岩镇", "大桥镇/乳源", "乳城镇", "西联镇", "白土镇", "樟市镇"),
        "medium",
        "old 京珠北: Hunan border near 坪石 → 云岩 → 乳源 大桥 → 乳源 → west of the city → "
        "曲江 白土/樟市 → 英德",
    ),
    Corridor(
        "G0423", "乐广高速", "motorway",
        ("坪石镇", "乐城街道", "长来镇", "犁市镇", "西联镇", "马坝镇", "乌石镇"),
        "medium",
        "乐昌 (from Hunan 宜凤) → 乐昌 → west of the city → 曲江 → 英德, parallel to G4",
    ),
    Corridor(
        "G6011", "南韶高速 (韶赣)", "motorway",
        ("珠玑镇", "雄州街道", "全安镇", "马市镇", "太平镇", "沈所镇", "周田镇", "大桥镇/仁化",
         "大塘镇", "马坝镇", "白土镇"),
        "medium (南雄–始兴–仁化 周田), low (city end)",
        "Jiangxi (梅岭) → 南雄 → 始兴 → 仁化 south → south of the city → joins G4 at 白土",
    ),
    Corridor(
        "G78", "汕昆高速", "motorway",
        ("龙仙镇", "翁城镇", "铁龙镇", "沙溪镇", "马坝镇", "白土镇", "龙归镇", "乳城镇", "大布镇"),
        "low-medium",
        "河源 (连平) → 翁源 → 曲江 → 乳源 → 阳山",
    ),
    Corridor(
        "G0422", "武深高速 (仁新段)", "motorway",
        ("城口镇", "丹霞街道", "周田镇", "枫湾镇", "小坑镇", "坝仔镇", "江尾镇", "龙仙镇",
         "黄磜镇", "丰城街道"),
        "low-medium",
        "Hunan (汝城) → 仁化 城口 → 仁化 → 曲江 east → 翁源 → 新丰 → 惠州",
    ),
    Corridor(
        "G45", "大广高速", "motorway",
        ("马头镇", "丰城街道", "梅坑镇"),
        "medium",
        "河源 (连平) → 新丰 → 从化; only 新丰 county in Shaoguan",
    ),
    Corridor(
        "G105", "105国道 (京澳线)", "trunk",
        ("马头镇", "丰城街道", "梅坑镇", "沙田镇"),
        "medium",
        "连平 → 新丰 → 从化 (吕田). Note: G105 does not pass 南雄; the 南雄–韶关 national road "
        "is G323",
    ),
    Corridor(
        "G106", "106国道 (京广线)", "trunk",
        ("城口镇", "丹霞街道", "大桥镇/仁化", "新韶镇", "大塘镇", "沙溪镇", "铁龙镇", "翁城镇",
         "龙仙镇", "黄磜镇", "丰城街道"),
        "low-medium (仁化–韶关), low (韶关–翁源–新丰)",
        "Hunan 汝城 → 城口 → 仁化 → 韶关 → 翁源 → 新丰 → 从化",
    ),
    Corridor(
        "G107", "107国道 (京深线)", "trunk",
        ("坪石镇", "乐城街道", "长来镇", "犁市镇", "十里亭镇", "西河镇", "乐园镇", "马坝镇",
         "乌石镇"),
        "medium",
        "Hunan 宜章 → 坪石 → 武江 gorge → 乐昌 → 韶关 → 曲江 → 英德, along the 武江/北江",
    ),
    Corridor(
        "G323", "323国道 (瑞临线)", "trunk",
        ("珠玑镇", "雄州街道", "全安镇", "古市镇", "马市镇", "太平镇", "沈所镇", "周田镇",
         "大桥镇/仁化", "新韶镇", "西河镇", "一六镇", "乳城镇", "东坪镇"),
        "medium (南雄–韶关–乳源), low (west of 乳源)",
        "Jiangxi 大余 (梅岭) → 南雄 → 始兴 → 韶关 → 乳源 → 连州",
    ),
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Embedded network: construction
# --------------------------------------------------------------------------------------------


def _find_town(spec: str, towns: Sequence[geo.Town]) -> geo.Town | None:
    """Resolve ``name`` or ``name/county-prefix`` against the town table."""
    name, _, county = spec.partition("/")
    hits = [t for t in towns if t.name == name and (not county or t.county.startswith(county))]
    return hits[0] if len(hits) == 1 else None


def _town_zone(town: geo.Town) -> str:
    for key, zone in _TOWN_ZONE.items():
        name, _, county = key.partition("/")
        if town.name == name and town.county.startswith(county):
            return zone
    return _COUNTY_ZONE.get(town.county_code, "other_mountain")


def _link_circuity(highway: str, zone_a: str, zone_b: str) -> tuple[str, float]:
    """Return (terrain, circuity) of a link: the rougher of its two ends decides."""
    ta, ca, _ = TERRAIN_ZONES[zone_a]
    tb, cb, _ = TERRAIN_ZONES[zone_b]
    terrain = "mountain" if "mountain" in (ta, tb) else "valley"
    c = max(ca, cb)
    if highway == "motorway":
        c = 1.0 + MOTORWAY_DETOUR_SHARE * (c - 1.0)
    return terrain, c


def _river_crossings() -> list[tuple[str, Any]]:
    try:
        rivers = geo.load_rivers()
    except FileNotFoundError:
        warnings.warn(
            "sim/data/rivers.geojson is missing; no edge of the embedded network is marked "
            "as a bridge",
            UserWarning,
            stacklevel=3,
        )
        return []
    return [(name, geom) for name, geom in rivers.items() if name and not geom.is_empty]


def river_crossings(line: Any, river: Any) -> np.ndarray:
    """Return the points (lon, lat rows) where a straight edge crosses a river line.

    Crossings closer than `BRIDGE_END_TOLERANCE_M` to either end node are ignored: the
    hand-drawn tributaries pass through town seats, and a seat on its river needs no bridge.
    """
    if not line.intersects(river):
        return np.zeros((0, 2))
    (xa, ya), (xb, yb) = line.coords[0], line.coords[-1]
    hit = line.intersection(river)
    pts = np.array([c[:2] for part in getattr(hit, "geoms", [hit]) for c in part.coords])
    if pts.size == 0:  # pragma: no cover - intersects() was True
        return np.zeros((0, 2))
    pts = np.unique(pts, axis=0)
    da = geo.haversine_m(xa, ya, pts[:, 0], pts[:, 1])
    db = geo.haversine_m(xb, yb, pts[:, 0], pts[:, 1])
    return pts[np.minimum(da, db) > BRIDGE_END_TOLERANCE_M]


def crosses_river(line: Any, river: Any) -> bool:
    """True if a straight edge ends on the other bank of a river: an odd number of crossings.

    A chord that cuts a meander twice stays on one bank; the road it stands for would follow
    that bank, so it is not a bridge.
    """
    return len(river_crossings(line, river)) % 2 == 1


@cache
def _shaoguan_graph() -> nx.MultiDiGraph:
    from shapely import prepare
    from shapely.geometry import LineString

    towns = list(geo.load_towns())
    if not towns:  # pragma: no cover - shipped data
        msg = "sim/data/towns.csv has no rows; cannot build the embedded network"
        raise NetworkError(msg)
    seat_codes = {c.seat_town_code for c in geo.load_counties()}

    G = nx.MultiDiGraph(
        crs="epsg:4326",
        name=SHAOGUAN,
        description="approximate township-level network of Shaoguan (not OSM); see docs/network.md",
    )
    zone: dict[int, str] = {}
    for t in towns:
        node = int(t.code)
        G.add_node(
            node, x=t.lon, y=t.lat, town=t.name, town_code=t.code, county=t.county,
            kind="town_seat", name=t.name, county_seat=t.code in seat_codes or t.is_county_seat,
        )  # fmt: skip
        zone[node] = _town_zone(t)
    datang = _find_town(REGIONAL_CENTRE_TOWN, towns)
    if datang is None:  # pragma: no cover - shipped data
        msg = f"sim/data/towns.csv lacks {REGIONAL_CENTRE_TOWN!r}, home of the regional centre"
        raise NetworkError(msg)
    lon_c, lat_c = REGIONAL_CENTRE_LONLAT
    G.add_node(
        REGIONAL_CENTRE_ID, x=lon_c, y=lat_c, town=datang.name, town_code=datang.code,
        county=datang.county, kind="regional_centre", name=REGIONAL_CENTRE_NAME, county_seat=False,
    )  # fmt: skip
    zone[REGIONAL_CENTRE_ID] = zone[int(datang.code)]

    # links: (a, b, highway) → attributes; a < b; insertion order makes the build deterministic
    links: dict[tuple[int, int, str], dict[str, Any]] = {}

    def add_link(a: int, b: int, highway: str, ref: str, name: str) -> None:
        a, b = min(a, b), max(a, b)
        key = (a, b, highway)
        if key in links:
            old = links[key]
            if ref and ref not in old["ref"].split(";"):
                old["ref"] = f"{old['ref']};{ref}" if old["ref"] else ref
                old["name"] = f"{old['name']};{name}"
            return
        links[key] = {"ref": ref, "name": name}

    for corridor in CORRIDORS:
        nodes = []
        for spec in corridor.towns:
            town = _find_town(spec, towns)
            if town is None:
                warnings.warn(
                    f"corridor {corridor.ref}: waypoint {spec!r} is not a unique town in "
                    "sim/data/towns.csv; skipped",
                    UserWarning,
                    stacklevel=2,
                )
                continue
            nodes.append(int(town.code))
        for a, b in pairwise(nodes):
            add_link(a, b, corridor.highway, corridor.ref, corridor.name)
    corridor_pairs = {(a, b) for a, b, _ in links}

    # local county/township roads: minimum spanning tree + nearest neighbours within 30 km
    codes = np.array([int(t.code) for t in towns], dtype=np.int64)
    lon = np.array([t.lon for t in towns])
    lat = np.array([t.lat for t in towns])
    dist = geo.haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    # +1 m keeps co-located seats (distance 0) as edges of the dense MST input
    dense = dist + 1.0
    np.fill_diagonal(dense, 0.0)
    mst = minimum_spanning_tree(dense).tocoo()
    mst_pairs = {
        (min(codes[i], codes[j]), max(codes[i], codes[j]))
        for i, j in zip(mst.row, mst.col, strict=True)
    }
    knn_pairs: set[tuple[int, int]] = set()
    order = np.argsort(dist, axis=1, kind="stable")
    for i in range(len(towns)):
        for j in order[i, 1 : LOCAL_K + 1]:
            if dist[i, j] <= LOCAL_RADIUS_M:
                knn_pairs.add((min(codes[i], codes[j]), max(codes[i], codes[j])))
    by_code = {int(t.code): t for t in towns}
    for a, b in sorted(mst_pairs | knn_pairs):
        if (int(a), int(b)) in corridor_pairs:
            continue
        highway = "secondary" if (a, b) in mst_pairs else "tertiary"
        ta, tb = by_code[int(a)], by_code[int(b)]
        kind = "县道" if highway == "secondary" else "乡道"
        add_link(int(a), int(b), highway, "", f"{kind} {ta.name}–{tb.name} (approx.)")
    # the regional centre hangs off the 大塘 seat by a short access road
    add_link(
        int(datang.code), REGIONAL_CENTRE_ID, "primary", "", f"{REGIONAL_CENTRE_NAME} access road"
    )

    rivers = _river_crossings()
    for _, geom in rivers:
        prepare(geom)
    for (a, b, highway), attrs in links.items():
        xa, ya = G.nodes[a]["x"], G.nodes[a]["y"]
        xb, yb = G.nodes[b]["x"], G.nodes[b]["y"]
        terrain, circuity = _link_circuity(highway, zone[a], zone[b])
        length_m = max(geo.haversine_m(xa, ya, xb, yb) * circuity, MIN_EDGE_M)
        light, heavy = SPEEDS_KPH[(highway, terrain)]
        line = LineString([(xa, ya), (xb, yb)])
        crossed = [name for name, geom in rivers if crosses_river(line, geom)]
        data = {
            "highway": highway,
            "ref": attrs["ref"],
            "name": attrs["name"],
            "oneway": False,
            "length": round(length_m, 1),
            "speed_kph": light,
            "speed_kph_heavy": heavy,
            "travel_time": round(length_m / (light / 3.6), 1),
            "travel_time_heavy": round(length_m / (heavy / 3.6), 1),
            "bridge": bool(crossed),
            "river": ";".join(crossed),
            "terrain": terrain,
            "circuity": round(circuity, 3),
        }
        G.add_edge(a, b, **data, reversed=False)
        G.add_edge(b, a, **data, reversed=True)
    log.info("embedded shaoguan network: %d nodes, %d edges", len(G), G.number_of_edges())
    return G


def build_shaoguan_graph() -> nx.MultiDiGraph:
    """Build the embedded, approximate township-level road network of Shaoguan.

    Nodes are the township seats of ``sim/data/towns.csv`` (node id = 9-digit NBS town code)
    plus the 粤北区域应急救援中心 (`REGIONAL_CENTRE_ID`). Edges join consecutive seats along
    the expressway and national-road `CORRIDORS`, plus county/township links (minimum spanning
    tree and each seat's nearest neighbours within 30 km), in both directions. Lengths are
    great-circle distance × a terrain circuity factor (`TERRAIN_ZONES`); speeds come from
    `SPEEDS_KPH`; edges whose straight line crosses a river of ``rivers.geojson`` are bridges.

    Returns
    -------
    G
        A fresh copy of the memoised graph (``crs="epsg:4326"``, ``name="shaoguan"``); node
        attributes ``x``, ``y`` (lon/lat), ``town``, ``town_code``, ``county``, ``kind``
        (``town_seat`` | ``regional_centre``); edge attributes ``length`` (m), ``highway``,
        ``ref``, ``name``, ``speed_kph``, ``speed_kph_heavy``, ``travel_time`` (s),
        ``travel_time_heavy`` (s), ``bridge``, ``river``, ``terrain``, ``circuity``.

    Notes
    -----
    This is not OpenStreetMap data. It resolves towns, not streets; treat times as
    planning-level estimates (see ``docs/network.md``).
    """
    return _shaoguan_graph().copy()


# --------------------------------------------------------------------------------------------
# Loading graphs
# --------------------------------------------------------------------------------------------

_OSM_SUFFIXES = (".osm", ".osm.bz2", ".xml", ".osm.xml")
#: Seconds before an osmnx HTTP request gives up (keeps offline failures fast).
REQUESTS_TIMEOUT_S = 10


def _convert_bool_or_str(value: str) -> Any:
    return {"True": True, "False": False}.get(value, value)


#: Extra GraphML dtypes for attributes written by this module (osmnx converts its own).
_EDGE_DTYPES = {
    "speed_kph_heavy": float,
    "travel_time_heavy": float,
    "circuity": float,
    "bridge": _convert_bool_or_str,
}
_NODE_DTYPES = {"county_seat": _convert_bool_or_str}


def default_cache_dir() -> Path:
    """Return the download cache: ``$SIM_CACHE_DIR/networks``, default ``.cache/networks``."""
    return Path(os.environ.get("SIM_CACHE_DIR", ".cache")) / "networks"


def graph_from_spec(spec: str, *, cache_dir: Path | None = None) -> nx.MultiDiGraph:
    """Build or load the road graph a scenario names.

    Parameters
    ----------
    spec
        ``shaoguan`` (the embedded network); a path to a ``.graphml`` file (as written by
        ``osmnx.save_graphml``); a path to an OSM XML file (``.osm``, ``.osm.bz2``, ``.xml``);
        or a place name for ``osmnx.graph_from_place(..., network_type="drive")``.
    cache_dir
        Where downloaded place graphs are cached as GraphML (key: SHA-1 of the place name);
        default `default_cache_dir`.

    Returns
    -------
    G
        osmnx MultiDiGraph in WGS84, reduced to its largest strongly connected component, with
        ``length`` (m), ``speed_kph``, ``travel_time`` (s), ``speed_kph_heavy`` and
        ``travel_time_heavy`` (s) on every edge.

    Raises
    ------
    NetworkError
        If the file is missing, unreadable or empty, or a place cannot be downloaded.

    Warns
    -----
    UserWarning
        When nodes outside the largest strongly connected component are dropped.
    """
    text = spec.strip()
    if text.lower() == SHAOGUAN:
        return build_shaoguan_graph()
    path = Path(text).expanduser()
    lower = text.lower()
    if lower.endswith(".graphml"):
        return prepare_graph(_read_graphml(path), source=str(path))
    if lower.endswith(_OSM_SUFFIXES):
        return prepare_graph(_read_osm_xml(path), source=str(path))
    if path.exists() or "/" in text or "\\" in text:
        if not path.exists():
            msg = f"road network file {text!r} does not exist"
            raise NetworkError(msg)
        msg = (
            f"road network file {text!r} has an unsupported format "
            "(use .graphml, .osm, .osm.bz2 or .xml)"
        )
        raise NetworkError(msg)
    return _graph_from_place(text, cache_dir=cache_dir or default_cache_dir())


def _check_file(path: Path) -> None:
    if not path.exists():
        msg = f"road network file {str(path)!r} does not exist"
        raise NetworkError(msg)
    if not path.is_file():
        msg = f"road network path {str(path)!r} is not a file"
        raise NetworkError(msg)


def _read_graphml(path: Path) -> nx.MultiDiGraph:
    import osmnx as ox

    _check_file(path)
    try:
        return ox.load_graphml(path, node_dtypes=_NODE_DTYPES, edge_dtypes=_EDGE_DTYPES)
    except (SyntaxError, ValueError, TypeError, KeyError, nx.NetworkXError) as e:
        # xml ParseError is a SyntaxError; a non-integer node id is a ValueError
        msg = (
            f"cannot read GraphML file {str(path)!r} ({type(e).__name__}: {e}); expected a "
            "file written by osmnx.save_graphml (integer node ids, x/y attributes)"
        )
        raise NetworkError(msg) from e


def _read_osm_xml(path: Path) -> nx.MultiDiGraph:
    import osmnx as ox

    _check_file(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # "generated by OSMnx" notice
            # retain_all: we drop the minor components ourselves and say how much we dropped
            return ox.graph_from_xml(path, simplify=True, retain_all=True)
    except (xml.sax.SAXException, SyntaxError, ValueError, KeyError, OSError, EOFError) as e:
        msg = f"cannot read OSM XML file {str(path)!r}: {type(e).__name__}: {e}"
        raise NetworkError(msg) from e


def _short_reason(e: Exception) -> str:
    """One readable line for a requests failure (their messages nest several reprs)."""
    import requests

    text = str(e)
    host = re.search(r"host='([^']+)'", text)
    where = host.group(1) if host else "the OpenStreetMap servers"
    if "resolve" in text.lower():
        return f"cannot resolve {where}"
    if isinstance(e, requests.exceptions.Timeout):
        return f"{where} did not answer within {REQUESTS_TIMEOUT_S} s"
    if "refused" in text.lower():
        return f"connection to {where} refused"
    return f"{type(e).__name__} contacting {where}"


def _graph_from_place(place: str, *, cache_dir: Path) -> nx.MultiDiGraph:
    import osmnx as ox
    import requests

    digest = hashlib.sha1(place.strip().lower().encode("utf-8")).hexdigest()[:16]
    cached = cache_dir / f"place-{digest}.graphml"
    if cached.exists():
        log.info("loading %r from cache %s", place, cached)
        return prepare_graph(_read_graphml(cached), source=str(cached))
    saved = (ox.settings.requests_timeout, ox.settings.cache_folder)
    ox.settings.requests_timeout = REQUESTS_TIMEOUT_S
    ox.settings.cache_folder = str(cache_dir / "osmnx-http")
    try:
        G = ox.graph_from_place(place, network_type="drive", retain_all=True)
    except requests.exceptions.RequestException as e:
        msg = (
            f"cannot download {place!r}: no internet access ({_short_reason(e)}); "
            "supply a GraphML or .osm file"
        )
        raise NetworkError(msg) from e
    except (ValueError, TypeError, KeyError) as e:
        # osmnx InsufficientResponseError is a ValueError: the geocoder found nothing usable
        msg = (
            f"cannot download {place!r}: OpenStreetMap returned no usable road network "
            f"({type(e).__name__}: {e}); check the place name or supply a GraphML or .osm file"
        )
        raise NetworkError(msg) from e
    finally:
        ox.settings.requests_timeout, ox.settings.cache_folder = saved
    G = prepare_graph(G, source=place)
    cache_dir.mkdir(parents=True, exist_ok=True)
    ox.save_graphml(G, cached)
    return G


def save_graph(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write a graph as GraphML that ``osmnx.load_graphml`` (and `graph_from_spec`) reads back.

    Parameters
    ----------
    G
        The graph; not modified (osmnx stringifies a copy).
    path
        Output ``.graphml`` file; parent folders are created.

    Returns
    -------
    path
        The written file.
    """
    import osmnx as ox

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        ox.save_graphml(G, path)
    except OSError as e:
        msg = f"cannot write GraphML file {str(path)!r}: {e}"
        raise NetworkError(msg) from e
    return path


def prepare_graph(G: nx.MultiDiGraph, *, source: str) -> nx.MultiDiGraph:
    """Validate a loaded graph and complete its lengths, speeds and travel times.

    Parameters
    ----------
    G
        osmnx-style MultiDiGraph; not modified.
    source
        File or place the graph came from, used in messages.

    Returns
    -------
    G
        A WGS84 copy with ``length``, ``speed_kph``, ``travel_time``, ``speed_kph_heavy`` and
        ``travel_time_heavy`` on every edge, reduced to its largest strongly connected
        component.

    Raises
    ------
    NetworkError
        If the graph has no nodes or edges, or nodes lack ``x``/``y``.

    Notes
    -----
    Missing ``speed_kph`` is imputed with ``osmnx.routing.add_edge_speeds`` (OSM ``maxspeed``
    where tagged, else `OSM_HWY_SPEEDS_KPH`), missing ``travel_time`` with
    ``add_edge_travel_times``. Missing heavy values are ``min(HEAVY_SPEED_FACTOR × speed_kph,
    HEAVY_SPEED_CAP_KPH)``. Existing values are kept.
    """
    import osmnx as ox

    if len(G) == 0:
        msg = f"road network {source!r} is empty (no nodes)"
        raise NetworkError(msg)
    if G.number_of_edges() == 0:
        msg = f"road network {source!r} has {len(G)} nodes but no edges"
        raise NetworkError(msg)
    missing_xy = [n for n, d in G.nodes(data=True) if "x" not in d or "y" not in d]
    if missing_xy:
        msg = (
            f"road network {source!r}: {len(missing_xy)} nodes lack x/y coordinates "
            f"(e.g. node {missing_xy[0]!r}); is it an osmnx graph?"
        )
        raise NetworkError(msg)
    G = G.copy()  # never mutate the caller's graph
    G.graph.setdefault("crs", "epsg:4326")
    if ox.projection.is_projected(G.graph["crs"]):
        G = ox.projection.project_graph(G, to_latlong=True)
    edges = list(G.edges(keys=True, data=True))
    if any("length" not in d for *_, d in edges):
        ox.distance.add_edge_lengths(
            G, edges=[(u, v, k) for u, v, k, d in edges if "length" not in d]
        )
    for *_, d in edges:
        d.setdefault("highway", "unclassified")
    if any("speed_kph" not in d for *_, d in edges):
        ox.routing.add_edge_speeds(
            G, hwy_speeds=OSM_HWY_SPEEDS_KPH, fallback=OSM_FALLBACK_SPEED_KPH
        )
    if any("travel_time" not in d for *_, d in edges):
        ox.routing.add_edge_travel_times(G)
    for *_, d in edges:
        if "travel_time_heavy" not in d:
            heavy = min(HEAVY_SPEED_FACTOR * float(d["speed_kph"]), HEAVY_SPEED_CAP_KPH)
            d["speed_kph_heavy"] = heavy
            d["travel_time_heavy"] = float(d["length"]) / (heavy / 3.6)

    n0, e0 = len(G), G.number_of_edges()
    if not nx.is_strongly_connected(G):
        G = ox.truncate.largest_component(G, strongly=True)
        dn, de = n0 - len(G), e0 - G.number_of_edges()
        msg = (
            f"road network {source!r}: kept the largest strongly connected component; dropped "
            f"{dn} of {n0} nodes ({100 * dn / n0:.1f} %) and {de} of {e0} edges "
            f"({100 * de / e0:.1f} %)"
        )
        warnings.warn(msg, UserWarning, stacklevel=2)
    if G.number_of_edges() == 0:
        msg = f"road network {source!r} has no strongly connected part with an edge"
        raise NetworkError(msg)
    G.graph.setdefault("name", Path(source).stem if source else "network")
    return G


# --------------------------------------------------------------------------------------------
# Querying: RoadNetwork
# --------------------------------------------------------------------------------------------

_PROFILE_ATTR = {"light": "travel_time", "heavy": "travel_time_heavy"}


def _check_profile(profile: str) -> str:
    if profile not in _PROFILE_ATTR:
        msg = f"unknown vehicle profile {profile!r} (allowed: light, heavy)"
        raise NetworkError(msg)
    return _PROFILE_ATTR[profile]


def _as_strings(value: Any) -> list[str]:
    """Flatten an osmnx attribute (str, list after simplification, or missing) to strings."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, set)):
        out: list[str] = []
        for v in value:
            out.extend(_as_strings(v))
        return out
    return [s.strip() for s in str(value).split(";") if s.strip()]


def _is_bridge(value: Any) -> bool:
    if isinstance(value, (list, tuple, set)):
        return any(_is_bridge(v) for v in value)
    if isinstance(value, str):
        return value.strip().lower() not in {"", "no", "false", "0", "nan"}
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True, slots=True)
class Route:
    """A shortest route between two nodes of a `RoadNetwork`."""

    travel_time_s: float
    length_m: float
    nodes: tuple[int, ...]
    towns: tuple[str, ...]
    refs: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """Array view of a road graph for fast travel-time queries; build once per graph.

    Use `RoadNetwork.from_graph`. Nodes are addressed by index ``0..n-1`` (`node_ids` maps
    index → graph node id). Edges are kept in the arrays `edge_u`, `edge_v` (node indices),
    `edge_key`, `edge_length_m`; `edge_time_s(profile)` gives their travel times. The CSR
    matrix of a profile holds, per ordered node pair, the fastest parallel edge; `csr_edge`
    maps each CSR entry (in ``csr.data`` order) to that edge, and `edge_entry` maps each edge
    to its CSR entry, so a flood module can close or slow single edges with `csr_with`.

    Attributes
    ----------
    G
        The graph (not copied; do not modify it after building the network).
    node_ids
        int64 array, index → node id.
    lon, lat
        float64 arrays of node coordinates (WGS84 degrees).
    node_town, node_county, node_kind
        Per node: town name, county name, node kind (``None`` where unknown, e.g. OSM nodes).
    n
        Number of nodes.
    """

    G: nx.MultiDiGraph
    node_ids: IntArray
    lon: FloatArray
    lat: FloatArray
    node_town: list[str | None]
    node_county: list[str | None]
    node_kind: list[str | None]
    node_town_code: list[str | None]
    edge_u: IntArray
    edge_v: IntArray
    edge_key: IntArray
    edge_length_m: FloatArray
    edge_highway: tuple[str, ...]
    edge_refs: tuple[tuple[str, ...], ...]
    edge_bridge: npt.NDArray[np.bool_]
    _edge_time: dict[str, FloatArray]
    _pair_order: IntArray  # edges sorted by (u, v), self-loops excluded
    _pair_start: IntArray  # start of each (u, v) group in _pair_order
    _pair_u: IntArray
    _pair_v: IntArray
    edge_entry: IntArray  # edge → CSR entry (-1 for self-loops)
    _index: dict[Any, int]
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @classmethod
    def from_graph(cls, G: nx.MultiDiGraph) -> RoadNetwork:
        """Convert a graph with ``x``, ``y``, ``length``, ``travel_time`` (and optionally
        ``travel_time_heavy``) into arrays.

        Parameters
        ----------
        G
            osmnx-style MultiDiGraph in WGS84 (e.g. from `graph_from_spec`).

        Returns
        -------
        net
            The network; CSR matrices are built lazily, once per profile.

        Raises
        ------
        NetworkError
            If the graph is empty, a node lacks coordinates, node ids are not integers, or an
            edge lacks ``length``/``travel_time``.
        """
        nodes = list(G.nodes)
        if not nodes:
            msg = "cannot build a RoadNetwork from an empty graph"
            raise NetworkError(msg)
        try:
            node_ids = np.array(nodes, dtype=np.int64)
            lon = np.array([float(G.nodes[v]["x"]) for v in nodes])
            lat = np.array([float(G.nodes[v]["y"]) for v in nodes])
        except (KeyError, TypeError, ValueError) as e:
            msg = (
                f"graph nodes need integer ids and numeric x/y attributes ({type(e).__name__}: {e})"
            )
            raise NetworkError(msg) from e
        index = {v: i for i, v in enumerate(nodes)}
        attr = [G.nodes[v] for v in nodes]

        def node_str(key: str) -> list[str | None]:
            return [str(d[key]) if d.get(key) not in (None, "") else None for d in attr]

        m = G.number_of_edges()
        eu = np.empty(m, dtype=np.int64)
        ev = np.empty(m, dtype=np.int64)
        ek = np.empty(m, dtype=np.int64)
        length = np.empty(m)
        light = np.empty(m)
        heavy = np.full(m, np.nan)
        highway: list[str] = []
        refs: list[tuple[str, ...]] = []
        bridge = np.zeros(m, dtype=bool)
        for i, (u, v, k, d) in enumerate(G.edges(keys=True, data=True)):
            eu[i], ev[i] = index[u], index[v]
            ek[i] = k if isinstance(k, (int, np.integer)) else i
            try:
                length[i] = float(d["length"])
                light[i] = float(d["travel_time"])
            except (KeyError, TypeError, ValueError) as e:
                msg = f"edge ({u}, {v}, {k}) lacks a numeric 'length' or 'travel_time' ({e})"
                raise NetworkError(msg) from e
            if "travel_time_heavy" in d:
                heavy[i] = float(d["travel_time_heavy"])
            hw = _as_strings(d.get("highway"))
            highway.append(hw[0] if hw else "unclassified")
            refs.append(tuple(dict.fromkeys(_as_strings(d.get("ref")))))
            bridge[i] = _is_bridge(d.get("bridge", False))
        times = {"light": _frozen(light)}
        if not np.isnan(heavy).any():
            times["heavy"] = _frozen(heavy)

        # group parallel edges by ordered pair (u, v) in CSR (row-major) order
        n = len(nodes)
        keep = np.flatnonzero(eu != ev)
        pair = eu[keep] * n + ev[keep]
        order = keep[np.argsort(pair, kind="stable")]
        sorted_pair = eu[order] * n + ev[order]
        start = (
            np.flatnonzero(np.r_[True, sorted_pair[1:] != sorted_pair[:-1]])
            if len(order)
            else np.zeros(0, np.int64)
        )
        entry = np.full(m, -1, dtype=np.int64)
        if len(order):
            group = np.cumsum(np.r_[True, sorted_pair[1:] != sorted_pair[:-1]]) - 1
            entry[order] = group
        return cls(
            G=G,
            node_ids=_frozen(node_ids),
            lon=_frozen(lon),
            lat=_frozen(lat),
            node_town=node_str("town"),
            node_county=node_str("county"),
            node_kind=node_str("kind"),
            node_town_code=node_str("town_code"),
            edge_u=_frozen(eu),
            edge_v=_frozen(ev),
            edge_key=_frozen(ek),
            edge_length_m=_frozen(length),
            edge_highway=tuple(highway),
            edge_refs=tuple(refs),
            edge_bridge=_frozen(bridge),
            _edge_time=times,
            _pair_order=_frozen(order),
            _pair_start=_frozen(start.astype(np.int64)),
            _pair_u=_frozen(eu[order][start] if len(order) else np.zeros(0, np.int64)),
            _pair_v=_frozen(ev[order][start] if len(order) else np.zeros(0, np.int64)),
            edge_entry=_frozen(entry),
            _index=index,
        )

    # ---- nodes -----------------------------------------------------------------------------

    def index_of(self, node_id: Any) -> int:
        """Return the index of a graph node id; raise `NetworkError` if it is not in the graph."""
        try:
            return self._index[node_id]
        except KeyError:
            msg = f"node {node_id!r} is not in the road network"
            raise NetworkError(msg) from None

    def town_index(self, town_code: str) -> int | None:
        """Return the index of the town-seat node of a town code, or None if there is none."""
        lookup = self._cache.get("town_index")
        if lookup is None:
            lookup = {
                c: i
                for i, (c, k) in enumerate(zip(self.node_town_code, self.node_kind, strict=True))
                if c is not None and k == "town_seat"
            }
            self._cache["town_index"] = lookup
        return lookup.get(town_code)

    def _tree(self) -> tuple[cKDTree, float]:
        hit = self._cache.get("kdtree")
        if hit is None:
            lat0 = float(np.radians(np.mean(self.lat)))
            xy = np.column_stack((np.radians(self.lon) * math.cos(lat0), np.radians(self.lat)))
            hit = (cKDTree(xy * geo.EARTH_RADIUS_M), lat0)
            self._cache["kdtree"] = hit
        return hit

    def nearest_nodes(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """Snap coordinates to their nearest network nodes.

        Parameters
        ----------
        lon, lat
            WGS84 degrees; scalars or arrays of the same shape.

        Returns
        -------
        idx, dist_m
            Node indices and great-circle distances in metres (arrays shaped like the input,
            or an int and a float for scalar input).

        Notes
        -----
        A k-d tree on a local equirectangular projection proposes the three nearest
        candidates, and the exact great-circle distance picks among them.
        """
        tree, lat0 = self._tree()
        lon_a = np.asarray(lon, dtype=float)
        lat_a = np.asarray(lat, dtype=float)
        shape = np.broadcast(lon_a, lat_a).shape
        lo, la = np.broadcast_to(lon_a, shape).ravel(), np.broadcast_to(lat_a, shape).ravel()
        xy = np.column_stack((np.radians(lo) * math.cos(lat0), np.radians(la))) * geo.EARTH_RADIUS_M
        k = min(3, self.n)
        _, cand = tree.query(xy, k=k)
        cand = cand.reshape(len(lo), k)
        d = geo.haversine_m(lo[:, None], la[:, None], self.lon[cand], self.lat[cand])
        d = np.asarray(d).reshape(len(lo), k)
        best = np.argmin(d, axis=1)
        rows = np.arange(len(lo))
        idx = cand[rows, best].astype(np.int64).reshape(shape)
        dist = d[rows, best].reshape(shape)
        if shape == ():
            return int(idx), float(dist)
        return idx, dist

    def snap_place(self, place: geo.Place) -> tuple[int, float]:
        """Return (node index, straight-line distance in m) for a resolved place.

        A town place maps to its own seat node when the network has one (distance 0);
        otherwise, and for coordinates, the nearest node.
        """
        if place.town is not None:
            i = self.town_index(place.town.code)
            if i is not None:
                return i, 0.0
        return self.nearest_nodes(place.lon, place.lat)

    # ---- edges and CSR ---------------------------------------------------------------------

    def edge_time_s(self, profile: str = "light") -> FloatArray:
        """Return the travel time in seconds of every edge (read-only array, edge order)."""
        _check_profile(profile)
        if profile not in self._edge_time:
            msg = f"the road network has no 'travel_time_heavy' on its edges (profile {profile!r})"
            raise NetworkError(msg)
        return self._edge_time[profile]

    def _build_csr(self, times: np.ndarray) -> tuple[sp.csr_array, np.ndarray]:
        """Fastest parallel edge per pair; returns the CSR matrix and entry → edge index."""
        n = self.n
        order, start = self._pair_order, self._pair_start
        if len(order) == 0:
            return sp.csr_array((n, n), dtype=np.float64), np.zeros(0, dtype=np.int64)
        t = times[order]
        # argmin per group: sort inside groups by time via lexsort on (time, group)
        group = np.repeat(np.arange(len(start)), np.diff(np.r_[start, len(order)]))
        best = np.lexsort((t, group))[start]
        data = t[best]
        edge = order[best]
        ok = np.isfinite(data)
        rows = self._pair_u[ok]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        csr = sp.csr_array((data[ok], self._pair_v[ok], indptr), shape=(n, n))
        return csr, edge[ok]

    def csr(self, profile: str = "light") -> sp.csr_array:
        """Return the n×n CSR matrix of edge travel times in seconds (fastest parallel edge).

        Built once per profile and cached; do not modify it. Entry ``k`` of ``csr.data``
        comes from edge ``csr_edge(profile)[k]``.
        """
        key = ("csr", profile)
        if key not in self._cache:
            self._cache[key] = self._build_csr(self.edge_time_s(profile))
        return self._cache[key][0]

    def csr_edge(self, profile: str = "light") -> IntArray:
        """Return, per entry of ``csr(profile).data``, the index of the edge it comes from."""
        self.csr(profile)
        return self._cache[("csr", profile)][1]

    def csr_with(self, edge_factor: np.ndarray, profile: str = "light") -> sp.csr_array:
        """Return a CSR matrix with every edge's travel time multiplied by a factor.

        Parameters
        ----------
        edge_factor
            One factor per edge (edge order of `edge_u`); ``np.inf`` closes an edge, 2.0 halves
            its speed.
        profile
            {"light", "heavy"}

        Returns
        -------
        csr
            A new n×n CSR matrix (seconds); pairs whose edges are all closed have no entry.
        """
        factor = np.asarray(edge_factor, dtype=float)
        if factor.shape != (len(self.edge_u),):
            msg = (
                f"edge_factor must have one value per edge ({len(self.edge_u)}), "
                f"got shape {factor.shape}"
            )
            raise NetworkError(msg)
        if np.any(factor < 0) or np.any(np.isnan(factor)):
            msg = "edge_factor values must be >= 0 (np.inf closes an edge)"
            raise NetworkError(msg)
        return self._build_csr(self.edge_time_s(profile) * factor)[0]

    def _csr_for(self, profile: str, reverse: bool, edge_factor: np.ndarray | None) -> sp.csr_array:
        if edge_factor is not None:
            csr = self.csr_with(edge_factor, profile)
            return csr.T.tocsr() if reverse else csr
        if not reverse:
            return self.csr(profile)
        key = ("csr_t", profile)
        if key not in self._cache:
            self._cache[key] = self.csr(profile).T.tocsr()
        return self._cache[key]

    def _check_indices(self, idx: Any, what: str) -> IntArray:
        a = np.atleast_1d(np.asarray(idx))
        if a.ndim != 1 or not np.issubdtype(a.dtype, np.integer):
            msg = (
                f"`{what}` must be node indices (integers), got {a.dtype} array of shape {a.shape}"
            )
            raise NetworkError(msg)
        if len(a) and (a.min() < 0 or a.max() >= self.n):
            msg = f"`{what}` holds indices outside 0..{self.n - 1}"
            raise NetworkError(msg)
        return a

    def travel_time_matrix(
        self,
        sources: Any,
        *,
        profile: str = "light",
        reverse: bool = False,
        targets: Any = None,
        edge_factor: np.ndarray | None = None,
        limit_s: float = np.inf,
    ) -> FloatArray:
        """Return shortest travel times between node sets with one multi-source Dijkstra call.

        Parameters
        ----------
        sources
            Node indices (scalar or 1-D).
        profile
            {"light", "heavy"}
        reverse
            If False, ``T[i, j]`` is the time from ``sources[i]`` to node ``j``; if True, the
            time from node ``j`` to ``sources[i]`` (Dijkstra on the transposed matrix).
        targets
            Optional node indices; keeps only those columns.
        edge_factor
            Optional per-edge time factors (see `csr_with`), e.g. flooded edges.
        limit_s
            Stop searching beyond this time; farther nodes get ``inf``.

        Returns
        -------
        T
            float64 seconds, shape ``(len(sources), n)`` or ``(len(sources), len(targets))``;
            ``inf`` where unreachable.
        """
        src = self._check_indices(sources, "sources")
        csr = self._csr_for(profile, reverse, edge_factor)
        if np.isfinite(limit_s):
            T = dijkstra(csr, directed=True, indices=src, limit=limit_s)
        else:
            T = dijkstra(csr, directed=True, indices=src)
        if targets is not None:
            T = T[:, self._check_indices(targets, "targets")]
        return T

    def route(
        self,
        src_idx: int,
        dst_idx: int,
        *,
        profile: str = "light",
        edge_factor: np.ndarray | None = None,
    ) -> Route:
        """Return the fastest route between two node indices.

        Parameters
        ----------
        src_idx, dst_idx
            Node indices.
        profile
            {"light", "heavy"}
        edge_factor
            Optional per-edge time factors (see `csr_with`).

        Returns
        -------
        route
            Time (s), length (m), node indices, towns passed (first seen order) and road refs.

        Raises
        ------
        NetworkError
            If `dst_idx` cannot be reached from `src_idx`.
        """
        src, dst = (int(i) for i in self._check_indices([src_idx, dst_idx], "src_idx/dst_idx"))
        times = self.edge_time_s(profile)
        if edge_factor is not None:
            times = times * np.asarray(edge_factor, dtype=float)
            csr, entry_edge = self._build_csr(times)
        else:
            csr, entry_edge = self.csr(profile), self.csr_edge(profile)
        dist, pred = dijkstra(csr, directed=True, indices=src, return_predecessors=True)
        if not np.isfinite(dist[dst]):
            msg = f"no route from node {self.node_ids[src]} to node {self.node_ids[dst]}"
            raise NetworkError(msg)
        path = [dst]
        while path[-1] != src:
            path.append(int(pred[path[-1]]))
        path.reverse()
        length = 0.0
        refs: dict[str, None] = {}
        for a, b in pairwise(path):
            row = csr.indices[csr.indptr[a] : csr.indptr[a + 1]]
            k = csr.indptr[a] + int(np.searchsorted(row, b))
            e = int(entry_edge[k])
            length += float(self.edge_length_m[e])
            refs.update(dict.fromkeys(self.edge_refs[e]))
        towns = dict.fromkeys(t for t in (self.node_town[i] for i in path) if t is not None)
        return Route(
            travel_time_s=float(dist[dst]),
            length_m=length,
            nodes=tuple(path),
            towns=tuple(towns),
            refs=tuple(refs),
        )

    # ---- summary ---------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Return counts and lengths describing the network.

        Returns
        -------
        summary
            ``name``, ``nodes``, ``edges`` (directed), ``towns`` and ``counties`` (distinct
            names on nodes), ``km_by_class`` (highway → km, a two-way road counted once),
            ``km_total``, ``strongly_connected``, ``bridges`` (bridge roads, two-way counted
            once).
        """
        seen: set[tuple[int, int, str, float]] = set()
        km: dict[str, float] = {}
        bridges = 0
        for i in range(len(self.edge_u)):
            u, v = int(self.edge_u[i]), int(self.edge_v[i])
            key = (min(u, v), max(u, v), self.edge_highway[i], round(float(self.edge_length_m[i])))
            if key in seen:
                continue
            seen.add(key)
            hw = self.edge_highway[i]
            km[hw] = km.get(hw, 0.0) + float(self.edge_length_m[i]) / 1000
            bridges += bool(self.edge_bridge[i])
        csr = self.csr("light")
        n_comp = connected_components(csr, directed=True, connection="strong")[0]
        return {
            "name": str(self.G.graph.get("name", "")),
            "nodes": self.n,
            "edges": len(self.edge_u),
            # two towns may share a name (大桥镇 in 仁化 and 乳源): count codes where known
            "towns": len(
                {
                    code or town
                    for code, town in zip(self.node_town_code, self.node_town, strict=True)
                    if (code or town) is not None
                }
            ),
            "counties": len({c for c in self.node_county if c is not None}),
            "km_by_class": {k: round(v, 1) for k, v in sorted(km.items(), key=lambda kv: -kv[1])},
            "km_total": round(sum(km.values()), 1),
            "strongly_connected": bool(n_comp == 1),
            "bridges": bridges,
        }


@cache
def _shaoguan_network() -> RoadNetwork:
    return RoadNetwork.from_graph(_shaoguan_graph())


def network_from_spec(spec: str = SHAOGUAN, *, cache_dir: Path | None = None) -> RoadNetwork:
    """Return the `RoadNetwork` of a spec (see `graph_from_spec`); ``shaoguan`` is memoised."""
    if spec.strip().lower() == SHAOGUAN:
        return _shaoguan_network()
    return RoadNetwork.from_graph(graph_from_spec(spec, cache_dir=cache_dir))


def edges_of(net: RoadNetwork, pairs: Iterable[tuple[int, int]]) -> IntArray:
    """Return the indices of all edges (both directions) between the given node-id pairs."""
    wanted = {(a, b) for a, b in pairs} | {(b, a) for a, b in pairs}
    ids = net.node_ids
    return np.array(
        [
            i
            for i in range(len(net.edge_u))
            if (int(ids[net.edge_u[i]]), int(ids[net.edge_v[i]])) in wanted
        ],
        dtype=np.int64,
    )
