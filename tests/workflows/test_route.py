"""The route command's results: county seats, vehicle profiles, the access leg."""

from __future__ import annotations

import pytest

from sim import network as nw
from tests.helpers import run_json


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
