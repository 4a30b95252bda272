"""Graphs and look-ups shared by the tests of sim.network."""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim import geo
from sim import network as nw


def seat_index(net: nw.RoadNetwork, county_name: str) -> int:
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
