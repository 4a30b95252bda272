"""sim.analysis.summary: sections of metrics.json computed by hand from replication results."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sim.analysis.summary import summarise
from sim.model.replication import run_replication
from sim.results.files import clean
from sim.workflows.common import compile_scenario, load
from tests.helpers import SCENARIO_DATA, SMALL


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


def _hand_table(base: dict, **columns: list) -> dict:
    """`base`'s first incident repeated once per hand-made row, with `columns` overridden.

    The other columns (times, places, units sent) keep a real incident's values, so every
    section of `summarise` reads a table the engine could have written.
    """
    n = len(next(iter(columns.values())))
    out = {k: np.repeat(np.asarray(v)[:1], n) for k, v in base.items()}
    for k, v in columns.items():
        out[k] = np.asarray(v, dtype=out[k].dtype)
    out["id"] = np.arange(n)
    return out


#: Seven hand-made incidents: four floods that need units (the first reached by boat, 1 person
#: affected), a flood that needs none (relief only, 1 person affected) and two building fires.
#: The second flood was reached by a mutual-aid unit.
_ROWS = {
    "type": ["flood"] * 5 + ["building_fire"] * 2,
    "units_required": [2, 2, 2, 2, 0, 2, 2],
    "first_mode": ["boat", "road", "road", "road", "", "road", "road"],
    "boat_h": [0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    "first_arrival_h": [1.0, 2.0, 1.5, 2.5, math.nan, 0.2, 0.3],
    "affected_people": [1, 0, 0, 0, 1, 0, 0],
    "relief_h": [3.0, math.nan, math.nan, math.nan, 5.0, math.nan, math.nan],
    "relief_done_h": [3.5, math.nan, math.nan, math.nan, 6.0, math.nan, math.nan],
    "relief_unmet_people": [0] * 7,
    "mutual_aid_units": [0, 1, 0, 0, 0, 0, 0],
}


def _summarise_rows(overrides: dict | None = None) -> dict:
    """`summarise` of one replication of the small scenario whose incidents are `_ROWS`."""
    sc = load(SMALL, horizon_days=7, replications=1, **(overrides or {}))
    prep = compile_scenario(sc)
    base = run_replication(prep, 0)
    assert base.incidents["type"].size >= 1  # seed 12345 gives 9 incidents in the week
    hand = dataclasses.replace(base, incidents=_hand_table(base.incidents, **_ROWS))
    return summarise(prep, [hand])


def test_boat_share_and_relief_of_a_type_by_hand() -> None:
    """Floods (`_ROWS`): the boat-leg share is over the floods that need units, 1 boat of 4 =
    0.25 (not 1 of 5 floods, nor 1 of the 7 incidents); building fires had no boat leg, so they
    have no boat share. The floods' relief times are over all 5 floods, including the one
    that needs no unit: 2 reached (3.0 h and 5.0 h, mean 4.0 h, max 5.0 h), 3 without relief
    (no one affected); an incident with a single affected person is a relief event."""
    by_type = _summarise_rows()["response_times"]["by_type"]
    flood, fire = by_type["flood"], by_type["building_fire"]
    assert flood.get("boat_leg_share") == 0.25
    assert fire.get("boat_leg_share") is None  # no fire had a boat leg: nothing to share out
    relief = flood.get("relief_h") or {}
    assert (relief.get("n"), relief.get("n_without")) == (5, 3)
    assert (relief.get("mean"), relief.get("max")) == (4.0, 5.0)
    assert (flood.get("relief_done_h") or {}).get("mean") == 4.75  # (3.5 + 6.0) / 2 h
    # first arrivals only over the 4 floods that need units: (1.0 + 2.0 + 1.5 + 2.5) / 4 = 1.75 h
    assert flood["first_arrival_h"]["n"] == 4
    assert flood["first_arrival_h"]["mean"] == 1.75
    assert flood["first_arrival_mode"] == {"boat": 1, "road": 3}


def test_mutual_aid_share_is_over_incidents_that_need_units() -> None:
    """A mutual-aid force (one rescue vehicle at 马坝镇) and `_ROWS`: 1 incident of the 6 that need
    units used mutual aid, a share of 1 / 6 = 0.166667 (metrics keep 6 decimals), not 1 / 7
    (0.142857, the relief-only flood counted); one incident, one unit sent in one replication
    of 7 days: 1 / (7 / 365.25) = 52.178571 units a year."""
    sc = load(SMALL)
    aid = {
        "id": "aid_maba",
        "kind": "mutual_aid",
        "location": {"town": "马坝镇"},
        "units": {"rescue_vehicle": {"count": 1}},
    }
    facilities = [f.model_dump(mode="json") for f in sc.facilities] + [aid]
    m = _summarise_rows({"facilities": facilities})
    section = m.get("mutual_aid") or {}
    assert section.get("units") == 1  # the one rescue vehicle of aid_maba
    assert section.get("share_of_incidents") == pytest.approx(1 / 6, abs=5e-7)
    assert section.get("incidents_using_mutual_aid") == 1
    assert section.get("by_type") == {"flood": 1}
    assert section.get("units_sent_per_year") == pytest.approx(365.25 / 7, abs=5e-7)


def test_escalated_share_of_a_type_with_levels_by_hand() -> None:
    """high_load's building fires have levels (general, large): four hand-made fires, called in
    as general, general, general, large and escalated 0, 1, 0, 2 times. Escalated share = fires
    with at least one escalation / fires = 2 / 4 = 0.5 (not 3 / 4 = the escalations counted);
    one replication of 2 days is 2 / 365.25 years: 3 general calls a year = 3 / (2 / 365.25)
    = 547.875, finally 2 general and 2 large = 365.25 each."""
    sc = load(SCENARIO_DATA / "valid" / "high_load.yaml", horizon_days=2, replications=1)
    prep = compile_scenario(sc)
    base = run_replication(prep, 0)
    assert base.incidents["type"].size >= 1  # about 48 calls in 2 days at this load
    rows = {
        "type": ["building_fire"] * 4,
        "level": ["general", "general", "general", "large"],
        "level_final": ["general", "large", "general", "large"],
        "escalations": [0, 1, 0, 2],
    }
    hand = dataclasses.replace(base, incidents=_hand_table(base.incidents, **rows))
    fire = summarise(prep, [hand])["dispatch"]["levels"]["building_fire"]
    assert fire.get("escalated_share") == 0.5
    assert fire["at_call_per_year"] == pytest.approx({"general": 547.875, "large": 182.625})
    assert fire["final_per_year"] == pytest.approx({"general": 365.25, "large": 365.25})
