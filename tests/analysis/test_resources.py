"""Costs, staff and aircraft sections of a run (sim.analysis.resources), by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.resources import STAFFING_COLUMNS, annual_cost, staffing_rows, staffing_section
from sim.model.compile import prepare
from sim.model.runner import run_replications
from sim.scenario import load_scenario
from sim.workflows.common import load_network
from tests.helpers import SCENARIO_DATA, SMALL

CENTRE = SCENARIO_DATA / "valid" / "centre_small.yaml"


def test_annual_cost_by_hand() -> None:
    """centre_small: 2 engines × 40万 + 2 helicopters × 3,000万; posts: 24 firefighters × 13万,
    8 pilots × 80万 (4 a day, two watches), 8 aircrew × 30万."""
    c = annual_cost(load_scenario(CENTRE))
    assert c["by_unit_type"] == {"engine": 800_000.0, "helicopter": 60_000_000.0}
    assert c["posts_by_role"] == {"firefighter": 24, "pilot": 8, "aircrew": 8}
    assert c["by_role"] == {
        "firefighter": 24 * 130_000.0,
        "pilot": 8 * 800_000.0,
        "aircrew": 8 * 300_000.0,
    }
    assert c["total_per_year"] == pytest.approx(60_800_000 + 3_120_000 + 6_400_000 + 2_400_000)
    assert annual_cost(load_scenario(SMALL))["total_per_year"] == 0.0


def test_staffing_section_and_rows_agree() -> None:
    """Rostered means follow the rosters (8 firefighters always; pilots 4 for 12 of 24 hours);
    on duty is below rostered by the absences; the CSV's total rows match the section."""
    sc = load_scenario(CENTRE)
    prep = prepare(sc, load_network(sc.network))
    results = run_replications(prep, 2)
    sec = staffing_section(prep, results)
    ff, pilot = sec["by_role"]["firefighter"], sec["by_role"]["pilot"]
    assert ff["rostered_mean"] == pytest.approx(8.0)
    assert pilot["rostered_mean"] == pytest.approx(2.0)
    # Absence 10 %: 8 × 0.9 = 7.2 on duty, give or take the draws and call-backs.
    assert 6.5 < ff["on_duty_mean"] < 8.0
    rows = staffing_rows(prep, results)
    assert all(len(r) == len(STAFFING_COLUMNS) for r in rows)
    total = next(r for r in rows if r[:3] == ["fs_maba", "firefighter", "all"])
    assert total[4] == pytest.approx(ff["on_duty_mean"])
    assert total[7] == 24
    by_hour = [r for r in rows if r[0] == "centre" and r[1] == "pilot" and r[2] != "all"]
    assert [r[3] for r in by_hour] == [0.0] * 7 + [4.0] * 12 + [0.0] * 5
    on = np.array([r[4] for r in by_hour])
    assert (on[:7] == 0).all()  # nobody rostered at night and no call-back of pilots at night
