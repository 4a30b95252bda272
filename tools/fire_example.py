"""The worked example of docs/fire-aviation.md, section 6, computed by the simulator's engine.

Usage::

    python tools/fire_example.py

One forest fire (R = 200 m/h, default shape, night and rain factors, no rain) is reported
`detect` hours after ignition on 2025-02-15 at Shaoguan; ground teams (200 m/h of line each)
arrive one hour after the report; helicopters (Ka-32: 232 km/h cruise, bucket 130 km/h, 30 m
of line per drop) take off at the report, or at sunrise if it is night, from a base 30 km
away, with the nearest water 10 km from the fire. The engine (`sim.model.engine.simulate`)
runs the race between growth and line; each row prints the containment time after ignition
(h) and the burned area (ha).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.geo import haversine_m  # noqa: E402 - after the path set-up above
from sim.model.dispatch import Fleet  # noqa: E402
from sim.model.engine import Demand, FirePlan, simulate  # noqa: E402
from sim.model.incidents import IncidentSet  # noqa: E402
from sim.model.travel import AirFleet, TravelModel  # noqa: E402
from sim.physics.aviation import transit_speed_m_per_s  # noqa: E402
from sim.physics.fire import TEAM_LINE_M_PER_H  # noqa: E402

START = date(2025, 2, 15)
FIRE = (113.60, 24.80)
BASE = (113.60 + 30_000 / (111_320 * np.cos(np.radians(24.80))), 24.80)  # 30 km east


def fire_run(ignition_h: float, teams: int, helicopters: int, detect_h: float = 1.0):
    """Contained time after ignition (h, NaN: not within the run) and burned area (ha)."""
    units = [(0, 0)] * teams + [(1, 1)] * helicopters
    air_u = np.array([k == 1 for _, k in units], dtype=bool)
    n = len(units)
    fleet = Fleet(
        type_names=("team", "helicopter"),
        facility_ids=("base", "air"),
        facility_names=("base", "air"),
        facility_kinds=("rescue_base", "regional_centre"),
        facility_node=np.zeros(2, dtype=np.int64),
        facility_access_s=np.zeros(2),
        unit_type=np.array([k for _, k in units], dtype=np.int64),
        unit_facility=np.array([f for f, _ in units], dtype=np.int64),
        unit_turnout_s=np.zeros(n),
        unit_crew=np.full(n, 20, dtype=np.int64),
        unit_capacity_people=np.zeros(n, dtype=np.int64),
        unit_profile=np.zeros(n, dtype=np.int64),
        unit_labels=tuple(f"u{k}" for k in range(n)),
        travel_out_s={"light": np.array([[3600.0], [0.0]]), "heavy": np.array([[3600.0], [0.0]])},
        travel_back_s={"light": np.array([[3600.0], [0.0]]), "heavy": np.array([[3600.0], [0.0]])},
        units_of_type=(np.flatnonzero(~air_u), np.flatnonzero(air_u)),
    )
    t0 = ignition_h * 3600.0
    inc = IncidentSet(
        t_s=np.array([t0]),
        type_idx=np.zeros(1, dtype=np.int64),
        lon=np.array([FIRE[0]]),
        lat=np.array([FIRE[1]]),
        on_scene_s=np.array([0.0]),
        people=np.zeros(1, dtype=np.int64),
        type_names=("forest_fire",),
    )
    speed = transit_speed_m_per_s(232.0)
    travel = TravelModel(
        fleet,
        node=np.zeros(1, dtype=np.int64),
        access_s=np.zeros(1),
        walk_s=np.zeros(1),
        lon=inc.lon,
        lat=inc.lat,
        unit_mode=air_u.astype(np.int64),
        air=AirFleet(
            speed_m_per_s=np.where(air_u, speed, np.nan),
            night_capable=np.zeros(n, dtype=bool),
            base_lon=np.full(n, BASE[0]),
            base_lat=np.full(n, BASE[1]),
        ),
        start=START,
    )
    plan = FirePlan(
        is_fire=np.array([True]),
        ros_m_per_h=np.array([200.0]),
        lb_ratio=np.array([2.0]),
        back_ratio=np.array([0.1]),
        night_factor=np.array([0.4]),
        initial_radius_m=np.array([0.0]),
        step_s=np.array([600.0]),
        water_dist_m=np.array([10_000.0]),
        unit_fireline_m_per_h=np.where(air_u, 0.0, TEAM_LINE_M_PER_H),
        unit_line_per_drop_m=np.where(air_u, 30.0, 0.0),
        unit_bucket_speed_kph=np.where(air_u, 130.0, np.nan),
        unit_fill_s=np.where(air_u, 90.0, 0.0),
        unit_drop_s=np.where(air_u, 30.0, 0.0),
        unit_night_capable=np.zeros(n, dtype=bool),
        start=START,
    )
    out = simulate(
        fleet,
        replace(inc),
        np.zeros(1, dtype=np.int64),
        np.zeros(1),
        Demand(units=np.array([[teams, helicopters]]), priority=np.array([1])),
        relief=None,
        until_s=t0 + 72 * 3600.0,
        travel=travel,
        fires=plan,
        report_s=np.array([t0 + detect_h * 3600.0]),
    )
    return (out.contained_s[0] - t0) / 3600.0, float(out.burned_ha[0])


ROWS = [
    ("10:00, 2 teams + 1 helicopter", 10.0, 2, 1, 1.0),
    ("10:00, 2 teams alone", 10.0, 2, 0, 1.0),
    ("10:00, 3 teams", 10.0, 3, 0, 1.0),
    ("10:00, 4 teams + 1 helicopter", 10.0, 4, 1, 1.0),
    ("10:00, 1 helicopter alone", 10.0, 0, 1, 1.0),
    ("14:00, 2 teams + 1 helicopter", 14.0, 2, 1, 1.0),
    ("17:00, 2 teams + 1 helicopter", 17.0, 2, 1, 1.0),
    ("23:00, 2 teams", 23.0, 2, 0, 1.0),
    ("10:00, 2 teams + 1 helicopter, reported after 3 h", 10.0, 2, 1, 3.0),
]


def main() -> int:
    print(f"distance base-fire {haversine_m(*BASE, *FIRE) / 1000:.1f} km")
    for label, ign, teams, helis, detect in ROWS:
        t, area = fire_run(ign, teams, helis, detect)
        when = "not contained within 72 h" if np.isnan(t) else f"contained after {t:.1f} h"
        print(f"{label}: {when}, {area:,.1f} ha")
    return 0


if __name__ == "__main__":
    sys.exit(main())
