"""The network command's results: JSON summary, seat times, GraphML export, map, OSM file."""

from __future__ import annotations

from pathlib import Path

import osmnx as ox
import pytest

from sim import network as nw
from sim.cli import main
from tests.helpers import AGS, DATA, run_json


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


def test_seat_table_follows_the_scenario_region(capsys):
    """network --scenario Aguascalientes --from: one row per unit, to its most populous town
    (Zona Centro ties San Marcos at 30,000: the first in the file), times as `route` gives."""
    out = run_json(capsys, "network", "--scenario", str(AGS), "--from", "Zona Centro")
    assert out["network"].endswith("aguascalientes.osm.pbf")
    rows = {r["county"]: r for r in out["seat_times"]}
    assert list(rows) == ["Centro Poniente", "Centro Oriente"]
    assert rows["Centro Poniente"]["seat"] == "Zona Centro"
    assert rows["Centro Poniente"]["light_h"] == 0.0  # from the seat to itself
    assert rows["Centro Oriente"]["seat"] == "La Purísima"
    # the same trip between the two towns' coordinates with the route command
    route = run_json(capsys, "route", "-102.2720,21.8690", "-102.2670,21.8700",
                     "--network", out["network"])  # fmt: skip
    assert rows["Centro Oriente"]["light_h"] == pytest.approx(route["network_time_h"], abs=0.006)
    assert 0 < rows["Centro Oriente"]["light_h"] <= rows["Centro Oriente"]["heavy_h"]


def test_seat_table_on_another_places_network_exits_2(capsys):
    """Aguascalientes' region on the Shaoguan network: exit 2 naming the distance."""
    code = main(["network", "--scenario", str(AGS), "--network", "shaoguan", "--from",
                 "Zona Centro"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "km from the nearest node" in err
    assert "13,5" in err  # Aguascalientes to Shaoguan: about 13,500 km


def test_network_map_of_a_loaded_region(tmp_path, capsys):
    """network --scenario --map draws the region's map (a PNG) for its OSM network."""
    path = tmp_path / "ags.png"
    out = run_json(capsys, "network", "--scenario", str(AGS), "--map", str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out["nodes"] > 500
