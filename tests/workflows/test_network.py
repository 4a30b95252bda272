"""The network command's results: JSON summary, seat times, GraphML export, map, OSM file."""

from __future__ import annotations

from pathlib import Path

import osmnx as ox

from sim import network as nw
from tests.helpers import DATA, run_json


def test_network_json_summary(capsys):
    out = run_json(capsys, "network")
    assert out["network"] == "shaoguan"
    assert out["counties"] == 10
    assert out["towns"] >= 97
    assert out["strongly_connected"] is True
    assert out["bridges"] > 0
    assert out["km_by_class"]["motorway"] > 0


def test_network_seat_times_json(capsys):
    out = run_json(capsys, "network", "--from", "Zhenjiang")
    rows = {r["county"]: r for r in out["seat_times"]}
    assert len(rows) == 10
    assert rows["浈江区"]["light_h"] == 0.0
    assert rows["乐昌市"]["light_h"] < 1.0
    assert all(r["heavy_h"] >= r["light_h"] for r in rows.values())


def test_network_export_round_trips_through_osmnx(tmp_path, capsys):
    """--export writes GraphML that osmnx.load_graphml reads back with identical travel_time."""
    path = tmp_path / "out" / "shaoguan.graphml"
    out = run_json(capsys, "network", "--export", str(path))
    assert Path(out["export"]) == path
    H = ox.load_graphml(path)
    G = nw.build_shaoguan_graph()
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    for u, v, k, d in G.edges(keys=True, data=True):
        assert H.edges[u, v, k]["travel_time"] == d["travel_time"]
    # and the exported file is itself a valid --network
    again = run_json(capsys, "network", "--network", str(path))
    assert again["nodes"] == out["nodes"]
    assert again["edges"] == out["edges"]


def test_network_map_png(tmp_path, capsys):
    path = tmp_path / "map.png"
    out = run_json(capsys, "network", "--map", str(path), "--lang", "en")
    assert Path(out["map"]) == path
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 50_000


def test_network_on_tiny_osm(capsys):
    out = run_json(capsys, "network", "--network", str(DATA / "tiny.osm"))
    assert out["strongly_connected"] is True
    assert out["bridges"] == 1
    assert out["towns"] == 0
