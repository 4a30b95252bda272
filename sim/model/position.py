"""Where a unit on the road is, and how long it needs from there (no simpy).

The engine's travel-time matrices start at facilities. A unit driving home from an incident,
to an incident, or to stand by at another station is somewhere between two nodes; to send it
on from there the engine asks this module:

* `Router.position`: the next node ahead on the fastest route from the node the unit left to
  the node it drives to, and the time until it passes that node (a unit turns only at
  junctions);
* `Router.times_from`: the fastest road times from that node to every node, on the roads as
  they are now (closures included).

Shortest-path trees are computed on demand (one Dijkstra search from a node per profile) and
kept until the roads change (`Router.set_edge_factor`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse.csgraph import dijkstra

if TYPE_CHECKING:
    from sim.network import RoadNetwork

#: Shortest-path trees kept per profile before the oldest is dropped (bounds memory on large
#: OSM graphs: each tree holds two arrays of the network's size).
MAX_TREES = 512


@dataclass(frozen=True, slots=True)
class Leg:
    """A drive along the fastest road route from `src` to `dst`.

    Attributes
    ----------
    src, dst
        Road nodes (indices of the `RoadNetwork`).
    profile
        Vehicle speed profile (``"light"`` or ``"heavy"``).
    road_start_s, road_end_s
        Simulation times (s) at which the unit passes `src` and reaches `dst`.
    """

    src: int
    dst: int
    profile: str
    road_start_s: float
    road_end_s: float


class Router:
    """Node-to-node road times and positions along routes on the current roads.

    Parameters
    ----------
    net
        The road network of the run.
    """

    def __init__(self, net: RoadNetwork) -> None:
        self.net = net
        self._factor: np.ndarray | None = None
        self._trees: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}
        self._csr: dict[str, Any] = {}

    def set_edge_factor(self, factor: np.ndarray | None) -> None:
        """Use these per-edge time factors from now on (``inf`` = closed; None = intact)."""
        self._factor = None if factor is None else np.asarray(factor, dtype=float).copy()
        self._trees.clear()
        self._csr.clear()

    def _matrix(self, profile: str) -> Any:
        if profile not in self._csr:
            self._csr[profile] = (
                self.net.csr(profile)
                if self._factor is None
                else self.net.csr_with(self._factor, profile)
            )
        return self._csr[profile]

    def tree(self, src: int, profile: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (times from `src` to every node (s), predecessor of each node on its route)."""
        key = (int(src), profile)
        hit = self._trees.get(key)
        if hit is not None:
            return hit
        if len(self._trees) >= MAX_TREES:
            self._trees.pop(next(iter(self._trees)))
        dist, pred = dijkstra(  # type: ignore[call-overload]  # scipy-stubs reject csr_array[Any]
            self._matrix(profile), directed=True, indices=int(src), return_predecessors=True
        )
        self._trees[key] = (np.asarray(dist, dtype=float), np.asarray(pred, dtype=np.int64))
        return self._trees[key]

    def times_from(self, src: int, profile: str) -> np.ndarray:
        """Return the road time (s) from node `src` to every node (inf where cut off)."""
        return self.tree(src, profile)[0]

    def path(self, src: int, dst: int, profile: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the nodes of the fastest route from `src` to `dst` and the time (s) from `src`
        at which each is passed; empty arrays when `dst` cannot be reached."""
        dist, pred = self.tree(src, profile)
        if not math.isfinite(dist[dst]):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        nodes = [int(dst)]
        while nodes[-1] != src:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        arr = np.array(nodes, dtype=np.int64)
        return arr, dist[arr]

    def position(self, leg: Leg, now_s: float) -> tuple[int, float]:
        """Where a unit on `leg` is at `now_s`: the node it reaches next, and in how many s.

        Before the road part of the leg (turnout, the off-network leg to `src`) the unit heads
        for `src`; past its end (the off-network leg beyond `dst`) it turns back to `dst`. On
        the road it continues to the next node of its route.

        Returns
        -------
        node, delay_s
            Road node and the time (s) until the unit is there, ready to go anywhere.
        """
        if now_s <= leg.road_start_s:
            return leg.src, leg.road_start_s - now_s
        if now_s >= leg.road_end_s:
            return leg.dst, now_s - leg.road_end_s
        nodes, at = self.path(leg.src, leg.dst, leg.profile)
        if nodes.size == 0:  # the route was cut after the unit left: it turns back
            return leg.src, now_s - leg.road_start_s
        elapsed = now_s - leg.road_start_s
        # Times along the route as planned may differ from `at` when roads changed since the
        # unit left; scale them onto the leg's own duration.
        span = leg.road_end_s - leg.road_start_s
        total = float(at[-1])
        scaled = at * (span / total) if total > 0 else at
        k = int(np.searchsorted(scaled, elapsed, side="left"))
        k = min(k, nodes.size - 1)
        return int(nodes[k]), float(scaled[k] - elapsed)
