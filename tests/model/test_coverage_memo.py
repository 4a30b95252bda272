"""Coverage over time with staff: the remembered crew answers change nothing.

The engine remembers, per station, whether a crew is on duty for its counted units until the
clock could change it (`StaffState.steady_until`) or a crew of the station leaves or returns,
and skips the covered-share computation when the same units stand at the same bases on the
same roads. Both are shortcuts only: with them switched off (every answer asked again, every
share recomputed) the coverage by hour of day, and everything else, is the same to the bit.
Checked on 60 days of the shipped baseline (staff rosters, call-backs, coverage of engines).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import engine as engine_mod
from sim.model.compile import prepare
from sim.model.replication import run_replication
from sim.model.staffing import StaffState
from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict
from sim.workflows.common import load_network
from tests.helpers import BASELINE


def test_coverage_is_the_same_without_the_shortcuts(monkeypatch: pytest.MonkeyPatch):
    data = scenario_to_dict(load_scenario(BASELINE))
    data["horizon_days"] = 60
    sc = scenario_from_dict(data, source=f"{BASELINE} (60 days)")
    prep = prepare(sc, load_network(sc.network))
    assert prep.staff is not None
    assert prep.rules is not None
    assert prep.rules.coverage is not None
    fast = run_replication(prep, 2)

    monkeypatch.setattr(StaffState, "steady_until", lambda self, u, f, t: t)
    original = engine_mod._Engine._coverage_changed

    def recompute(self):
        self.cov_key = None  # never skip the share
        original(self)

    monkeypatch.setattr(engine_mod._Engine, "_coverage_changed", recompute)
    slow = run_replication(prep, 2)

    assert fast.coverage_by_hour is not None
    # Engines are not always all manned (the share varies over the day): the test has
    # something to compare.
    assert np.ptp(fast.coverage_by_hour) > 0
    np.testing.assert_array_equal(fast.coverage_by_hour, slow.coverage_by_hour)
    for k in fast.incidents:
        np.testing.assert_array_equal(fast.incidents[k], slow.incidents[k], err_msg=k)
