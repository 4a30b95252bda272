"""Tests of sim.model.replication: a replication without incidents is an empty table."""

from __future__ import annotations

import warnings

from sim.model.replication import run_replication
from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import compile_scenario
from tests.helpers import FOREST


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
