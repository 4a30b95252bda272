"""Dispatch: the fleet description and pluggable policies that choose units (no simpy, no I/O).

The engine asks a policy which of the *available* capable units to send; the policy sees only
plain arrays (estimated arrival times), so tests can call it with hand-made numbers and a new
policy needs no knowledge of the event loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

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


# --------------------------------------------------------------------------- command-centre rules
#: How a unit came to be sent (column `origin` of ``trips.csv``).
ORIGINS = ("station", "cover_post", "returning", "en_route", "cover_move", "cover_return")


@dataclass(frozen=True, slots=True)
class Reassignment:
    """Dispatch from where units are: returning units, and diversion en route.

    Rule (plain words). A request of an incident whose priority is `max_priority` or more
    urgent (a smaller number) may take, besides the units idle at stations,

    * with `returning`: units driving home from an incident (and units of cover moves), from
      their position, without turnout (the crew is in the vehicle);
    * with `divert`: units on their way to an incident at least `min_priority_gap` priority
      levels less urgent that have not arrived yet, when they would arrive at least
      `min_gain_s` before the best free unit; the incident they leave asks for another unit.

    The units are ranked by estimated arrival with the dispatch policy; a unit that could be
    diverted ranks with `min_gain_s` added to its arrival. Aircraft, boat trips and mutual-aid
    forces are never taken this way.
    """

    returning: bool
    divert: bool
    max_priority: int
    min_priority_gap: int
    min_gain_s: float

    def takes_moving_units(self, priority: int) -> bool:
        """Whether a request of this priority may take units that are on the road."""
        return priority <= self.max_priority

    def may_divert(self, priority: int, from_priority: int) -> bool:
        """Whether a unit on its way to an incident of `from_priority` may go to one of
        `priority` instead."""
        return (
            self.divert
            and self.takes_moving_units(priority)
            and from_priority - priority >= self.min_priority_gap
        )

    def ranking_eta_s(self, eta_s: np.ndarray, diverted: np.ndarray) -> np.ndarray:
        """Arrival estimates used for ranking: diversions carry the required gain."""
        return np.where(diverted, eta_s + self.min_gain_s, eta_s)


@dataclass(frozen=True, slots=True)
class CoverMoves:
    """Cover moves: keep every protected station (or county) with an available unit.

    Rule (plain words). When no unit of `unit_type` is available in a group (a protected
    station, or every protected station of a county) and none is on its way there, and this
    has lasted `delay_s`, the nearest available unit of the type at its own station moves to
    stand by at the group's target station, provided its own group keeps at least
    `donors_keep` available units and the drive takes at most `max_travel_s`. While standing by
    it is dispatched like the target station's own units. It drives home as soon as a unit of
    the group is back (or its crew's duty ends), and after any incident it attends.

    Attributes
    ----------
    unit_type
        Unit type index moved.
    group_of_facility
        Per facility: its group (−1 = not protected; still a donor).
    target
        Per group: facility that receives the cover unit.
    donor_group
        Per facility: the group whose count a donor keeps (its own station or county).
    donors_keep, max_travel_s, delay_s
        As in the scenario's ``dispatch.cover`` (s).
    """

    unit_type: int
    group_of_facility: np.ndarray
    target: np.ndarray
    donor_group: np.ndarray
    donors_keep: int
    max_travel_s: float
    delay_s: float

    @property
    def n_groups(self) -> int:
        """Number of protected groups."""
        return int(self.target.size)

    def groups_needing_cover(self, available: np.ndarray, incoming: np.ndarray) -> np.ndarray:
        """Groups with no available unit and no cover unit on its way (indices).

        Parameters
        ----------
        available
            Per group: units of the type available in it (at their station or standing by).
        incoming
            Per group: cover units driving there.
        """
        return np.flatnonzero((available == 0) & (incoming == 0))

    def choose_donor(
        self, drive_s: np.ndarray, donor_available: np.ndarray, own_group: np.ndarray, group: int
    ) -> int:
        """Return the position of the unit to move (nearest eligible), or −1.

        Parameters
        ----------
        drive_s
            Per candidate unit: drive to the target station (s).
        donor_available
            Per candidate unit: available units of the type in its donor group, itself included.
        own_group
            Per candidate unit: the protected group of its home station (−1 = none).
        group
            The group to cover.
        """
        ok = (
            (donor_available - 1 >= self.donors_keep)
            & (drive_s <= self.max_travel_s)
            & (own_group != group)
            & np.isfinite(drive_s)
        )
        if not ok.any():
            return -1
        pos = np.flatnonzero(ok)
        return int(pos[np.argmin(drive_s[pos])])


@dataclass(frozen=True, slots=True)
class CoveragePlan:
    """What counts as covered: town seats an available unit reaches within a threshold.

    Attributes
    ----------
    unit_type
        Unit type index counted.
    threshold_s
        Turnout + drive within which a town seat is covered (s).
    town_node, town_access_s, town_weight
        Per town seat: road node, off-network leg (s) and population (persons).
    horizon_s
        Coverage is accumulated from 0 to here (the drain period after it is left out).
    """

    unit_type: int
    threshold_s: float
    town_node: np.ndarray
    town_access_s: np.ndarray
    town_weight: np.ndarray
    horizon_s: float

    def covered_share(
        self, base: np.ndarray, turnout_s: np.ndarray, base_to_towns_s: np.ndarray
    ) -> float:
        """Share of the population covered by units standing at `base` (facility per unit).

        Parameters
        ----------
        base
            Facility of each available unit counted.
        turnout_s
            Turnout of each of those units (s).
        base_to_towns_s
            Array (units, towns): facility access + road from the unit's facility to each town
            seat's node (s).
        """
        total = float(self.town_weight.sum())
        if base.size == 0 or total <= 0:
            return 0.0
        eta = turnout_s[:, None] + base_to_towns_s + self.town_access_s[None, :]
        covered = (eta <= self.threshold_s).any(axis=0)
        return float(self.town_weight[covered].sum() / total)


@dataclass(frozen=True, slots=True)
class DispatchRules:
    """The command-centre rules a scenario switches on (each None when off).

    Attributes
    ----------
    reassignment
        Dispatch from where units are.
    cover
        Cover moves.
    coverage
        Coverage over time (reported by hour of day).
    router
        Node-to-node routing for units on the road (`sim.model.position.Router`); needed by
        `reassignment` and `cover`.
    """

    reassignment: Reassignment | None = None
    cover: CoverMoves | None = None
    coverage: CoveragePlan | None = None
    router: Any = None

    @property
    def positional(self) -> bool:
        """Whether units on the road may be dispatched (reassignment or cover moves on)."""
        return self.reassignment is not None or self.cover is not None
