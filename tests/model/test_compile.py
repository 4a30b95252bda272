"""Tests of sim.model.compile: the geography the incident generator samples from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import geo
from sim.model.compile import build_geography
from sim.scenario import load_scenario

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
