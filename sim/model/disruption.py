"""Road disruption by floods and landslides: closed edges, affected trees, cut-off towns."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra

from sim import geo
from sim.errors import PlaceError, ScenarioError
from sim.physics.boats import load_river_index

if TYPE_CHECKING:
    import numpy.typing as npt

    from sim.network import RoadNetwork

    BoolArray = npt.NDArray[np.bool_]
    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]

#: Closure rule kinds and the edges they consider.
RULE_KINDS = ("bridge", "mountain_link", "any")
#: Terrain classes of the embedded network's edges.
TERRAINS = ("valley", "mountain")
#: On graphs whose bridges do not name their river (OSM), a bridge crosses the river whose
#: line passes within this distance of the bridge's midpoint (m).
BRIDGE_RIVER_TOLERANCE_M = 1_000.0


# --------------------------------------------------------------------------------------------
# Per-edge attributes, extracted once per network
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _EdgeAttrs:
    mid_lon: FloatArray
    mid_lat: FloatArray
    rivers: tuple[frozenset[str], ...]
    terrain: npt.NDArray[np.object_]
    road: IntArray  # physical road id of each edge (both directions share it)
    road_first_edge: IntArray  # smallest edge index of each road


_ATTRS: weakref.WeakKeyDictionary[Any, _EdgeAttrs] = weakref.WeakKeyDictionary()
_NODE_COUNTY: weakref.WeakKeyDictionary[Any, npt.NDArray[np.object_]] = weakref.WeakKeyDictionary()


def _split(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, (list, tuple, set)):
        return [s for v in value for s in _split(v)]
    return [s.strip() for s in str(value).split(";") if s.strip()]


def _edge_attrs(net: RoadNetwork) -> _EdgeAttrs:
    hit = _ATTRS.get(net)
    if hit is not None:
        return hit
    m = len(net.edge_u)
    # RoadNetwork.from_graph numbers edges in G.edges(keys=True) order
    data = [d for *_, d in net.G.edges(keys=True, data=True)]
    if len(data) != m:  # pragma: no cover - the graph was modified after building the network
        msg = f"road network has {m} edges but its graph has {len(data)}; was G modified?"
        raise ValueError(msg)
    mid_lon = (net.lon[net.edge_u] + net.lon[net.edge_v]) / 2
    mid_lat = (net.lat[net.edge_u] + net.lat[net.edge_v]) / 2
    rivers = [frozenset(_split(d.get("river"))) for d in data]
    unnamed = np.flatnonzero(np.asarray(net.edge_bridge) & np.array([not r for r in rivers], bool))
    if len(unnamed):
        index = load_river_index()
        r, _, _ = index.project(
            mid_lon[unnamed], mid_lat[unnamed], max_offset_m=BRIDGE_RIVER_TOLERANCE_M
        )
        for e, ri in zip(unnamed, r, strict=True):
            if ri >= 0:
                rivers[e] = frozenset({index.names[ri]})
    terrain = np.array([d.get("terrain") for d in data], dtype=object)
    # a physical road: unordered end pair, class and length (as RoadNetwork.summary counts)
    lo = np.minimum(net.edge_u, net.edge_v)
    hi = np.maximum(net.edge_u, net.edge_v)
    _, hw = np.unique(np.array(net.edge_highway, dtype=object).astype(str), return_inverse=True)
    length_dm = np.round(np.asarray(net.edge_length_m) * 10).astype(np.int64)
    keys = (
        np.column_stack((lo, hi, hw.astype(np.int64), length_dm))
        if m
        else np.zeros((0, 4), np.int64)
    )
    _, road = np.unique(keys, axis=0, return_inverse=True)
    road = road.ravel().astype(np.int64)
    n_roads = int(road.max()) + 1 if m else 0
    first = np.full(n_roads, m, dtype=np.int64)
    np.minimum.at(first, road, np.arange(m))
    attrs = _EdgeAttrs(mid_lon, mid_lat, tuple(rivers), terrain, road, first)
    _ATTRS[net] = attrs
    return attrs


def _node_counties(net: RoadNetwork) -> npt.NDArray[np.object_]:
    """County name per node: from the node attribute, else by point in county polygon."""
    hit = _NODE_COUNTY.get(net)
    if hit is not None:
        return hit
    county = np.array(net.node_county, dtype=object)
    missing = np.flatnonzero(np.array([c is None for c in county], dtype=bool))
    if len(missing):
        for name, poly in geo.county_polygons().items():
            inside = shapely.contains_xy(poly, net.lon[missing], net.lat[missing])
            county[missing[inside]] = name
    _NODE_COUNTY[net] = county
    return county


def road_ids(net: RoadNetwork) -> IntArray:
    """Return the physical road of every edge: both directions of a two-way road share an id.

    A road is the unordered pair of end nodes plus the road class and length (to 0.1 m), so
    parallel roads of different classes between two nodes stay separate.
    """
    return _edge_attrs(net).road


def _known_rivers(net: RoadNetwork) -> set[str]:
    names = set(geo.river_lines())
    for r in _edge_attrs(net).rivers:
        names |= r
    return names


def _resolve_counties(counties: Iterable[str]) -> set[str]:
    out = set()
    for c in counties:
        try:
            out.add(geo.resolve_county(c).name)
        except PlaceError as e:
            msg = f"closure counties: {e}"
            raise ScenarioError(msg) from e
    return out


# --------------------------------------------------------------------------------------------
# Which edges can close
# --------------------------------------------------------------------------------------------


def candidate_edges(
    net: RoadNetwork,
    *,
    lon: float,
    lat: float,
    radius_m: float,
    rivers: Sequence[str] | None = None,
    counties: Sequence[str] | None = None,
    bridge: bool = False,
    terrain: str | None = None,
) -> IntArray:
    """Return the edges an event may close: near the event and matching the filters.

    Parameters
    ----------
    net
        The road network.
    lon, lat
        Event centre (WGS84 degrees).
    radius_m
        Edges whose midpoint lies within this great-circle distance qualify (m).
    rivers
        If given, only edges crossing one of these rivers (the edge's ``river`` attribute;
        for OSM bridges without one, the river passing within `BRIDGE_RIVER_TOLERANCE_M`).
    counties
        If given, only edges with at least one end in these counties (full or short names,
        or pinyin).
    bridge
        If True, only bridges.
    terrain
        {"valley", "mountain"} or None: only edges of this terrain (edge attribute
        ``terrain``; OSM edges have none and never match).

    Returns
    -------
    edges
        Sorted edge indices. Both directions of a physical road are always returned together
        (see `road_ids`), even if only one qualifies.

    Raises
    ------
    ScenarioError
        If a river, county or terrain is unknown, or `radius_m` is negative.
    """
    if not radius_m >= 0:
        msg = f"closure radius_m must be >= 0, got {radius_m!r}"
        raise ScenarioError(msg)
    a = _edge_attrs(net)
    mask = np.asarray(geo.haversine_m(lon, lat, a.mid_lon, a.mid_lat)) <= radius_m
    if bridge:
        mask &= np.asarray(net.edge_bridge, dtype=bool)
    if rivers is not None:
        known = _known_rivers(net)
        unknown = [r for r in rivers if r not in known]
        if unknown:
            msg = (
                f"closure rivers: unknown river(s) {unknown!r} (known: {', '.join(sorted(known))})"
            )
            raise ScenarioError(msg)
        want = frozenset(rivers)
        mask &= np.array([bool(r & want) for r in a.rivers], dtype=bool)
    if terrain is not None:
        if terrain not in TERRAINS:
            msg = f"closure terrain: expected one of {', '.join(TERRAINS)}, got {terrain!r}"
            raise ScenarioError(msg)
        mask &= a.terrain == terrain
    if counties is not None:
        want_c = _resolve_counties(counties)
        node_c = _node_counties(net)
        in_c = np.array([c in want_c for c in node_c], dtype=bool)
        mask &= in_c[net.edge_u] | in_c[net.edge_v]
    roads = np.unique(a.road[mask])
    return np.flatnonzero(np.isin(a.road, roads)).astype(np.int64)


@dataclass(frozen=True, slots=True)
class ClosureRule:
    """How an event closes roads: each candidate road closes with a probability.

    Attributes
    ----------
    kind
        {"bridge", "mountain_link", "any"}: bridges (optionally over `rivers`), mountain
        links (terrain ``mountain``), or any road.
    radius_m
        Only roads whose midpoint is within this distance of the event (m).
    probability
        Chance that one candidate road (both directions) closes, in [0, 1].
    rivers
        Optional river names (a bridge must cross one of them).
    counties
        Optional county names (a road must touch one of them).
    """

    kind: Literal["bridge", "mountain_link", "any"]
    radius_m: float
    probability: float
    rivers: tuple[str, ...] | None = None
    counties: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            msg = f"closure rule kind: expected one of {', '.join(RULE_KINDS)}, got {self.kind!r}"
            raise ScenarioError(msg)
        if not (0.0 <= self.probability <= 1.0):
            msg = f"closure rule probability: expected a number in [0, 1], got {self.probability!r}"
            raise ScenarioError(msg)
        if not self.radius_m >= 0:
            msg = f"closure rule radius_m: expected a number >= 0, got {self.radius_m!r}"
            raise ScenarioError(msg)
        for name in ("rivers", "counties"):
            value = getattr(self, name)
            if isinstance(value, str):
                msg = f"closure rule {name}: expected a list of names, got the string {value!r}"
                raise ScenarioError(msg)
            if value is not None:
                object.__setattr__(self, name, tuple(value))


def rule_candidates(net: RoadNetwork, lon: float, lat: float, rule: ClosureRule) -> IntArray:
    """Return the candidate edges of one rule for an event at (lon, lat); see `candidate_edges`."""
    return candidate_edges(
        net,
        lon=lon,
        lat=lat,
        radius_m=rule.radius_m,
        rivers=rule.rivers,
        counties=rule.counties,
        bridge=rule.kind == "bridge",
        terrain="mountain" if rule.kind == "mountain_link" else None,
    )


def sample_closures(
    rng: np.random.Generator,
    net: RoadNetwork,
    event_lon: float,
    event_lat: float,
    rules: Sequence[ClosureRule],
) -> IntArray:
    """Draw which roads an event closes.

    Parameters
    ----------
    rng
        Random generator (use a stream reserved for disruption).
    net
        The road network.
    event_lon, event_lat
        Event centre (WGS84 degrees).
    rules
        Closure rules, applied in order; a road closed by any rule is closed.

    Returns
    -------
    closed_edges
        Sorted edge indices, both directions of every closed road.

    Notes
    -----
    Each rule draws exactly one uniform per candidate road, roads ordered by their smallest
    edge index, whatever the probability (0 and 1 included). The number and order of draws
    therefore depend only on the network, the event and the rules, never on facilities or
    units, so scenarios that differ only in facilities close the same roads (common random
    numbers).
    """
    a = _edge_attrs(net)
    closed = np.zeros(len(a.road_first_edge), dtype=bool)
    for rule in rules:
        cand = rule_candidates(net, event_lon, event_lat, rule)
        roads = np.unique(a.road[cand])
        roads = roads[np.argsort(a.road_first_edge[roads], kind="stable")]
        u = rng.random(len(roads))
        closed[roads[u < rule.probability]] = True
    return np.flatnonzero(closed[a.road]).astype(np.int64)


def edge_factor_with(
    closed_edges: Any,
    n_edges: int,
    slow_edges: Any = None,
    slow_factor: float = 1.0,
) -> FloatArray:
    """Return per-edge travel-time factors: 1, `slow_factor` on slowed edges, inf on closed ones.

    Parameters
    ----------
    closed_edges
        Edge indices to close (closure wins over slowing).
    n_edges
        Number of edges (``len(net.edge_u)``).
    slow_edges
        Optional edge indices to slow.
    slow_factor
        Multiplier of their travel time (≥ 1; 2.0 halves the speed).

    Returns
    -------
    edge_factor
        float64 array of length `n_edges`, for `RoadNetwork.csr_with` / ``edge_factor=``.
    """
    if not slow_factor >= 1.0:
        msg = f"slow_factor must be >= 1 (it multiplies travel times), got {slow_factor!r}"
        raise ScenarioError(msg)
    f = np.ones(n_edges)
    if slow_edges is not None:
        f[np.asarray(slow_edges, dtype=np.int64)] = slow_factor
    f[np.asarray(closed_edges, dtype=np.int64)] = np.inf
    return f


# --------------------------------------------------------------------------------------------
# Incremental recomputation and isolation
# --------------------------------------------------------------------------------------------


def affected_sources(pred: Any, closed_u: Any, closed_v: Any) -> BoolArray:
    """Return which shortest-path trees use any of the given edges.

    Parameters
    ----------
    pred
        ``(K, n)`` predecessor matrix from ``scipy.sparse.csgraph.dijkstra(csr,
        indices=sources, return_predecessors=True)`` on the forward CSR (source → nodes).
    closed_u, closed_v
        Node indices of the closed (or slowed) edges u → v.

    Returns
    -------
    affected
        ``(K,)`` bool: tree ``k`` uses some edge u → v (``pred[k, v] == u``). Only these rows
        can change when those edges get slower or close; the others keep their times.
    """
    P = np.atleast_2d(np.asarray(pred))
    u = np.asarray(closed_u, dtype=np.int64).ravel()
    v = np.asarray(closed_v, dtype=np.int64).ravel()
    if len(u) == 0:
        return np.zeros(P.shape[0], dtype=bool)
    return np.any(P[:, v] == u[None, :], axis=1)


def affected_sources_reverse(pred_rev: Any, closed_u: Any, closed_v: Any) -> BoolArray:
    """Return which reverse (node → source) trees use any of the given edges.

    Parameters
    ----------
    pred_rev
        ``(K, n)`` predecessors of Dijkstra on the transposed CSR (as used by
        ``RoadNetwork.travel_time_matrix(reverse=True)``), where the road edge u → v appears
        as v → u.
    closed_u, closed_v
        Node indices of the closed (or slowed) road edges u → v.

    Returns
    -------
    affected
        ``(K,)`` bool: ``pred_rev[k, u] == v`` for some edge.
    """
    return affected_sources(pred_rev, closed_v, closed_u)


def isolated_nodes(
    net: RoadNetwork,
    edge_factor: Any,
    sources: Any,
    profile: str = "light",
) -> BoolArray:
    """Return the nodes no source can reach under the given closures.

    Parameters
    ----------
    net
        The road network.
    edge_factor
        Per-edge factors (see `edge_factor_with`), or None for the intact network.
    sources
        Node indices (e.g. every facility).
    profile
        {"light", "heavy"}

    Returns
    -------
    isolated
        ``(n,)`` bool: True where every source has an infinite travel time to the node.
    """
    src = np.atleast_1d(np.asarray(sources, dtype=np.int64))
    if len(src) == 0:
        return np.ones(net.n, dtype=bool)
    csr = net.csr(profile) if edge_factor is None else net.csr_with(edge_factor, profile)
    d = dijkstra(csr, directed=True, indices=src, min_only=True)
    return ~np.isfinite(d)


def isolated_towns(
    net: RoadNetwork,
    edge_factor: Any,
    sources: Any,
    profile: str = "light",
) -> list[str]:
    """Return the names of the town seats no source can reach (node order); see `isolated_nodes`.

    Town names can repeat across counties (two 大桥镇); use `isolated_nodes` with
    ``net.node_town_code`` when codes are needed. OSM graphs have no town seats: empty list.
    """
    iso = isolated_nodes(net, edge_factor, sources, profile)
    return [
        str(net.node_town[i])
        for i in np.flatnonzero(iso)
        if net.node_kind[i] == "town_seat" and net.node_town[i] is not None
    ]


# --------------------------------------------------------------------------------------------
# Static closures listed in a scenario
# --------------------------------------------------------------------------------------------


def _town_nodes(net: RoadNetwork, spec: str, where: str) -> IntArray:
    """The seat node of a town plus its expressway interchange, if it has one."""
    name, _, county = spec.partition("/")
    try:
        town = geo.resolve_town(name, county=county or None)
    except PlaceError as e:
        msg = f"{where}: {e}"
        raise ScenarioError(msg) from e
    idx = net.town_index(town.code)
    if idx is None:
        msg = (
            f"{where}: town {town.name} ({town.county}) has no seat node in this road network "
            "(static closures by town need the embedded 'shaoguan' network)"
        )
        raise ScenarioError(msg)
    same = [
        i
        for i, (c, k) in enumerate(zip(net.node_town_code, net.node_kind, strict=True))
        if c == town.code and k == "interchange"
    ]
    return np.array([idx, *same], dtype=np.int64)


def static_closures(net: RoadNetwork, pairs: Sequence[tuple[str, str]]) -> IntArray:
    """Return the edges of roads closed for the whole run, each given by the towns it joins.

    Parameters
    ----------
    net
        The road network (town seats must be nodes, as in the embedded network).
    pairs
        ``(town_a, town_b)`` names (``name`` or ``name/county``, as `sim.geo.resolve_town`
        accepts); every direct edge between the two towns closes, both directions (an
        expressway joins the towns' interchange nodes, and closes as well).

    Returns
    -------
    closed_edges
        Sorted edge indices.

    Raises
    ------
    ScenarioError
        If a town is unknown or not in the network, or no edge joins the two seats (the
        message lists the towns the first one does join).
    """
    out: list[np.ndarray] = []
    for i, pair in enumerate(pairs):
        if len(pair) != 2:
            msg = f"closures[{i}].between: expected a pair of town names, got {pair!r}"
            raise ScenarioError(msg)
        where = f"closures[{i}].between: static closure {pair[0]!r}–{pair[1]!r}"
        a = _town_nodes(net, pair[0], where)
        b = _town_nodes(net, pair[1], where)
        ua, va = np.isin(net.edge_u, a), np.isin(net.edge_v, a)
        ub, vb = np.isin(net.edge_u, b), np.isin(net.edge_v, b)
        hit = np.flatnonzero((ua & vb) | (ub & va))
        if len(hit) == 0:
            own = net.node_town_code[int(a[0])]
            nbrs = sorted(
                {str(net.node_town[v]) for v in net.edge_v[ua] if net.node_town_code[int(v)] != own}
            )
            msg = (
                f"{where}: no road joins these two towns directly; {pair[0]} connects to: "
                f"{', '.join(nbrs) or 'nothing'}"
            )
            raise ScenarioError(msg)
        out.append(hit)
    if not out:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(out)).astype(np.int64)
