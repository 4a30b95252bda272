"""Tests of sim.analysis.sensitivity: SALib's designs and estimators against laws, the advice."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.sensitivity import (
    analyse_target,
    check_design,
    salib_problem,
    sample,
    verdict_share,
    what_to_measure,
)
from sim.errors import ScenarioError
from sim.scenario import Assumption, Resolved


def _resolved(aid: str, low: float, high: float, **kw) -> Resolved:
    a = Assumption(
        id=aid,
        label={"zh": aid, "en": aid},
        path="access.speed_kph",
        low=low,
        high=high,
        source="test",
        **kw,
    )
    return Resolved(assumption=a, paths=("access.speed_kph",), base=((low + high) / 2,))


def _linear_problem():
    resolved = [_resolved("x1", 0.0, 2.0), _resolved("x2", 10.0, 20.0), _resolved("x3", -1.0, 1.0)]
    return salib_problem(resolved)


def test_morris_of_a_linear_model_gives_slope_times_range():
    """For y = 3 x1 − 0.5 x2 + 0 x3 every elementary effect is slope × range (SALib divides the
    step by Δ in units of the range), so μ* = |slope| × (high − low), μ keeps the sign, σ = 0,
    and the ranking follows |slope| × range: x1 (6.0), x2 (5.0), x3 (0)."""
    problem = _linear_problem()
    X = sample(problem, "morris", trajectories=8, levels=4, seed=11)
    assert X.shape == (8 * 4, 3)
    y = 3.0 * X[:, 0] - 0.5 * X[:, 1] + 0.0 * X[:, 2]
    a = analyse_target(problem, X, y, "morris", levels=4, seed=11)
    rows = {r["id"]: r for r in a["inputs"]}
    assert [r["id"] for r in a["inputs"]] == ["x1", "x2", "x3"]
    assert rows["x1"]["mu_star"] == pytest.approx(3.0 * 2.0, rel=1e-9)
    assert rows["x1"]["mu"] == pytest.approx(6.0, rel=1e-9)
    assert rows["x2"]["mu_star"] == pytest.approx(0.5 * 10.0, rel=1e-9)
    assert rows["x2"]["mu"] == pytest.approx(-5.0, rel=1e-9)
    assert rows["x1"]["sigma"] == pytest.approx(0.0, abs=1e-9)
    assert rows["x3"]["mu_star"] == 0.0
    assert rows["x3"]["negligible"] is True
    assert rows["x1"]["negligible"] is False
    assert [r["rank"] for r in a["inputs"]] == [1, 2, 3]
    assert a["range"] == [pytest.approx(float(y.min())), pytest.approx(float(y.max()))]


def test_sobol_of_an_additive_model_follows_the_variance_decomposition():
    """y = 4 u1 + 2 u2 (u uniform on [0, 1]): S1 = ST = 16/20 and 4/20, and 0 for u3.

    Var(a u) = a²/12, so the shares are a_i² / Σ a_j². 2048 × 5 Saltelli points estimate
    them to about ±0.02; the margin is 0.05.
    """
    problem = salib_problem([_resolved("u1", 0, 1), _resolved("u2", 0, 1), _resolved("u3", 0, 1)])
    X = sample(problem, "sobol", samples=2048, seed=5)
    assert X.shape == (2048 * 5, 3)
    y = 4.0 * X[:, 0] + 2.0 * X[:, 1]
    a = analyse_target(problem, X, y, "sobol", seed=5)
    rows = {r["id"]: r for r in a["inputs"]}
    assert [r["id"] for r in a["inputs"]] == ["u1", "u2", "u3"]
    for k, want in (("u1", 0.8), ("u2", 0.2), ("u3", 0.0)):
        assert rows[k]["S1"] == pytest.approx(want, abs=0.05)
        assert rows[k]["ST"] == pytest.approx(want, abs=0.05)
        lo, hi = rows[k]["ST_ci95"]
        assert lo <= rows[k]["ST"] <= hi


def test_distributions_reach_salib_as_its_bounds():
    """triangular peaks become fractions of the width; loguniform and uniform keep their ends."""
    p = salib_problem(
        [
            _resolved("t", 10.0, 20.0, distribution="triangular", peak=12.5),
            _resolved("l", 1.0, 100.0, distribution="loguniform"),
            _resolved("u", 0.0, 1.0),
        ]
    )
    assert p["dists"] == ["triang", "logunif", "unif"]
    assert p["bounds"] == [[10.0, 20.0, 0.25], [1.0, 100.0], [0.0, 1.0]]
    X = sample(p, "morris", trajectories=20, levels=4, seed=1)
    assert X[:, 0].min() == pytest.approx(10.0)
    assert X[:, 0].max() == pytest.approx(20.0)
    assert X[:, 1].min() == pytest.approx(1.0)
    assert X[:, 1].max() == pytest.approx(100.0)
    assert sorted(set(np.round(X[:, 2], 9))) == pytest.approx([0, 1 / 3, 2 / 3, 1])


def test_the_same_seed_draws_the_same_points():
    """The design depends only on the problem, the settings and the seed."""
    p = _linear_problem()
    a = sample(p, "morris", trajectories=5, seed=3)
    assert np.array_equal(a, sample(p, "morris", trajectories=5, seed=3))
    assert not np.array_equal(a, sample(p, "morris", trajectories=5, seed=4))


@pytest.mark.parametrize(
    ("method", "kw", "needle"),
    [
        ("sobol", {"samples": 100}, "--samples: expected a power of 2"),
        ("morris", {"levels": 3}, "--levels: expected an even integer"),
        ("morris", {"trajectories": 1}, "--trajectories: expected an integer >= 2"),
        ("fast", {}, "--method: expected one of morris, sobol"),
    ],
)
def test_impossible_designs_name_the_option(method, kw, needle):
    """Design options are checked before anything runs, with the option as typed."""
    args = {"trajectories": 10, "levels": 4, "samples": 64} | kw
    with pytest.raises(ScenarioError, match=needle):
        check_design(method, **args)


def test_a_target_without_a_value_at_some_point_is_not_analysed():
    """A NaN (no incident of the target's types at a point) is reported, not estimated."""
    p = _linear_problem()
    X = sample(p, "morris", trajectories=2, seed=1)
    y = X[:, 0].copy()
    y[3] = np.nan
    a = analyse_target(p, X, y, "morris", seed=1)
    assert a == {
        "analysed": False,
        "reason": "no value at 1 of 8 points (no incident of its types?)",
    }
    with pytest.raises(ScenarioError, match="declares no assumptions"):
        salib_problem([])


def test_verdict_share_uses_the_measure_direction():
    """Shares must reach the requirement; the burn ratio must stay below its maximum."""
    share = {"measure": "first_arrival", "required_share": 0.9}
    assert verdict_share([0.95, 0.85, None, 0.9], share) == pytest.approx(2 / 3)
    burn = {"measure": "burn_ratio", "max_per_mille": 1.0}
    assert verdict_share([0.5, 1.5, 1.0, 2.0], burn) == 0.5
    assert verdict_share([None], burn) is None


def _target(share, inputs, measure="first_arrival"):
    return {
        "label": {"zh": "目标", "en": "Target"},
        "measure": measure,
        "met_share": share,
        "analysis": {"analysed": True, "index": "mu_star", "inputs": inputs},
    }


def _row(aid, mu_star, negligible=False):
    return {"id": aid, "mu_star": mu_star, "mu": mu_star, "sigma": 0.0, "negligible": negligible}


def test_what_to_measure_names_the_inputs_that_decide_an_uncertain_verdict():
    """Inputs of targets whose verdict changes within the ranges come first, by effect."""
    labels = {k: {"zh": f"输入{k}", "en": f"input {k}"} for k in "abcd"}
    targets = {
        "open": _target(0.4, [_row("a", 0.05), _row("b", 0.02), _row("c", 0.0, True)]),
        "settled": _target(1.0, [_row("d", 0.30), _row("a", 0.01)]),
        "flat": _target(0.0, [_row("c", 0.0, True)]),
    }
    en = what_to_measure(targets, labels, lang="en")
    assert en[0] == (
        "Target (open): the verdict depends on the assumptions: met at 40% of the points; "
        "moved most by input a (5.00 pp), input b (2.00 pp)."
    )
    assert en[1].startswith("Target (settled): the verdict is the same across the ranges (met ")
    assert "no input has a noticeable effect" in en[2]
    assert en[-1] == (
        "Measure first (largest effect on the targets whose verdict is uncertain): "
        "input a (open); input b (open)."
    )
    zh = what_to_measure(targets, labels, lang="zh")
    assert zh[0].startswith(
        "目标 (open)：结论取决于假设：40% 的样本点达标；影响最大的是 输入a（5.00 pp）"
    )
    assert zh[-1].startswith("优先核实")


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_a_target_that_never_moves_has_zero_effects(method):
    """A constant target (every relief in time at every point) gets zeros, not a 0/0."""
    p = _linear_problem()
    X = sample(p, method, trajectories=3, samples=8, seed=2)
    a = analyse_target(p, X, np.full(len(X), 1.0), method, seed=2)
    assert a["analysed"] is True
    assert a["constant"] is True
    key = "mu_star" if method == "morris" else "ST"
    assert [r[key] for r in a["inputs"]] == [0.0, 0.0, 0.0]
    assert all(r["negligible"] for r in a["inputs"])
