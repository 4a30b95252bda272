"""The route command line: human output and place names that exit 2."""

from __future__ import annotations

from sim.cli import main


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
    """A coordinate far from the network is refused with its distance (the network decides)."""
    assert main(["route", "1.0,2.0", "南雄"]) == 2
    err = capsys.readouterr().err
    assert "'1.0,2.0' is 12," in err
    assert "km from the nearest node of network" in err
