"""Tests of sim.model.position: node-to-node times and a unit's position along its route."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim.model.position import Leg, Router
from sim.network import RoadNetwork
from tests.network.helpers import small_graph


def line_network(n: int = 5, edge_s: float = 600.0) -> RoadNetwork:
    """Nodes 0..n-1 on a line, both directions, every edge `edge_s` seconds (heavy: 1.5 ×)."""
    G = nx.MultiDiGraph(crs="epsg:4326", name="line")
    for k in range(n):
        G.add_node(k, x=113.5 + 0.05 * k, y=24.8)
    for k in range(n - 1):
        for a, b in ((k, k + 1), (k + 1, k)):
            G.add_edge(a, b, length=edge_s * 10, travel_time=edge_s, travel_time_heavy=1.5 * edge_s)
    return RoadNetwork.from_graph(G)


def test_times_from_match_networkx_on_a_grid():
    """Road times from a node equal networkx's Dijkstra on the graph (fastest parallel edge)."""
    G = small_graph()
    net = RoadNetwork.from_graph(G)
    router = Router(net)
    src = 0
    want = nx.single_source_dijkstra_path_length(G, net.node_ids[src], weight="travel_time")
    got = router.times_from(src, "light")
    for node_id, t in want.items():
        assert got[net.index_of(node_id)] == pytest.approx(t)


def test_position_on_the_road_is_the_next_junction():
    """A unit 700 s into a 0 -> 4 drive (600 s edges) is 500 s from node 2."""
    router = Router(line_network())
    leg = Leg(src=0, dst=4, profile="light", road_start_s=1000.0, road_end_s=3400.0)
    assert router.position(leg, 1700.0) == (2, pytest.approx(500.0))
    assert router.position(leg, 900.0) == (0, pytest.approx(100.0))  # turnout: heads for 0
    assert router.position(leg, 3500.0) == (4, pytest.approx(100.0))  # beyond: back to 4
    assert router.position(leg, 2200.0) == (2, pytest.approx(0.0))  # at the junction


def test_closed_edges_change_times_and_reset_the_cache():
    """An edge factor of inf closes roads; None restores them."""
    net = line_network(3)
    router = Router(net)
    assert router.times_from(0, "light")[2] == pytest.approx(1200.0)
    factor = np.ones(len(net.edge_u))
    factor[(net.edge_u == 1) & (net.edge_v == 2)] = np.inf
    router.set_edge_factor(factor)
    assert np.isinf(router.times_from(0, "light")[2])
    router.set_edge_factor(None)
    assert router.times_from(0, "heavy")[2] == pytest.approx(1800.0)
