"""Tests of the ``network`` and ``route`` commands (sim.cli.main and a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import osmnx as ox
import pytest

from sim import network as nw
from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_network_json_summary(capsys):
    out = run_json(capsys, "network")
    assert out["network"] == "shaoguan"
    assert out["counties"] == 10
    assert out["towns"] >= 97
    assert out["strongly_connected"] is True
    assert out["bridges"] > 0
    assert out["km_by_class"]["motorway"] > 0


def test_network_human_summary_and_seat_times(capsys):
    assert main(["network", "--from", "浈江区", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "strongly connected" in out
    assert "乐城街道" in out
    assert "雄州街道" in out


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


def test_network_export_needs_graphml_suffix(tmp_path, capsys):
    assert main(["network", "--export", str(tmp_path / "x.txt")]) == 2
    assert ".graphml" in capsys.readouterr().err


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


def test_route_between_county_seats(capsys):
    out = run_json(capsys, "route", "乐城街道", "南雄市")
    assert out["from"]["label"] == "乐城街道"
    assert out["to"]["label"] == "雄州街道"
    assert out["towns"][0] == "乐城街道"
    assert out["towns"][-1] == "雄州街道"
    assert 1.0 < out["travel_time_h"] < 3.0
    assert out["length_km"] > 90
    assert out["from"]["access_m"] == 0.0
    assert "G6011" in out["refs"] or "G323" in out["refs"]


def test_route_heavy_is_slower(capsys):
    light = run_json(capsys, "route", "Lechang", "Xinfeng")
    heavy = run_json(capsys, "route", "Lechang", "Xinfeng", "--profile", "heavy")
    assert heavy["travel_time_h"] > light["travel_time_h"]
    assert heavy["profile"] == "heavy"


def test_route_from_coordinates_adds_access_leg(capsys):
    """lon,lat snaps to the nearest node; the access leg is 30 km/h × 1.4 on the straight line."""
    out = run_json(capsys, "route", "113.9,24.4", "乐昌")
    a = out["from"]
    assert a["access_m"] > 1000
    assert a["access_s"] == pytest.approx(nw.access_time_s(a["access_m"]), abs=0.1)
    total_h = (a["access_s"] + out["network_time_h"] * 3600) / 3600
    assert out["travel_time_h"] == pytest.approx(total_h, abs=2e-3)
    assert out["length_km"] > out["network_length_km"]


def test_route_human_output(capsys):
    assert main(["route", "Lechang", "113.60,24.70"]) == 0
    out = capsys.readouterr().out
    assert "travel time" in out
    assert "access to" in out
    assert "km/h" in out


def test_unknown_place_name_exits_2_with_suggestions(capsys):
    assert main(["route", "乐城x", "南雄"]) == 2
    err = capsys.readouterr().err
    assert "unknown place '乐城x'" in err
    assert "乐城街道" in err


def test_coordinate_outside_city_exits_2(capsys):
    assert main(["route", "1.0,2.0", "南雄"]) == 2
    assert "outside Shaoguan" in capsys.readouterr().err


def test_missing_and_corrupt_network_files_exit_2(tmp_path, capsys):
    assert main(["network", "--network", str(tmp_path / "none.graphml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><way", encoding="utf-8")
    assert main(["route", "乐昌", "南雄", "--network", str(bad)]) == 2
    assert "cannot read OSM XML file" in capsys.readouterr().err


def test_unknown_place_network_offline_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ox.settings, "nominatim_url", "http://127.0.0.1:9/")
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
    code = main(["network", "--network", "Atlantis, Nowhere", "--cache-dir", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot download 'Atlantis, Nowhere': no internet access" in err
    assert "supply a GraphML or .osm file" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["network", "--network", "/nonexistent/roads.graphml"], "does not exist"),
        (["route", "Nowhereville", "乐昌"], "unknown place"),
    ],
)
def test_errors_in_a_real_process_have_no_traceback(argv, needle):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_scenario.py"), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ")
