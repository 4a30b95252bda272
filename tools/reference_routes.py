#!/usr/bin/env python3
"""Compare network routes with the sourced distances of ``sim/data/reference_routes.csv``.

Usage::

    python tools/reference_routes.py [--network shaoguan] [--csv PATH]

Prints a Markdown table: for every reference pair, the sourced road distance (and time, where
a source gives one), the length and the light/heavy travel time of the fastest network route
between the two township seats, and the relative difference of the length. Sources and
confidence are in the CSV; docs/network.md §3 shows the table for the embedded network.
"""

from __future__ import annotations

import argparse
import csv
import sys
from importlib.resources import files

from sim import geo
from sim.errors import SimError
from sim.network import network_from_spec


def main(argv: list[str] | None = None) -> int:
    """Print the comparison; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="shaoguan", help="network spec (default: shaoguan)")
    parser.add_argument("--csv", help="reference file (default: sim/data/reference_routes.csv)")
    args = parser.parse_args(argv)
    src = args.csv or files("sim") / "data" / "reference_routes.csv"
    with open(src, encoding="utf-8") as f:
        text = f.read()
    try:
        net = network_from_spec(args.network)
        print(
            "| from | to | source km | network km | Δ km | light h | heavy h | source h | roads |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for row in csv.DictReader(text.splitlines()):
            a, b = geo.resolve_town(row["from"]), geo.resolve_town(row["to"])
            i, _ = net.snap_place(geo.Place(a.lon, a.lat, a.name, a))
            j, _ = net.snap_place(geo.Place(b.lon, b.lat, b.name, b))
            light = net.route(i, j, profile="light")
            heavy = net.route(i, j, profile="heavy")
            ref_km = float(row["road_km"])
            km = light.length_m / 1000
            print(
                f"| {a.name} | {b.name} | {ref_km:g} | {km:.1f} | {100 * (km / ref_km - 1):+.0f} % "
                f"| {light.travel_time_s / 3600:.2f} | {heavy.travel_time_s / 3600:.2f} "
                f"| {row['time_h'] or '—'} | {', '.join(light.refs) or '(local roads)'} |"
            )
    except SimError as e:
        print(f"reference_routes: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
