"""``route``: fastest road route between two places, with the off-network access legs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import geo
from sim.errors import NetworkError, PlaceError
from sim.network import (
    ACCESS_CIRCUITY,
    ACCESS_SPEED_KPH,
    RoadNetwork,
    access_time_s,
    network_from_spec,
)


@dataclass(frozen=True, slots=True)
class RouteResult:
    """What `plan_route` produced.

    Attributes
    ----------
    route
        ``{"network", "from", "to", "profile", "travel_time_h", "length_km", "towns", "refs",
        ...}``.
    """

    route: dict[str, Any]


#: Farthest a route end may lie from the network (m): farther, the network is of another place.
MAX_ACCESS_M = 20000.0


def resolve_route_place(query: str, region: geo.Region | None = None) -> geo.Place:
    """A place name of the region's gazetteer (default Shaoguan's) or ``lon,lat`` anywhere.

    A coordinate only has to be degrees in range: the road network decides whether it is
    reachable (`MAX_ACCESS_M`).
    """
    m = geo.shaoguan._LONLAT.match(query)
    if m:
        lon, lat = float(m.group(1)), float(m.group(2))
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            msg = f"coordinate {query.strip()!r} is not lon,lat in WGS84 degrees (lon first)"
            raise PlaceError(msg)
        return geo.Place(lon=lon, lat=lat, label=f"{lon:.4f},{lat:.4f}")
    town = (region or geo.shaoguan_region()).resolve_town(query)
    return geo.Place(lon=town.lon, lat=town.lat, label=town.name, town=town)


def _end(net: RoadNetwork, query: str, max_access_m: float = MAX_ACCESS_M) -> dict[str, Any]:
    place = resolve_route_place(query)
    idx, dist_m = net.snap_place(place)
    if dist_m > max_access_m:
        msg = (
            f"{query.strip()!r} is {dist_m / 1000:,.1f} km from the nearest node of network "
            f"{net.G.graph.get('name', '')!r} (more than {max_access_m:,.0f} m); is it the "
            "network of another place?"
        )
        raise NetworkError(msg)
    return {
        "query": query,
        "label": place.label,
        "lon": place.lon,
        "lat": place.lat,
        "node": int(net.node_ids[idx]),
        "node_town": net.node_town[idx],
        "access_m": round(float(dist_m), 1),
        "access_s": round(float(access_time_s(dist_m)), 1),
        "_idx": idx,
    }


def route_between(net: RoadNetwork, origin: str, destination: str, profile: str) -> dict[str, Any]:
    """Resolve two places on `net` and return the route record."""
    a, b = _end(net, origin), _end(net, destination)
    r = net.route(a.pop("_idx"), b.pop("_idx"), profile=profile)
    total_s = a["access_s"] + r.travel_time_s + b["access_s"]
    access_road_m = (a["access_m"] + b["access_m"]) * ACCESS_CIRCUITY
    return {
        "from": a,
        "to": b,
        "profile": profile,
        "travel_time_h": round(total_s / 3600, 3),
        "travel_time_min": round(total_s / 60, 1),
        "length_km": round((r.length_m + access_road_m) / 1000, 2),
        "network_time_h": round(r.travel_time_s / 3600, 3),
        "network_length_km": round(r.length_m / 1000, 2),
        "access": {"speed_kph": ACCESS_SPEED_KPH, "circuity": ACCESS_CIRCUITY},
        "towns": list(r.towns),
        "refs": list(r.refs),
    }


def plan_route(
    origin: str,
    destination: str,
    *,
    network: str,
    profile: str = "light",
    cache_dir: Path | None = None,
) -> RouteResult:
    """Route from `origin` to `destination` (place names or ``lon,lat``) on a network.

    Names are resolved before the network is loaded, so a typo fails fast.
    """
    for name, query in (("FROM", origin), ("TO", destination)):
        try:
            resolve_route_place(query)
        except PlaceError as e:
            msg = f"{name}: {e}"
            raise PlaceError(msg) from e
    net = network_from_spec(network, cache_dir=cache_dir)
    return RouteResult({"network": network, **route_between(net, origin, destination, profile)})
