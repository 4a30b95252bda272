"""Tests of sim.model.incidents: the forest sampler stops a search that cannot succeed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.model.compile import build_geography
from sim.model.incidents import sample_forest
from sim.scenario import load_scenario
from tests.helpers import MINIMAL


def test_forest_sampler_gives_up_on_an_impossible_distance() -> None:
    """No point of 武江区 lies 50 km from every seat: a ScenarioError, not an endless loop.

    (The validator refuses such a scenario first; this guards the sampler itself.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = load_scenario(MINIMAL)
    geography = build_geography(sc, sc.population_total)
    rng = np.random.default_rng(1)
    with pytest.raises(ScenarioError, match=r"only 0 of 3 points found 50,000 m from every town"):
        sample_forest(rng, geography, 3, ("武江区",), 50_000.0)
    lon, lat = sample_forest(rng, geography, 3, ("武江区",), 1_000.0)
    assert lon.shape == lat.shape == (3,)
