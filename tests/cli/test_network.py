"""The network command line: human output and the errors that exit 2."""

from __future__ import annotations

import osmnx as ox

from sim.cli import main


def test_network_human_summary_and_seat_times(capsys):
    assert main(["network", "--from", "浈江区", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "strongly connected" in out
    assert "乐城街道" in out
    assert "雄州街道" in out


def test_network_export_needs_graphml_suffix(tmp_path, capsys):
    assert main(["network", "--export", str(tmp_path / "x.txt")]) == 2
    assert ".graphml" in capsys.readouterr().err


def test_missing_and_corrupt_network_files_exit_2(tmp_path, capsys):
    assert main(["network", "--network", str(tmp_path / "none.graphml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><way", encoding="utf-8")
    assert main(["route", "乐昌", "南雄", "--network", str(bad)]) == 2
    assert "cannot read OSM file" in capsys.readouterr().err


def test_unknown_place_network_offline_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ox.settings, "nominatim_url", "http://127.0.0.1:9/")
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
    code = main(["network", "--network", "Atlantis, Nowhere", "--cache-dir", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot download 'Atlantis, Nowhere': no internet access" in err
    assert "supply a GraphML or .osm file" in err
