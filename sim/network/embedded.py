"""Embedded network: the approximate township-level road graph of Shaoguan (not OSM)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import minimum_spanning_tree
from shapely import prepare
from shapely.geometry import LineString

from sim import geo
from sim.errors import NetworkError

log = logging.getLogger(__name__)

#: Name of the embedded network in scenario files and on the command line.
SHAOGUAN = "shaoguan"

# --------------------------------------------------------------------------------------------
# Parameters (every number here is documented in docs/network.md)
# --------------------------------------------------------------------------------------------

#: Speeds (km/h) by osmnx road class and terrain: (light rescue vehicle, heavy fire appliance).
#: Source: DATA.md, "Road speeds, turnout and weather" (JTG B01-2014 design speeds and Chinese
#: GIS-accessibility practice, recorded from memory, so all values are ASSUMPTIONS).
#: Rule: valleys take the upper end of each range, mountains the lower end ("in mountainous
#: terrain the lower value applies").
#: Class mapping follows OSM China tagging: 高速 motorway, 国道 trunk, 省道 primary,
#: 县道 secondary, 乡道 tertiary.
SPEEDS_KPH: dict[tuple[str, str], tuple[float, float]] = {
    ("motorway", "valley"): (100.0, 80.0),  # source range: car 90–100, truck 70–80
    ("motorway", "mountain"): (90.0, 70.0),
    ("trunk", "valley"): (70.0, 55.0),  # source range: national road 60–70 / 45–55
    ("trunk", "mountain"): (60.0, 45.0),
    ("primary", "valley"): (60.0, 50.0),  # source range: provincial road 50–60 / 40–50
    ("primary", "mountain"): (50.0, 40.0),
    ("secondary", "valley"): (40.0, 35.0),  # source range: county road 40 / 30–35
    ("secondary", "mountain"): (35.0, 30.0),  # mountain light value is our assumption
    ("tertiary", "valley"): (30.0, 25.0),  # source range: township road 25–30 / 20–25
    ("tertiary", "mountain"): (25.0, 20.0),
}

#: Terrain zones of the embedded network: zone → (terrain, circuity factor, description).
#: Circuity = road length / great-circle length. From memory (DATA.md, "Circuity"):
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
#: Leaving or joining an expressway at an interchange (互通): (light, heavy) time in s and the
#: length in m of the link between a town seat and its interchange node. ASSUMPTION (issue 13;
#: docs/network.md §2.2): a ramp of about 0.6 km at 40 km/h (≈ 55 s), the toll plaza with its
#: slow-down (≈ 30 s), and about 1.4 km of town streets and junctions at 30 km/h (≈ 170 s) for
#: a light vehicle, 25 km/h for a heavy appliance. Paid once when joining and once when leaving.
INTERCHANGE_S = (255.0, 310.0)
INTERCHANGE_M = 2000.0
#: Node id of a town's expressway interchange: the 9-digit town code × 10 + 8.
INTERCHANGE_ID_SUFFIX = 8
#: Local links: every seat to its `LOCAL_K` nearest seats within `LOCAL_RADIUS_M`, plus the MST.
LOCAL_K = 4
LOCAL_RADIUS_M = 30_000.0

#: The 粤北区域应急救援中心 (DATA.md, "Regional emergency rescue centre"): in 曲江区大塘镇.
#: ASSUMED coordinate (lon, lat): the exact site is not known offline; we place it 2.2 km ESE
#: of the 大塘镇 seat.
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


#: Corridors through Shaoguan (from memory; DATA.md, "Road network"; table in docs/network.md
#: §2.2). Waypoints are township seats ("name" or "name/county-prefix" when the name exists
#: twice); consecutive seats are joined by one edge of the corridor's class. A seat on a
#: corridor stands for the nearest interchange. Confidence is ours; see docs/network.md.
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
        ("城口镇", "丹霞街道", "城南镇", "司前镇", "坝仔镇", "江尾镇", "龙仙镇", "黄磜镇",
         "丰城街道"),
        "medium (城口–丹霞–城南–司前–翁源–新丰 per issue 13), low (interchanges)",
        "Hunan (汝城) → 仁化 城口 → 丹霞 → 始兴 城南 (笔架山隧道) → 司前 → 翁源 → 新丰. "
        "Before issue 13 it was drawn through 周田, 枫湾 and 小坑 (曲江), which it does not pass",
    ),
    Corridor(
        "韶新", "韶新高速", "motorway",
        ("新江镇", "翁城镇", "回龙镇", "丰城街道", "梅坑镇"),
        "medium (ends, length), low (interchanges)",
        "opened 2017, 85.3 km, 11 interchanges: from the expressway junction near 翁源 新江 "
        "through 翁源 (翁城) to 新丰 and on to 龙门 蓝田 (Huizhou), leaving the city south of 梅坑",
    ),
    Corridor(
        "雄信", "雄信高速", "motorway",
        ("珠玑镇", "黄坑镇/南雄", "乌迳镇", "界址镇"),
        "medium (ends, length), low (interchanges)",
        "opened 2024-06-15, 41 km: from G6011 珠玑北 east to 界址 at the Jiangxi border (信丰)",
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
    Corridor(
        "S248", "248省道", "primary",
        ("乐城街道", "北乡镇", "九峰镇"),
        "low (alignment from memory; the road's existence: DATA.md, \"Road network\")",
        "runs north–south through 乐昌 (乐昌 county profile); drawn 乐城 → 北乡 → 九峰 towards "
        "Hunan",
    ),
    Corridor(
        "S342", "342省道", "primary",
        ("雄州街道", "水口镇", "乌迳镇", "界址镇"),
        "low (alignment from memory; the road's existence: DATA.md, \"Road network\")",
        "crosses 南雄 east–west (南雄 city profile); drawn 雄州 → 水口 → 乌迳 → 界址 towards "
        "Jiangxi (信丰)",
    ),
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Construction
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


def _county_road_pairs(
    towns: Sequence[geo.Town], pairs: set[tuple[int, int]], seat_codes: set[str]
) -> set[tuple[int, int]]:
    """Local links that carry a township towards its county seat: county roads (县道).

    County roads join a county seat with its townships (JTG B01-2014 road administration
    classes, DATA.md "Road network"). For every township that is not a county seat, the local
    link to the neighbour in the same county that brings it nearest to its county seat (and
    strictly nearer than the township itself) is a county road; following these links from any
    township reaches the seat. Returns the chosen pairs as ``(smaller code, larger code)``.
    """
    by_code = {int(t.code): t for t in towns}
    seat = {t.county_code: t for t in towns if t.code in seat_codes}
    neighbours: dict[int, list[int]] = {}
    for a, b in pairs:
        neighbours.setdefault(int(a), []).append(int(b))
        neighbours.setdefault(int(b), []).append(int(a))
    chosen: set[tuple[int, int]] = set()
    for code, t in by_code.items():
        s = seat.get(t.county_code)
        if s is None or s.code == t.code:
            continue
        own = geo.haversine_m(t.lon, t.lat, s.lon, s.lat)
        best, best_d = None, own
        for n in sorted(neighbours.get(code, [])):
            u = by_code[n]
            if u.county_code != t.county_code:
                continue
            d = geo.haversine_m(u.lon, u.lat, s.lon, s.lat)
            if d < best_d:
                best, best_d = n, d
        if best is not None:
            chosen.add((min(code, best), max(code, best)))
    return chosen


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
    towns = list(geo.load_towns())
    if not towns:  # pragma: no cover - shipped data
        msg = "sim/data/towns.csv has no rows; cannot build the embedded network"
        raise NetworkError(msg)
    seat_codes = {c.seat_town_code for c in geo.load_counties()}

    G: nx.MultiDiGraph = nx.MultiDiGraph(
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

    interchange: dict[int, int] = {}

    def interchange_of(node: int) -> int:
        """The expressway interchange node of a town seat, created on first use."""
        if node not in interchange:
            ic = node * 10 + INTERCHANGE_ID_SUFFIX
            d = G.nodes[node]
            G.add_node(
                ic, x=d["x"], y=d["y"], town=d["town"], town_code=d["town_code"],
                county=d["county"], kind="interchange", name=f"{d['town']} 互通",
                county_seat=False,
            )  # fmt: skip
            zone[ic] = zone[node]
            interchange[node] = ic
        return interchange[node]

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
        if corridor.highway == "motorway":
            # expressways join interchanges, not seats: leaving or joining costs a ramp
            nodes = [interchange_of(n) for n in nodes]
        for a, b in pairwise(nodes):
            add_link(a, b, corridor.highway, corridor.ref, corridor.name)
    seat_of_ic = {ic: node for node, ic in interchange.items()}
    corridor_pairs = {
        tuple(sorted((seat_of_ic.get(a, a), seat_of_ic.get(b, b)))) for a, b, _ in links
    }

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
    county_roads = _county_road_pairs(towns, mst_pairs | knn_pairs, seat_codes)
    for a, b in sorted(mst_pairs | knn_pairs):
        if (int(a), int(b)) in corridor_pairs:
            continue
        county_road = (a, b) in mst_pairs or (a, b) in county_roads
        highway = "secondary" if county_road else "tertiary"
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
    light_s, heavy_s = INTERCHANGE_S
    for seat, ic in interchange.items():
        ramp = {
            "highway": "motorway_link",
            "ref": "",
            "name": f"{G.nodes[seat]['town']} 互通 (interchange and town streets)",
            "oneway": False,
            "length": INTERCHANGE_M,
            "speed_kph": round(INTERCHANGE_M / light_s * 3.6, 3),
            "speed_kph_heavy": round(INTERCHANGE_M / heavy_s * 3.6, 3),
            "travel_time": light_s,
            "travel_time_heavy": heavy_s,
            "bridge": False,
            "river": "",
            # engineered structure in the town: never a "mountain link" that slips close
            "terrain": "valley",
            "circuity": 1.0,
        }
        G.add_edge(seat, ic, **ramp, reversed=False)
        G.add_edge(ic, seat, **ramp, reversed=True)
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
