"""Sizing logic (sim.analysis.sizing): search order, the largest point, feasibility, the
cheapest configuration and the cost–performance frontier, on hand-made points."""

from __future__ import annotations

from sim.analysis.sizing import (
    cheapest,
    feasible,
    frontier,
    largest_index,
    search_order,
    statement,
)
from sim.analysis.sweep import parse_set


def _pt(index: int, cost: float, share: float, met: bool, burn: float = 1.0) -> dict:
    return {
        "index": index,
        "cost_per_year": cost,
        "setting": {"k": index},
        "feasible": met,
        "targets": {
            "a": {"measure": "first_arrival", "share": share, "met_95": met},
            "b": {"measure": "burn_ratio", "value": burn, "met_95": True},
        },
    }


def test_largest_point_is_the_last_of_the_grid() -> None:
    """Grid order is the cartesian product with the last key fastest: 3 × 2 → index 5."""
    params = [parse_set("a=3,1,2"), parse_set("b=10,20")]
    assert largest_index(params) == 5
    assert largest_index([parse_set("a=1")]) == 0


def test_search_order_is_by_cost_then_grid_order() -> None:
    assert search_order([5.0, 1.0, 3.0, 1.0]) == [1, 3, 2, 0]


def test_feasible_needs_every_chosen_target() -> None:
    t = {"a": {"met_95": True}, "b": {"met_95": False}}
    assert feasible(t, ["a"])
    assert not feasible(t, ["a", "b"])


def test_cheapest_feasible_point() -> None:
    pts = [_pt(0, 30, 0.9, True), _pt(1, 10, 0.5, False), _pt(2, 20, 0.8, True)]
    best = cheapest(pts)
    assert best is not None
    assert best["index"] == 2
    assert cheapest([_pt(0, 1, 0.1, False)]) is None


def test_frontier_keeps_points_no_cheaper_point_beats() -> None:
    """Costs 10, 20, 30, 40 with shares 0.5, 0.4, 0.8, 0.8: 20 is beaten by the cheaper 10,
    40 ties 30 at a higher cost. A ≤ measure is better when lower (burn ratio)."""
    pts = [
        _pt(0, 10, 0.5, False, burn=1.2),
        _pt(1, 20, 0.4, False, burn=1.1),
        _pt(2, 30, 0.8, True, burn=1.1),
        _pt(3, 40, 0.8, True, burn=1.0),
    ]
    assert frontier(pts, "a") == [0, 2]
    assert frontier(pts, "b") == [0, 1, 3]


def test_statement_names_the_cheapest_configuration() -> None:
    size = {
        "targets_chosen": ["a"],
        "cheapest": {"setting": {"x.count": 3}, "cost_per_year": 1.2e8},
        "stopped_because": "found",
    }
    assert statement(size, lang="en") == (
        "Cheapest configuration meeting a with 95% confidence: x.count = 3 "
        "(12,000 × 10,000 yuan per year)"
    )
    size |= {"cheapest": None, "stopped_because": "largest_fails"}
    assert "Even the largest configuration" in statement(size, lang="en")
    assert "最大的配置" in statement(size, lang="zh")
