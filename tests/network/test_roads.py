"""Tests of sim.network.roads: RoadNetwork matrices, CSR, snapping, routes, summary."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest

from sim import geo
from sim import network as nw
from sim.errors import NetworkError
from tests.network.helpers import seat_index as _seat_index
from tests.network.helpers import small_graph


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
    """Nodes snap to themselves; a point 1 km north of a seat snaps to it at about 1000 m.

    Expressway interchanges sit on their town seat and are never snap targets.
    """
    net = shaoguan
    snappable = np.array([k != "interchange" for k in net.node_kind])
    idx, dist = net.nearest_nodes(net.lon[snappable], net.lat[snappable])
    np.testing.assert_array_equal(idx, np.flatnonzero(snappable))
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
    lon_s, lat_s = net.lon[snappable], net.lat[snappable]
    full = geo.haversine_m(lon[:, None], lat[:, None], lon_s[None, :], lat_s[None, :])
    np.testing.assert_allclose(dist, full.min(axis=1))
    np.testing.assert_array_equal(idx, np.flatnonzero(snappable)[full.argmin(axis=1)])


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
    classes = {"motorway", "motorway_link", "trunk", "primary", "secondary", "tertiary"}
    assert set(s["km_by_class"]) <= classes
    assert s["km_by_class"]["motorway"] > 300
