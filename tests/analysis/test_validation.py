"""The validation checks: Erlang C by hand, verdict rules on made-up numbers, the page."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.validation import (
    GX_BURNED_OVER_HA,
    GX_FIRES,
    call_checks,
    erlang_c,
    expected_calls_per_year,
    fire_checks,
    load_reference_routes,
    markdown,
    mmc_waits,
    queue_checks,
    route_checks,
)
from sim.geo import resolve_place


def test_erlang_c_by_hand() -> None:
    """M/M/4 with a = 3: P(wait) = 13.5 / (13 + 13.5), Wq = P / (4 − 3) h; M/M/1: ρ, ρ/(μ − λ)."""
    p, wq = erlang_c(3.0, 1.0, 4)
    assert p == pytest.approx(13.5 / 26.5)
    assert wq == pytest.approx(13.5 / 26.5)
    assert erlang_c(0.5, 1.0, 1) == (pytest.approx(0.5), pytest.approx(1.0))
    with pytest.raises(ValueError, match="lam/mu < c"):
        erlang_c(4.0, 1.0, 4)


def test_engine_waits_give_an_ok_verdict_and_a_wrong_engine_would_not() -> None:
    """The engine's M/M/2 waits (ρ = 0.5) bracket Erlang C; waits of 0 are flagged."""
    waits, shares = mmc_waits(1.0, 1.0, 2, hours=3000.0, replications=8, seed=7)
    assert [c.verdict for c in queue_checks(1.0, 1.0, 2, waits, shares)] == ["ok", "ok"]
    wrong = queue_checks(1.0, 1.0, 2, [0.0] * 8, [0.0] * 8)
    assert [c.verdict for c in wrong] == ["off", "off"]


def test_fire_checks_follow_their_rules() -> None:
    """Fires at exactly the 广西 mean pass; ten times larger fail; one in 100 large fails."""
    mean = GX_BURNED_OVER_HA / GX_FIRES
    burned = np.full(1000, mean)
    damaged = np.r_[np.full(355, 2.0), np.full(645, 0.5)]  # 35.5 % with ≥ 1 ha damaged
    assert [c.verdict for c in fire_checks(burned, damaged)] == ["ok", "ok", "ok"]
    big = fire_checks(burned * 10, np.r_[np.full(10, 150.0), np.full(990, 0.5)])
    assert [c.verdict for c in big] == ["off", "off", "off"]


def test_call_checks_scale_guangdong_per_resident() -> None:
    """广东 per resident × population; shares over the classified types; road traffic share."""
    low, high = expected_calls_per_year(2_855_131)
    assert low == pytest.approx(177_000 / 127_060_000 * 2_855_131)
    assert high == pytest.approx(167_000 * 366 / 305 / 127_060_000 * 2_855_131)
    per_year = {"fire": 1300.0, "rescue": 1600.0, "traffic": 200.0, "help": 1150.0, "x": 5.0}
    cats = {
        "fire": "fire",
        "rescue": "rescue",
        "traffic": "road_traffic",
        "help": "social_assistance",
        "x": None,
    }
    checks = call_checks(per_year, cats, 2_855_131)
    assert [c.verdict for c in checks] == ["ok"] * 5
    assert "x without call_category left out" in checks[1].item
    few = call_checks({"fire": 600.0, "traffic": 520.0}, cats, 2_855_131)
    # Total, fire share (54 %), social assistance (0 %) and road traffic (46 %) are off; the
    # rescue share (46 %, traffic included) is within 10 points of 41 %.
    assert [c.verdict for c in few] == ["off", "off", "ok", "off", "off"]


def test_reference_routes_resolve_and_compare() -> None:
    """Every row names two resolvable places and at least one figure; ±25 % decides."""
    routes = load_reference_routes()
    assert routes
    for r in routes:
        resolve_place(r.origin)
        resolve_place(r.destination)
        assert r.road_km is not None or r.time_h is not None
        assert r.source
    first = routes[0]

    def fake(a: str, b: str) -> dict:
        km = first.road_km or 10.0
        h = first.time_h or 1.0
        return {"length_km": km * 1.2, "travel_time_h": h * 1.3, "refs": ["G0"]}

    checks = route_checks([first], fake)
    by_unit = {c.item.split(": ")[1].split(" (")[0]: c.verdict for c in checks}
    assert by_unit.get("road distance", "ok") == "ok"  # +20 %
    assert by_unit.get("light-vehicle time", "off") == "off"  # +30 %


def test_page_has_every_section_and_counts_verdicts() -> None:
    """The page lists the four sections in order and says how many checks are ok."""
    checks = queue_checks(3.0, 1.0, 4, [0.45, 0.55, 0.5, 0.52], [0.48, 0.53, 0.5, 0.52])
    page = markdown(checks, intro=["intro line"])
    assert page.startswith("# Validation (generated)\n\nintro line\n")
    assert "**2 of 2 checks ok.**" in page
    order = [page.index(s) for s in ("## 1.", "## 2.", "## 3.", "## 4.")]
    assert order == sorted(order)
    assert page.count("No reference figures.") == 3
