"""``network``: summarise a road network, list times to the county seats, export it, draw it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import geo
from sim.errors import NetworkError
from sim.network import RoadNetwork, network_from_spec, save_graph
from sim.output.plots import save
from sim.output.plots.maps import plot_city_map
from sim.results.folder import create_problem

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


def seat_times(net: RoadNetwork, origin: str) -> list[dict[str, Any]]:
    """Return routes from a place to every county seat, light and heavy profiles."""
    place = geo.resolve_place(origin)
    src, _ = net.snap_place(place)
    towns = {t.code: t for t in geo.load_towns()}
    rows = []
    for county in geo.load_counties():
        seat = towns.get(county.seat_town_code)
        if seat is None:
            continue
        dst, _ = net.snap_place(geo.Place(seat.lon, seat.lat, seat.name, seat))
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
    cache_dir
        Cache of downloaded place networks.
    origin
        Also list travel times from this place to every county seat.
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
        geo.resolve_place(origin)
    net = network_from_spec(spec, cache_dir=cache_dir)
    out: dict[str, Any] = {"network": spec, **net.summary()}
    if origin:
        out["from"] = origin
        out["seat_times"] = seat_times(net, origin)
    if export is not None:
        out["export"] = str(save_graph(net.G, export))
    if map_path is not None:
        fig, _ = plot_city_map(net, lang=lang)
        try:
            out["map"] = str(save(fig, map_path, dpi=MAP_DPI))
        except OSError as e:
            msg = f"--map {str(map_path)!r}: cannot write the file ({e.strerror or e})"
            raise NetworkError(msg) from e
    return NetworkResult(out)
