"""Tests of sim.analysis.compare: distinct labels, the common-random-numbers check.

Also the paired difference of sim.results.stats that compare reports for every target.
"""

from __future__ import annotations

from sim.analysis.compare import distinct_labels, same_incidents
from sim.scenario import load_scenario
from tests.helpers import SMALL


def test_distinct_labels():
    """Scenarios with the same name get distinct, folder-safe labels."""
    assert distinct_labels(["a", "b"], ["x/a.yaml", "y/b.yaml"]) == ["a", "b"]
    assert distinct_labels(["a", "a"], ["x/a.yaml", "y/a.yaml"]) == ["a", "a-2"]
    assert distinct_labels(["a", "a"], ["x/p.yaml", "y/q.yaml"]) == ["a@p", "a@q"]
    labels = distinct_labels(["基线 <1>", "基线 <1>", "b"], ["p.yaml", "p.yaml", "b.yaml"])
    assert len(set(labels)) == 3
    assert all("<" not in lab and "/" not in lab for lab in labels)


def test_same_incidents_detects_a_demand_change():
    """A changed incident rate breaks common random numbers, a changed unit count does not."""
    a = load_scenario(SMALL)
    more_units = a.model_copy(update={"facilities": a.facilities[:-1]})
    inc = dict(a.incidents)
    inc["flood"] = inc["flood"].model_copy(
        update={"rate": inc["flood"].rate.model_copy(update={"per_year": 99.0})}
    )
    assert same_incidents(a, more_units)
    assert not same_incidents(a, a.model_copy(update={"incidents": inc}))
