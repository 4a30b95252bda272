"""The ``route`` sub-command: fastest route between two places, with off-network access legs."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sim.cli.common import file_path, network_value, place_value
from sim.network import ACCESS_CIRCUITY, ACCESS_SPEED_KPH, SHAOGUAN
from sim.workflows.route import plan_route

#: Position of the command in ``--help``.
ORDER = 30


def add_parser(subparsers: Any) -> None:
    """Register ``route`` on the top-level sub-parser."""
    p = subparsers.add_parser(
        "route",
        help="fastest route between two places",
        description=(
            "Fastest road route between two places. FROM/TO: a township (乐城街道, 乐城, "
            "Lecheng), a county (= its seat: 乐昌市, 乐昌, Lechang) or 'lon,lat' (WGS84). "
            f"Coordinates are snapped to the nearest node with an access leg at "
            f"{ACCESS_SPEED_KPH:g} km/h × circuity {ACCESS_CIRCUITY:g}."
        ),
    )
    p.add_argument("origin", metavar="FROM", type=place_value, help="place name or lon,lat")
    p.add_argument("destination", metavar="TO", type=place_value, help="place name or lon,lat")
    p.add_argument(
        "--network",
        type=network_value,
        default=SHAOGUAN,
        metavar="X",
        help="road network (default shaoguan)",
    )
    p.add_argument(
        "--profile",
        choices=("light", "heavy"),
        default="light",
        help="vehicle: light rescue vehicle or heavy fire appliance",
    )
    p.add_argument("--json", action="store_true", help="print plain JSON")
    p.add_argument("--cache-dir", type=file_path, help="cache for downloaded place networks")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the route between FROM and TO."""
    out = plan_route(
        args.origin,
        args.destination,
        network=args.network,
        profile=args.profile,
        cache_dir=args.cache_dir,
    ).route
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    vehicle = "light rescue vehicle" if args.profile == "light" else "heavy fire appliance"
    print(f"{out['from']['label']} → {out['to']['label']}  ({vehicle}, network {args.network})")
    print(f"  travel time  {out['travel_time_h']:.2f} h ({out['travel_time_min']:.0f} min)")
    print(f"  length       {out['length_km']:.1f} km")
    for end, word in ((out["from"], "from"), (out["to"], "to")):
        if end["access_m"] > 0:
            print(
                f"  access {word:<5} {end['access_m'] / 1000:.2f} km off-network to node "
                f"{end['node']} ({end['node_town'] or '-'}): {end['access_s'] / 60:.1f} min at "
                f"{ACCESS_SPEED_KPH:g} km/h × {ACCESS_CIRCUITY:g}"
            )
    print(f"  towns        {' → '.join(out['towns']) or '-'}")
    print(f"  roads        {', '.join(out['refs']) or '(local roads only)'}")
    return 0
