"""``network``: summarise a road network, list times to the county seats, export it, draw it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import geo
from sim.errors import NetworkError, PlaceError
from sim.network import RoadNetwork, network_from_spec, save_graph
from sim.output.plots import save
from sim.output.plots.maps import plot_city_map
from sim.results.folder import create_problem
from sim.workflows.route import MAX_ACCESS_M, resolve_route_place

#: Resolution of map PNGs; 120 dpi keeps the city map below 600 kB.
MAP_DPI = 120


@dataclass(frozen=True, slots=True)
class NetworkResult:
    """What `summarise_network` produced.

    Attributes
    ----------
    summary
        ``{"network", "nodes", "edges", "km_by_class", ...}``; with an origin also ``from`` and
        ``seat_times``; ``export`` and ``map`` paths when written.
    """

    summary: dict[str, Any]


def _snap(net: RoadNetwork, place: geo.Place, what: str) -> int:
    """The node a place snaps to; a place farther than `MAX_ACCESS_M` is an error."""
    idx, dist_m = net.snap_place(place)
    if dist_m > MAX_ACCESS_M:
        msg = (
            f"{what} is {dist_m / 1000:,.1f} km from the nearest node of network "
            f"{net.G.graph.get('name', '')!r} (more than {MAX_ACCESS_M:,.0f} m); is it the "
            "network of another place? Give the region's scenario with --scenario"
        )
        raise NetworkError(msg)
    return int(idx)


def seat_times(
    net: RoadNetwork, origin: str, region: geo.Region | None = None
) -> list[dict[str, Any]]:
    """Return routes from a place to the seat of every unit of the region, light and heavy.

    Parameters
    ----------
    net
        Road network.
    origin
        A town of the region or ``lon,lat`` (checked against the region).
    region
        The study region (default Shaoguan: its ten county seats); a loaded region's seats are
        those of `sim.geo.Region.unit_seats`.

    Raises
    ------
    NetworkError
        When the origin or a seat lies farther than `MAX_ACCESS_M` from the network.
    """
    region = region or geo.shaoguan_region()
    place = region.resolve_place(origin)
    src = _snap(net, place, repr(origin.strip()))
    seats = region.unit_seats()
    rows = []
    for county in region.counties:
        seat = seats.get(county.name)
        if seat is None:
            continue
        dst = _snap(
            net,
            geo.Place(seat.lon, seat.lat, seat.name, seat),
            f"the seat {seat.name} of {county.name}",
        )
        light = net.route(src, dst, profile="light")
        heavy = net.route(src, dst, profile="heavy")
        rows.append(
            {
                "county": county.name,
                "seat": seat.name,
                "length_km": round(light.length_m / 1000, 1),
                "light_h": round(light.travel_time_s / 3600, 2),
                "heavy_h": round(heavy.travel_time_s / 3600, 2),
                "refs": list(light.refs),
            }
        )
    return rows


def _check_writable(flag: str, target: Path) -> None:
    """Refuse a file that cannot be written (a folder in the way, a file as its folder)."""
    try:
        if target.is_dir():
            msg = f"{flag} {str(target)!r}: is a folder, expected a file name"
            raise NetworkError(msg)
        above = next(p for p in (target.parent, *target.parent.parents) if p.exists())
    except OSError as e:  # a name too long, a loop of links
        msg = f"{flag} {str(target)!r}: {e.strerror or e}"
        raise NetworkError(msg) from e
    if not above.is_dir():
        msg = f"{flag} {str(target)!r}: {str(above)!r} is a file, so no folder can be made in it"
        raise NetworkError(msg)
    problem = create_problem(above)
    if problem is not None:
        msg = f"{flag} {str(target)!r}: {problem}"
        raise NetworkError(msg)


def summarise_network(
    spec: str,
    *,
    region: geo.Region | None = None,
    cache_dir: Path | None = None,
    origin: str | None = None,
    export: Path | None = None,
    map_path: Path | None = None,
    lang: str = "zh",
) -> NetworkResult:
    """Load a network and summarise it; optionally export GraphML and draw the map.

    Parameters
    ----------
    spec
        ``shaoguan``, a GraphML or OSM file, or a place name.
    region
        Study region of the seat table and the map (a scenario's `Scenario.study_region`);
        default Shaoguan for the seat table, and for the map of the embedded network.
    cache_dir
        Cache of downloaded place networks.
    origin
        Also list travel times from this place to the seat of every unit of the region.
    export
        GraphML file to write (must end in ``.graphml``).
    map_path
        PNG file of the city map to write.
    lang
        {"zh", "en"}: map language.
    """
    if export is not None and export.suffix.lower() != ".graphml":
        msg = f"--export {str(export)!r}: the file name must end in .graphml"
        raise NetworkError(msg)
    if map_path is not None and map_path.suffix.lower() != ".png":
        msg = f"--map {str(map_path)!r}: the file name must end in .png"
        raise NetworkError(msg)
    for flag, target in (("--export", export), ("--map", map_path)):
        if target is not None:
            _check_writable(flag, target)
    if origin:  # a misspelt place fails before the network is built
        try:
            resolve_route_place(origin, region or geo.shaoguan_region())
        except PlaceError as e:
            msg = f"--from: {e}"
            raise PlaceError(msg) from e
    net = network_from_spec(spec, cache_dir=cache_dir)
    out: dict[str, Any] = {"network": spec, **net.summary()}
    if origin:
        out["from"] = origin
        out["seat_times"] = seat_times(net, origin, region)
    if export is not None:
        out["export"] = str(save_graph(net.G, export))
    if map_path is not None:
        fig, _ = plot_city_map(net, region=region, lang=lang)
        try:
            out["map"] = str(save(fig, map_path, dpi=MAP_DPI))
        except OSError as e:
            msg = f"--map {str(map_path)!r}: cannot write the file ({e.strerror or e})"
            raise NetworkError(msg) from e
    return NetworkResult(out)
