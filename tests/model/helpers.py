"""Builders of hand-made fleets and incident sets for engine tests (no scenario, no network)."""

from __future__ import annotations

import numpy as np

from sim.model.dispatch import Fleet
from sim.model.engine import Demand
from sim.model.incidents import IncidentSet


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
