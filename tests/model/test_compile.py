"""Tests of sim.model.compile: the geography the incident generator samples from."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim import geo
from sim.model import compile as comp
from sim.model.compile import build_geography
from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import load_network
from tests.helpers import SMALL

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "shaoguan_baseline.yaml"


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_township_weights_sum_to_the_county_census(baseline) -> None:
    """The incident generator's town weights add up to the 2020 census of every county."""
    census = {c.name: c.population_2020 for c in geo.load_counties()}
    g = build_geography(baseline, sum(census.values()))
    counties = np.asarray(g.town_counties)
    for name, pop in census.items():
        assert g.town_weight[counties == name].sum() == pytest.approx(pop, abs=1e-6), name


def test_township_weights_follow_town_populations(baseline) -> None:
    """Weights are the towns' own populations, not an equal split: a market town outweighs a
    mountain township of the same county (乐昌: 坪石镇 vs 两江镇)."""
    total = sum(c.population_2020 for c in geo.load_counties())
    g = build_geography(baseline, total)
    towns = {t.name: t for t in geo.load_towns()}
    idx = {n: i for i, n in enumerate(g.town_names)}
    for name in ("坪石镇", "两江镇", "乐城街道"):
        assert g.town_weight[idx[name]] == pytest.approx(towns[name].population)
    assert g.town_weight[idx["坪石镇"]] > 4 * g.town_weight[idx["两江镇"]]


def test_scenario_population_rescales_every_county(baseline) -> None:
    """A scenario total of 2 × the census doubles every town, keeping the census shares."""
    total = sum(c.population_2020 for c in geo.load_counties())
    one = build_geography(baseline, total).town_weight
    two = build_geography(baseline, 2 * total).town_weight
    np.testing.assert_allclose(two, 2 * one)


def test_scenarios_on_one_network_share_read_only_matrices(monkeypatch):
    """A second scenario with the same facility sites reuses the matrices (not copies), which
    equal a fresh search and cannot be written; past the memory bound the oldest are dropped
    and searched again, with the same numbers."""
    net = load_network("shaoguan")
    base = load_scenario(SMALL)
    other = base.model_copy(update={"seed": 1})
    a = comp.prepare(base, net)
    b = comp.prepare(other, net)
    m = a.fleet.travel_out_s["heavy"]
    assert b.fleet.travel_out_s["heavy"] is m
    fresh = comp.facility_matrix(net, a.fleet.facility_node, profile="heavy")
    assert np.array_equal(m, fresh)
    with pytest.raises(ValueError, match="read-only"):
        m[0, 0] = 0.0
    monkeypatch.setattr(comp, "NETWORK_MEMO_BYTES", 1)
    moved = base.model_copy(update={"facilities": base.facilities[1:]})  # other sites
    c = comp.prepare(moved, net)
    assert len(comp._BY_NETWORK[net]) == 1  # only the newest entry is kept
    d = comp.prepare(base, net)  # searched again
    assert d.fleet.travel_out_s["heavy"] is not m
    assert np.array_equal(d.fleet.travel_out_s["heavy"], m)
    assert np.array_equal(d.fleet.travel_back_s["light"], a.fleet.travel_back_s["light"])
    assert c.fleet.travel_out_s["heavy"].shape[0] == len(base.facilities) - 1


def test_a_region_of_one_person_is_rescaled_to_the_scenario_population(tmp_path, baseline):
    """A loaded unit whose census counts 1 person (the smallest a non-empty unit can have),
    towns X (3 people in the town table) and Y (1): a scenario population of 8 puts
    8 × 3 / 4 = 6 people in X and 8 × 1 / 4 = 2 in Y; the census of 1 is a share like any
    other, not a total too small to rescale (0.75 and 0.25 would be left unscaled)."""
    square = [[[0.0, 0.0], [0.1, 0.0], [0.1, 0.1], [0.0, 0.1], [0.0, 0.0]]]
    unit = {"type": "Polygon", "coordinates": square}
    units = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "Solo", "population": 1}, "geometry": unit}
        ],
    }
    (tmp_path / "units.geojson").write_text(json.dumps(units), encoding="utf-8")
    (tmp_path / "towns.csv").write_text(
        "name,lon,lat,population\nX,0.02,0.05,3\nY,0.08,0.05,1\n", encoding="utf-8"
    )
    region = geo.load_region(
        name="独户",
        name_en="Solo",
        units=str(tmp_path / "units.geojson"),
        towns=str(tmp_path / "towns.csv"),
    )
    assert region.population_total == 1
    g = build_geography(baseline, 8, region)
    assert g.town_names == ("X", "Y")
    np.testing.assert_allclose(g.town_weight, [6.0, 2.0], rtol=1e-12)


def test_demand_on_the_network_gives_no_off_network_warning():
    """The small scenario's demand is the 105 towns of its population model (its river types
    are off the road by nature and not counted); every town seat is a node of the embedded
    network, at 0 m from it. Off the network (farther than 20,000 m): 0 of 105, a share of
    0 / 1 = 0, which is not above `OFF_NETWORK_WARN_SHARE` = 0: no warning."""
    sc = load_scenario(SMALL)
    net = load_network(sc.network)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        comp.prepare(sc, net)
    assert [str(w.message) for w in rec if "max_distance_m" in str(w.message)] == []


def test_relief_plan_carries_days_of_need_and_the_last_mile_in_seconds():
    """Relief of the small scenario with 2 kits per person and day for 3 days of need and a
    last mile of 0.5 h: the plan asks 2 × 3 = 6 kits per person, covers 3 days (the summary's
    days of need met) and adds 0.5 h × 3,600 s/h = 1,800 s after each unloading."""
    raw = scenario_to_dict(load_scenario(SMALL))
    raw["relief"] = {
        **raw["relief"],
        "per_person_per_day": {"relief_kit": 2},
        "days_of_need": 3,
        "last_mile_h": 0.5,
    }
    sc = scenario_from_dict(raw)
    plan = comp.prepare(sc, load_network(sc.network)).relief
    assert plan is not None
    assert plan.per_person.tolist() == [6.0]
    assert plan.days_of_need == 3.0
    assert plan.last_mile_s == 1800.0
