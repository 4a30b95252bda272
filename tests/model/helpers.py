"""Builders of hand-made fleets and incident sets for engine tests (no scenario, no network)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np

from sim.model.dispatch import Fleet
from sim.model.engine import Demand
from sim.model.incidents import IncidentSet
from sim.model.staffing import StaffPlan
from sim.model.travel import BoatLegs, TravelModel
from sim.physics.boats import LaunchPoints, RiverIndex


def make_fleet(
    travel_s: np.ndarray,
    units: list[tuple[int, int]],
    *,
    turnout_s: float = 0.0,
    n_types: int = 1,
    capacity_people: int = 0,
) -> Fleet:
    """Fleet on an abstract network.

    Parameters
    ----------
    travel_s
        (facilities, nodes) travel times, used both ways.
    units
        ``(facility, type)`` of each unit.
    """
    travel_s = np.asarray(travel_s, dtype=float)
    n_fac = travel_s.shape[0]
    u_fac = np.array([f for f, _ in units], dtype=np.int64)
    u_type = np.array([k for _, k in units], dtype=np.int64)
    return Fleet(
        type_names=tuple(f"t{k}" for k in range(n_types)),
        facility_ids=tuple(f"f{j}" for j in range(n_fac)),
        facility_names=tuple(f"f{j}" for j in range(n_fac)),
        facility_kinds=tuple("fire_station" for _ in range(n_fac)),
        facility_node=np.zeros(n_fac, dtype=np.int64),
        facility_access_s=np.zeros(n_fac),
        unit_type=u_type,
        unit_facility=u_fac,
        unit_turnout_s=np.full(len(units), turnout_s),
        unit_crew=np.full(len(units), 4, dtype=np.int64),
        unit_capacity_people=np.full(len(units), capacity_people, dtype=np.int64),
        unit_profile=np.zeros(len(units), dtype=np.int64),
        unit_labels=tuple(f"f{f}/t{k}#{i}" for i, (f, k) in enumerate(units)),
        travel_out_s={"light": travel_s, "heavy": travel_s},
        travel_back_s={"light": travel_s, "heavy": travel_s},
        units_of_type=tuple(np.flatnonzero(u_type == k) for k in range(n_types)),
    )


def make_incidents(
    t_s: np.ndarray,
    on_scene_s: np.ndarray,
    *,
    type_idx: np.ndarray | None = None,
    people: np.ndarray | None = None,
) -> IncidentSet:
    """Incident set at arbitrary coordinates (the engine only uses nodes passed separately)."""
    t_s = np.asarray(t_s, dtype=float)
    n = t_s.size
    return IncidentSet(
        t_s=t_s,
        type_idx=np.zeros(n, dtype=np.int64)
        if type_idx is None
        else np.asarray(type_idx, dtype=np.int64),
        lon=np.zeros(n),
        lat=np.zeros(n),
        on_scene_s=np.asarray(on_scene_s, dtype=float),
        people=np.zeros(n, dtype=np.int64)
        if people is None
        else np.asarray(people, dtype=np.int64),
        type_names=("a", "b", "c")[
            : 1 if type_idx is None else int(np.max(type_idx, initial=0)) + 1
        ],
    )


def one_type_demand(units_needed: int = 1, n_types: int = 1) -> Demand:
    """Demand where incident type 0 needs `units_needed` units of unit type 0."""
    need = np.zeros((1, n_types), dtype=np.int64)
    need[0, 0] = units_needed
    return Demand(units=need, priority=np.array([1]))


def make_staff_plan(
    groups: list[tuple[int, int, int, int]],
    *,
    roles: tuple[str, ...] = ("ff", "pilot"),
    shift_h: float = 24.0,
    watches: int = 1,
    change_h: float = 8.0,
    on_hours: tuple[float, float] | None = None,
    absence: float = 0.0,
    unit_crew: np.ndarray | None = None,
    max_duty_h: tuple[float, ...] = (math.inf, math.inf),
    max_flight_h: tuple[float, ...] = (math.inf, math.inf),
    min_rest_h: tuple[float, ...] = (0.0, 0.0),
    callback: tuple[float, float, float] | None = None,
) -> StaffPlan:
    """A one-roster staff plan: `groups` are ``(facility, role, watch, persons)``.

    `unit_crew` is the (units, roles) crew matrix (units at staffed facilities); `callback`
    is ``(delay_h, share, hold_h)``.
    """
    p_fac, p_role, p_watch, labels = [], [], [], []
    group_persons: dict[tuple[int, int], list[int]] = {}
    for f, r, w, n in groups:
        for k in range(n):
            group_persons.setdefault((f, r), []).append(len(p_fac))
            p_fac.append(f)
            p_role.append(r)
            p_watch.append(w)
            labels.append(f"f{f}/{roles[r]}/w{w}#{k + 1}")
    n_fac = max(f for f, *_ in groups) + 1
    posts = np.zeros((n_fac, len(roles)), dtype=np.int64)
    np.add.at(posts, (np.array(p_fac), np.array(p_role)), 1)
    crew = np.zeros((0, len(roles)), dtype=np.int64) if unit_crew is None else unit_crew
    dur = np.array(max_duty_h) * 3600.0
    fly = np.array(max_flight_h) * 3600.0
    return StaffPlan(
        role_names=roles,
        role_max_duty_s=dur,
        role_max_flight_s=fly,
        role_min_rest_s=np.array(min_rest_h) * 3600.0,
        role_firefighter=np.array([r == "ff" for r in roles]),
        role_cost_per_year=np.zeros(len(roles)),
        roster_names=("r",),
        roster_shift_s=np.array([shift_h * 3600.0]),
        roster_watches=np.array([watches]),
        roster_change_s=np.array([change_h * 3600.0]),
        roster_on_from_s=np.array([on_hours[0] * 3600.0 if on_hours else math.nan]),
        roster_on_to_s=np.array([on_hours[1] * 3600.0 if on_hours else math.nan]),
        roster_absence=np.array([absence]),
        person_facility=np.array(p_fac, dtype=np.int64),
        person_role=np.array(p_role, dtype=np.int64),
        person_roster=np.zeros(len(p_fac), dtype=np.int64),
        person_watch=np.array(p_watch, dtype=np.int64),
        person_labels=tuple(labels),
        group_persons={k: np.array(v, dtype=np.int64) for k, v in group_persons.items()},
        unit_crew=crew,
        unit_staffed=crew.sum(axis=1) > 0,
        posts=posts,
        rostered_by_hour=np.zeros((n_fac, len(roles), 24)),
        limited_roles=np.isfinite(dur) | np.isfinite(fly),
        callback_delay_s=callback[0] * 3600.0 if callback else math.nan,
        callback_share=callback[1] if callback else 0.0,
        callback_hold_s=callback[2] * 3600.0 if callback else 0.0,
    )


def boat_travel(
    road_s: float = 5000.0, launch_road_s: float = 600.0, facility_access_s: float = 0.0
) -> TravelModel:
    """A boat unit (36 km/h, 300 s put-in) `launch_road_s` from a launch point (120 s from
    node to water, chainage 0) and `road_s` by road from incident 0, which is on the river
    6 km downstream of the launch point (600 s by boat); incident 1 is off the river. Its
    station is `facility_access_s` from the road network."""
    rivers = RiverIndex.from_lines({"r": (np.array([[113.60, 24.80], [113.70, 24.80]]),)})
    launch = LaunchPoints(
        rivers=rivers,
        node=np.array([1]),
        river=np.array([0]),
        chainage_m=np.array([0.0]),
        offset_m=np.array([0.0]),
        access_s=np.array([120.0]),
    )
    fleet = make_fleet([[road_s, launch_road_s]], [(0, 0)], turnout_s=60.0)
    fleet = replace(fleet, facility_access_s=np.array([facility_access_s]))
    boats = BoatLegs(
        launch,
        unit_speed_kph=np.array([36.0]),
        unit_launch_s=np.array([300.0]),
        inc_river=np.array([0, -1]),
        inc_chainage_m=np.array([6000.0, np.nan]),
        inc_offset_m=np.zeros(2),
    )
    return TravelModel(
        fleet,
        node=np.array([0, 0]),
        access_s=np.array([30.0, 30.0]),
        walk_s=np.full(2, np.nan),
        lon=np.zeros(2),
        lat=np.zeros(2),
        unit_mode=np.zeros(1, dtype=np.int64),
        air=None,
        start=date(2025, 6, 1),
        boats=boats,
    )
