"""Dispatch: the fleet description and pluggable policies that choose units (no simpy, no I/O).

The engine asks a policy which of the *available* capable units to send; the policy sees only
plain arrays (estimated arrival times), so tests can call it with hand-made numbers and a new
policy needs no knowledge of the event loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

PROFILES = ("light", "heavy")


@dataclass(frozen=True, slots=True)
class Fleet:
    """Every unit and facility of a scenario, compiled to arrays for the engine.

    Attributes
    ----------
    type_names
        Unit type ids; ``unit_type`` indexes this.
    facility_ids, facility_names, facility_kinds
        One entry per facility; ``unit_facility`` indexes these.
    facility_node
        Road-network node index of each facility.
    facility_access_s
        Off-network leg from a facility to its node (s), each way.
    unit_type, unit_facility
        Type and home facility of each unit.
    unit_turnout_s
        Time from alert to leaving the station (s).
    unit_crew
        Crew per unit (persons).
    unit_capacity_people
        Relief truckload in affected people served (0 for other units).
    unit_profile
        Index into `PROFILES` (road speed profile of the vehicle).
    unit_labels
        ``"<facility id>/<type>#<k>"`` for records.
    travel_out_s
        ``{profile: array (F, N)}`` facility node → every node (s).
    travel_back_s
        ``{profile: array (F, N)}`` every node → facility node (s).
    units_of_type
        Index arrays of the units of each type.
    """

    type_names: tuple[str, ...]
    facility_ids: tuple[str, ...]
    facility_names: tuple[str, ...]
    facility_kinds: tuple[str, ...]
    facility_node: np.ndarray
    facility_access_s: np.ndarray
    unit_type: np.ndarray
    unit_facility: np.ndarray
    unit_turnout_s: np.ndarray
    unit_crew: np.ndarray
    unit_capacity_people: np.ndarray
    unit_profile: np.ndarray
    unit_labels: tuple[str, ...]
    travel_out_s: dict[str, np.ndarray]
    travel_back_s: dict[str, np.ndarray]
    units_of_type: tuple[np.ndarray, ...] = field(default=())

    @property
    def n_units(self) -> int:
        """Number of units."""
        return int(self.unit_type.size)


class DispatchPolicy(Protocol):
    """Choose which of the candidate units to send."""

    def choose(self, eta_s: np.ndarray, k: int) -> np.ndarray:
        """Return the positions (into `eta_s`) of at most `k` units to dispatch, best first."""
        ...


class NearestAvailable:
    """Send the `k` units with the shortest estimated arrival (turnout + travel); ties by order.

    Unreachable units (infinite ETA) are never sent.
    """

    name = "nearest_available"

    def choose(self, eta_s: np.ndarray, k: int) -> np.ndarray:
        """Return the positions of the `k` smallest finite ETAs, in increasing ETA order."""
        # Array methods rather than the np.* wrappers: this runs for every request.
        if k == 1 and eta_s.size:
            # The most common request (one unit of a type): the first smallest ETA, which is
            # what the general rule below returns for k = 1 (ties go to the lower position).
            j = int(eta_s.argmin())
            v = float(eta_s[j])
            if v == v:  # argmin stops at a NaN; the general rule sorts it last
                return np.array([j] if v < math.inf else [], dtype=np.int64)
        if k >= eta_s.size:
            order = eta_s.argsort(kind="stable")
        else:
            part = eta_s.argpartition(k - 1)[:k] if k > 0 else np.empty(0, dtype=np.int64)
            order = part[eta_s[part].argsort(kind="stable")]
            # argpartition breaks ties arbitrarily; redo exactly when ties straddle the cut.
            if k > 0 and np.count_nonzero(eta_s <= eta_s[order[-1]]) > k:
                order = eta_s.argsort(kind="stable")[:k]
        return order[np.isfinite(eta_s[order])]


def allocate_relief(
    people: int, depot_order: np.ndarray, depot_capacity_people: np.ndarray, max_depots: int
) -> list[tuple[int, int]]:
    """Split a relief demand over depots in order of arrival time, as far as stock allows.

    Parameters
    ----------
    people
        Affected people still to be supplied.
    depot_order
        Depot indices, nearest (earliest truck arrival) first; only depots that can ship.
    depot_capacity_people
        People each depot's remaining stock can serve, indexed by depot.
    max_depots
        Most depots that may share one demand.

    Returns
    -------
    allocation
        ``[(depot, people), ...]`` in `depot_order` order; the sum may fall short of `people`
        when stock runs out (the shortfall is unmet need).
    """
    out: list[tuple[int, int]] = []
    remaining = int(people)
    for d in depot_order:
        if remaining <= 0 or len(out) >= max_depots:
            break
        take = min(remaining, int(depot_capacity_people[d]))
        if take > 0:
            out.append((int(d), take))
            remaining -= take
    return out
