"""Forest fires and aviation through the whole simulator: targets, helicopters, night, physics."""

from __future__ import annotations

import itertools
import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from sim.model.engine import FirePlan, simulate
from sim.model.travel import AirFleet, TravelModel
from sim.physics import aviation
from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.run import run_scenario
from tests.engine_helpers import make_fleet, make_incidents

ROOT = Path(__file__).resolve().parents[1]
FOREST = ROOT / "tests" / "data" / "scenarios" / "valid" / "forest_small.yaml"
BASELINE = ROOT / "scenarios" / "shaoguan_baseline.yaml"


def _with(sc, **changes):
    """Return a validated copy of scenario `sc` with top-level keys replaced."""
    return scenario_from_dict({**scenario_to_dict(sc), **changes}, source="test")


def _set_units(sc, facility_id: str, unit: str, count: int):
    data = scenario_to_dict(sc)
    for f in data["facilities"]:
        if f["id"] == facility_id:
            f["units"][unit]["count"] = count
    if count == 0:  # the loader rightly warns that nobody can answer the helicopter request
        with pytest.warns(UserWarning, match="no facility has"):
            return scenario_from_dict(data, source="test")
    return scenario_from_dict(data, source="test")


def test_baseline_metrics_hold_forest_targets(tmp_path):
    """The baseline's metrics.json holds forest_fire_24h and forest_burn_ratio (short run)."""
    sc = _with(load_scenario(BASELINE), horizon_days=60, replications=2)
    res = run_scenario(sc, out=tmp_path / "b", workers=1, plots=False)
    m = json.loads((tmp_path / "b" / "metrics.json").read_text(encoding="utf-8"))
    assert m == res.metrics
    f24 = m["targets"]["forest_fire_24h"]
    burn = m["targets"]["forest_burn_ratio"]
    assert 0 <= f24["share"] <= 1
    assert f24["n_incidents"] > 0
    assert burn["value"] >= 0
    assert burn["max_per_mille"] == 1
    assert "helicopter" in m["utilisation"]["by_unit_type"]
    assert m["utilisation"]["by_unit_type"]["helicopter"]["flight_hours_per_unit_per_year"] > 0


def _far_fire_mask(res, prep) -> np.ndarray:
    """Fires more than 30 km (straight line) from every forest-fire team."""
    from sim.geo import haversine_m

    fleet = prep.fleet
    k = fleet.type_names.index("forest_team")
    facs = np.unique(fleet.unit_facility[fleet.units_of_type[k]])
    t = res.table
    d = haversine_m(
        t["lon"][:, None],
        t["lat"][:, None],
        prep.facility_lon[facs][None, :],
        prep.facility_lat[facs][None, :],
    )
    return np.asarray(d).min(axis=1) > 30_000


def test_adding_a_helicopter_never_lowers_24h_share_and_speeds_far_fires():
    """Common random numbers, 0 → 1 → 2 helicopters: the 24 h share never drops.

    Far fires are reached sooner.
    """
    sc0 = _set_units(load_scenario(FOREST), "centre", "helicopter", 0)
    runs = [
        run_scenario(_set_units(sc0, "centre", "helicopter", n), workers=1, plots=False)
        for n in (0, 1, 2)
    ]
    shares = [r.metrics["targets"]["forest_fire_24h"]["share"] for r in runs]
    assert shares[0] <= shares[1] <= shares[2], shares
    # Identical fires in all three runs (CRN).
    np.testing.assert_array_equal(runs[0].table["t_h"], runs[1].table["t_h"])
    far = _far_fire_mask(runs[0], runs[0].prepared)
    assert far.sum() >= 5
    first = [np.nanmean(r.table["first_arrival_h"][far]) for r in runs]
    assert first[1] < first[0], first
    assert first[2] <= first[1] + 1e-9, first
    # No far fire is reached later with the helicopter than without.
    a0, a1 = runs[0].table["first_arrival_h"][far], runs[1].table["first_arrival_h"][far]
    assert (np.nan_to_num(a1, nan=np.inf) <= np.nan_to_num(a0, nan=np.inf) + 1e-9).all()


def _one_fire(
    t_s: float, *, ros: float, heli: bool, detect_s: float = 0.0, ground_travel_s: float = 7200.0
):
    """Simulate one fire on an abstract network: one ground team and optionally one helicopter."""
    units = [(0, 0)] + ([(1, 1)] if heli else [])
    fleet = make_fleet([[ground_travel_s], [ground_travel_s]], units, n_types=2)
    inc = make_incidents([t_s], [3600.0])
    need = np.array([[1, 1 if heli else 0]])
    from sim.model.engine import Demand

    demand = Demand(units=need, priority=np.array([1]))
    mode = np.array([0] + ([1] if heli else []))
    air = AirFleet(
        speed_m_per_s=np.array([np.nan, 0.8 * 232 / 3.6][: len(units)]),
        night_capable=np.zeros(len(units), dtype=bool),
        base_lon=np.array([113.60, 113.60][: len(units)]),
        base_lat=np.array([24.80, 24.80][: len(units)]),
    )
    inc = inc.__class__(
        **{
            **{f: getattr(inc, f) for f in inc.__dataclass_fields__},
            "lon": np.array([113.9]),
            "lat": np.array([24.9]),
        }
    )
    start = date(2025, 1, 15)
    travel = TravelModel(
        fleet,
        node=np.zeros(1, dtype=np.int64),
        access_s=np.zeros(1),
        walk_s=np.zeros(1),
        lon=inc.lon,
        lat=inc.lat,
        unit_mode=mode,
        air=air,
        start=start,
    )
    n_u = len(units)
    plan = FirePlan(
        is_fire=np.array([True]),
        ros_m_per_h=np.array([ros]),
        lb_ratio=np.array([2.0]),
        back_ratio=np.array([0.1]),
        night_factor=np.array([0.4]),
        initial_radius_m=np.array([0.0]),
        step_s=np.array([600.0]),
        water_dist_m=np.array([10_000.0]),
        unit_fireline_m_per_h=np.array([150.0, 0.0][:n_u]),
        unit_line_per_drop_m=np.array([0.0, 30.0][:n_u]),
        unit_bucket_speed_kph=np.array([np.nan, 130.0][:n_u]),
        unit_fill_s=np.array([0.0, 90.0][:n_u]),
        unit_drop_s=np.array([0.0, 30.0][:n_u]),
        unit_night_capable=np.zeros(n_u, dtype=bool),
        start=start,
    )
    return simulate(
        fleet,
        inc,
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        demand,
        relief=None,
        until_s=30 * 86400.0,
        travel=travel,
        fires=plan,
        report_s=np.array([t_s + detect_s]),
    ), start


def test_no_helicopter_flies_at_night():
    """A fire reported at 23:00 gets its helicopter only after sunrise (and before sunset)."""
    t = 23 * 3600.0
    # Fast enough that one ground team cannot hold it overnight, so the helicopter is still needed.
    out, start = _one_fire(t, ros=400.0, heli=True)
    sunrise = aviation.next_daylight_start_s(t, start, 24.81, 113.60)
    assert sunrise > t + 6 * 3600  # next morning
    assert out.first_air_arrival_s[0] > sunrise
    assert aviation.is_daylight(out.first_air_arrival_s[0], start, 24.81, 113.60)
    # The ground team drove through the night and was first.
    assert out.first_ground_arrival_s[0] == pytest.approx(t + 7200.0)
    assert out.first_mode[0] == "road"


def test_zero_growth_fire_is_out_when_the_first_crew_arrives():
    """Zero rate of spread and initial size: contained the moment the first crew is on scene."""
    out, _ = _one_fire(10 * 3600.0, ros=0.0, heli=False)
    assert out.contained_s[0] == pytest.approx(out.first_arrival_s[0])
    assert out.burned_ha[0] == 0.0


@pytest.mark.parametrize("t_h", [2.0, 10.0, 15.0])
def test_burned_area_grows_with_detection_delay(t_h):
    """The later a fire is reported, the larger it is when contained (same crews, same fire)."""
    areas = [
        _one_fire(t_h * 3600.0, ros=80.0, heli=False, detect_s=d * 3600.0)[0].burned_ha[0]
        for d in (0, 1, 3, 6)
    ]
    assert all(b >= a for a, b in itertools.pairwise(areas)), areas
    assert areas[-1] > areas[0]


def test_lower_detection_coverage_burns_more_forest():
    """Scenario level, CRN: worse lookout coverage never lowers total burned area."""
    base = load_scenario(FOREST)
    data = scenario_to_dict(base)
    data["incidents"]["forest_fire"]["fire"]["detection"] = {"coverage": 0.2}
    worse = scenario_from_dict(data, source="test")
    a = run_scenario(base, workers=1, plots=False).table
    b = run_scenario(worse, workers=1, plots=False).table
    assert np.all(b["report_h"] >= a["report_h"] - 1e-12)
    assert np.nansum(b["burned_ha"]) > np.nansum(a["burned_ha"])


def test_flight_window_rule():
    """Take-off waits for daylight and a flight must land before sunset."""
    from sim.model.travel import next_flight_window

    start = date(2025, 6, 21)
    rise, sset = aviation.sun_times(24.81, 113.60, start)
    assert next_flight_window(2 * 3600.0, 1800.0, start) == pytest.approx(rise * 3600, abs=1)
    late = sset * 3600 - 600  # 10 min before sunset, 30 min flight: wait for tomorrow
    nxt = next_flight_window(late, 1800.0, start)
    assert nxt > 86400
    assert math.isfinite(nxt)
