"""sim.analysis.summary: sections of metrics.json computed by hand from replication results."""

from __future__ import annotations

import dataclasses

import pytest

from sim.analysis.summary import summarise
from sim.model.replication import run_replication
from sim.results.files import clean
from sim.workflows.common import compile_scenario, load
from tests.helpers import SMALL


def test_isolation_section_by_hand() -> None:
    """Two replications of 30 days; 九峰镇 cut off 12 h in the first only (absent from the second),
    坪石镇 6 h in both: hours a year = total / 2 replications / (30 / 365.25 years); replications
    with isolation 1 and 2; isolation events 2 + 1 over 2 replications; road events summed."""
    sc = load(SMALL, horizon_days=30, replications=2)
    prep = compile_scenario(sc)
    base = [run_replication(prep, r) for r in range(2)]
    iso = [{"九峰镇": 12.0, "坪石镇": 6.0}, {"坪石镇": 6.0}]
    events = [2, 1]
    results = [
        dataclasses.replace(
            r, isolation_h=i, road_events={"rerouted": 4, "recalled": 1, "isolation_events": e}
        )
        for r, i, e in zip(base, iso, events, strict=True)
    ]
    m = summarise(prep, results)
    years = 30 / 365.25
    towns = m["isolation"]["towns"]
    assert set(towns) == {"九峰镇", "坪石镇"}
    assert towns["九峰镇"]["hours_per_year_mean"] == pytest.approx(12.0 / 2 / years)
    assert towns["九峰镇"]["replications_with_isolation"] == 1
    assert towns["坪石镇"]["hours_per_year_mean"] == pytest.approx(12.0 / 2 / years)
    assert towns["坪石镇"]["replications_with_isolation"] == 2
    assert m["isolation"]["isolation_events_per_year"] == pytest.approx(3 / 2 / years)
    assert m["road_events"] == {"rerouted": 8, "recalled": 2}
    # Towns cut off without an isolation event counted (cut off from the start): still reported.
    quiet = [
        dataclasses.replace(r, road_events={"rerouted": 0, "recalled": 0, "isolation_events": 0})
        for r in results
    ]
    again = summarise(prep, quiet)
    assert again["isolation"]["towns"] == towns
    assert again["isolation"]["isolation_events_per_year"] == 0.0


def test_staffing_section_is_that_of_resources() -> None:
    """A staffed scenario's metrics carry the staffing section of `staffing_section` under
    "staffing"; a scenario without staff has none."""
    from sim.analysis.resources import staffing_section
    from tests.helpers import SCENARIO_DATA

    sc = load(SCENARIO_DATA / "valid" / "centre_small.yaml", horizon_days=7, replications=2)
    prep = compile_scenario(sc)
    results = [run_replication(prep, r) for r in range(2)]
    m = summarise(prep, results)
    assert m["staffing"] == clean(staffing_section(prep, results))  # rounded as in metrics.json
    assert m["staffing"]  # the scenario has staff
    small = load(SMALL, horizon_days=7, replications=1)
    p2 = compile_scenario(small)
    assert "staffing" not in summarise(p2, [run_replication(p2, 0)])
