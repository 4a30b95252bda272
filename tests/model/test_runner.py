"""Tests of sim.model.runner: points (whole scenarios) in order, whatever the parallelism."""

from __future__ import annotations

import numpy as np

from sim.model.runner import run_point, run_points
from sim.scenario import load_scenario
from sim.workflows.common import load_network
from tests.helpers import SMALL


def _first_arrivals(prep, results):
    """Reduce a point to its per-replication mean first arrival (a module-level function)."""
    return [float(np.nanmean(r.incidents["first_arrival_h"])) for r in results]


def test_points_come_back_in_order_and_equal_with_two_workers():
    """Each point is compiled, run and reduced in a worker; the order is the input order."""
    base = load_scenario(SMALL)
    scenarios = [base.model_copy(update={"seed": s, "horizon_days": 10.0}) for s in (1, 2, 3)]
    net = load_network(base.network)
    one = run_points(scenarios, net, 2, _first_arrivals, workers=1)
    two = run_points(scenarios, net, 2, _first_arrivals, workers=2)
    assert one == two
    assert one == [run_point(sc, net, 2, _first_arrivals) for sc in scenarios]
    assert len({tuple(x) for x in one}) == 3  # other seeds, other incidents
    done = []
    run_points(scenarios, net, 1, _first_arrivals, workers=2, progress=done.append)
    assert done == [1, 2, 3]
