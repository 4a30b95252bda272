"""Tests of sim.model.replication: empty replications; the table with staff and aircraft rules."""

from __future__ import annotations

import warnings

import numpy as np

from sim.model.aircraft import AirState, build_air_plan
from sim.model.compile import prepare
from sim.model.incidents import generate_incidents
from sim.model.replication import incident_legs, run_replication
from sim.model.travel import MODE_AIR
from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import compile_scenario, load_network
from tests.helpers import FOREST, SCENARIO_DATA


def test_a_replication_without_incidents_gives_an_empty_table() -> None:
    """Forest fires and water points but a 15-minute horizon: no incident, no crash.

    (Found by the fuzz test: the fire plan reshaped an empty distance matrix.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = load_scenario(FOREST)
        short = scenario_from_dict(
            {**scenario_to_dict(base), "horizon_days": 0.01, "replications": 1}
        )
    prep = compile_scenario(short)
    assert prep.water_lon.size > 0  # the case that failed: water points present
    result = run_replication(prep, 0)
    assert len(result.incidents["id"]) == 0
    assert set(result.incidents) >= {"id", "type", "first_arrival_h", "burned_ha"}


DAY_S = 86400.0
CENTRE = SCENARIO_DATA / "valid" / "centre_small.yaml"


def test_incidents_outside_the_city_are_named_after_their_region_and_flown_to() -> None:
    """清远 incidents: county and town 清远市, no road leg, only aircraft arrive, a medevac
    mission each; the optional air_mission column is there and empty where nothing flew."""
    sc = load_scenario(CENTRE)
    prep = prepare(sc, load_network(sc.network))
    table = run_replication(prep, 0).incidents
    ext = table["type"] == "qingyuan_air"
    assert ext.any()
    assert set(table["county"][ext]) == {"清远市"}
    assert set(table["town"][ext]) == {"清远市"}
    assert np.isnan(table["access_h"][ext].astype(float)).all()
    assert set(table["air_mission"][ext]) == {"medevac"}
    arrived = ~np.isnan(table["first_arrival_h"][ext].astype(float))
    assert set(table["first_mode"][ext][arrived]) == {"air"}
    fires = table["type"] == "forest_fire"
    assert set(table["air_mission"][fires]) == {"bucket"}
    assert "" in set(table["air_mission"][table["type"] == "building_fire"])
    inside = ~ext
    assert "清远市" not in set(table["county"][inside])


def test_closures_agree_by_replication_and_differ_between_replications() -> None:
    """The roads a flood closes, and for how long, come from the replication's own streams:
    the same replication draws them again exactly; another replication draws others at the
    same 20 places. Seed 2025: 19 of 20 places close some road in each replication and the
    closed roads differ at all 20; the test asks for 10, so it does not hang on one draw."""
    from sim.model.replication import _draw_closures
    from sim.workflows.common import load
    from tests.helpers import BASELINE

    sc = load(BASELINE, horizon_days=30, start_date="2025-06-01")
    prep = prepare(sc, load_network(sc.network))
    spec = sc.incidents["flood"].disruption
    rng = np.random.default_rng(2025)
    lon = rng.uniform(113.3, 114.0, 20)
    lat = rng.uniform(24.6, 25.2, 20)
    a = _draw_closures(prep, spec, "flood", 0, lon, lat)
    again = _draw_closures(prep, spec, "flood", 0, lon, lat)
    b = _draw_closures(prep, spec, "flood", 1, lon, lat)
    assert all(np.array_equal(x[0], y[0]) and x[1] == y[1] for x, y in zip(a, again, strict=True))
    differ = sum(not np.array_equal(x[0], y[0]) for x, y in zip(a, b, strict=True))
    assert differ >= 10, differ
    assert all(x[1] != y[1] for x, y in zip(a, b, strict=True))
    assert sum(x[0].size > 0 for x in a) >= 10  # most places close some road


def test_the_fire_plan_of_a_replication_carries_bucket_duty_and_air_scaling() -> None:
    """centre_small's helicopters: range 667 km less a 20 % reserve = 533.6 km of usable fuel,
    at the default bucket speed of 130 km/h (36.1 m/s) 533.6 / 130 = 4.1046 h of bucket work,
    then a 30 min (0.5 h) fuel stop: on the fire 4.1046 / (4.1046 + 0.5) = 0.89141 of the time
    (ground units 1). Its forest fires ask one more helicopter per 20 ha (air_scaling); the
    other types none (inf ha)."""
    sc = load_scenario(CENTRE)
    prep = prepare(sc, load_network(sc.network))
    inc = generate_incidents(sc, prep.geography, prep.population, 0)
    air = AirState(build_air_plan(sc, prep.fleet, prep.unit_mode == MODE_AIR, 0, 61 * DAY_S))
    fires = incident_legs(prep, inc, air).fires
    assert fires is not None
    heli = prep.unit_mode == MODE_AIR
    assert heli.sum() == 2
    duty = 533.6 / 130 / (533.6 / 130 + 0.5)
    np.testing.assert_allclose(fires.unit_bucket_duty[heli], [duty, duty], rtol=1e-12)
    assert (fires.unit_bucket_duty[~heli] == 1.0).all()
    forest = np.array(inc.type_names)[inc.type_idx] == "forest_fire"
    assert forest.sum() > 0  # replication 0 draws forest fires (8 of 48 incidents)
    assert fires.air_scale_ha is not None
    assert (fires.air_scale_ha[forest] == 20.0).all()
    assert np.isinf(fires.air_scale_ha[~forest]).all()
