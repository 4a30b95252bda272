"""Tests of sim.disruption: closure candidates and sampling, affected trees, isolation."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from sim import geo
from sim import network as nw
from sim.errors import ScenarioError
from sim.model import disruption as dz

CITY = (113.576, 24.811)  # the 武江/浈江/北江 confluence
MAIN_RIVERS = ("武江", "北江", "浈江")


def _seat(net: nw.RoadNetwork, name: str) -> int:
    idx = net.town_index(geo.resolve_town(name).code)
    assert idx is not None
    return idx


def _assert_paired(net: nw.RoadNetwork, edges: np.ndarray) -> None:
    """Every two-way road in `edges` is there in both directions."""
    pairs = set(zip(net.edge_u[edges].tolist(), net.edge_v[edges].tolist(), strict=True))
    for u, v in pairs:
        assert (v, u) in pairs, (u, v)


def grid_network(seed: int = 5, n_side: int = 7) -> nw.RoadNetwork:
    """A perturbed grid with random times, parallel edges and a few one-way streets."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(n_side):
        for j in range(n_side):
            G.add_node(i * n_side + j, x=113.5 + 0.01 * j, y=24.8 + 0.01 * i)
    for i in range(n_side):
        for j in range(n_side):
            a = i * n_side + j
            for b in ([a + 1] if j + 1 < n_side else []) + ([a + n_side] if i + 1 < n_side else []):
                t = float(rng.integers(30, 120))  # integer times: ties happen
                oneway = rng.random() < 0.1
                for u, v in [(a, b)] if oneway else [(a, b), (b, a)]:
                    G.add_edge(u, v, length=t * 10, travel_time=t, highway="residential")
                    if rng.random() < 0.15:
                        G.add_edge(u, v, length=t * 13, travel_time=t * 1.5, highway="service")
    return nw.RoadNetwork.from_graph(G)


# ---- candidates and sampling -------------------------------------------------------------


def test_candidate_edges_filters(shaoguan: nw.RoadNetwork) -> None:
    lon, lat = CITY
    near = dz.candidate_edges(shaoguan, lon=lon, lat=lat, radius_m=30_000)
    wider = dz.candidate_edges(shaoguan, lon=lon, lat=lat, radius_m=60_000)
    assert 0 < len(near) < len(wider)
    assert set(near) <= set(wider)
    bridges = dz.candidate_edges(shaoguan, lon=lon, lat=lat, radius_m=30_000, bridge=True,
                                 rivers=["武江"])  # fmt: skip
    assert len(bridges) > 0
    assert set(bridges) <= set(near)
    data = [d for *_, d in shaoguan.G.edges(keys=True, data=True)]
    assert all(data[e]["bridge"] and "武江" in data[e]["river"].split(";") for e in bridges)
    # every 武江 bridge in range is there
    eu, ev = shaoguan.edge_u, shaoguan.edge_v
    mid = geo.haversine_m(
        lon,
        lat,
        (shaoguan.lon[eu] + shaoguan.lon[ev]) / 2,
        (shaoguan.lat[eu] + shaoguan.lat[ev]) / 2,
    )
    want = [i for i, d in enumerate(data) if "武江" in d["river"].split(";") and mid[i] <= 30_000]
    np.testing.assert_array_equal(bridges, want)
    _assert_paired(shaoguan, bridges)
    hills = dz.candidate_edges(shaoguan, lon=113.35, lat=25.13, radius_m=50_000,
                               terrain="mountain", counties=["乐昌"])  # fmt: skip
    assert len(hills) > 0
    for e in hills:
        assert data[e]["terrain"] == "mountain"
        ends = {shaoguan.node_county[shaoguan.edge_u[e]], shaoguan.node_county[shaoguan.edge_v[e]]}
        assert "乐昌市" in ends
    _assert_paired(shaoguan, hills)


def test_candidate_edges_errors(shaoguan: nw.RoadNetwork) -> None:
    with pytest.raises(ScenarioError, match="unknown river"):
        dz.candidate_edges(shaoguan, lon=113.5, lat=24.8, radius_m=1000, rivers=["黄河"])
    with pytest.raises(ScenarioError, match="counties"):
        dz.candidate_edges(shaoguan, lon=113.5, lat=24.8, radius_m=1000, counties=["Atlantis"])
    with pytest.raises(ScenarioError, match="terrain"):
        dz.candidate_edges(shaoguan, lon=113.5, lat=24.8, radius_m=1000, terrain="swamp")
    with pytest.raises(ScenarioError, match="probability"):
        dz.ClosureRule("bridge", 1000.0, 1.5)
    with pytest.raises(ScenarioError, match="kind"):
        dz.ClosureRule("tunnel", 1000.0, 0.5)  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match="list of names"):
        dz.ClosureRule("bridge", 1000.0, 0.5, rivers="武江")  # type: ignore[arg-type]


RULES = [
    dz.ClosureRule("bridge", 40_000.0, 0.5, rivers=MAIN_RIVERS),
    dz.ClosureRule("mountain_link", 60_000.0, 0.3, counties=("乐昌市", "乳源")),
]


def test_sample_closures_deterministic_and_paired(shaoguan: nw.RoadNetwork) -> None:
    a = dz.sample_closures(np.random.default_rng(11), shaoguan, *CITY, RULES)
    b = dz.sample_closures(np.random.default_rng(11), shaoguan, *CITY, RULES)
    c = dz.sample_closures(np.random.default_rng(12), shaoguan, *CITY, RULES)
    np.testing.assert_array_equal(a, b)
    assert len(a) > 0
    assert not np.array_equal(a, c)
    assert np.all(np.diff(a) > 0)
    _assert_paired(shaoguan, a)
    road = dz.road_ids(shaoguan)
    assert np.all(np.bincount(road[a]) % 2 == 0)  # whole roads, never one direction
    # closed roads are candidates of some rule
    cand = set()
    for rule in RULES:
        cand |= set(dz.rule_candidates(shaoguan, *CITY, rule).tolist())
    assert set(a.tolist()) <= cand


def test_sample_closures_draw_count_is_fixed(shaoguan: nw.RoadNetwork) -> None:
    """One uniform per candidate road and rule, whatever the probabilities: CRN holds."""
    road = dz.road_ids(shaoguan)
    n_draws = sum(len(np.unique(road[dz.rule_candidates(shaoguan, *CITY, r)])) for r in RULES)
    for p in (0.0, 0.4, 1.0):
        rules = [dz.ClosureRule(r.kind, r.radius_m, p, r.rivers, r.counties) for r in RULES]
        rng = np.random.default_rng(5)
        closed = dz.sample_closures(rng, shaoguan, *CITY, rules)
        ref = np.random.default_rng(5)
        ref.random(n_draws)
        assert rng.random() == ref.random()
        if p == 0.0:
            assert len(closed) == 0
        if p == 1.0:
            allc = np.unique(
                np.concatenate([dz.rule_candidates(shaoguan, *CITY, r) for r in rules])
            )
            np.testing.assert_array_equal(closed, allc)


def test_edge_factor_with() -> None:
    f = dz.edge_factor_with([1, 3], 5, slow_edges=[0, 1], slow_factor=2.0)
    np.testing.assert_array_equal(f, [2.0, np.inf, 1.0, np.inf, 1.0])
    np.testing.assert_array_equal(dz.edge_factor_with([], 3), [1.0, 1.0, 1.0])
    with pytest.raises(ScenarioError, match="slow_factor"):
        dz.edge_factor_with([], 3, slow_edges=[0], slow_factor=0.5)


# ---- affected trees ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("slow", [False, True])
def test_affected_sources_match_brute_force(seed: int, slow: bool) -> None:
    net = grid_network(seed)
    rng = np.random.default_rng(seed)
    sources = rng.choice(net.n, size=12, replace=False)
    csr = net.csr("light")
    d0, pred = dijkstra(csr, directed=True, indices=sources, return_predecessors=True)
    d0r, pred_r = dijkstra(csr.T.tocsr(), directed=True, indices=sources, return_predecessors=True)
    closed = rng.choice(len(net.edge_u), size=6, replace=False)
    factor = dz.edge_factor_with([], len(net.edge_u), closed, 3.0) if slow else \
        dz.edge_factor_with(closed, len(net.edge_u))  # fmt: skip
    cu, cv = net.edge_u[closed], net.edge_v[closed]
    d1 = net.travel_time_matrix(sources, edge_factor=factor)
    d1r = net.travel_time_matrix(sources, edge_factor=factor, reverse=True)
    for before, after, aff in [
        (d0, d1, dz.affected_sources(pred, cu, cv)),
        (d0r, d1r, dz.affected_sources_reverse(pred_r, cu, cv)),
    ]:
        changed = np.any(before != after, axis=1)
        # an unaffected tree NEVER changes; an affected one may stay (ties, parallel edges)
        assert not np.any(changed & ~aff)
        # brute force per row: a tree is affected iff one of its tree edges is a closed pair
        for k in range(len(sources)):
            P = pred if before is d0 else pred_r
            tree = {(int(P[k, v]), v) for v in range(net.n) if P[k, v] >= 0}
            pairs = set(zip(cu.tolist(), cv.tolist(), strict=True)) if before is d0 else \
                set(zip(cv.tolist(), cu.tolist(), strict=True))  # fmt: skip
            assert aff[k] == bool(tree & pairs)
        assert aff.any()
    # times only grow under closures and slowdowns
    assert np.all(d1 >= d0 - 1e-9)


def test_affected_sources_on_embedded_network(shaoguan: nw.RoadNetwork) -> None:
    rng = np.random.default_rng(0)
    sources = rng.choice(shaoguan.n, size=20, replace=False)
    csr = shaoguan.csr("light")
    d0, pred = dijkstra(csr, directed=True, indices=sources, return_predecessors=True)
    closed = dz.sample_closures(rng, shaoguan, *CITY, RULES)
    factor = dz.edge_factor_with(closed, len(shaoguan.edge_u))
    aff = dz.affected_sources(pred, shaoguan.edge_u[closed], shaoguan.edge_v[closed])
    d1 = shaoguan.travel_time_matrix(sources, edge_factor=factor)
    changed = np.any(d0 != d1, axis=1)
    assert changed.any()
    assert not np.any(changed & ~aff)
    assert dz.affected_sources(pred, [], []).sum() == 0


# ---- isolation ---------------------------------------------------------------------------


def bridge_graph() -> nx.MultiDiGraph:
    """A triangle of towns plus an island town joined to it by one bridge."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    pos = {1: (113.50, 24.80), 2: (113.60, 24.80), 3: (113.55, 24.88), 4: (113.55, 24.70)}
    for k, (x, y) in pos.items():
        G.add_node(k, x=x, y=y, town=f"T{k}", town_code=f"44020399{k}", county="浈江区",
                   kind="town_seat")  # fmt: skip
    roads = [(1, 2, False), (2, 3, False), (1, 3, False), (1, 4, True)]
    for a, b, br in roads:
        for u, v in [(a, b), (b, a)]:
            G.add_edge(u, v, length=10_000.0, travel_time=600.0, highway="secondary", bridge=br,
                       river="北江" if br else "", terrain="valley")  # fmt: skip
    return G


def test_closing_the_only_bridge_isolates_a_town() -> None:
    net = nw.RoadNetwork.from_graph(bridge_graph())
    island = net.index_of(4)
    bridges = dz.candidate_edges(net, lon=113.55, lat=24.75, radius_m=20_000, bridge=True,
                                 rivers=["北江"])  # fmt: skip
    assert len(bridges) == 2
    _assert_paired(net, bridges)
    sources = [net.index_of(2)]
    assert not dz.isolated_nodes(net, None, sources).any()
    f = dz.edge_factor_with(bridges, len(net.edge_u))
    iso = dz.isolated_nodes(net, f, sources)
    np.testing.assert_array_equal(np.flatnonzero(iso), [island])
    assert dz.isolated_towns(net, f, sources) == ["T4"]
    # a source on the island keeps it reachable
    assert not dz.isolated_nodes(net, f, [island, net.index_of(2)]).any()


def test_osm_bridge_without_river_name_matches_by_position() -> None:
    """OSM bridges carry no river: the river line under the bridge decides."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    # two nodes either side of the 武江 near 乐昌 (a vertex of the river line ± 0.01° lon)
    from sim.physics.boats import load_river_index

    rivers = load_river_index()
    line = rivers.lines[rivers.river_index("武江")]
    x, y = line[len(line) // 2]
    G.add_node(1, x=x - 0.01, y=y)
    G.add_node(2, x=x + 0.01, y=y)
    G.add_node(3, x=x - 0.01, y=y + 0.3)
    for u, v, br in [(1, 2, "yes"), (2, 1, "yes"), (1, 3, None), (3, 1, None)]:
        d = {"length": 2000.0, "travel_time": 100.0, "highway": "primary"}
        if br:
            d["bridge"] = br
        G.add_edge(u, v, **d)
    net = nw.RoadNetwork.from_graph(G)
    hit = dz.candidate_edges(net, lon=x, lat=y, radius_m=50_000, bridge=True, rivers=["武江"])
    np.testing.assert_array_equal(np.sort(net.edge_u[hit]), [0, 1])
    assert len(dz.candidate_edges(net, lon=x, lat=y, radius_m=50_000, rivers=["浈江"])) == 0
    # counties come from the county polygons when nodes carry none
    assert len(dz.candidate_edges(net, lon=x, lat=y, radius_m=50_000, counties=["乐昌"])) > 0


def test_bridge_closure_on_fastest_route(shaoguan: nw.RoadNetwork) -> None:
    """Close a bridge on the fastest 乐昌 → 韶关 route: the next-best route takes over."""
    src, dst = _seat(shaoguan, "乐城街道"), _seat(shaoguan, "新华街道")
    before = shaoguan.route(src, dst)
    times = shaoguan.edge_time_s("light")
    used = []
    for a, b in zip(before.nodes, before.nodes[1:], strict=False):
        par = np.flatnonzero((shaoguan.edge_u == a) & (shaoguan.edge_v == b))
        used.append(int(par[np.argmin(times[par])]))
    on_route_bridges = [e for e in used if shaoguan.edge_bridge[e]]
    assert on_route_bridges, "the fastest route crosses no bridge"
    e = on_route_bridges[0]
    road = dz.road_ids(shaoguan)
    closed = np.flatnonzero(road == road[e])
    assert len(closed) == 2
    _assert_paired(shaoguan, closed)
    f = dz.edge_factor_with(closed, len(shaoguan.edge_u))
    after = shaoguan.route(src, dst, edge_factor=f)
    assert before.travel_time_s < after.travel_time_s < np.inf
    # the detour avoids the closed bridge
    pairs = set(zip(after.nodes, after.nodes[1:], strict=False))
    assert (int(shaoguan.edge_u[e]), int(shaoguan.edge_v[e])) not in pairs
    # the same closure through the matrix API
    T = shaoguan.travel_time_matrix([src], targets=[dst], edge_factor=f)
    assert T[0, 0] == pytest.approx(after.travel_time_s)
    # cut every road of 乐昌's seat: it is isolated, and only it
    all_roads = np.flatnonzero((shaoguan.edge_u == src) | (shaoguan.edge_v == src))
    f2 = dz.edge_factor_with(all_roads, len(shaoguan.edge_u))
    iso = dz.isolated_nodes(shaoguan, f2, [dst])
    np.testing.assert_array_equal(np.flatnonzero(iso), [src])
    assert dz.isolated_towns(shaoguan, f2, [dst]) == ["乐城街道"]


def test_static_closures(shaoguan: nw.RoadNetwork) -> None:
    edges = dz.static_closures(shaoguan, [("十里亭镇", "西河镇")])
    a, b = _seat(shaoguan, "十里亭镇"), _seat(shaoguan, "西河镇")
    assert len(edges) == 2
    assert {(int(shaoguan.edge_u[e]), int(shaoguan.edge_v[e])) for e in edges} == {(a, b), (b, a)}
    assert shaoguan.edge_bridge[edges].all()
    # name/county form for names that exist twice
    two = dz.static_closures(shaoguan, [("大桥镇/乳源", "乳城镇")])
    assert len(two) >= 2
    with pytest.raises(ScenarioError, match="no road joins"):
        dz.static_closures(shaoguan, [("乐城街道", "新丰县")])
    with pytest.raises(ScenarioError, match="static closure"):
        dz.static_closures(shaoguan, [("乐城街道", "Nowhere")])
    assert len(dz.static_closures(shaoguan, [])) == 0
