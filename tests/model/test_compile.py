"""Tests of sim.model.compile: the geography the incident generator samples from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import geo
from sim.model import compile as comp
from sim.model.compile import build_geography
from sim.scenario import load_scenario
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
