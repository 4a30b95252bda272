"""Road network queries: `RoadNetwork` arrays, nearest nodes, travel-time matrices and routes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from sim import geo
from sim.errors import NetworkError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

_PROFILE_ATTR = {"light": "travel_time", "heavy": "travel_time_heavy"}


def _check_profile(profile: str) -> str:
    if profile not in _PROFILE_ATTR:
        msg = f"unknown vehicle profile {profile!r} (allowed: light, heavy)"
        raise NetworkError(msg)
    return _PROFILE_ATTR[profile]


def _as_strings(value: Any) -> list[str]:
    """Flatten an osmnx attribute (str, list after simplification, or missing) to strings."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, set)):
        out: list[str] = []
        for v in value:
            out.extend(_as_strings(v))
        return out
    return [s.strip() for s in str(value).split(";") if s.strip()]


def _is_bridge(value: Any) -> bool:
    if isinstance(value, (list, tuple, set)):
        return any(_is_bridge(v) for v in value)
    if isinstance(value, str):
        return value.strip().lower() not in {"", "no", "false", "0", "nan"}
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True, slots=True)
class Route:
    """A shortest route between two nodes of a `RoadNetwork`."""

    travel_time_s: float
    length_m: float
    nodes: tuple[int, ...]
    towns: tuple[str, ...]
    refs: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """Array view of a road graph for fast travel-time queries; build once per graph.

    Use `RoadNetwork.from_graph`. Nodes are addressed by index ``0..n-1`` (`node_ids` maps
    index → graph node id). Edges are kept in the arrays `edge_u`, `edge_v` (node indices),
    `edge_key`, `edge_length_m`; `edge_time_s(profile)` gives their travel times. The CSR
    matrix of a profile holds, per ordered node pair, the fastest parallel edge; `csr_edge`
    maps each CSR entry (in ``csr.data`` order) to that edge, and `edge_entry` maps each edge
    to its CSR entry, so a flood module can close or slow single edges with `csr_with`.

    Attributes
    ----------
    G
        The graph (not copied; do not modify it after building the network).
    node_ids
        int64 array, index → node id.
    lon, lat
        float64 arrays of node coordinates (WGS84 degrees).
    node_town, node_county, node_kind
        Per node: town name, county name, node kind (``None`` where unknown, e.g. OSM nodes).
    n
        Number of nodes.
    """

    G: nx.MultiDiGraph
    node_ids: IntArray
    lon: FloatArray
    lat: FloatArray
    node_town: list[str | None]
    node_county: list[str | None]
    node_kind: list[str | None]
    node_town_code: list[str | None]
    edge_u: IntArray
    edge_v: IntArray
    edge_key: IntArray
    edge_length_m: FloatArray
    edge_highway: tuple[str, ...]
    edge_refs: tuple[tuple[str, ...], ...]
    edge_bridge: npt.NDArray[np.bool_]
    _edge_time: dict[str, FloatArray]
    _pair_order: IntArray  # edges sorted by (u, v), self-loops excluded
    _pair_start: IntArray  # start of each (u, v) group in _pair_order
    _pair_u: IntArray
    _pair_v: IntArray
    edge_entry: IntArray  # edge → CSR entry (-1 for self-loops)
    _index: dict[Any, int]
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @classmethod
    def from_graph(cls, G: nx.MultiDiGraph) -> RoadNetwork:
        """Convert a graph with ``x``, ``y``, ``length``, ``travel_time`` (and optionally
        ``travel_time_heavy``) into arrays.

        Parameters
        ----------
        G
            osmnx-style MultiDiGraph in WGS84 (e.g. from `graph_from_spec`).

        Returns
        -------
        net
            The network; CSR matrices are built lazily, once per profile.

        Raises
        ------
        NetworkError
            If the graph is empty, a node lacks coordinates, node ids are not integers, or an
            edge lacks ``length``/``travel_time``.
        """
        nodes = list(G.nodes)
        if not nodes:
            msg = "cannot build a RoadNetwork from an empty graph"
            raise NetworkError(msg)
        try:
            node_ids = np.array(nodes, dtype=np.int64)
            lon = np.array([float(G.nodes[v]["x"]) for v in nodes])
            lat = np.array([float(G.nodes[v]["y"]) for v in nodes])
        except (KeyError, TypeError, ValueError) as e:
            msg = (
                f"graph nodes need integer ids and numeric x/y attributes ({type(e).__name__}: {e})"
            )
            raise NetworkError(msg) from e
        index = {v: i for i, v in enumerate(nodes)}
        attr = [G.nodes[v] for v in nodes]

        def node_str(key: str) -> list[str | None]:
            return [str(d[key]) if d.get(key) not in (None, "") else None for d in attr]

        m = G.number_of_edges()
        eu = np.empty(m, dtype=np.int64)
        ev = np.empty(m, dtype=np.int64)
        ek = np.empty(m, dtype=np.int64)
        length = np.empty(m)
        light = np.empty(m)
        heavy = np.full(m, np.nan)
        highway: list[str] = []
        refs: list[tuple[str, ...]] = []
        bridge = np.zeros(m, dtype=bool)
        for i, (u, v, k, d) in enumerate(G.edges(keys=True, data=True)):
            eu[i], ev[i] = index[u], index[v]
            ek[i] = k if isinstance(k, (int, np.integer)) else i
            try:
                length[i] = float(d["length"])
                light[i] = float(d["travel_time"])
            except (KeyError, TypeError, ValueError) as e:
                msg = f"edge ({u}, {v}, {k}) lacks a numeric 'length' or 'travel_time' ({e})"
                raise NetworkError(msg) from e
            if "travel_time_heavy" in d:
                heavy[i] = float(d["travel_time_heavy"])
            hw = _as_strings(d.get("highway"))
            highway.append(hw[0] if hw else "unclassified")
            refs.append(tuple(dict.fromkeys(_as_strings(d.get("ref")))))
            bridge[i] = _is_bridge(d.get("bridge", False))
        times = {"light": _frozen(light)}
        if not np.isnan(heavy).any():
            times["heavy"] = _frozen(heavy)

        # group parallel edges by ordered pair (u, v) in CSR (row-major) order
        n = len(nodes)
        keep = np.flatnonzero(eu != ev)
        pair = eu[keep] * n + ev[keep]
        order = keep[np.argsort(pair, kind="stable")]
        sorted_pair = eu[order] * n + ev[order]
        start = (
            np.flatnonzero(np.r_[True, sorted_pair[1:] != sorted_pair[:-1]])
            if len(order)
            else np.zeros(0, np.int64)
        )
        entry = np.full(m, -1, dtype=np.int64)
        if len(order):
            group = np.cumsum(np.r_[True, sorted_pair[1:] != sorted_pair[:-1]]) - 1
            entry[order] = group
        return cls(
            G=G,
            node_ids=_frozen(node_ids),
            lon=_frozen(lon),
            lat=_frozen(lat),
            node_town=node_str("town"),
            node_county=node_str("county"),
            node_kind=node_str("kind"),
            node_town_code=node_str("town_code"),
            edge_u=_frozen(eu),
            edge_v=_frozen(ev),
            edge_key=_frozen(ek),
            edge_length_m=_frozen(length),
            edge_highway=tuple(highway),
            edge_refs=tuple(refs),
            edge_bridge=_frozen(bridge),
            _edge_time=times,
            _pair_order=_frozen(order),
            _pair_start=_frozen(start.astype(np.int64)),
            _pair_u=_frozen(eu[order][start] if len(order) else np.zeros(0, np.int64)),
            _pair_v=_frozen(ev[order][start] if len(order) else np.zeros(0, np.int64)),
            edge_entry=_frozen(entry),
            _index=index,
        )

    # ---- nodes -----------------------------------------------------------------------------

    def index_of(self, node_id: Any) -> int:
        """Return the index of a graph node id; raise `NetworkError` if it is not in the graph."""
        try:
            return self._index[node_id]
        except KeyError:
            msg = f"node {node_id!r} is not in the road network"
            raise NetworkError(msg) from None

    def town_index(self, town_code: str) -> int | None:
        """Return the index of the town-seat node of a town code, or None if there is none."""
        lookup = self._cache.get("town_index")
        if lookup is None:
            lookup = {
                c: i
                for i, (c, k) in enumerate(zip(self.node_town_code, self.node_kind, strict=True))
                if c is not None and k == "town_seat"
            }
            self._cache["town_index"] = lookup
        return lookup.get(town_code)

    def _tree(self) -> tuple[cKDTree, float, IntArray]:
        """k-d tree over the nodes a point may snap to, its reference latitude and node indices.

        Expressway interchanges (``kind="interchange"``) are left out: a place reaches an
        expressway only through the interchange link, never directly.
        """
        hit = self._cache.get("kdtree")
        if hit is None:
            snappable = np.flatnonzero([k != "interchange" for k in self.node_kind])
            lat0 = float(np.radians(np.mean(self.lat[snappable])))
            lon_r, lat_r = np.radians(self.lon[snappable]), np.radians(self.lat[snappable])
            xy = np.column_stack((lon_r * math.cos(lat0), lat_r))
            hit = (cKDTree(xy * geo.EARTH_RADIUS_M), lat0, snappable.astype(np.int64))
            self._cache["kdtree"] = hit
        return hit

    def nearest_nodes(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """Snap coordinates to their nearest network nodes.

        Parameters
        ----------
        lon, lat
            WGS84 degrees; scalars or arrays of the same shape.

        Returns
        -------
        idx, dist_m
            Node indices and great-circle distances in metres (arrays shaped like the input,
            or an int and a float for scalar input).

        Notes
        -----
        A k-d tree on a local equirectangular projection proposes the three nearest
        candidates, and the exact great-circle distance picks among them. Expressway
        interchange nodes are never returned (see `_tree`).
        """
        tree, lat0, snappable = self._tree()
        lon_a = np.asarray(lon, dtype=float)
        lat_a = np.asarray(lat, dtype=float)
        shape = np.broadcast(lon_a, lat_a).shape
        lo, la = np.broadcast_to(lon_a, shape).ravel(), np.broadcast_to(lat_a, shape).ravel()
        xy = np.column_stack((np.radians(lo) * math.cos(lat0), np.radians(la))) * geo.EARTH_RADIUS_M
        k = min(3, len(snappable))
        _, cand = tree.query(xy, k=k)
        cand = snappable[np.asarray(cand).reshape(len(lo), k)]
        d = geo.haversine_m(lo[:, None], la[:, None], self.lon[cand], self.lat[cand])
        d = np.asarray(d).reshape(len(lo), k)
        best = np.argmin(d, axis=1)
        rows = np.arange(len(lo))
        idx = cand[rows, best].astype(np.int64).reshape(shape)
        dist = d[rows, best].reshape(shape)
        if shape == ():
            return int(idx), float(dist)
        return idx, dist

    def snap_place(self, place: geo.Place) -> tuple[int, float]:
        """Return (node index, straight-line distance in m) for a resolved place.

        A town place maps to its own seat node when the network has one (distance 0);
        otherwise, and for coordinates, the nearest node.
        """
        if place.town is not None:
            i = self.town_index(place.town.code)
            if i is not None:
                return i, 0.0
        return self.nearest_nodes(place.lon, place.lat)

    # ---- edges and CSR ---------------------------------------------------------------------

    def edge_time_s(self, profile: str = "light") -> FloatArray:
        """Return the travel time in seconds of every edge (read-only array, edge order)."""
        _check_profile(profile)
        if profile not in self._edge_time:
            msg = f"the road network has no 'travel_time_heavy' on its edges (profile {profile!r})"
            raise NetworkError(msg)
        return self._edge_time[profile]

    def _build_csr(self, times: np.ndarray) -> tuple[sp.csr_array, np.ndarray]:
        """Fastest parallel edge per pair; returns the CSR matrix and entry → edge index."""
        n = self.n
        order, start = self._pair_order, self._pair_start
        if len(order) == 0:
            return sp.csr_array((n, n), dtype=np.float64), np.zeros(0, dtype=np.int64)
        t = times[order]
        # argmin per group: sort inside groups by time via lexsort on (time, group)
        group = np.repeat(np.arange(len(start)), np.diff(np.r_[start, len(order)]))
        best = np.lexsort((t, group))[start]
        data = t[best]
        edge = order[best]
        ok = np.isfinite(data)
        rows = self._pair_u[ok]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        csr = sp.csr_array((data[ok], self._pair_v[ok], indptr), shape=(n, n))
        return csr, edge[ok]

    def csr(self, profile: str = "light") -> sp.csr_array:
        """Return the n×n CSR matrix of edge travel times in seconds (fastest parallel edge).

        Built once per profile and cached; do not modify it. Entry ``k`` of ``csr.data``
        comes from edge ``csr_edge(profile)[k]``.
        """
        key = ("csr", profile)
        if key not in self._cache:
            self._cache[key] = self._build_csr(self.edge_time_s(profile))
        return self._cache[key][0]

    def csr_edge(self, profile: str = "light") -> IntArray:
        """Return, per entry of ``csr(profile).data``, the index of the edge it comes from."""
        self.csr(profile)
        return self._cache[("csr", profile)][1]

    def csr_with(self, edge_factor: np.ndarray, profile: str = "light") -> sp.csr_array:
        """Return a CSR matrix with every edge's travel time multiplied by a factor.

        Parameters
        ----------
        edge_factor
            One factor per edge (edge order of `edge_u`); ``np.inf`` closes an edge, 2.0 halves
            its speed.
        profile
            {"light", "heavy"}

        Returns
        -------
        csr
            A new n×n CSR matrix (seconds); pairs whose edges are all closed have no entry.
        """
        factor = np.asarray(edge_factor, dtype=float)
        if factor.shape != (len(self.edge_u),):
            msg = (
                f"edge_factor must have one value per edge ({len(self.edge_u)}), "
                f"got shape {factor.shape}"
            )
            raise NetworkError(msg)
        if np.any(factor < 0) or np.any(np.isnan(factor)):
            msg = "edge_factor values must be >= 0 (np.inf closes an edge)"
            raise NetworkError(msg)
        return self._build_csr(self.edge_time_s(profile) * factor)[0]

    def _csr_for(self, profile: str, reverse: bool, edge_factor: np.ndarray | None) -> sp.csr_array:
        if edge_factor is not None:
            csr = self.csr_with(edge_factor, profile)
            return csr.T.tocsr() if reverse else csr
        if not reverse:
            return self.csr(profile)
        key = ("csr_t", profile)
        if key not in self._cache:
            self._cache[key] = self.csr(profile).T.tocsr()
        return self._cache[key]

    def _check_indices(self, idx: Any, what: str) -> IntArray:
        a = np.atleast_1d(np.asarray(idx))
        if a.ndim != 1 or not np.issubdtype(a.dtype, np.integer):
            msg = (
                f"`{what}` must be node indices (integers), got {a.dtype} array of shape {a.shape}"
            )
            raise NetworkError(msg)
        if len(a) and (a.min() < 0 or a.max() >= self.n):
            msg = f"`{what}` holds indices outside 0..{self.n - 1}"
            raise NetworkError(msg)
        return a

    def travel_time_matrix(
        self,
        sources: Any,
        *,
        profile: str = "light",
        reverse: bool = False,
        targets: Any = None,
        edge_factor: np.ndarray | None = None,
        limit_s: float = np.inf,
    ) -> FloatArray:
        """Return shortest travel times between node sets with one multi-source Dijkstra call.

        Parameters
        ----------
        sources
            Node indices (scalar or 1-D).
        profile
            {"light", "heavy"}
        reverse
            If False, ``T[i, j]`` is the time from ``sources[i]`` to node ``j``; if True, the
            time from node ``j`` to ``sources[i]`` (Dijkstra on the transposed matrix).
        targets
            Optional node indices; keeps only those columns.
        edge_factor
            Optional per-edge time factors (see `csr_with`), e.g. flooded edges.
        limit_s
            Stop searching beyond this time; farther nodes get ``inf``.

        Returns
        -------
        T
            float64 seconds, shape ``(len(sources), n)`` or ``(len(sources), len(targets))``;
            ``inf`` where unreachable.
        """
        src = self._check_indices(sources, "sources")
        csr = self._csr_for(profile, reverse, edge_factor)
        if np.isfinite(limit_s):
            T = dijkstra(csr, directed=True, indices=src, limit=limit_s)
        else:
            T = dijkstra(csr, directed=True, indices=src)
        if targets is not None:
            T = T[:, self._check_indices(targets, "targets")]
        return T

    def route(
        self,
        src_idx: int,
        dst_idx: int,
        *,
        profile: str = "light",
        edge_factor: np.ndarray | None = None,
    ) -> Route:
        """Return the fastest route between two node indices.

        Parameters
        ----------
        src_idx, dst_idx
            Node indices.
        profile
            {"light", "heavy"}
        edge_factor
            Optional per-edge time factors (see `csr_with`).

        Returns
        -------
        route
            Time (s), length (m), node indices, towns passed (first seen order) and road refs.

        Raises
        ------
        NetworkError
            If `dst_idx` cannot be reached from `src_idx`.
        """
        src, dst = (int(i) for i in self._check_indices([src_idx, dst_idx], "src_idx/dst_idx"))
        times = self.edge_time_s(profile)
        if edge_factor is not None:
            times = times * np.asarray(edge_factor, dtype=float)
            csr, entry_edge = self._build_csr(times)
        else:
            csr, entry_edge = self.csr(profile), self.csr_edge(profile)
        dist, pred = dijkstra(  # type: ignore[call-overload]  # scipy-stubs reject csr_array[Any]
            csr, directed=True, indices=src, return_predecessors=True
        )
        if not np.isfinite(dist[dst]):
            msg = f"no route from node {self.node_ids[src]} to node {self.node_ids[dst]}"
            raise NetworkError(msg)
        path = [dst]
        while path[-1] != src:
            path.append(int(pred[path[-1]]))
        path.reverse()
        length = 0.0
        refs: dict[str, None] = {}
        for a, b in pairwise(path):
            row = csr.indices[csr.indptr[a] : csr.indptr[a + 1]]
            k = csr.indptr[a] + int(np.searchsorted(row, b))
            e = int(entry_edge[k])
            length += float(self.edge_length_m[e])
            refs.update(dict.fromkeys(self.edge_refs[e]))
        towns = dict.fromkeys(t for t in (self.node_town[i] for i in path) if t is not None)
        return Route(
            travel_time_s=float(dist[dst]),
            length_m=length,
            nodes=tuple(path),
            towns=tuple(towns),
            refs=tuple(refs),
        )

    # ---- summary ---------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Return counts and lengths describing the network.

        Returns
        -------
        summary
            ``name``, ``nodes``, ``edges`` (directed), ``towns`` and ``counties`` (distinct
            names on nodes), ``km_by_class`` (highway → km, a two-way road counted once),
            ``km_total``, ``strongly_connected``, ``bridges`` (bridge roads, two-way counted
            once).
        """
        seen: set[tuple[int, int, str, float]] = set()
        km: dict[str, float] = {}
        bridges = 0
        for i in range(len(self.edge_u)):
            u, v = int(self.edge_u[i]), int(self.edge_v[i])
            key = (min(u, v), max(u, v), self.edge_highway[i], round(float(self.edge_length_m[i])))
            if key in seen:
                continue
            seen.add(key)
            hw = self.edge_highway[i]
            km[hw] = km.get(hw, 0.0) + float(self.edge_length_m[i]) / 1000
            bridges += bool(self.edge_bridge[i])
        csr = self.csr("light")
        n_comp = connected_components(csr, directed=True, connection="strong")[0]
        return {
            "name": str(self.G.graph.get("name", "")),
            "nodes": self.n,
            "edges": len(self.edge_u),
            # two towns may share a name (大桥镇 in 仁化 and 乳源): count codes where known
            "towns": len(
                {
                    code or town
                    for code, town in zip(self.node_town_code, self.node_town, strict=True)
                    if (code or town) is not None
                }
            ),
            "counties": len({c for c in self.node_county if c is not None}),
            "km_by_class": {k: round(v, 1) for k, v in sorted(km.items(), key=lambda kv: -kv[1])},
            "km_total": round(sum(km.values()), 1),
            "strongly_connected": bool(n_comp == 1),
            "bridges": bridges,
        }
