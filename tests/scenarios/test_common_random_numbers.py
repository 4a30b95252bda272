"""Directional checks under common random numbers: more resources never make a target worse."""

from __future__ import annotations

import math

import numpy as np

from sim.scenario import load_scenario
from sim.workflows.run import run_scenario
from tests.helpers import SMALL


def _shares(scenario):
    return run_scenario(scenario, workers=1, plots=False)


def test_adding_a_unit_never_lowers_a_target_share():
    """Common random numbers: one more water-rescue team does not lower the inland-water share."""
    sc = load_scenario(SMALL)
    base = _shares(sc)
    fac = list(sc.facilities)
    i = next(k for k, f in enumerate(fac) if "water_rescue_team" in f.units)
    units = dict(fac[i].units)
    units["water_rescue_team"] = units["water_rescue_team"].model_copy(
        update={"count": units["water_rescue_team"].count + 1}
    )
    fac[i] = fac[i].model_copy(update={"units": units})
    more = _shares(sc.model_copy(update={"facilities": tuple(fac)}))
    # Same incidents (CRN): identical onset times and places.
    np.testing.assert_array_equal(base.table["t_h"], more.table["t_h"])
    for tid, t in base.metrics["targets"].items():
        if "share" in t and t["share"] is not None:
            assert more.metrics["targets"][tid]["share"] >= t["share"] - 1e-12, tid


def test_removing_a_depot_never_shortens_relief():
    """Common random numbers: without a depot's stock, no first relief arrives earlier."""
    sc = load_scenario(SMALL)
    base = _shares(sc)
    fac = tuple(f.model_copy(update={"stock": {}}) if f.stock else f for f in sc.facilities)
    depots = [f for f in sc.facilities if f.stock]
    assert depots
    less = _shares(sc.model_copy(update={"facilities": fac}))
    a = base.table["relief_h"]
    b = less.table["relief_h"]
    mask = base.table["affected_people"] > 0
    assert mask.any()
    a = np.where(np.isnan(a), math.inf, a)[mask]
    b = np.where(np.isnan(b), math.inf, b)[mask]
    assert (b >= a).all()
    assert (
        less.metrics["targets"]["initial_relief"]["share"]
        <= base.metrics["targets"]["initial_relief"]["share"]
    )
