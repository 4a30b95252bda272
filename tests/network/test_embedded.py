"""Tests of sim.network.embedded: the embedded Shaoguan network, corridors, terrain, bridges."""

from __future__ import annotations

import warnings
from itertools import pairwise

import networkx as nx
import numpy as np
import pytest

from sim import geo
from sim import network as nw
from tests.network.helpers import seat_index as _seat_index

#: Light-vehicle limits (h) from the city seat (浈江区) to each county seat; 3 h for the rest.
ROUTE_LIMIT_H = {"乐昌市": 1.0, "南雄市": 2.0, "新丰县": 2.5}
MAX_ROUTE_H = 3.0


def test_embedded_graph_is_osmnx_compatible():
    """The embedded graph has the osmnx graph, node and edge attributes the brief lists."""
    G = nw.build_shaoguan_graph()
    assert G.graph["crs"] == "epsg:4326"
    assert G.graph["name"] == "shaoguan"
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    assert kinds == {"town_seat", "regional_centre", "interchange"}
    for node, d in G.nodes(data=True):
        assert isinstance(node, int)
        assert geo.CITY_BBOX[0] < d["x"] < geo.CITY_BBOX[2]
        assert geo.CITY_BBOX[1] < d["y"] < geo.CITY_BBOX[3]
        assert {"town", "town_code", "county"} <= d.keys()
    allowed = {"motorway", "motorway_link", "trunk", "primary", "secondary", "tertiary"}
    for u, v, d in G.edges(data=True):
        assert d["highway"] in allowed
        assert d["terrain"] in {"valley", "mountain"}
        great_circle = geo.haversine_m(
            G.nodes[u]["x"], G.nodes[u]["y"], G.nodes[v]["x"], G.nodes[v]["y"]
        )
        assert d["length"] >= great_circle - 1e-6
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6), abs=0.06)
        assert d["travel_time_heavy"] > d["travel_time"]
        assert isinstance(d["bridge"], bool)
        assert G.has_edge(v, u)


def test_embedded_nodes_cover_every_town_and_county(shaoguan):
    """Every town seat in towns.csv is a node; 10 counties; one regional centre in 大塘镇."""
    towns = geo.load_towns()
    # all 105 regular township units: 99 matched in GeoNames + 6 placed by hand
    # (DATA.md, "towns.csv")
    assert len(towns) >= 105
    codes = {
        c
        for c, k in zip(shaoguan.node_town_code, shaoguan.node_kind, strict=True)
        if k == "town_seat"
    }
    assert codes == {t.code for t in towns}
    s = shaoguan.summary()
    assert s["towns"] == len(towns)
    assert s["counties"] == 10
    n_interchanges = sum(k == "interchange" for k in shaoguan.node_kind)
    assert n_interchanges > 40
    assert s["nodes"] == len(towns) + 1 + n_interchanges
    centre = [i for i, k in enumerate(shaoguan.node_kind) if k == "regional_centre"]
    assert len(centre) == 1
    assert shaoguan.node_town[centre[0]] == "大塘镇"
    assert shaoguan.node_county[centre[0]] == "曲江区"


def test_embedded_network_is_strongly_connected(shaoguan):
    """All nodes reach each other (both profiles)."""
    assert shaoguan.summary()["strongly_connected"]
    assert nx.is_strongly_connected(shaoguan.G)
    for profile in ("light", "heavy"):
        T = shaoguan.travel_time_matrix(np.arange(shaoguan.n), profile=profile)
        assert np.isfinite(T).all()


def test_corridor_waypoints_resolve_to_unique_towns():
    """Every waypoint of every corridor names exactly one town of towns.csv."""
    towns = geo.load_towns()
    for corridor in nw.CORRIDORS:
        for spec in corridor.towns:
            assert nw._find_town(spec, towns) is not None, (corridor.ref, spec)


def test_terrain_overrides_name_existing_towns():
    """Every per-town terrain override matches exactly one town, and every zone is used."""
    towns = geo.load_towns()
    for spec in nw._TOWN_ZONE:
        assert nw._find_town(spec, towns) is not None, spec
    used = {nw._town_zone(t) for t in towns}
    assert used == set(nw.TERRAIN_ZONES)


def test_embedded_corridors_exist_as_edges(shaoguan):
    """Each corridor's consecutive seats are joined by an edge carrying its ref and class;
    expressways join the seats' interchange nodes (town code × 10 + 8)."""
    towns = geo.load_towns()
    G = shaoguan.G
    for corridor in nw.CORRIDORS:
        codes = [int(nw._find_town(spec, towns).code) for spec in corridor.towns]
        if corridor.highway == "motorway":
            codes = [10 * c + nw.INTERCHANGE_ID_SUFFIX for c in codes]
            assert all(G.nodes[c]["kind"] == "interchange" for c in codes), corridor.ref
        for a, b in pairwise(codes):
            data = G.get_edge_data(a, b).values()
            assert any(
                d["highway"] == corridor.highway and corridor.ref in d["ref"].split(";")
                for d in data
            ), (corridor.ref, a, b)


def test_interchange_costs_the_ramp_time_each_way(shaoguan):
    """Joining and leaving an expressway costs `INTERCHANGE_S` each; passing through is free.

    Hand-computed on the 武深 (G0422) hop 龙仙镇 → 黄磜镇: seat → interchange → interchange →
    seat = 2 ramps + the motorway edge; the interchange at 龙仙 is passed without a ramp on the
    way 江尾 → 黄磜.
    """
    net = shaoguan
    G = net.G
    towns = {t.name: int(t.code) for t in geo.load_towns()}
    ic = {n: 10 * towns[n] + nw.INTERCHANGE_ID_SUFFIX for n in ("江尾镇", "龙仙镇", "黄磜镇")}
    light_s, heavy_s = nw.INTERCHANGE_S
    edge = min(d["travel_time"] for d in G.get_edge_data(ic["龙仙镇"], ic["黄磜镇"]).values())
    ramp = G.get_edge_data(towns["龙仙镇"], ic["龙仙镇"])[0]
    assert ramp["highway"] == "motorway_link"
    assert (ramp["travel_time"], ramp["travel_time_heavy"]) == (light_s, heavy_s)
    i, j = net.index_of(ic["龙仙镇"]), net.index_of(ic["黄磜镇"])
    T = net.travel_time_matrix([net.index_of(towns["龙仙镇"])])
    assert T[0, j] == pytest.approx(light_s + edge, abs=0.2)
    # through traffic: 江尾 interchange → 黄磜 interchange passes 龙仙 without a ramp
    via = min(d["travel_time"] for d in G.get_edge_data(ic["江尾镇"], ic["龙仙镇"]).values())
    T2 = net.travel_time_matrix([net.index_of(ic["江尾镇"])])
    assert T2[0, j] == pytest.approx(via + edge, abs=0.2)
    assert i != j


def test_places_never_snap_to_an_interchange(shaoguan):
    """A point exactly at an interchange snaps to the co-located town seat, not the ramp end."""
    net = shaoguan
    ics = [i for i, k in enumerate(net.node_kind) if k == "interchange"]
    idx, dist = net.nearest_nodes(net.lon[ics], net.lat[ics])
    assert all(net.node_kind[i] == "town_seat" for i in idx)
    np.testing.assert_allclose(dist, 0.0, atol=1e-6)


def test_embedded_build_is_deterministic_and_warning_free():
    """Two builds give identical edges, and the shipped data raise no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        G1 = nw._shaoguan_graph.__wrapped__()
        G2 = nw._shaoguan_graph.__wrapped__()
    assert list(G1.nodes(data=True)) == list(G2.nodes(data=True))
    assert list(G1.edges(keys=True, data=True)) == list(G2.edges(keys=True, data=True))


def test_embedded_bridges_cross_rivers(shaoguan):
    """Some edges are bridges, each names the river it crosses, and 北江/武江/浈江 are bridged."""
    assert shaoguan.summary()["bridges"] > 0
    rivers = set()
    for _, _, d in shaoguan.G.edges(data=True):
        assert d["bridge"] == bool(d["river"])
        rivers.update(r for r in d["river"].split(";") if r)
    assert {"武江", "浈江", "北江"} <= rivers


def test_bridge_needs_odd_number_of_crossings():
    """A chord cutting a meander twice is no bridge; one crossing is; touching at a seat is not."""
    from shapely.geometry import LineString

    river = LineString([(0.0, -1.0), (0.0, 1.0)])
    assert nw.crosses_river(LineString([(-0.1, 0.0), (0.1, 0.0)]), river)
    meander = LineString([(0.0, -1.0), (0.0, 0.0), (0.2, 0.0), (0.2, -1.0)])
    assert not nw.crosses_river(LineString([(-0.1, -0.5), (0.3, -0.5)]), meander)
    assert not nw.crosses_river(LineString([(0.0, 0.5), (0.3, 0.5)]), river)  # starts on the river


@pytest.mark.parametrize("county", [c.name for c in geo.load_counties()])
def test_route_times_from_city_seat_are_plausible(shaoguan, county):
    """Light-vehicle times from the 浈江区 seat: 乐昌 < 1 h, 南雄 < 2 h, 新丰 < 2.5 h, all < 3 h."""
    src = _seat_index(shaoguan, "浈江区")
    dst = _seat_index(shaoguan, county)
    light = shaoguan.route(src, dst, profile="light")
    heavy = shaoguan.route(src, dst, profile="heavy")
    assert light.travel_time_s / 3600 < ROUTE_LIMIT_H.get(county, MAX_ROUTE_H)
    assert heavy.travel_time_s >= light.travel_time_s
    if county != "浈江区":
        # no teleporting: at most 100 km/h on average over the great-circle distance
        d = geo.haversine_m(
            shaoguan.lon[src], shaoguan.lat[src], shaoguan.lon[dst], shaoguan.lat[dst]
        )
        assert light.length_m >= d
        assert light.travel_time_s >= d / (100 / 3.6)


def test_far_county_seats_use_expressways(shaoguan):
    """Routes to the far county seats run on the expressways that serve them."""
    src = _seat_index(shaoguan, "浈江区")
    assert "G6011" in shaoguan.route(src, _seat_index(shaoguan, "南雄市")).refs
    assert "G0423" in shaoguan.route(src, _seat_index(shaoguan, "乐昌市")).refs
