"""Tests of sim.boats: river projection and chainage, confluences, launch points, boat legs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim import geo
from sim import network as nw
from sim.physics import boats

LAT = 24.8  # synthetic river runs west → east along this latitude
LON0, LON1 = 113.0, 113.2


@pytest.fixture(scope="module")
def rivers() -> boats.RiverIndex:
    return boats.load_river_index()


def straight_index(**kw: float) -> boats.RiverIndex:
    line = np.array([[LON0, LAT], [113.1, LAT], [LON1, LAT]])
    return boats.RiverIndex.from_lines({"A": (line,)}, **kw)


def _point(name: str) -> tuple[float, float]:
    t = geo.resolve_town(name)
    return t.lon, t.lat


# ---- projection and chainage -------------------------------------------------------------


def test_straight_river_chainage_and_offset() -> None:
    idx = straight_index()
    assert idx.names == ("A",)
    # a parallel is not a great circle: the two-segment sum differs in the 8th digit
    assert idx.length_m(0) == pytest.approx(geo.haversine_m(LON0, LAT, LON1, LAT), rel=1e-6)
    lon = np.array([113.05, 113.15, 113.0, 113.21, 113.05])
    lat = np.array([24.81, 24.79, LAT, LAT, 24.9])
    r, s, off = idx.project(lon, lat)
    # 0.01° of latitude is 1112 m; the last point is 11 km off: not on the river
    np.testing.assert_array_equal(r, [0, 0, 0, 0, -1])
    want_s = geo.haversine_m(LON0, LAT, lon[:4], LAT)
    want_s[3] = idx.length_m(0)  # beyond the end: clamps to the end
    np.testing.assert_allclose(s[:4], want_s, rtol=2e-3)
    assert off[0] == pytest.approx(geo.haversine_m(113.05, 24.81, 113.05, LAT), rel=2e-3)
    assert off[3] == pytest.approx(geo.haversine_m(113.21, LAT, LON1, LAT), rel=2e-3)
    assert np.isnan(s[4])
    assert off[4] > 10_000
    # scalar input gives 0-d arrays; a larger limit accepts the far point
    r1, s1, _ = idx.project(113.05, 24.9, max_offset_m=20_000)
    assert r1.shape == ()
    assert int(r1) == 0
    assert float(s1) == pytest.approx(want_s[0], rel=2e-3)


def test_parts_are_chained_in_order_whatever_their_direction() -> None:
    a = np.array([[LON0, LAT], [113.1, LAT]])
    b = np.array([[LON1, LAT], [113.1, LAT]])  # drawn backwards
    c = np.array([[113.3, LAT], [113.2, LAT]])  # joins the head of b
    idx = boats.RiverIndex.from_lines({"A": (b, c, a)})
    line = idx.lines[0]
    assert len(line) == 4  # the shared vertices are not repeated
    assert np.all(np.diff(line[:, 0]) > 0) or np.all(np.diff(line[:, 0]) < 0)
    assert idx.length_m(0) == pytest.approx(geo.haversine_m(LON0, LAT, 113.3, LAT), rel=1e-6)


def test_projection_matches_brute_force_on_real_rivers(rivers: boats.RiverIndex) -> None:
    rng = np.random.default_rng(3)
    # random points, half of them jittered around river vertices so that many are near
    allv = np.vstack(rivers.lines)
    pick = allv[rng.integers(0, len(allv), 400)] + rng.normal(0, 0.01, (400, 2))
    rand = np.column_stack((rng.uniform(112.9, 114.7, 400), rng.uniform(23.9, 25.5, 400)))
    pts = np.vstack((pick, rand))
    r, s, off = rivers.project(pts[:, 0], pts[:, 1], max_offset_m=np.inf)
    all_segs = np.broadcast_to(
        np.arange(len(rivers._seg_river)), (len(pts), len(rivers._seg_river))
    )
    seg, t, _ = rivers._nearest_on(pts[:, 0], pts[:, 1], all_segs)
    s_bf, off_bf = rivers._chainage_offset(pts[:, 0], pts[:, 1], seg, t)
    np.testing.assert_allclose(off, off_bf, rtol=1e-9, atol=1e-6)
    same = r == rivers._seg_river[seg]
    # a different river is only acceptable at an exact tie (the confluence)
    assert np.all(same | (np.abs(off - off_bf) < 1e-6))
    np.testing.assert_allclose(s[same], s_bf[same], rtol=1e-9, atol=1e-6)
    assert np.sum(off <= 3000) > 300  # the jittered half really was near a river


def test_point_on_wujiang_near_lechang(rivers: boats.RiverIndex) -> None:
    lon, lat = _point("乐城街道")
    wu = rivers.river_index("武江")
    line = rivers.lines[wu]
    v = line[np.argmin(geo.haversine_m(lon, lat, line[:, 0], line[:, 1]))]
    r, _s, off = rivers.project(v[0] + 0.002, v[1] + 0.001)
    assert int(r) == wu
    assert float(off) < 300
    # the 乐昌 seat itself lies within the launch-point distance of the 武江
    r2, _, off2 = rivers.project(lon, lat)
    assert int(r2) == wu
    assert float(off2) < boats.MAX_OFFSET_M


# ---- confluences and boat distances ------------------------------------------------------


def test_confluence_of_wujiang_zhenjiang_beijiang(rivers: boats.RiverIndex) -> None:
    wu, bei, zhen = (rivers.river_index(n) for n in ("武江", "北江", "浈江"))
    pairs = {(j.river_a, j.river_b) for j in rivers.junctions}
    for a, b in [("武江", "北江"), ("浈江", "北江"), ("武江", "浈江"), ("南水", "北江"),
                 ("锦江", "浈江"), ("墨江", "浈江")]:  # fmt: skip
        assert (a, b) in pairs, (a, b)
    assert not any("滃江" in p or "新丰江" in p for p in pairs)
    # the three main rivers meet near 113.576, 24.811 (韶关 city)
    for r in (wu, zhen):
        end = rivers.lines[r][-1]
        assert geo.haversine_m(end[0], end[1], 113.576, 24.811) < 1000
    start = rivers.lines[bei][0]
    assert geo.haversine_m(start[0], start[1], 113.576, 24.811) < 1000


def test_boat_distance_lechang_to_city(rivers: boats.RiverIndex) -> None:
    wu = rivers.river_index("武江")
    lon, lat = _point("乐城街道")
    r, s, _ = rivers.project(lon, lat)
    assert int(r) == wu
    rc, sc, _ = rivers.project(113.576, 24.811)
    d = rivers.boat_distance_m(r, s, rc, sc)
    straight = geo.haversine_m(lon, lat, 113.576, 24.811)
    # along the (generalised) river line: longer than the crow flies, shorter than 1.6×
    assert 1.1 * straight < d < 1.6 * straight
    assert 45_000 < d < 80_000
    assert d == pytest.approx(rivers.length_m(wu) - float(s), abs=1000)


def test_boat_distance_nanxiong_to_lechang_via_confluence(rivers: boats.RiverIndex) -> None:
    wu, zhen = rivers.river_index("武江"), rivers.river_index("浈江")
    rn, sn, _ = rivers.project(*_point("雄州街道"))
    rl, sl, _ = rivers.project(*_point("乐城街道"))
    assert (int(rn), int(rl)) == (zhen, wu)
    d = rivers.boat_distance_m(rn, sn, rl, sl)
    via = (rivers.length_m(zhen) - float(sn)) + (rivers.length_m(wu) - float(sl))
    assert d == pytest.approx(via, abs=1.0)
    assert rivers.boat_distance_m(rl, sl, rn, sn) == pytest.approx(d)
    # tributary to tributary: 墨江 (始兴) → 南水 (乳源) passes 浈江 and 北江
    rm, sm, _ = rivers.project(*_point("太平镇"))
    rs, ss, _ = rivers.project(*_point("乳城镇"))
    assert rivers.names[int(rm)] == "墨江"
    assert rivers.names[int(rs)] == "南水"
    jm = next(j for j in rivers.junctions if j.river_a == "墨江")
    js = next(j for j in rivers.junctions if j.river_a == "南水")
    want = (
        (jm.s_a_m - float(sm))
        + (rivers.length_m(zhen) - jm.s_b_m)
        + js.s_b_m
        + (js.s_a_m - float(ss))
    )
    assert rivers.boat_distance_m(rm, sm, rs, ss) == pytest.approx(want, abs=1.0)


def test_boat_distance_grid_is_the_pairwise_distance_to_the_bit(rivers: boats.RiverIndex) -> None:
    # Points on every river (confluences crossed, unconnected rivers), off the rivers (-1)
    # and at the ends: the grid is every pair's `boat_distance_m`, bit for bit.
    rng = np.random.default_rng(7)
    n_rivers = len(rivers.names)
    ra = np.concatenate([rng.integers(-1, n_rivers, 40), [0, -1]])
    rb = np.concatenate([rng.integers(-1, n_rivers, 30), [0]])
    sa = np.concatenate([rng.uniform(0.0, 90_000.0, 40), [0.0, 5.0]])
    sb = np.concatenate([rng.uniform(0.0, 90_000.0, 30), [rivers.length_m(0)]])
    grid = rivers.boat_distance_grid_m(ra, sa, rb, sb)
    assert grid.shape == (rb.size, ra.size)
    pairs = rivers.boat_distance_m(ra[None, :], sa[None, :], rb[:, None], sb[:, None])
    assert np.array_equal(grid, pairs)
    assert np.isinf(grid).any()  # both kinds of answer
    assert np.isfinite(grid).sum() > 100
    one = rivers.boat_distance_m(int(ra[3]), float(sa[3]), int(rb[5]), float(sb[5]))
    assert grid[5, 3] == one


def test_boat_distance_unconnected_and_off_river(rivers: boats.RiverIndex) -> None:
    weng, wu = rivers.river_index("滃江"), rivers.river_index("武江")
    assert rivers.boat_distance_m(weng, 1000.0, wu, 1000.0) == np.inf
    assert rivers.boat_distance_m(-1, 0.0, wu, 1000.0) == np.inf
    # same river: plain chainage difference, vectorised
    d = rivers.boat_distance_m(wu, np.array([0.0, 5000.0]), wu, 2000.0)
    np.testing.assert_allclose(d, [2000.0, 3000.0])


# ---- launch points -----------------------------------------------------------------------


def test_launch_points_on_the_embedded_network(
    shaoguan: nw.RoadNetwork, rivers: boats.RiverIndex
) -> None:
    lp = boats.LaunchPoints.from_network(shaoguan, rivers)
    assert lp.n > 10
    assert np.all(lp.offset_m <= boats.MAX_OFFSET_M)
    assert len(np.unique(lp.node)) == lp.n
    lechang = shaoguan.town_index(geo.resolve_town("乐城街道").code)
    k = int(np.flatnonzero(lp.node == lechang)[0])
    assert rivers.names[lp.river[k]] == "武江"
    np.testing.assert_allclose(lp.access_s, nw.access_time_s(lp.offset_m))
    # the points are every node within max_offset_m of a river
    r, _, _ = rivers.project(shaoguan.lon, shaoguan.lat)
    np.testing.assert_array_equal(np.sort(lp.node), np.flatnonzero(r >= 0))


def test_launch_point_thinning(shaoguan: nw.RoadNetwork, rivers: boats.RiverIndex) -> None:
    full = boats.LaunchPoints.from_network(shaoguan, rivers, max_offset_m=10_000)
    thin = boats.LaunchPoints.from_network(shaoguan, rivers, max_offset_m=10_000, spacing_m=20_000)
    assert 0 < thin.n < full.n
    assert set(thin.node) <= set(full.node)
    bins = set()
    for r, s in zip(thin.river, thin.chainage_m, strict=True):
        key = (int(r), int(s // 20_000))
        assert key not in bins  # at most one point per river stretch
        bins.add(key)
    # the kept point of a stretch is the one nearest the water
    for r, b in bins:
        in_bin = (full.river == r) & (full.chainage_m // 20_000 == b)
        kept = thin.offset_m[(thin.river == r) & (thin.chainage_m // 20_000 == b)]
        assert kept[0] == pytest.approx(full.offset_m[in_bin].min())
    capped = boats.LaunchPoints.from_network(shaoguan, rivers, max_offset_m=10_000, max_points=2)
    assert np.all(np.bincount(capped.river) <= 2)


# ---- boat legs ---------------------------------------------------------------------------


def riverside_network() -> nw.RoadNetwork:
    """Three nodes: two on the synthetic river (s = 0 and 10 km), one inland."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    x10 = LON0 + 10_000 / geo.haversine_m(LON0, LAT, LON0 + 1, LAT)
    G.add_node(1, x=LON0, y=LAT)
    G.add_node(2, x=x10, y=LAT)
    G.add_node(3, x=113.1, y=24.9)  # 11 km north: not a launch point
    for u, v in [(1, 3), (3, 2)]:
        for a, b in [(u, v), (v, u)]:
            G.add_edge(a, b, length=10_000.0, travel_time=600.0)
    return nw.RoadNetwork.from_graph(G)


def test_boat_leg_picks_the_better_launch_point() -> None:
    idx = straight_index()
    net = riverside_network()
    lp = boats.LaunchPoints.from_network(net, idx)
    assert lp.n == 2
    np.testing.assert_allclose(lp.chainage_m, [0.0, 10_000.0], atol=1.0)
    np.testing.assert_allclose(lp.access_s, 0.0, atol=0.1)
    inc_s = 9_000.0
    v = 25.0 / 3.6
    road = np.array([[0.0, 600.0], [0.0, 5000.0], [np.inf, np.inf], [np.inf, 100.0]])
    total, best, road_s, boat_s = boats.boat_leg_s(
        lp, road, 0, inc_s, boat_speed_kph=25.0, launch_s=300.0
    )
    boat_m = np.abs(lp.chainage_m - inc_s)
    np.testing.assert_array_equal(best, [1, 0, -1, 1])
    want = [600 + 300 + boat_m[1] / v, 0 + 300 + boat_m[0] / v, np.inf, 100 + 300 + boat_m[1] / v]
    np.testing.assert_allclose(total, want, rtol=1e-3)
    np.testing.assert_allclose(total[[0, 1, 3]], (road_s + 300 + boat_s)[[0, 1, 3]])
    assert road_s[2] == np.inf
    assert boat_s[2] == np.inf
    # the incident's own offset is covered by boat too
    t2, *_ = boats.boat_leg_s(lp, road[:1], 0, inc_s, boat_speed_kph=25.0, launch_s=300.0,
                              incident_offset_m=500.0)  # fmt: skip
    assert t2[0] == pytest.approx(total[0] + 500 / v, rel=1e-6)
    # a cap on the boat leg rules out the far launch point
    t4, b4, _, _ = boats.boat_leg_s(
        lp, road[1:2], 0, inc_s, boat_speed_kph=25.0, launch_s=300.0, max_boat_m=5_000.0
    )
    assert int(b4[0]) == 1
    assert t4[0] == pytest.approx(5000 + 300 + boat_m[1] / v, rel=1e-3)
    # off the rivers: no boat option
    t3, b3, _, _ = boats.boat_leg_s(lp, road, -1, 0.0)
    assert np.all(np.isinf(t3))
    assert np.all(b3 == -1)
    with pytest.raises(ValueError, match="shape"):
        boats.boat_leg_s(lp, np.zeros((2, 3)), 0, inc_s)


def test_boat_leg_on_the_embedded_network(
    shaoguan: nw.RoadNetwork, rivers: boats.RiverIndex
) -> None:
    lp = boats.LaunchPoints.from_network(shaoguan, rivers)
    station = shaoguan.town_index(geo.resolve_town("新华街道").code)  # city centre
    road = shaoguan.travel_time_matrix([station], targets=lp.node)
    # an incident on the 武江 just below 乐昌
    wu = rivers.river_index("武江")
    _, s_l, _ = rivers.project(*_point("乐城街道"))
    inc_s = float(s_l) + 3000
    total, best, _road_s, _boat_s = boats.boat_leg_s(lp, road, wu, inc_s)
    assert np.isfinite(total[0])
    # brute force over every launch point
    boat_all = rivers.boat_distance_m(lp.river, lp.chainage_m, wu, inc_s) / (
        boats.BOAT_SPEED_KPH / 3.6
    )
    brute = road[0] + lp.access_s + boats.LAUNCH_S + boat_all
    assert total[0] == pytest.approx(brute.min())
    assert int(best[0]) == int(np.argmin(brute))
    assert lp.river[best[0]] == wu
