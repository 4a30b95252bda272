"""Specialist teams through the simulator: a chemical-park incident is attended by the
hazardous-chemicals team (issue 17).

Hand-checkable case: the 南雄 chemical park (全安镇 seat, one incident point) with its own
hazardous-chemicals team at the same town seat (turnout 60 s), a second team at the city's
新韶 station (turnout 90 s), engines at both 南雄 and 新韶, and building fires in 南雄 that
never ask for the team. Incidents at a town seat have no access leg and the park team drives
0 m, so it is on scene exactly 60 s after the call; the city team arrives after its turnout plus
the road time from 新韶 to 全安 of the compiled travel matrix.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.replication import run_replication
from sim.scenario import scenario_from_dict
from sim.workflows.common import compile_scenario

LABEL = {"zh": "x", "en": "x"}


def _scenario():
    return scenario_from_dict(
        {
            "name": "hazmat_small",
            "horizon_days": 30,
            "replications": 1,
            "seed": 7,
            "unit_types": {
                "engine": {"label": LABEL, "vehicle": "heavy"},
                "hazmat_team": {"label": LABEL, "vehicle": "heavy"},
            },
            "facilities": [
                {
                    "id": "fs_xinshao",
                    "kind": "fire_station",
                    "location": {"town": "新韶镇"},
                    "units": {
                        "engine": {"count": 2, "turnout_s": 60},
                        "hazmat_team": {"count": 1, "turnout_s": 90},
                    },
                },
                {
                    "id": "fs_nanxiong",
                    "kind": "fire_station",
                    "location": {"town": "雄州街道"},
                    "units": {"engine": {"count": 1, "turnout_s": 60}},
                },
                {
                    "id": "hz_park",
                    "kind": "rescue_base",
                    "location": {"town": "全安镇"},
                    "units": {"hazmat_team": {"count": 1, "turnout_s": 60}},
                },
            ],
            "incidents": {
                "chemical_plant": {
                    "label": LABEL,
                    "rate": {"per_year": 300},
                    "where": {"model": "points", "points": [{"town": "全安镇", "weight": 1}]},
                    "priority": 1,
                    "units": {"hazmat_team": 1, "engine": 1},
                    "on_scene": {"dist": "fixed", "value_h": 2.0},
                },
                "building_fire": {
                    "label": LABEL,
                    "rate": {"per_year": 300},
                    "where": {"model": "population", "counties": ["南雄"]},
                    "units": {"engine": 1},
                    "on_scene": {"dist": "fixed", "value_h": 1.0},
                },
            },
            "targets": [],
            # Reported only (changes no dispatch); it switches the trip log on.
            "dispatch": {"coverage": {"unit_type": "engine", "threshold_h": 0.5}},
        },
        source="test_specialist_teams",
    )


def test_a_chemical_park_incident_is_attended_by_the_hazardous_chemicals_team():
    """Every chemical-park call gets a hazardous-chemicals team (the park's when it is free,
    otherwise the city's), on scene 60 s after the call from the park and turnout + road time
    from 新韶; building fires never get one."""
    sc = _scenario()
    prep = compile_scenario(sc)
    res = run_replication(prep, 0)
    t, trips = res.incidents, res.trips
    assert trips is not None
    chem = np.flatnonzero(t["type"] == "chemical_plant")
    assert chem.size > 10  # about 25 calls in 30 days
    fl = prep.fleet
    park = fl.unit_labels.index("hz_park/hazmat_team#1")
    city = fl.unit_labels.index("fs_xinshao/hazmat_team#1")
    # The park's base and its incident point share the 全安镇 seat: one road node.
    quanan = int(fl.facility_node[fl.facility_ids.index("hz_park")])
    xinshao = fl.facility_ids.index("fs_xinshao")
    city_drive_s = float(fl.facility_access_s[xinshao] + fl.travel_out_s["heavy"][xinshao, quanan])
    assert all(t["access_h"][chem] == 0.0)  # at the town seat: no off-network leg
    assert (t["town"][chem] == "全安镇").all()
    seen = {park: 0, city: 0}
    for j in chem:
        sent = str(t["units_sent"][j]).split(";")
        teams = [s for s in sent if "/hazmat_team#" in s]
        assert len(teams) == 1, sent
        rows = np.flatnonzero(
            (trips["incident"] == t["id"][j]) & (trips["unit_type"] == "hazmat_team")
        )
        assert rows.size == 1
        r = int(rows[0])
        u = fl.unit_labels.index(str(trips["unit"][r]))
        seen[u] += 1
        if math.isnan(trips["arrive_h"][r]):
            continue  # still on its way at the end of the run
        drive_s = (trips["arrive_h"][r] - trips["dispatch_h"][r]) * 3600.0
        if u == park:
            assert trips["dispatch_h"][r] == pytest.approx(t["t_h"][j], abs=1e-9)  # at once
            assert drive_s == pytest.approx(60.0, abs=1e-6)
        else:
            assert drive_s == pytest.approx(90.0 + city_drive_s, abs=1e-6)
            # Sent from the city only while the park's team was out on another call.
            busy = (trips["unit"] == "hz_park/hazmat_team#1") & (
                trips["dispatch_h"] <= trips["dispatch_h"][r]
            )
            assert (trips["end_h"][busy] > trips["dispatch_h"][r]).any()
    assert seen[park] > seen[city] > 0
    fires = t["type"] == "building_fire"
    assert fires.sum() > 10
    assert not any("hazmat_team" in str(s) for s in t["units_sent"][fires])
