"""Water rescue by road and boat: river chainage, confluences, launch points and boat legs."""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial import cKDTree

from sim import geo
from sim.network import ACCESS_CIRCUITY, ACCESS_SPEED_KPH, access_time_s

if TYPE_CHECKING:
    import numpy.typing as npt

    from sim.network import RoadNetwork

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

#: Effective speed of an assault boat (冲锋舟) or inflatable rescue boat along a flooding
#: Beijiang tributary, crew and casualties aboard, debris and current included (km/h).
#: ASSUMPTION (docs/floods.md §2): 20–30 km/h; 40–50 km/h is the still-water figure.
BOAT_SPEED_KPH = 25.0
#: Put-in time at the launch point: unload from the trailer, fuel, launch, crew aboard (s).
#: ASSUMPTION: 10 min.
LAUNCH_S = 600.0
#: A road node farther than this from any river is not a launch point, and an incident farther
#: than this from any river is not on a river (m).
MAX_OFFSET_M = 3_000.0
#: A river's end within this distance of another river joins it (m): the hand-drawn tributaries
#: end at "the nearest point" of their main river, not exactly on its line.
JUNCTION_TOLERANCE_M = 500.0
#: Spacing of the points that seed the nearest-segment search (m); any value gives exact
#: results, smaller ones need fewer candidate re-queries near confluences.
_SEED_SPACING_M = 200.0
#: Candidates per query before the search widens (see `RiverIndex.project`).
_SEED_K = 8


def _local_xy(lon: np.ndarray, lat: np.ndarray, lat0: float) -> np.ndarray:
    """Equirectangular metres around latitude `lat0` (degrees)."""
    r = geo.EARTH_RADIUS_M
    return np.column_stack(
        (np.radians(lon) * r * math.cos(math.radians(lat0)), np.radians(lat) * r)
    )


def _merge_parts(parts: tuple[np.ndarray, ...]) -> np.ndarray:
    """Chain the parts of one river into a single ordered polyline.

    Greedy: start from the first part and keep appending (or prepending) the remaining part
    whose nearest end is closest to an end of the chain, reversing it when needed. Gaps (a
    river clipped along a county border) are bridged by a straight line, so they count in the
    chainage.
    """
    pending = [np.asarray(p, dtype=float)[:, :2] for p in parts if len(p)]
    if not pending:
        return np.zeros((0, 2))
    chain = pending.pop(0)
    while pending:
        best: tuple[float, int, bool, bool] | None = None  # (gap, part, at_head, reverse)
        for i, p in enumerate(pending):
            for at_head in (False, True):
                end = chain[0] if at_head else chain[-1]
                for rev in (False, True):
                    q = p[::-1] if rev else p
                    # appending joins q's first point; prepending joins q's last point
                    join = q[-1] if at_head else q[0]
                    gap = float(geo.haversine_m(end[0], end[1], join[0], join[1]))
                    if best is None or gap < best[0]:
                        best = (gap, i, at_head, rev)
        assert best is not None
        _, i, at_head, rev = best
        q = pending.pop(i)
        q = q[::-1] if rev else q
        chain = np.vstack((q, chain) if at_head else (chain, q))
    # drop repeated vertices (zero-length segments)
    keep = np.r_[True, np.any(np.diff(chain, axis=0) != 0, axis=1)]
    return chain[keep]


@dataclass(frozen=True, slots=True)
class Junction:
    """Where the end of one river meets another river (a confluence)."""

    river_a: str
    s_a_m: float
    river_b: str
    s_b_m: float
    gap_m: float


@dataclass(frozen=True, eq=False)
class RiverIndex:
    """Rivers as ordered polylines with chainage, for nearest-point queries and boat distances.

    Build it with `RiverIndex.from_lines` (or `load_river_index` for ``rivers.geojson``).
    Chainage ``s`` is the distance along a river from its first vertex in metres (cumulative
    great-circle length); in ``rivers.geojson`` every river is drawn downstream, so ``s`` grows
    downstream.

    Attributes
    ----------
    names
        River names; `project` returns indices into this tuple.
    lines
        Per river a merged ``(n, 2)`` lon/lat polyline.
    chainage_m
        Per river the chainage of each vertex (m), starting at 0.
    junctions
        Confluences found by `from_lines`.
    max_offset_m
        Default cut-off of `project` (m).
    """

    names: tuple[str, ...]
    lines: tuple[FloatArray, ...]
    chainage_m: tuple[FloatArray, ...]
    junctions: tuple[Junction, ...]
    max_offset_m: float
    _seg_river: IntArray
    _seg_a: FloatArray  # (S, 2) lon/lat
    _seg_b: FloatArray
    _seg_s0: FloatArray  # chainage at the segment start (m)
    _seg_len: FloatArray  # great-circle length (m)
    _seg_cos: FloatArray  # cos(mid latitude) for the exact local projection
    _tree: Any  # cKDTree of seed points in the global local projection, or None
    _seed_seg: IntArray
    _lat0: float
    _slack: float  # bound on true / tree distance ratios (and its inverse) over the rivers
    _node_river: IntArray  # boat graph nodes (junction ends), river index
    _node_s: FloatArray  # their chainage (m)
    _node_dist: FloatArray  # (J, J) shortest boat distance between graph nodes (m)

    @classmethod
    def from_lines(
        cls,
        lines: dict[str, tuple[Any, ...]],
        *,
        max_offset_m: float = MAX_OFFSET_M,
        junction_tolerance_m: float = JUNCTION_TOLERANCE_M,
    ) -> RiverIndex:
        """Build the index from river polylines.

        Parameters
        ----------
        lines
            ``{name: (array[(n, 2)] lon/lat, ...)}`` as returned by `sim.geo.river_lines`;
            several parts of one river are chained into one line (see Notes).
        max_offset_m
            Default distance beyond which `project` says "not on a river" (m).
        junction_tolerance_m
            A river end within this distance of another river is a confluence (m).

        Returns
        -------
        index
            The river index.

        Notes
        -----
        Parts are chained greedily by their nearest ends; a gap between parts is bridged by
        a straight line. Confluences are found by projecting the first and last vertex of
        each river onto every other river; the boat may pass through them (with the small
        gap added to the distance).
        """
        names = tuple(k for k, v in lines.items() if len(v))
        merged = [_merge_parts(tuple(lines[k])) for k in names]
        keep = [i for i, m in enumerate(merged) if len(m) >= 2]
        names = tuple(names[i] for i in keep)
        merged = [merged[i] for i in keep]
        chain = []
        for m in merged:
            d = geo.haversine_m(m[:-1, 0], m[:-1, 1], m[1:, 0], m[1:, 1])
            chain.append(np.r_[0.0, np.cumsum(d)])
        if merged:
            seg_river = np.concatenate([np.full(len(m) - 1, i) for i, m in enumerate(merged)])
            seg_a = np.vstack([m[:-1] for m in merged])
            seg_b = np.vstack([m[1:] for m in merged])
            seg_s0 = np.concatenate([c[:-1] for c in chain])
            seg_len = np.concatenate([np.diff(c) for c in chain])
        else:
            seg_river = np.zeros(0, dtype=np.int64)
            seg_a = seg_b = np.zeros((0, 2))
            seg_s0 = seg_len = np.zeros(0)
        seg_cos = np.cos(np.radians((seg_a[:, 1] + seg_b[:, 1]) / 2))
        lat0 = float(np.mean(seg_a[:, 1])) if len(seg_a) else 0.0
        # the tree uses one latitude's scale; near the rivers (±0.5°) the true x scale differs
        # by at most this ratio
        lats = (
            np.radians(np.linspace(seg_a[:, 1].min() - 0.5, seg_a[:, 1].max() + 0.5, 64))
            if len(seg_a)
            else np.zeros(1)
        )
        ratio = np.cos(lats) / math.cos(math.radians(lat0))
        slack = float(max(ratio.max(), 1 / ratio.min()))
        # seed points every _SEED_SPACING_M along every segment, ends included
        if len(seg_a):
            pieces = np.maximum(np.ceil(seg_len / _SEED_SPACING_M).astype(np.int64), 1)
            seed_seg = np.repeat(np.arange(len(seg_a)), pieces + 1)
            first = np.r_[0, np.cumsum(pieces + 1)[:-1]]
            t = (np.arange(len(seed_seg)) - np.repeat(first, pieces + 1)) / np.repeat(
                pieces, pieces + 1
            )
            pts = seg_a[seed_seg] + t[:, None] * (seg_b[seed_seg] - seg_a[seed_seg])
            tree = cKDTree(_local_xy(pts[:, 0], pts[:, 1], lat0))
        else:
            seed_seg = np.zeros(0, dtype=np.int64)
            tree = None
        index = cls(
            names=names,
            lines=tuple(merged),
            chainage_m=tuple(chain),
            junctions=(),
            max_offset_m=float(max_offset_m),
            _seg_river=seg_river.astype(np.int64),
            _seg_a=seg_a,
            _seg_b=seg_b,
            _seg_s0=seg_s0,
            _seg_len=seg_len,
            _seg_cos=seg_cos,
            _tree=tree,
            _seed_seg=seed_seg,
            _lat0=lat0,
            _slack=slack,
            _node_river=np.zeros(0, dtype=np.int64),
            _node_s=np.zeros(0),
            _node_dist=np.zeros((0, 0)),
        )
        return index._with_junctions(junction_tolerance_m)

    # ---- construction helpers --------------------------------------------------------------

    def _with_junctions(self, tolerance_m: float) -> RiverIndex:
        junctions: list[Junction] = []
        links: list[tuple[int, float, int, float, float]] = []
        for i, line in enumerate(self.lines):
            for end, s_end in ((line[0], 0.0), (line[-1], float(self.chainage_m[i][-1]))):
                for j in range(len(self.names)):
                    if j == i:
                        continue
                    segs = np.flatnonzero(self._seg_river == j)[None, :]
                    seg, t, _ = self._nearest_on(np.array([end[0]]), np.array([end[1]]), segs)
                    s_j, off = self._chainage_offset(np.array([end[0]]), np.array([end[1]]), seg, t)
                    if off[0] <= tolerance_m:
                        junctions.append(
                            Junction(
                                self.names[i], s_end, self.names[j], float(s_j[0]), float(off[0])
                            )
                        )
                        links.append((i, s_end, j, float(s_j[0]), float(off[0])))
        # boat graph: nodes are the junction points on each river, edges run along the river
        # between consecutive nodes and across each junction gap
        nodes: dict[tuple[int, float], int] = {}
        for i, si, j, sj, _ in links:
            nodes.setdefault((i, si), len(nodes))
            nodes.setdefault((j, sj), len(nodes))
        J = len(nodes)
        D = np.full((J, J), np.inf)
        np.fill_diagonal(D, 0.0)
        by_river: dict[int, list[tuple[float, int]]] = {}
        for (r, s), k in nodes.items():
            by_river.setdefault(r, []).append((s, k))
        for pts in by_river.values():
            pts.sort()
            for (s1, k1), (s2, k2) in itertools.pairwise(pts):
                D[k1, k2] = D[k2, k1] = min(D[k1, k2], s2 - s1)
        for i, si, j, sj, gap in links:
            a, b = nodes[(i, si)], nodes[(j, sj)]
            D[a, b] = D[b, a] = min(D[a, b], gap)
        for k in range(J):  # Floyd–Warshall; J is a few dozen at most
            D = np.minimum(D, D[:, k, None] + D[None, k, :])
        keys = list(nodes)
        return dataclasses.replace(
            self,
            junctions=tuple(junctions),
            _node_river=np.array([r for r, _ in keys], dtype=np.int64),
            _node_s=np.array([s for _, s in keys], dtype=float),
            _node_dist=D,
        )

    def _nearest_on(
        self, lon: np.ndarray, lat: np.ndarray, cand: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest point of each point on its candidate segments ``cand`` (P, m).

        Returns the chosen segment, the fraction along it and the local distance (m), each
        of shape (P,). Each segment is projected with the cosine of its own mid latitude.
        """
        r = geo.EARTH_RADIUS_M * math.pi / 180
        c = self._seg_cos[cand]
        a = self._seg_a[cand]
        b = self._seg_b[cand]
        ax = (b[..., 0] - a[..., 0]) * c * r
        ay = (b[..., 1] - a[..., 1]) * r
        px = (lon[:, None] - a[..., 0]) * c * r
        py = (lat[:, None] - a[..., 1]) * r
        L2 = ax * ax + ay * ay
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(L2 > 0, (px * ax + py * ay) / L2, 0.0)
        t = np.clip(t, 0.0, 1.0)
        d = np.hypot(px - t * ax, py - t * ay)
        k = np.argmin(d, axis=1)
        rows = np.arange(len(lon))
        return cand[rows, k], t[rows, k], d[rows, k]

    def _chainage_offset(
        self, lon: np.ndarray, lat: np.ndarray, seg: np.ndarray, t: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        a, b = self._seg_a[seg], self._seg_b[seg]
        foot = a + t[:, None] * (b - a)
        s = self._seg_s0[seg] + t * self._seg_len[seg]
        off = np.asarray(geo.haversine_m(lon, lat, foot[:, 0], foot[:, 1]), dtype=float)
        return s, off

    # ---- queries ---------------------------------------------------------------------------

    def project(
        self, lon: Any, lat: Any, *, max_offset_m: float | None = None
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """Project points onto the nearest river.

        Parameters
        ----------
        lon, lat
            WGS84 degrees; scalars or arrays of one shape.
        max_offset_m
            Points farther than this from every river get river ``-1`` (m); default
            `max_offset_m` of the index.

        Returns
        -------
        river_idx, chainage_m, offset_m
            Arrays shaped like the input: index into `names` (``-1`` if off every river),
            chainage of the nearest point on that river (m; ``nan`` if off), and the distance
            from the point to the nearest river (m; ``inf`` for points clearly beyond
            `max_offset_m`, which are not searched, and for an empty index).

        Notes
        -----
        A k-d tree of points seeded every 200 m along the rivers proposes candidate
        segments; the query widens until every segment that could be nearer than the best
        seed is among them, so the answer is the nearest segment, exact up to the local
        equirectangular approximation (each segment is measured at its own mid latitude).
        """
        limit = self.max_offset_m if max_offset_m is None else float(max_offset_m)
        lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float))
        shape = lon_a.shape
        lo, la = lon_a.ravel(), lat_a.ravel()
        P = len(lo)
        river = np.full(P, -1, dtype=np.int64)
        s_out = np.full(P, np.nan)
        off_out = np.full(P, np.inf)
        if self._tree is None or P == 0:
            return river.reshape(shape), s_out.reshape(shape), off_out.reshape(shape)
        xy = _local_xy(lo, la, self._lat0)
        n_seed = len(self._seed_seg)
        pending = np.arange(P)
        sigma, half = self._slack, _SEED_SPACING_M / 2
        if np.isfinite(limit):
            # the nearest segment is within d1 / sigma - half of the point (true metres): a
            # point whose nearest seed is beyond sigma (limit + half) is off every river
            d1, _ = self._tree.query(xy, k=1)
            near = d1 <= sigma * (limit + half) + 1.0
            pending = pending[near]
        k = min(_SEED_K, n_seed)
        while len(pending):
            d, idx = self._tree.query(xy[pending], k=k)
            d = d.reshape(len(pending), k)
            idx = idx.reshape(len(pending), k)
            # the nearest segment has a seed within sigma (sigma d1 + half) in tree metres; once
            # the k-th seed is beyond that, every such seed is a candidate
            done = (d[:, -1] > sigma * (sigma * d[:, 0] + half) + 1.0) | (k >= n_seed)
            rows = pending[done]
            if len(rows):
                seg, t, _ = self._nearest_on(lo[rows], la[rows], self._seed_seg[idx[done]])
                s, off = self._chainage_offset(lo[rows], la[rows], seg, t)
                river[rows] = self._seg_river[seg]
                s_out[rows] = s
                off_out[rows] = off
            pending = pending[~done]
            k = min(2 * k, n_seed)
        far = off_out > limit
        river[far] = -1
        s_out[far] = np.nan
        return river.reshape(shape), s_out.reshape(shape), off_out.reshape(shape)

    def river_index(self, name: str) -> int:
        """Return the index of a river name; raise `KeyError` listing the names if unknown."""
        try:
            return self.names.index(name)
        except ValueError:
            msg = f"unknown river {name!r} (rivers: {', '.join(self.names)})"
            raise KeyError(msg) from None

    def length_m(self, river: int) -> float:
        """Return the length of one river along its merged line (m)."""
        return float(self.chainage_m[river][-1])

    def boat_distance_m(self, river_a: Any, s_a: Any, river_b: Any, s_b: Any) -> Any:
        """Return the distance by boat between points given as (river, chainage).

        Parameters
        ----------
        river_a, s_a, river_b, s_b
            River indices (into `names`; ``-1`` = not on a river) and chainages (m); scalars
            or broadcastable arrays.

        Returns
        -------
        dist_m
            Along one river ``|s_a − s_b|``; between rivers the shortest path through the
            confluences (junction gaps included); ``inf`` when either point is off the rivers
            or the rivers are not connected. Float for scalar input, else an array.
        """
        ra, sa, rb, sb = np.broadcast_arrays(
            np.asarray(river_a, dtype=np.int64),
            np.asarray(s_a, dtype=float),
            np.asarray(river_b, dtype=np.int64),
            np.asarray(s_b, dtype=float),
        )
        shape = ra.shape
        ra, sa, rb, sb = ra.ravel(), sa.ravel(), rb.ravel(), sb.ravel()
        valid = (ra >= 0) & (rb >= 0)
        out = np.where(valid & (ra == rb), np.abs(sa - sb), np.inf)
        if len(self._node_s):
            A = np.where(
                self._node_river[None, :] == ra[:, None], np.abs(sa[:, None] - self._node_s), np.inf
            )
            B = np.where(
                self._node_river[None, :] == rb[:, None], np.abs(sb[:, None] - self._node_s), np.inf
            )
            via_k = np.min(A[:, :, None] + self._node_dist[None, :, :], axis=1)  # (N, J)
            via = np.min(via_k + B, axis=1)
            out = np.where(valid, np.minimum(out, via), np.inf)
        out = out.reshape(shape)
        return float(out) if shape == () else out

    def boat_distance_grid_m(self, river_a: Any, s_a: Any, river_b: Any, s_b: Any) -> FloatArray:
        """Return the distance by boat from every point b to every point a: (len(b), len(a)).

        The same numbers as ``boat_distance_m(river_a[None, :], s_a[None, :], river_b[:, None],
        s_b[:, None])``, to the last bit (the same sums, in the same order), without the
        (len(b) × len(a) × junctions²) array that builds: the legs from the points a to every
        junction are found once per point a, not once per pair.

        Parameters
        ----------
        river_a, s_a, river_b, s_b
            1-D river indices (``-1`` = not on a river) and chainages (m) of the two sets.
        """
        ra = np.asarray(river_a, dtype=np.int64).ravel()
        sa = np.asarray(s_a, dtype=float).ravel()
        rb = np.asarray(river_b, dtype=np.int64).ravel()
        sb = np.asarray(s_b, dtype=float).ravel()
        valid = (ra[None, :] >= 0) & (rb[:, None] >= 0)
        out = np.where(
            valid & (ra[None, :] == rb[:, None]), np.abs(sa[None, :] - sb[:, None]), np.inf
        )
        if len(self._node_s):
            A = np.where(
                self._node_river[None, :] == ra[:, None], np.abs(sa[:, None] - self._node_s), np.inf
            )
            B = np.where(
                self._node_river[None, :] == rb[:, None], np.abs(sb[:, None] - self._node_s), np.inf
            )
            via_k = np.min(A[:, :, None] + self._node_dist[None, :, :], axis=1)  # (len(a), J)
            via = np.min(via_k[None, :, :] + B[:, None, :], axis=2)  # (len(b), len(a))
            out = np.where(valid, np.minimum(out, via), np.inf)
        return np.asarray(out, dtype=float)


@cache
def load_river_index() -> RiverIndex:
    """Return the `RiverIndex` of ``sim/data/rivers.geojson`` (memoised; empty if it is missing)."""
    return RiverIndex.from_lines(geo.river_lines())


@dataclass(frozen=True, eq=False)
class LaunchPoints:
    """Road nodes where a boat can be put into a river.

    Build with `LaunchPoints.from_network`. Arrays are aligned, one entry per launch point,
    sorted by river and chainage.

    Attributes
    ----------
    rivers
        The `RiverIndex` the points refer to.
    node
        Road-node index of each launch point.
    river
        River index (into ``rivers.names``).
    chainage_m
        Chainage of the put-in on the river (m).
    offset_m
        Straight-line distance from the node to the water (m).
    access_s
        Time of the last leg from the node to the water (s): the vehicle with its boat
        trailer on tracks, at the network's access speed and circuity.
    """

    rivers: RiverIndex
    node: IntArray
    river: IntArray
    chainage_m: FloatArray
    offset_m: FloatArray
    access_s: FloatArray

    @property
    def n(self) -> int:
        """Number of launch points."""
        return len(self.node)

    @classmethod
    def from_network(
        cls,
        net: RoadNetwork,
        river_index: RiverIndex,
        *,
        max_offset_m: float = MAX_OFFSET_M,
        spacing_m: float | None = None,
        max_points: int | None = None,
        access_speed_kph: float = ACCESS_SPEED_KPH,
        access_circuity: float = ACCESS_CIRCUITY,
    ) -> LaunchPoints:
        """Find the launch points of a road network: nodes within `max_offset_m` of a river.

        Parameters
        ----------
        net
            The road network.
        river_index
            The rivers.
        max_offset_m
            Farthest a node may be from the water (m).
        spacing_m
            Optional thinning: keep, per river and per stretch of this many metres of
            chainage, only the node closest to the water (e.g. 2000 for large OSM graphs).
        max_points
            Optional thinning: at most this many points per river (equal stretches of the
            river; combined with `spacing_m`, the coarser wins).
        access_speed_kph, access_circuity
            Speed and circuity of the node-to-water leg (see `sim.network.access_time_s`).

        Returns
        -------
        launch
            The launch points (possibly empty).
        """
        if spacing_m is not None and spacing_m <= 0:
            msg = f"spacing_m must be > 0, got {spacing_m!r}"
            raise ValueError(msg)
        if max_points is not None and max_points < 1:
            msg = f"max_points must be >= 1, got {max_points!r}"
            raise ValueError(msg)
        river, s, off = river_index.project(net.lon, net.lat, max_offset_m=max_offset_m)
        node = np.flatnonzero(river >= 0)
        river, s, off = river[node], s[node], off[node]
        if (spacing_m is not None or max_points is not None) and len(node):
            lengths = np.array([river_index.length_m(r) for r in range(len(river_index.names))])
            step = np.zeros(len(lengths))
            if spacing_m is not None:
                step[:] = spacing_m
            if max_points is not None:
                step = np.maximum(step, lengths / max_points)
            step = np.maximum(step[river], 1e-9)
            bin_ = np.floor(s / step).astype(np.int64)
            if max_points is not None:
                bin_ = np.minimum(bin_, max_points - 1)
            order = np.lexsort((node, off, bin_, river))
            first = np.r_[True, (np.diff(river[order]) != 0) | (np.diff(bin_[order]) != 0)]
            pick = order[first]
            node, river, s, off = node[pick], river[pick], s[pick], off[pick]
        order = np.lexsort((node, s, river))
        node, river, s, off = node[order], river[order], s[order], off[order]
        access = np.asarray(access_time_s(off, access_speed_kph, access_circuity), dtype=float)
        return cls(
            rivers=river_index,
            node=node.astype(np.int64),
            river=river.astype(np.int64),
            chainage_m=s.astype(float),
            offset_m=off.astype(float),
            access_s=np.atleast_1d(access),
        )


def boat_leg_s(
    launch: LaunchPoints,
    road_time_to_launch_s: Any,
    incident_river: int,
    incident_s: float,
    *,
    boat_speed_kph: float = BOAT_SPEED_KPH,
    launch_s: float = LAUNCH_S,
    incident_offset_m: float = 0.0,
    max_boat_m: float = np.inf,
    boat_m: FloatArray | None = None,
) -> tuple[FloatArray, IntArray, FloatArray, FloatArray]:
    """Choose, per unit, the launch point that gets its boat to a river incident soonest.

    Total time = road time to the launch node + node-to-water leg (`LaunchPoints.access_s`)
    + put-in time + boat distance / boat speed.

    Parameters
    ----------
    launch
        The launch points.
    road_time_to_launch_s
        ``(units, launch.n)`` road travel times from each unit to each launch node (s);
        ``inf`` where unreachable.
    incident_river, incident_s
        The incident's river index (``-1`` = not on a river) and chainage (m), from
        `RiverIndex.project`.
    boat_speed_kph
        Effective boat speed (km/h).
    launch_s
        Put-in time at the launch point (s).
    incident_offset_m
        Extra distance the boat covers from the river line to the incident (flooded plain), m.
    max_boat_m
        Launch points farther than this by boat from the incident are not used (m); a cap on
        the boat leg, since dams and weirs (乐昌峡, 孟洲坝) are not modelled.
    boat_m
        Distances by boat from every launch point to the incident's point on its river (m),
        as ``launch.rivers.boat_distance_m(launch.river, launch.chainage_m, incident_river,
        incident_s)`` gives them; computed here when None. A caller that asks about one
        incident many times (every dispatch to it) computes them once.

    Returns
    -------
    best_total_s, best_launch_idx, road_s, boat_s
        Per unit: the best total time (s), the index of the chosen launch point (into the
        `launch` arrays; ``-1`` if none connects), the road leg including the node-to-water
        leg (s) and the boat leg (s) of that choice; ``inf`` where no launch point connects.
        ``best_total_s = road_s + launch_s + boat_s``.
    """
    if boat_speed_kph <= 0 or launch_s < 0 or incident_offset_m < 0:
        msg = (
            f"boat_speed_kph={boat_speed_kph!r} must be > 0, launch_s={launch_s!r} and "
            f"incident_offset_m={incident_offset_m!r} must be >= 0"
        )
        raise ValueError(msg)
    R = np.asarray(road_time_to_launch_s, dtype=float)
    if R.ndim != 2 or R.shape[1] != launch.n:
        msg = f"road_time_to_launch_s must have shape (units, {launch.n}), got {R.shape}"
        raise ValueError(msg)
    units = R.shape[0]
    if launch.n == 0 or incident_river < 0:
        inf = np.full(units, np.inf)
        return inf, np.full(units, -1, dtype=np.int64), inf.copy(), inf.copy()
    if boat_m is None:
        boat_m = launch.rivers.boat_distance_m(
            launch.river, launch.chainage_m, incident_river, incident_s
        )
    boat_m = np.asarray(boat_m) + incident_offset_m
    boat_m = np.where(boat_m <= max_boat_m, boat_m, np.inf)
    boat_s_all = boat_m / (boat_speed_kph / 3.6)
    road_all = R + launch.access_s[None, :]
    total = road_all + launch_s + boat_s_all[None, :]
    best = np.argmin(total, axis=1)
    rows = np.arange(units)
    best_total = total[rows, best]
    ok = np.isfinite(best_total)
    road_s = np.where(ok, road_all[rows, best], np.inf)
    boat_s = np.where(ok, boat_s_all[best], np.inf)
    return best_total, np.where(ok, best, -1).astype(np.int64), road_s, boat_s
