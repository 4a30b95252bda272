"""``route``: fastest road route between two places, with the off-network access legs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import geo
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


def _end(net: RoadNetwork, query: str) -> dict[str, Any]:
    place = geo.resolve_place(query)
    idx, dist_m = net.snap_place(place)
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
    for query in (origin, destination):
        geo.resolve_place(query)
    net = network_from_spec(network, cache_dir=cache_dir)
    return RouteResult({"network": network, **route_between(net, origin, destination, profile)})
