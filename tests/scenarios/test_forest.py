"""Forest fires through the whole simulator: targets, helicopters, detection coverage."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.analysis.validation import fire_checks
from sim.model.compile import prepare
from sim.model.incidents import generate_incidents
from sim.model.replication import incident_legs
from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import load_network
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
    # The 受害率 recomputed from the incident table: damaged hectares of the target's types per
    # replication-year, per mille of the forest area.
    t = res.table
    mask = np.isin(t["type"], burn["incident_types"])
    damaged_ha = float(np.nansum(np.asarray(t["damaged_ha"], dtype=float)[mask]))
    years = 60 / 365.25
    assert damaged_ha > 0
    expected = damaged_ha / 2 / years / burn["forest_area_ha"] * 1000
    assert burn["value"] == pytest.approx(expected, abs=5e-7)  # metrics.json keeps 6 decimals
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


def test_baseline_fire_sizes_match_the_south_china_statistics():
    """The calibrated baseline (30 replications, seed 20250101) against 广西 2016–2021.

    Reference: 8.34 ha burned over per fire, 35.5 % of fires with ≥ 1 ha damaged, none of 2,309
    with ≥ 100 ha damaged. Tolerances (those of docs/validation.md): mean within ±30 %, share
    within ±7 points, at most 0.5 % of fires ≥ 100 ha damaged. Margin: seeds 1–4 give 6.8–7.7 ha,
    34.2–37.5 % and 0–1 fire ≥ 100 ha of ~900 (`python run_scenario.py validate --seed 1 --out
    /tmp/v1.md`, ..., section 3); this seed 7.94 ha, 36.4 %, 1 of 903.
    """
    res = run_scenario(load_scenario(BASELINE), workers=2, plots=False)
    t = res.table
    fire = t["type"] == "forest_fire"
    burned, damaged = t["burned_ha"][fire], t["damaged_ha"][fire]
    assert fire.sum() > 800
    np.testing.assert_allclose(damaged, burned * 0.305)
    assert 0.7 * 8.34 <= burned.mean() <= 1.3 * 8.34
    assert abs((damaged >= 1).mean() - 820 / 2309) <= 0.07
    assert (damaged >= 100).mean() <= 0.005
    assert all(c.verdict == "ok" for c in fire_checks(burned, damaged))
    # The 受害率 uses damaged area: 0.305 of the area burned over.
    burn = res.metrics["targets"]["forest_burn_ratio"]
    assert burn["damaged_ha_per_year"] == pytest.approx(0.305 * burn["burned_over_ha_per_year"])
    assert burn["median"] <= burn["value"] * 1.5
    # The probability of a bad year is the share of replications (years) above the limit.
    above = np.asarray(burn["per_replication"]) > burn["max_per_mille"]
    assert burn["p_year_exceeds"] == pytest.approx(above.mean())


def test_comms_vehicles_do_not_walk_but_forest_crews_do():
    """On the simulator's own travel model (baseline, replication 0): at every forest fire a
    forest team and a comms vehicle from the same town differ by exactly the walk-in.

    Both are light vehicles with 300 s turnout (乐昌). The comms vehicle stops at the road end,
    `max_walk_m` = 2 km from the fire or at the node when the fire is nearer; the crew walks
    min(d, 2 km) × 1.3 at 2 km/h (d: straight line from the node to the fire).
    """
    prep = prepare(load_scenario(BASELINE), load_network("shaoguan"))
    inc = generate_incidents(prep.scenario, prep.geography, prep.population, 0)
    legs = incident_legs(prep, inc)
    fleet = prep.fleet
    labels = list(fleet.unit_labels)
    crew = labels.index("ff_lechang/forest_team#1")
    van = labels.index("fs_lechang/comms_vehicle#1")
    assert fleet.unit_facility[crew] != fleet.unit_facility[van]
    assert (
        fleet.facility_node[fleet.unit_facility[crew]]
        == fleet.facility_node[fleet.unit_facility[van]]
    )
    assert (prep.unit_walks[crew], prep.unit_walks[van]) == (True, False)
    fires = np.flatnonzero(inc.type_idx == inc.type_names.index("forest_fire"))
    assert fires.size > 10
    for i in fires:
        eta = legs.travel.eta_s(np.array([crew, van]), int(i), 0.0)
        walk_h = min(legs.dist_m[i], 2000.0) * 1.3 / 1000.0 / 2.0
        assert eta[0] - eta[1] == pytest.approx(walk_h * 3600.0)
        drive_s = max(legs.dist_m[i] - 2000.0, 0.0) * 1.4 / 1000.0 / 30.0 * 3600.0
        road = legs.travel.legs(van, int(i), 0.0).road_s
        assert road == pytest.approx(
            fleet.facility_access_s[fleet.unit_facility[van]]
            + legs.travel.road_rows(np.array([van]), int(legs.node[i]))[0]
            + drive_s
        )
