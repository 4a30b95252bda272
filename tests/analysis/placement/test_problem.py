"""Placement from a scenario (sim.analysis.placement.problem): demand weights in the right unit
(people for depots, incidents otherwise) and coverage thresholds in hours, on a hand-made case
where the right site is known.

Two towns far apart: 雄州街道 (南雄) has 50 incidents a year of 10 affected people each,
丰城街道 (新丰) 5 a year of 1,000 people. A depot serves people: 丰城 needs it (5,000 people a
year against 500); a fire station serves incidents: 雄州 needs it (50 against 5). 马坝镇 lies
1.59 h from 雄州 and 1.89 h from 丰城 by road, so only a coverage radius above 1.89 h lets one
site there cover both.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from sim.analysis.placement.problem import build_problem, solve, town_candidates
from sim.model.compile import prepare
from sim.scenario import scenario_from_dict
from sim.workflows.common import load_network
from tests.helpers import minimal

TOWNS = ("马坝镇", "丰城街道", "雄州街道")


@pytest.fixture(scope="module")
def case():
    data = minimal()
    data.update(horizon_days=365, seed=5)
    data["incidents"] = {
        name: {
            "label": {"zh": name, "en": name},
            "rate": {"per_year": rate},
            "where": {"model": "points", "points": [{"town": town, "weight": 1}]},
            "units": {"engine": 1},
            "affected_people": {"dist": "fixed", "value": people},
        }
        for name, rate, town, people in (("a", 50, "雄州街道", 10), ("b", 5, "丰城街道", 1000))
    }
    data["targets"] = [data["targets"][2]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loader's notices on this hand-made case
        sc = scenario_from_dict(data, source="test")
        net = load_network("shaoguan")
        prep = prepare(sc, net)
    cands = [c for c in town_candidates(net, prep.region) if c.name in TOWNS]
    return prep, cands


def _weights(problem) -> dict[str, float]:
    return dict(zip(problem.demand_towns, problem.weights, strict=True))


def test_depots_are_weighted_by_people_and_stations_by_incidents(case):
    """Weights per year averaged over 20 draws of the incident model: people (10 × 50 and
    1,000 × 5 a year) for a depot, incidents (50 and 5) for a fire station; within 4 standard
    deviations of the mean of 20 Poisson years (seed 5: 4,853 and 512 people, 51.2 and 4.85)."""
    prep, cands = case
    depot = build_problem(prep, "depot", candidates=cands, relocate=True)
    station = build_problem(prep, "fire_station", candidates=cands, relocate=True)
    assert (depot.weight_unit, station.weight_unit) == ("people/yr", "incidents/yr")
    wd, ws = _weights(depot), _weights(station)
    assert set(wd) == set(ws) == {"雄州街道", "丰城街道"}
    for town, rate, people in (("雄州街道", 50, 10), ("丰城街道", 5, 1000)):
        sd = math.sqrt(rate / 20)
        assert abs(ws[town] - rate) < 4 * sd
        assert wd[town] == pytest.approx(ws[town] * people)
    # Road times from every candidate to every demand town, in seconds.
    names = [c.name for c in depot.candidates]
    row = {n: depot.cost_s[k] for k, n in enumerate(names)}
    col = {t: j for j, t in enumerate(depot.demand_towns)}
    assert row["丰城街道"][col["丰城街道"]] == 0.0
    assert 1.5 * 3600 < row["马坝镇"][col["雄州街道"]] < row["马坝镇"][col["丰城街道"]] < 2 * 3600


def _chosen(problem, objective: str, **kw) -> str:
    res = solve(problem, objective, add=0, capacity=None, **kw)
    return problem.candidates[int(res.selected[0])].name


def test_one_site_goes_where_its_demand_is(case):
    """p-median with one site (relocating the existing one): the depot goes to 丰城, the
    station to 雄州; brute force over the candidates agrees."""
    prep, cands = case
    for kind, town in (("depot", "丰城街道"), ("fire_station", "雄州街道")):
        problem = build_problem(prep, kind, candidates=cands, relocate=True)
        total = problem.cost_s @ problem.weights
        assert problem.candidates[int(np.argmin(total))].name == town
        assert _chosen(problem, "pmedian", threshold_h=None) == town


def test_coverage_thresholds_are_hours(case):
    """MCLP, one depot: within 1.7 h 马坝 covers only 雄州 (512 people) and 丰城 only itself
    (4,853): 丰城. Within 2.0 h 马坝 covers both: 马坝 (the existing depot or the candidate)."""
    prep, cands = case
    depot = build_problem(prep, "depot", candidates=cands, relocate=True)
    assert _chosen(depot, "mclp", threshold_h=1.7) == "丰城街道"
    res = solve(depot, "mclp", add=0, threshold_h=2.0, capacity=None)
    maba = next(c.node for c in cands if c.name == "马坝镇")
    assert depot.candidates[int(res.selected[0])].node == maba
    assert res.objective == pytest.approx(depot.weights.sum())
