"""The engine's trip records are a log only: a run without them gives the same outcome.

Replications keep the per-trip records only when they are written (dispatch rules or severity
levels, `sim.model.replication._writes_trips`); every other run skips them for speed. The rules
themselves read unit positions, never the records, so switching the records off must change
nothing else. Checked on the busiest test scenario with both rules on, where cover moves,
diversions and reassignments all happen.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.model import replication as rep_mod
from sim.model.compile import prepare
from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import load_network
from tests.helpers import ROOT

HIGH_LOAD = ROOT / "tests" / "data" / "scenarios" / "valid" / "high_load.yaml"


def _prepared():
    data = scenario_to_dict(load_scenario(HIGH_LOAD))
    data["dispatch"] = {
        **data["dispatch"],
        "reassignment": {"returning": True, "divert": True, "max_priority": 1},
        "cover": {"unit_type": "engine", "donors_keep": 1, "max_travel_min": 30},
    }
    sc = scenario_from_dict(data, source=f"{HIGH_LOAD} (test variant)")
    return prepare(sc, load_network(sc.network))


def test_outcome_is_the_same_without_trip_records(monkeypatch: pytest.MonkeyPatch):
    prep = _prepared()
    assert rep_mod._writes_trips(prep)  # rules on: the records are kept
    with_log = rep_mod.simulate_replication(prep, 1).outcome
    monkeypatch.setattr(rep_mod, "_writes_trips", lambda prep: False)
    without = rep_mod.simulate_replication(prep, 1).outcome

    # The records exist and the rules acted in this run (else the comparison proves little).
    # (seed and scenario fixed: replication 1 has about 1,300 trips, of them 11 reassigned,
    # 15 diverted and 265 cover moves; one of each is enough here)
    seen = {(t.kind, t.end) for t in with_log.trip_log}
    assert {("cover", "released"), ("response", "diverted"), ("response", "reassigned")} <= seen
    assert without.trip_rows == ()
    for f in dataclasses.fields(with_log):
        if f.name == "trip_rows":
            continue
        a, b = getattr(with_log, f.name), getattr(without, f.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        else:
            assert a == b or (a != a and b != b), f.name
