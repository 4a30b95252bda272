"""Sizing at least cost: search order, feasibility, the cheapest configuration, the frontier.

A sizing varies resources (units, staff per shift) over a grid like a sweep
(`sim.analysis.sweep`), but looks for the **cheapest** configuration meeting every chosen
target with 95 % confidence. Configurations are simulated in increasing order of annual cost
(`sim.analysis.resources.annual_cost`), so the first one that meets every target is the
cheapest of the grid; a few more are run for the cost–performance frontier. Before that, the
largest configuration (every key at its largest value) is run: if even it fails, no smaller one
can pass as long as more resources never make a target worse (the directional tests of
``tests/scenarios/test_staffing.py`` check this property on test scenarios), and the search
stops. Nothing here simulates, writes files or plots.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sim.analysis.sweep import Parameter, format_value, setting_text, short_key
from sim.results.measures import MEASURES


def feasible(targets: Mapping[str, Any], ids: Sequence[str]) -> bool:
    """Whether every target in `ids` is met with 95 % confidence (``met_95``)."""
    return all(bool(targets[t].get("met_95")) for t in ids)


def largest_index(params: Sequence[Parameter]) -> int:
    """Grid index of the point with every key at its last (largest) value."""
    idx = 0
    for p in params:
        idx = idx * len(p.values) + len(p.values) - 1
    return idx


def search_order(costs: Sequence[float]) -> list[int]:
    """Point indices in increasing cost (ties: grid order)."""
    return sorted(range(len(costs)), key=lambda k: (costs[k], k))


def performance(target: Mapping[str, Any]) -> float:
    """A target's estimate oriented so that larger is better (NaN when unknown)."""
    m = MEASURES[target["measure"]]
    v = m.value(target)
    if v is None or math.isnan(v):
        return math.nan
    return -v if m.lower_is_better else v


def frontier(points: Sequence[Mapping[str, Any]], tid: str) -> list[int]:
    """Indices (into `points`) of the cost–performance frontier of target `tid`.

    A point is on the frontier when no other point costs at most as much and performs
    strictly better, or costs strictly less and performs as well. Returned in cost order.
    """
    vals = [(float(p["cost_per_year"]), performance(p["targets"][tid])) for p in points]
    out = []
    for k, (c, v) in enumerate(vals):
        if math.isnan(v):
            continue
        dominated = any(
            (c2 <= c and v2 > v) or (c2 < c and v2 >= v)
            for j, (c2, v2) in enumerate(vals)
            if j != k and not math.isnan(v2)
        )
        if not dominated:
            out.append(k)
    return sorted(out, key=lambda k: (vals[k][0], k))


def cheapest(points: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The cheapest feasible point (ties: the one evaluated first), or None."""
    ok = [p for p in points if p["feasible"]]
    return min(ok, key=lambda p: (p["cost_per_year"], p["index"])) if ok else None


def statement(size: Mapping[str, Any], *, lang: str) -> str:
    """Plain-language result of a sizing (``lang`` in {"zh", "en"})."""
    zh = lang == "zh"
    ids = size["targets_chosen"]
    names = ", ".join(ids)
    best = size.get("cheapest")
    if best is not None:
        cost = best["cost_per_year"] / 1e4
        return (
            f"以 95% 置信度同时满足 {names} 的最低成本配置：{setting_text(best['setting'])}"
            f"（年成本 {cost:,.0f} 万元）"
            if zh
            else f"Cheapest configuration meeting {names} with 95% confidence: "
            f"{setting_text(best['setting'])} ({cost:,.0f} × 10,000 yuan per year)"
        )
    why = size.get("stopped_because")
    if why == "largest_fails":
        return (
            f"网格中最大的配置也不能以 95% 置信度同时满足 {names}；更小的配置不会更好，搜索停止"
            if zh
            else f"Even the largest configuration of the grid does not meet {names} with 95% "
            "confidence; smaller ones cannot do better, so the search stopped"
        )
    return (
        f"网格中没有任何配置能以 95% 置信度同时满足 {names}"
        if zh
        else f"No configuration of the grid meets {names} with 95% confidence"
    )


def setting_label(setting: Mapping[str, Any]) -> str:
    """Short ``key=value, …`` label of a setting (last segments of the keys)."""
    return ", ".join(f"{short_key(k)}={format_value(v)}" for k, v in setting.items())
