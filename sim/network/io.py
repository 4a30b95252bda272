"""Graph files and OpenStreetMap: load GraphML, OSM XML or a place, save GraphML, prepare graphs."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import tempfile
import warnings
import xml.etree.ElementTree as ET
import xml.sax
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import osmium
import osmnx as ox
import requests
from pyproj.exceptions import CRSError

from sim.errors import NetworkError
from sim.network.embedded import SHAOGUAN, build_shaoguan_graph
from sim.scenario.network_spec import GRAPHML_SUFFIXES, OSM_SUFFIXES, network_spec_problem

log = logging.getLogger(__name__)

#: Light-vehicle speeds (km/h) handed to ``osmnx.routing.add_edge_speeds`` for OSM edges
#: without ``maxspeed`` (valley values of `SPEEDS_KPH` in `sim.network.embedded`; links and
#: minor classes are assumptions).
OSM_HWY_SPEEDS_KPH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 70.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 40.0,
    "secondary_link": 35.0,
    "tertiary": 30.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "living_street": 15.0,
    "service": 20.0,
    "road": 30.0,
}
#: Speed for OSM highway types not listed above and without ``maxspeed`` (km/h).
OSM_FALLBACK_SPEED_KPH = 30.0
#: Heavy appliance speed on loaded OSM graphs = light speed × this factor, capped below.
#: The fire-truck/car speed ratios in DATA.md, "Road speeds, turnout and weather" are 0.75–0.88;
#: 0.8 is their middle (assumption).
HEAVY_SPEED_FACTOR = 0.8
#: Cap on heavy appliance speed on loaded OSM graphs (km/h; fire trucks ≤ 80 on expressways,
#: same source).
HEAVY_SPEED_CAP_KPH = 80.0

#: osmnx's network type whose way filter decides what is a road here.
NETWORK_TYPE = "drive"
#: Seconds before an osmnx HTTP request gives up (keeps offline failures fast).
REQUESTS_TIMEOUT_S = 10

#: Edge attributes that must be finite numbers ≥ 0 when present (unit), and those > 0.
EDGE_NUMBERS = {
    "length": "m",
    "travel_time": "s",
    "travel_time_heavy": "s",
    "speed_kph": "km/h",
    "speed_kph_heavy": "km/h",
}
_POSITIVE = frozenset({"speed_kph", "speed_kph_heavy"})
#: Problems listed by name in one message about a network file (the rest are counted).
_SHOWN = 3


def _convert_bool_or_str(value: str) -> Any:
    return {"True": True, "False": False}.get(value, value)


def _float_or_str(value: str) -> Any:
    """A number, or the text itself: `prepare_graph` names the node or edge that holds it."""
    try:
        return float(value)
    except ValueError:
        return value


#: GraphML dtypes of the attributes this package reads (they replace osmnx's defaults for these
#: keys, which raise one bare ValueError for the whole file on the first bad number).
_EDGE_DTYPES = {
    **dict.fromkeys(EDGE_NUMBERS, _float_or_str),
    "circuity": float,
    "bridge": _convert_bool_or_str,
}
_NODE_DTYPES = {"x": _float_or_str, "y": _float_or_str, "county_seat": _convert_bool_or_str}


def default_cache_dir() -> Path:
    """Return the download cache: ``$SIM_CACHE_DIR/networks``, default ``.cache/networks``."""
    return Path(os.environ.get("SIM_CACHE_DIR", ".cache")) / "networks"


def graph_from_spec(spec: str, *, cache_dir: Path | None = None) -> nx.MultiDiGraph:
    """Build or load the road graph a scenario names.

    Parameters
    ----------
    spec
        ``shaoguan`` (the embedded network); a path to a ``.graphml`` file (as written by
        ``osmnx.save_graphml``); a path to an OSM XML file (``.osm``, ``.osm.bz2``, ``.xml``);
        or a place name for ``osmnx.graph_from_place(..., network_type="drive")``.
    cache_dir
        Where downloaded place graphs are cached as GraphML (key: SHA-1 of the place name);
        default `default_cache_dir`.

    Returns
    -------
    G
        osmnx MultiDiGraph in WGS84, reduced to its largest strongly connected component, with
        ``length`` (m), ``speed_kph``, ``travel_time`` (s), ``speed_kph_heavy`` and
        ``travel_time_heavy`` (s) on every edge.

    Raises
    ------
    NetworkError
        If the file is missing, unreadable or empty, holds a travel time, length, speed or
        coordinate that is not a finite number in range (naming the edge or node), or a place
        cannot be downloaded.

    Warns
    -----
    UserWarning
        When nodes outside the largest strongly connected component are dropped.
    """
    text = spec.strip()
    if text.lower() == SHAOGUAN:
        return build_shaoguan_graph()
    problem = network_spec_problem(text)
    if problem is not None:
        raise NetworkError(problem)
    path = Path(text).expanduser()
    lower = text.lower()
    if lower.endswith(GRAPHML_SUFFIXES):
        return prepare_graph(_read_graphml(path), source=str(path))
    if lower.endswith(OSM_SUFFIXES):
        return prepare_graph(_read_osm(path), source=str(path))
    return _graph_from_place(text, cache_dir=cache_dir or default_cache_dir())


def _check_file(path: Path) -> None:
    if not path.exists():
        msg = f"road network file {str(path)!r} does not exist"
        raise NetworkError(msg)
    if not path.is_file():
        msg = f"road network path {str(path)!r} is not a file"
        raise NetworkError(msg)


def _read_graphml(path: Path) -> nx.MultiDiGraph:
    _check_file(path)
    try:
        return ox.load_graphml(path, node_dtypes=_NODE_DTYPES, edge_dtypes=_EDGE_DTYPES)
    except (SyntaxError, ValueError, TypeError, KeyError, nx.NetworkXError) as e:
        # xml ParseError is a SyntaxError; a non-integer node id is a ValueError
        msg = (
            f"cannot read GraphML file {str(path)!r} ({type(e).__name__}: {e}); expected a "
            "file written by osmnx.save_graphml (integer node ids, x/y attributes)"
        )
        raise NetworkError(msg) from e


@cache
def drive_filter() -> tuple[tuple[str, re.Pattern[str] | None], ...]:
    """Return osmnx's drive-network way filter as ``(key, excluded-values pattern)`` pairs.

    osmnx writes the filter as an Overpass query (``["highway"]["area"!~"yes"]...``); a
    pattern of None means the key must be present. Reading osmnx's own filter keeps this
    loader's idea of a road the same as ``graph_from_place(..., network_type="drive")``.
    """
    query = ox._overpass._get_network_filter(NETWORK_TYPE)
    out: list[tuple[str, re.Pattern[str] | None]] = []
    for key, neg in re.findall(r'\["([^"]+)"(?:!~"([^"]*)")?\]', query):
        out.append((key, re.compile(neg) if neg else None))
    if not out:  # pragma: no cover - a changed osmnx query format
        msg = f"cannot read osmnx's {NETWORK_TYPE!r} filter {query!r}"
        raise NetworkError(msg)
    return tuple(out)


def is_drivable(tags: Mapping[str, str]) -> bool:
    """Return whether an OSM way with these tags is a road of osmnx's drive network.

    Parameters
    ----------
    tags
        The way's tags (``{"highway": "residential", ...}``).

    Returns
    -------
    drivable
        False for ways without ``highway`` (fences, landuse, railways, park outlines), for
        footways, paths, steps, cycleways, pedestrian areas, service and private roads, and
        for ways closed to motor vehicles; True otherwise.
    """
    for key, excluded in drive_filter():
        value = tags.get(key)
        if excluded is None:
            if value is None:
                return False
        elif value is not None and excluded.search(value):
            return False
    return True


def _read_osm(path: Path) -> nx.MultiDiGraph:
    """Read the drivable roads of an OSM file (XML, bz2-compressed XML or PBF) with osmium."""
    _check_file(path)
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    try:
        for way in osmium.FileProcessor(str(path), osmium.osm.WAY):
            if not isinstance(way, osmium.osm.Way):  # pragma: no cover - WAY reads only ways
                continue
            tags = {t.k: t.v for t in way.tags}
            if is_drivable(tags):
                ways.append((way.id, [n.ref for n in way.nodes], tags))
        wanted = {n for _, refs, _ in ways for n in refs}
        nodes: dict[int, tuple[float, float, dict[str, str]]] = {}
        for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if not isinstance(node, osmium.osm.Node):  # pragma: no cover - NODE reads only nodes
                continue
            if node.id in wanted and node.location.valid():
                tags = {t.k: t.v for t in node.tags}
                nodes[node.id] = (node.location.lon, node.location.lat, tags)
    except (RuntimeError, OSError, ValueError) as e:
        msg = f"cannot read OSM file {str(path)!r}: {type(e).__name__}: {e}"
        raise NetworkError(msg) from e
    if not ways:
        msg = (
            f"OSM file {str(path)!r} has no drivable roads (ways tagged highway=* that "
            f"osmnx's {NETWORK_TYPE!r} network keeps)"
        )
        raise NetworkError(msg)
    # osmnx builds the graph (one-way rules, simplification) from OSM XML; hand it exactly the
    # drivable ways and their nodes.
    root = ET.Element("osm", version="0.6", generator="shaoguan-dispatch")
    for nid, (lon, lat, tags) in nodes.items():
        el = ET.SubElement(root, "node", id=str(nid), lat=repr(lat), lon=repr(lon))
        for k, v in tags.items():
            ET.SubElement(el, "tag", k=k, v=v)
    for wid, refs, tags in ways:
        el = ET.SubElement(root, "way", id=str(wid))
        for ref in refs:
            if ref in nodes:
                ET.SubElement(el, "nd", ref=str(ref))
        for k, v in tags.items():
            ET.SubElement(el, "tag", k=k, v=v)
    with tempfile.TemporaryDirectory(prefix="sim-osm-") as tmp:
        xml_path = Path(tmp) / "drive.osm"
        ET.ElementTree(root).write(xml_path, encoding="utf-8", xml_declaration=True)
        try:
            with warnings.catch_warnings():
                # osmnx's notice about XML it did not write itself is not for our users.
                warnings.simplefilter("ignore", category=UserWarning)
                # retain_all: we drop the minor components ourselves and say how much we dropped
                G = ox.graph_from_xml(xml_path, simplify=True, retain_all=True)
        except (xml.sax.SAXException, SyntaxError, ValueError, KeyError) as e:
            msg = f"cannot build a road graph from OSM file {str(path)!r}: {type(e).__name__}: {e}"
            raise NetworkError(msg) from e
    G.graph["source"] = str(path)
    return G


def _short_reason(e: Exception) -> str:
    """One readable line for a requests failure (their messages nest several reprs)."""
    text = str(e)
    host = re.search(r"host='([^']+)'", text)
    where = host.group(1) if host else "the OpenStreetMap servers"
    if "resolve" in text.lower():
        return f"cannot resolve {where}"
    if isinstance(e, requests.exceptions.Timeout):
        return f"{where} did not answer within {REQUESTS_TIMEOUT_S} s"
    if "refused" in text.lower():
        return f"connection to {where} refused"
    return f"{type(e).__name__} contacting {where}"


def _graph_from_place(place: str, *, cache_dir: Path) -> nx.MultiDiGraph:
    digest = hashlib.sha1(place.strip().lower().encode("utf-8")).hexdigest()[:16]
    cached = cache_dir / f"place-{digest}.graphml"
    if cached.exists():
        log.info("loading %r from cache %s", place, cached)
        return prepare_graph(_read_graphml(cached), source=str(cached))
    saved = (ox.settings.requests_timeout, ox.settings.cache_folder)
    ox.settings.requests_timeout = REQUESTS_TIMEOUT_S
    ox.settings.cache_folder = str(cache_dir / "osmnx-http")
    try:
        G = ox.graph_from_place(place, network_type="drive", retain_all=True)
    except requests.exceptions.RequestException as e:
        msg = (
            f"cannot download {place!r}: no internet access ({_short_reason(e)}); "
            "supply a GraphML or .osm file"
        )
        raise NetworkError(msg) from e
    except (ValueError, TypeError, KeyError) as e:
        # osmnx InsufficientResponseError is a ValueError: the geocoder found nothing usable
        msg = (
            f"cannot download {place!r}: OpenStreetMap returned no usable road network "
            f"({type(e).__name__}: {e}); check the place name or supply a GraphML or .osm file"
        )
        raise NetworkError(msg) from e
    finally:
        ox.settings.requests_timeout, ox.settings.cache_folder = saved
    G = prepare_graph(G, source=place)
    cache_dir.mkdir(parents=True, exist_ok=True)
    ox.save_graphml(G, cached)
    return G


def save_graph(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write a graph as GraphML that ``osmnx.load_graphml`` (and `graph_from_spec`) reads back.

    Parameters
    ----------
    G
        The graph; not modified (osmnx stringifies a copy).
    path
        Output ``.graphml`` file; parent folders are created.

    Returns
    -------
    path
        The written file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        ox.save_graphml(with_osm_ids(G), path)
    except OSError as e:
        msg = f"cannot write GraphML file {str(path)!r}: {e}"
        raise NetworkError(msg) from e
    return path


def with_osm_ids(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return a copy carrying the attributes osmnx's exports and statistics need.

    osmnx's ``save_graph_geopackage`` and ``stats.basic_stats`` need an ``osmid`` on every
    edge (nodes are indexed by their id) and the streets per node (``street_count``). OSM
    graphs have them; the embedded network's edges get a running number (they belong to no
    OSM way) and ``street_count`` as osmnx counts it.
    """
    H = G.copy()
    H.graph.setdefault("crs", "epsg:4326")
    for i, (*_, d) in enumerate(H.edges(keys=True, data=True)):
        d.setdefault("osmid", i + 1)
    if any("street_count" not in d for _, d in H.nodes(data=True)):
        counts = ox.stats.count_streets_per_node(H)
        for n, d in H.nodes(data=True):
            d.setdefault("street_count", counts.get(n, 0))
    return H


def prepare_graph(G: nx.MultiDiGraph, *, source: str) -> nx.MultiDiGraph:
    """Validate a loaded graph and complete its lengths, speeds and travel times.

    Parameters
    ----------
    G
        osmnx-style MultiDiGraph; not modified.
    source
        File or place the graph came from, used in messages.

    Returns
    -------
    G
        A WGS84 copy with ``length``, ``speed_kph``, ``travel_time``, ``speed_kph_heavy`` and
        ``travel_time_heavy`` on every edge, reduced to its largest strongly connected
        component.

    Raises
    ------
    NetworkError
        If the graph has no nodes or edges, nodes lack ``x``/``y`` or hold coordinates that
        are not finite numbers (in degrees range for WGS84), or an edge's length, travel time
        or speed is not a finite number ≥ 0 (speeds > 0); the message names the node or edge.

    Notes
    -----
    Missing ``speed_kph`` is imputed with ``osmnx.routing.add_edge_speeds`` (OSM ``maxspeed``
    where tagged, else `OSM_HWY_SPEEDS_KPH`), missing ``travel_time`` with
    ``add_edge_travel_times``. Missing heavy values are ``min(HEAVY_SPEED_FACTOR × speed_kph,
    HEAVY_SPEED_CAP_KPH)``. Existing values are kept.
    """
    if len(G) == 0:
        msg = f"road network {source!r} is empty (no nodes)"
        raise NetworkError(msg)
    if G.number_of_edges() == 0:
        msg = f"road network {source!r} has {len(G)} nodes but no edges"
        raise NetworkError(msg)
    missing_xy = [n for n, d in G.nodes(data=True) if "x" not in d or "y" not in d]
    if missing_xy:
        msg = (
            f"road network {source!r}: {len(missing_xy)} nodes lack x/y coordinates "
            f"(e.g. node {missing_xy[0]!r}); is it an osmnx graph?"
        )
        raise NetworkError(msg)
    G = G.copy()  # never mutate the caller's graph
    G.graph.setdefault("crs", "epsg:4326")
    projected = _is_projected(G.graph["crs"], source)
    _check_numbers(G, source, lonlat=not projected, when="")
    if projected:
        G = ox.projection.project_graph(G, to_latlong=True)
    edges = list(G.edges(keys=True, data=True))
    if any("length" not in d for *_, d in edges):
        ox.distance.add_edge_lengths(
            G, edges=[(u, v, k) for u, v, k, d in edges if "length" not in d]
        )
    for *_, d in edges:
        d.setdefault("highway", "unclassified")
    if any("speed_kph" not in d for *_, d in edges):
        ox.routing.add_edge_speeds(
            G, hwy_speeds=OSM_HWY_SPEEDS_KPH, fallback=OSM_FALLBACK_SPEED_KPH
        )
    if any("travel_time" not in d for *_, d in edges):
        ox.routing.add_edge_travel_times(G)
    # Imputed speeds come from OSM `maxspeed` tags, which may be nonsense ("0", "none").
    _check_numbers(G, source, lonlat=True, when=" after filling in speeds and times")
    for *_, d in edges:
        if "travel_time_heavy" not in d:
            heavy = min(HEAVY_SPEED_FACTOR * float(d["speed_kph"]), HEAVY_SPEED_CAP_KPH)
            d["speed_kph_heavy"] = heavy
            d["travel_time_heavy"] = float(d["length"]) / (heavy / 3.6)

    n0, e0 = len(G), G.number_of_edges()
    if not nx.is_strongly_connected(G):
        G = ox.truncate.largest_component(G, strongly=True)
        dn, de = n0 - len(G), e0 - G.number_of_edges()
        msg = (
            f"road network {source!r}: kept the largest strongly connected component; dropped "
            f"{dn} of {n0} nodes ({100 * dn / n0:.1f} %) and {de} of {e0} edges "
            f"({100 * de / e0:.1f} %)"
        )
        warnings.warn(msg, UserWarning, stacklevel=2)
    if G.number_of_edges() == 0:
        msg = f"road network {source!r} has no strongly connected part with an edge"
        raise NetworkError(msg)
    G.graph.setdefault("name", Path(source).stem if source else "network")
    return G


def _is_projected(crs: Any, source: str) -> bool:
    try:
        return bool(ox.projection.is_projected(crs))
    except CRSError as e:  # an unreadable `crs` attribute
        msg = f"road network {source!r}: unknown coordinate reference system {str(crs)[:60]!r}"
        raise NetworkError(msg) from e


def _bad_number(value: Any, *, positive: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    return not math.isfinite(value) or value < 0 or (positive and value == 0)


def _check_numbers(G: nx.MultiDiGraph, source: str, *, lonlat: bool, when: str) -> None:
    """Raise `NetworkError` naming the nodes and edges whose numbers cannot be used.

    A NaN or negative travel time would make shortest paths meaningless (a negative one makes
    route search loop), text where a number belongs fails deep inside numpy.
    """
    problems: list[str] = []
    for n, d in G.nodes(data=True):
        for key, lo, hi in (("x", -180.0, 180.0), ("y", -90.0, 90.0)):
            v = d[key]
            bad = isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
            if not bad and lonlat and not lo <= v <= hi:
                problems.append(f"node {n}: {key} must lie in {lo:g}..{hi:g} degrees, got {v!r}")
            elif bad:
                problems.append(f"node {n}: {key} must be a finite number, got {v!r}")
    for u, v, k, d in G.edges(keys=True, data=True):
        for key, unit in EDGE_NUMBERS.items():
            if key in d and _bad_number(d[key], positive=key in _POSITIVE):
                rule = "> 0" if key in _POSITIVE else ">= 0"
                problems.append(
                    f"edge {u}->{v} (key {k}): {key} must be a finite number {rule} ({unit}), "
                    f"got {d[key]!r}"
                )
    if problems:
        more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        msg = (
            f"road network {source!r}{when}: {len(problems)} bad value"
            f"{'s' if len(problems) != 1 else ''}: {'; '.join(problems[:_SHOWN])}{more}"
        )
        raise NetworkError(msg)
