"""Tests of sim.network: the embedded Shaoguan network, graph loading, and RoadNetwork queries."""

from __future__ import annotations

import dataclasses
import warnings
from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pytest

from sim import geo
from sim import network as nw
from sim.errors import NetworkError

DATA = Path(__file__).parent / "data"

#: Light-vehicle limits (h) from the city seat (浈江区) to each county seat; 3 h for the rest.
ROUTE_LIMIT_H = {"乐昌市": 1.0, "南雄市": 2.0, "新丰县": 2.5}
MAX_ROUTE_H = 3.0


@pytest.fixture(scope="module")
def shaoguan() -> nw.RoadNetwork:
    return nw.network_from_spec("shaoguan")


def _seat_index(net: nw.RoadNetwork, county_name: str) -> int:
    county = next(c for c in geo.load_counties() if c.name == county_name)
    idx = net.town_index(county.seat_town_code)
    assert idx is not None, f"no node for the seat of {county_name}"
    return idx


def small_graph(seed: int = 7, n_side: int = 5) -> nx.MultiDiGraph:
    """A perturbed grid with parallel edges, one-way streets and random travel times."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(crs="epsg:4326", name="grid")
    for i in range(n_side):
        for j in range(n_side):
            G.add_node(i * n_side + j, x=113.5 + 0.01 * j + rng.normal(0, 0.001), y=24.8 + 0.01 * i)
    for i in range(n_side):
        for j in range(n_side):
            a = i * n_side + j
            for b in ([a + 1] if j + 1 < n_side else []) + ([a + n_side] if i + 1 < n_side else []):
                for u, v in ((a, b), (b, a)):
                    if rng.random() < 0.15 and (u + v) % 3 == 0:
                        continue  # drop one direction: a one-way street
                    t = float(rng.uniform(30, 120))
                    G.add_edge(u, v, length=t * 10, travel_time=t, travel_time_heavy=t * 1.3,
                               highway="residential")  # fmt: skip
                    if rng.random() < 0.2:  # slower parallel edge
                        G.add_edge(u, v, length=t * 12, travel_time=t * 1.5,
                                   travel_time_heavy=t * 2, highway="service")  # fmt: skip
    return G


# ---- embedded network ------------------------------------------------------------------------


def test_embedded_graph_is_osmnx_compatible():
    """The embedded graph has the osmnx graph, node and edge attributes the brief lists."""
    G = nw.build_shaoguan_graph()
    assert G.graph["crs"] == "epsg:4326"
    assert G.graph["name"] == "shaoguan"
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    assert kinds == {"town_seat", "regional_centre"}
    for node, d in G.nodes(data=True):
        assert isinstance(node, int)
        assert geo.CITY_BBOX[0] < d["x"] < geo.CITY_BBOX[2]
        assert geo.CITY_BBOX[1] < d["y"] < geo.CITY_BBOX[3]
        assert {"town", "town_code", "county"} <= d.keys()
    allowed = {"motorway", "trunk", "primary", "secondary", "tertiary"}
    for u, v, d in G.edges(data=True):
        assert d["highway"] in allowed
        assert d["terrain"] in {"valley", "mountain"}
        great_circle = geo.haversine_m(
            G.nodes[u]["x"], G.nodes[u]["y"], G.nodes[v]["x"], G.nodes[v]["y"]
        )
        assert d["length"] >= great_circle
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
    assert s["nodes"] == len(towns) + 1
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
    """Each corridor's consecutive seats are joined by an edge carrying its ref and class."""
    towns = geo.load_towns()
    G = shaoguan.G
    for corridor in nw.CORRIDORS:
        codes = [int(nw._find_town(spec, towns).code) for spec in corridor.towns]
        for a, b in pairwise(codes):
            data = G.get_edge_data(a, b).values()
            assert any(
                d["highway"] == corridor.highway and corridor.ref in d["ref"].split(";")
                for d in data
            ), (corridor.ref, a, b)


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


# ---- loading ---------------------------------------------------------------------------------


def test_graphml_export_round_trips_travel_times(tmp_path):
    """save_graph → osmnx.load_graphml gives identical travel_time on every edge."""
    G = nw.build_shaoguan_graph()
    path = nw.save_graph(G, tmp_path / "sg.graphml")
    H = ox.load_graphml(path)
    assert H.number_of_edges() == G.number_of_edges()
    for u, v, k, d in G.edges(keys=True, data=True):
        assert H.edges[u, v, k]["travel_time"] == d["travel_time"]
    # our own loader also restores the extra attributes' types
    H2 = nw.graph_from_spec(str(path))
    for u, v, k, d in G.edges(keys=True, data=True):
        e = H2.edges[u, v, k]
        assert e["travel_time_heavy"] == d["travel_time_heavy"]
        assert e["bridge"] is d["bridge"]


def test_tiny_osm_loads_with_speeds_and_travel_times():
    """tiny.osm loads, is simplified, strongly connected, and gets speeds and both travel times."""
    G = nw.graph_from_spec(str(DATA / "tiny.osm"))
    assert G.graph["crs"] == "epsg:4326"
    assert nx.is_strongly_connected(G)
    assert len(G) < 24  # simplification removed degree-2 nodes
    for _, _, d in G.edges(data=True):
        assert d["speed_kph"] > 0
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6), abs=0.06)
        heavy = min(d["speed_kph"] * nw.HEAVY_SPEED_FACTOR, nw.HEAVY_SPEED_CAP_KPH)
        assert d["travel_time_heavy"] == pytest.approx(d["length"] / (heavy / 3.6))
    motorway = [d for _, _, d in G.edges(data=True) if d["highway"] == "motorway"]
    assert motorway
    assert all(d["speed_kph"] == 100 for d in motorway)  # maxspeed tag wins
    net = nw.RoadNetwork.from_graph(G)
    s = net.summary()
    assert s["bridges"] == 1
    assert s["strongly_connected"]


def test_disconnected_graph_warns_and_keeps_largest_scc(tmp_path):
    """Nodes outside the largest strongly connected component are dropped with a warning."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(6):
        G.add_node(i, x=113.6 + 0.01 * i, y=24.8)
    for a, b in ((0, 1), (1, 2), (2, 0)):  # the main cycle
        G.add_edge(a, b, length=1000.0, highway="residential")
        G.add_edge(b, a, length=1000.0, highway="residential")
    G.add_edge(2, 3, length=500.0, highway="residential")  # one-way dead end
    G.add_edge(4, 5, length=500.0, highway="residential")  # separate island
    G.add_edge(5, 4, length=500.0, highway="residential")
    path = tmp_path / "broken.graphml"
    ox.save_graphml(G, path)
    with pytest.warns(UserWarning, match=r"dropped 3 of 6 nodes \(50\.0 %\) and 3 of 9 edges"):
        H = nw.graph_from_spec(str(path))
    assert set(H.nodes) == {0, 1, 2}
    assert nx.is_strongly_connected(H)


def test_missing_file_is_a_network_error(tmp_path):
    missing = tmp_path / "nope.graphml"
    with pytest.raises(NetworkError, match=r"nope\.graphml.*does not exist"):
        nw.graph_from_spec(str(missing))
    with pytest.raises(NetworkError, match="does not exist"):
        nw.graph_from_spec(str(tmp_path / "nope.osm"))
    with pytest.raises(NetworkError, match="does not exist"):
        nw.graph_from_spec(str(tmp_path / "roads.shp"))


def test_corrupt_files_are_network_errors(tmp_path):
    bad_graphml = tmp_path / "bad.graphml"
    bad_graphml.write_text("this is not xml <<<", encoding="utf-8")
    with pytest.raises(NetworkError, match=r"cannot read GraphML file .*bad\.graphml"):
        nw.graph_from_spec(str(bad_graphml))
    bad_osm = tmp_path / "bad.osm"
    bad_osm.write_text("<osm><node id='1' lat='24.8'", encoding="utf-8")
    with pytest.raises(NetworkError, match=r"cannot read OSM XML file .*bad\.osm"):
        nw.graph_from_spec(str(bad_osm))
    other = tmp_path / "roads.gpkg"
    other.write_bytes(b"\x00\x01")
    with pytest.raises(NetworkError, match="unsupported format"):
        nw.graph_from_spec(str(other))


def test_empty_graph_is_a_network_error(tmp_path):
    path = tmp_path / "empty.graphml"
    ox.save_graphml(nx.MultiDiGraph(crs="epsg:4326"), path)
    with pytest.raises(NetworkError, match=r"empty\.graphml.*empty"):
        nw.graph_from_spec(str(path))
    no_ways = tmp_path / "nodes_only.osm"
    no_ways.write_text(
        "<osm version='0.6'><node id='1' lat='24.8' lon='113.6'/></osm>", encoding="utf-8"
    )
    with pytest.raises(NetworkError, match="nodes_only"):
        nw.graph_from_spec(str(no_ways))


def test_unknown_place_offline_fails_fast(tmp_path, monkeypatch):
    """A place name needs the internet; without it the error says what to do instead."""
    # a closed local port stands in for "no internet", whatever the test machine has
    monkeypatch.setattr(ox.settings, "nominatim_url", "http://127.0.0.1:9/")
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
    timeout = ox.settings.requests_timeout
    with pytest.raises(
        NetworkError,
        match=r"cannot download 'Atlantis, Nowhere': no internet access \(.*\); "
        r"supply a GraphML or \.osm file",
    ):
        nw.graph_from_spec("Atlantis, Nowhere", cache_dir=tmp_path)
    assert ox.settings.requests_timeout == timeout  # the short timeout was only temporary


def test_place_cache_is_used(tmp_path):
    """A cached GraphML for a place name is loaded without any download."""
    import hashlib

    G = small_graph()
    key = hashlib.sha1(b"testville").hexdigest()[:16]
    ox.save_graphml(G, tmp_path / f"place-{key}.graphml")
    H = nw.graph_from_spec("Testville", cache_dir=tmp_path)
    assert len(H) == len(G)


# ---- RoadNetwork -----------------------------------------------------------------------------


def test_travel_time_matrix_matches_networkx():
    """One scipy Dijkstra call equals networkx single-source Dijkstra, forward and reverse."""
    G = small_graph()
    assert nx.is_strongly_connected(G)
    net = nw.RoadNetwork.from_graph(G)
    sources = np.array([0, 7, 24])
    T = net.travel_time_matrix(sources)
    R = net.travel_time_matrix(sources, reverse=True)
    H = net.travel_time_matrix(sources, profile="heavy")
    assert T.shape == (3, net.n)
    for row, s in enumerate(sources):
        node = int(net.node_ids[s])
        fwd = nx.single_source_dijkstra_path_length(G, node, weight="travel_time")
        back = nx.single_source_dijkstra_path_length(G.reverse(), node, weight="travel_time")
        heavy = nx.single_source_dijkstra_path_length(G, node, weight="travel_time_heavy")
        for j, v in enumerate(net.node_ids):
            assert T[row, j] == pytest.approx(fwd[int(v)])
            assert R[row, j] == pytest.approx(back[int(v)])
            assert H[row, j] == pytest.approx(heavy[int(v)])
    targets = np.array([3, 1])
    np.testing.assert_array_equal(net.travel_time_matrix(sources, targets=targets), T[:, targets])


def test_csr_keeps_fastest_parallel_edge_and_bookkeeping():
    """CSR data hold the min over parallel edges; csr_edge points at that edge."""
    net = nw.RoadNetwork.from_graph(small_graph())
    csr = net.csr("light")
    times = net.edge_time_s("light")
    entry_edge = net.csr_edge("light")
    assert len(entry_edge) == csr.nnz
    for u in range(net.n):
        for k in range(csr.indptr[u], csr.indptr[u + 1]):
            v = csr.indices[k]
            par = np.flatnonzero((net.edge_u == u) & (net.edge_v == v))
            assert csr.data[k] == times[par].min()
            assert entry_edge[k] in par
            assert times[entry_edge[k]] == csr.data[k]
            assert all(net.edge_entry[p] == k for p in par)
    assert net.csr("light") is csr  # cached


def test_csr_with_closes_and_slows_edges(shaoguan):
    """Closing every bridge lengthens some trips and shortens none; a factor of 2 doubles."""
    net = shaoguan
    base = net.travel_time_matrix(np.arange(net.n))
    assert np.allclose(
        net.travel_time_matrix(np.arange(net.n), edge_factor=np.full(len(net.edge_u), 2.0)),
        2 * base,
    )
    factor = np.ones(len(net.edge_u))
    factor[net.edge_bridge] = np.inf
    closed = net.travel_time_matrix(np.arange(net.n), edge_factor=factor)
    assert (closed >= base - 1e-9).all()
    assert (closed > base + 1e-9).any()
    with pytest.raises(NetworkError, match="one value per edge"):
        net.csr_with(np.ones(3))
    # the cached base matrix is untouched
    np.testing.assert_array_equal(net.travel_time_matrix(np.arange(net.n)), base)


def test_nearest_nodes_on_known_points(shaoguan):
    """Nodes snap to themselves; a point 1 km north of a seat snaps to it at about 1000 m."""
    net = shaoguan
    idx, dist = net.nearest_nodes(net.lon, net.lat)
    np.testing.assert_array_equal(idx, np.arange(net.n))
    np.testing.assert_allclose(dist, 0.0, atol=1e-6)
    seat = _seat_index(net, "乐昌市")
    dlat = 1000 / (geo.EARTH_RADIUS_M * np.pi / 180)
    i, d = net.nearest_nodes(float(net.lon[seat]), float(net.lat[seat] + dlat))
    assert isinstance(i, int)
    assert i == seat
    assert d == pytest.approx(1000.0, abs=1.0)
    # brute force over all nodes for a spread of random points
    rng = np.random.default_rng(3)
    lon = rng.uniform(113.0, 114.6, 200)
    lat = rng.uniform(24.0, 25.4, 200)
    idx, dist = net.nearest_nodes(lon, lat)
    full = geo.haversine_m(lon[:, None], lat[:, None], net.lon[None, :], net.lat[None, :])
    np.testing.assert_allclose(dist, full.min(axis=1))
    np.testing.assert_array_equal(idx, full.argmin(axis=1))


def test_route_matches_matrix_and_lists_towns(shaoguan):
    """A route's time equals the matrix entry; its towns are unique and start/end at the seats."""
    net = shaoguan
    src, dst = _seat_index(net, "乐昌市"), _seat_index(net, "南雄市")
    r = net.route(src, dst)
    assert r.travel_time_s == pytest.approx(net.travel_time_matrix([src], targets=[dst])[0, 0])
    assert r.nodes[0] == src
    assert r.nodes[-1] == dst
    assert len(r.towns) == len(set(r.towns))
    assert r.towns[0] == "乐城街道"
    assert r.towns[-1] == "雄州街道"
    assert r.refs
    assert all(ref for ref in r.refs)
    ids, total = net.node_ids, 0.0
    for a, b in zip(r.nodes, r.nodes[1:], strict=False):
        parallel = net.G.get_edge_data(int(ids[a]), int(ids[b])).values()
        total += min(parallel, key=lambda d: d["travel_time"])["length"]
    assert r.length_m == pytest.approx(total)
    with pytest.raises(NetworkError, match="outside"):
        net.route(src, net.n)


def test_route_unreachable_is_a_network_error():
    net = nw.RoadNetwork.from_graph(small_graph())
    factor = np.where(net.edge_v == 0, np.inf, 1.0)  # nothing enters node 0
    with pytest.raises(NetworkError, match="no route"):
        net.route(5, 0, edge_factor=factor)


def test_road_network_is_read_only(shaoguan):
    with pytest.raises(dataclasses.FrozenInstanceError):
        shaoguan.n_nodes = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        shaoguan.lon[0] = 0.0
    with pytest.raises(NetworkError, match="not in the road network"):
        shaoguan.index_of(-1)
    assert shaoguan.index_of(int(shaoguan.node_ids[5])) == 5
    with pytest.raises(NetworkError, match="unknown vehicle profile"):
        shaoguan.csr("bicycle")


def test_summary_counts_two_way_roads_once(shaoguan):
    s = shaoguan.summary()
    assert set(s) >= {
        "nodes",
        "edges",
        "towns",
        "counties",
        "km_by_class",
        "strongly_connected",
        "bridges",
    }
    total_km = sum(float(d["length"]) for _, _, d in shaoguan.G.edges(data=True)) / 1000
    assert s["km_total"] == pytest.approx(total_km / 2, rel=1e-3)
    assert set(s["km_by_class"]) <= {"motorway", "trunk", "primary", "secondary", "tertiary"}
    assert s["km_by_class"]["motorway"] > 300


def test_access_time():
    """1 km at 30 km/h with circuity 1.4 takes 168 s; arrays work too."""
    assert nw.access_time_s(1000.0) == pytest.approx(168.0)
    np.testing.assert_allclose(
        nw.access_time_s(np.array([0.0, 500.0]), speed_kph=60, circuity=1.0), [0.0, 30.0]
    )
    with pytest.raises(NetworkError):
        nw.access_time_s(10.0, speed_kph=0)
