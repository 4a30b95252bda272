"""Tests of sim.model.compile: network-only work shared between scenarios, within a bound."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import compile as comp
from sim.scenario import load_scenario
from sim.workflows.common import load_network
from tests.helpers import SMALL


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
