"""Tests of sim.analysis.compare: distinct labels, the common-random-numbers check.

Also the paired difference of sim.results.stats that compare reports for every target.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from sim.analysis.compare import distinct_labels, same_incidents
from sim.results.stats import paired_difference
from sim.scenario import load_scenario
from tests.helpers import SMALL


def test_paired_difference_matches_the_t_interval():
    """Mean and t-interval of d_r; NaN pairs dropped; the interval is not clipped to [0, 1]."""
    d = paired_difference([0.5, 0.7, 0.9, math.nan], [0.4, 0.5, 0.6, 0.3])
    half = stats.t.ppf(0.975, 2) * 0.1 / math.sqrt(3)
    assert d["n_pairs"] == 3
    assert d["diff"] == pytest.approx(0.2)
    assert d["ci95"] == pytest.approx([0.2 - half, 0.2 + half])
    assert d["ci95"][0] < 0  # would be clipped at 0 by a share interval
    assert d["significant"] is False
    assert d["per_replication"][3] is None
    one = paired_difference([0.5], [0.25])
    assert one["diff"] == 0.25
    assert one["ci95"] == [None, None]
    sig = paired_difference([0.9, 0.8, 0.85], [0.5, 0.55, 0.5])
    assert sig["significant"] is True
    with pytest.raises(ValueError, match="equal replication counts"):
        paired_difference([1.0, 2.0], [1.0])


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
