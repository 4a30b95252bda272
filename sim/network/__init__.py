"""Road networks: the embedded Shaoguan township network, OSM loaders, and fast travel-time queries.

Two layers:

* Building or loading a graph: `build_shaoguan_graph` (the embedded, approximate
  township-level network, see ``docs/network.md``) and `graph_from_spec` (``shaoguan``, a
  GraphML file, an OSM XML file, or a place name downloaded with osmnx). Every graph is an
  osmnx-compatible ``networkx.MultiDiGraph`` in WGS84 with ``length`` (m), ``speed_kph``,
  ``travel_time`` (s, light vehicle) and ``travel_time_heavy`` (s, heavy appliance) on every edge.
* Querying it: `RoadNetwork` turns a graph into numpy/scipy arrays once (node coordinates,
  a CSR matrix of edge travel times) so that travel-time matrices, nearest-node snapping and
  routes never call networkx per pair.

Modules (each imports only those listed before it, never this package):

* `sim.network.access` - the off-network access leg (`access_time_s`).
* `sim.network.roads` - `RoadNetwork` and `Route`.
* `sim.network.embedded` - the embedded Shaoguan network (`build_shaoguan_graph`, `CORRIDORS`,
  terrain zones, speeds, river crossings).
* `sim.network.io` - GraphML and OSM XML files, osmnx place downloads, `prepare_graph`.

This package adds `network_from_spec` and `edges_of`, and re-exports the names other code
uses; patch a name in the submodule that uses it, not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.network.access import ACCESS_CIRCUITY, ACCESS_SPEED_KPH, access_time_s
from sim.network.embedded import _TOWN_ZONE as _TOWN_ZONE
from sim.network.embedded import (
    CORRIDORS,
    INTERCHANGE_ID_SUFFIX,
    INTERCHANGE_M,
    INTERCHANGE_S,
    SHAOGUAN,
    TERRAIN_ZONES,
    Corridor,
    _shaoguan_graph,
    build_shaoguan_graph,
    crosses_river,
    river_crossings,
)
from sim.network.embedded import _find_town as _find_town
from sim.network.embedded import _town_zone as _town_zone
from sim.network.io import (
    HEAVY_SPEED_CAP_KPH,
    HEAVY_SPEED_FACTOR,
    default_cache_dir,
    graph_from_spec,
    prepare_graph,
    save_graph,
)
from sim.network.roads import RoadNetwork, Route

# ``_find_town``, ``_town_zone`` and ``_TOWN_ZONE`` (``x as x`` imports) are private helpers that
# tests read as ``sim.network.<name>``; they are not part of ``__all__``.

if TYPE_CHECKING:
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]

__all__ = [
    "ACCESS_CIRCUITY",
    "ACCESS_SPEED_KPH",
    "CORRIDORS",
    "HEAVY_SPEED_CAP_KPH",
    "HEAVY_SPEED_FACTOR",
    "INTERCHANGE_ID_SUFFIX",
    "INTERCHANGE_M",
    "INTERCHANGE_S",
    "SHAOGUAN",
    "TERRAIN_ZONES",
    "Corridor",
    "RoadNetwork",
    "Route",
    "access_time_s",
    "build_shaoguan_graph",
    "crosses_river",
    "default_cache_dir",
    "edges_of",
    "graph_from_spec",
    "network_from_spec",
    "prepare_graph",
    "river_crossings",
    "save_graph",
]


@cache
def _shaoguan_network() -> RoadNetwork:
    return RoadNetwork.from_graph(_shaoguan_graph())


def network_from_spec(spec: str = SHAOGUAN, *, cache_dir: Path | None = None) -> RoadNetwork:
    """Return the `RoadNetwork` of a spec (see `graph_from_spec`); ``shaoguan`` is memoised."""
    if spec.strip().lower() == SHAOGUAN:
        return _shaoguan_network()
    return RoadNetwork.from_graph(graph_from_spec(spec, cache_dir=cache_dir))


def edges_of(net: RoadNetwork, pairs: Iterable[tuple[int, int]]) -> IntArray:
    """Return the indices of all edges (both directions) between the given node-id pairs."""
    wanted = {(a, b) for a, b in pairs} | {(b, a) for a, b in pairs}
    ids = net.node_ids
    return np.array(
        [
            i
            for i in range(len(net.edge_u))
            if (int(ids[net.edge_u[i]]), int(ids[net.edge_v[i]])) in wanted
        ],
        dtype=np.int64,
    )
