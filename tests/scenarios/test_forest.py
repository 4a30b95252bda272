"""Forest fires through the whole simulator: targets, helicopters, detection coverage."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.run import run_scenario
from tests.helpers import BASELINE, FOREST


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
