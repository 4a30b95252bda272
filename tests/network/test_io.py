"""Tests of sim.network.io: GraphML and OSM XML files, place downloads and their errors."""

from __future__ import annotations

import bz2
import warnings

import networkx as nx
import osmnx as ox
import pytest

from sim import network as nw
from sim.errors import NetworkError
from sim.network import io
from tests.helpers import DATA
from tests.network.helpers import small_graph


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
    with pytest.raises(NetworkError, match=r"cannot read OSM file .*bad\.osm"):
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


AGS_PBF = DATA / "aguascalientes.osm.pbf"
AGS_BZ2 = DATA / "aguascalientes.osm.bz2"


@pytest.mark.parametrize("spec", ["shaoguan", str(AGS_PBF)])
def test_exported_graphml_passes_osmnx_geopackage_and_stats(tmp_path, spec):
    """save_graph → osmnx.load_graphml → save_graph_geopackage and basic_stats both work."""
    import geopandas as gpd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G = nw.graph_from_spec(spec)
    H = ox.load_graphml(nw.save_graph(G, tmp_path / "g.graphml"))
    ox.save_graph_geopackage(H, tmp_path / "g.gpkg", directed=True)
    edges = gpd.read_file(tmp_path / "g.gpkg", layer="edges")
    assert len(edges) == G.number_of_edges()
    stats = ox.stats.basic_stats(H)
    assert stats["n"] == len(G)
    assert stats["m"] == G.number_of_edges()
    assert stats["street_length_total"] > 0


def test_real_osm_extract_keeps_only_drivable_roads():
    """.osm.pbf and .osm.bz2 give the same graph; no footway, path, steps, pedestrian, railway."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = nw.graph_from_spec(str(AGS_PBF))
        b = nw.graph_from_spec(str(AGS_BZ2))
    assert sorted(a.nodes) == sorted(b.nodes)
    assert a.number_of_edges() == b.number_of_edges()
    kinds = set()
    for *_, d in a.edges(data=True):
        hw = d["highway"]
        kinds.update(hw if isinstance(hw, list) else [hw])
    assert kinds <= {"primary", "primary_link", "secondary", "secondary_link", "tertiary",
                     "tertiary_link", "residential", "living_street", "unclassified"}  # fmt: skip
    # the file has them, the graph must not
    raw = bz2.decompress(AGS_BZ2.read_bytes()).decode("utf-8")
    for excluded in ("footway", "path", "steps", "pedestrian", "service"):
        assert f'v="{excluded}"' in raw
    assert 'k="railway"' in raw or 'k="abandoned:railway"' in raw
    # speeds: tagged maxspeed wins; untagged residential takes the class default
    tagged = [d for *_, d in a.edges(data=True) if d.get("maxspeed") == "50"]
    assert tagged
    assert all(d["speed_kph"] == 50 for d in tagged)
    plain = [d for *_, d in a.edges(data=True)
             if d["highway"] == "residential" and "maxspeed" not in d]  # fmt: skip
    assert plain
    assert all(d["speed_kph"] == io.OSM_HWY_SPEEDS_KPH["residential"] for d in plain)


@pytest.mark.parametrize(
    ("tags", "drivable"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "primary", "maxspeed": "60"}, True),
        ({"highway": "footway"}, False),
        ({"highway": "path"}, False),
        ({"highway": "steps"}, False),
        ({"highway": "cycleway"}, False),
        ({"highway": "pedestrian"}, False),
        ({"highway": "residential", "access": "private"}, False),
        ({"highway": "residential", "motor_vehicle": "no"}, False),
        ({"railway": "rail"}, False),
        ({"leisure": "park"}, False),
        ({"barrier": "fence"}, False),
    ],
)
def test_drive_filter_is_osmnx_drive_network(tags, drivable):
    assert io.is_drivable(tags) is drivable


def test_bad_numbers_are_named_by_edge_and_counted(tmp_path):
    """Negative, NaN and text travel times, zero speeds: every bad edge counted, three named."""
    G = small_graph()
    edges = list(G.edges(keys=True))
    for (u, v, k), bad in zip(
        edges[:5], (-1.0, float("nan"), "fast", -0.5, float("inf")), strict=True
    ):
        G.edges[u, v, k]["travel_time"] = bad
    G.edges[edges[5]]["speed_kph"] = 0.0
    with pytest.raises(NetworkError) as info:
        nw.prepare_graph(G, source="grid.graphml")
    msg = str(info.value)
    assert msg.startswith("road network 'grid.graphml': 6 bad values: ")
    u, v, k = edges[0]
    assert f"edge {u}->{v} (key {k}): travel_time must be a finite number >= 0 (s), got -1.0" in msg
    assert msg.endswith("; and 3 more")


def test_nonsense_osm_speed_after_imputation_is_refused(tmp_path):
    """A `maxspeed: 0` tag gives speed 0: refused after filling in (it divided by zero)."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(3):
        G.add_node(i, x=113.6 + 0.01 * i, y=24.8)
    for a, b in ((0, 1), (1, 2), (2, 0)):
        G.add_edge(a, b, length=1000.0, highway="residential", maxspeed="0")
        G.add_edge(b, a, length=1000.0, highway="residential", maxspeed="0")
    with pytest.raises(
        NetworkError,
        match=r"after filling in speeds and times: 12 bad values: .*"
        r"speed_kph must be a finite number > 0 \(km/h\), got 0.0",
    ):
        nw.prepare_graph(G, source="tags.osm")


def test_a_projected_graph_with_a_bad_crs_is_a_network_error():
    """An unreadable `crs` attribute is named, not a pyproj traceback."""
    G = small_graph()
    G.graph["crs"] = "epsg:not-a-code"
    with pytest.raises(NetworkError, match="unknown coordinate reference system"):
        nw.prepare_graph(G, source="g.graphml")
