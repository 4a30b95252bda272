#!/usr/bin/env python3
"""Compare network routes with the sourced distances of ``sim/data/reference_routes.csv``.

Usage::

    python tools/reference_routes.py [--network shaoguan] [--csv PATH]

Prints a Markdown table (then a summary of county seat → township routes): for every reference
pair, the sourced road distance (and time, where
a source gives one), the length and the light/heavy travel time of the fastest network route
between the two township seats, and the relative difference of the length. Sources and
confidence are in the CSV; docs/network.md §3 shows the table for the embedded network.
"""

from __future__ import annotations

import argparse
import csv
import sys
from importlib.resources import files

import numpy as np

from sim import geo
from sim.errors import SimError
from sim.network import RoadNetwork, network_from_spec

#: Straight-line distance (km) from the county seat beyond which a township counts as remote.
FAR_KM = 20.0


def main(argv: list[str] | None = None) -> int:
    """Print the comparison; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="shaoguan", help="network spec (default: shaoguan)")
    parser.add_argument("--csv", help="reference file (default: sim/data/reference_routes.csv)")
    args = parser.parse_args(argv)
    if args.csv:
        with open(args.csv, encoding="utf-8") as f:
            text = f.read()
    else:
        text = (files("sim") / "data" / "reference_routes.csv").read_text(encoding="utf-8")
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
        print()
        print(township_summary(net))
    except SimError as e:
        print(f"reference_routes: {e}", file=sys.stderr)
        return 2
    return 0


def township_summary(net: RoadNetwork) -> str:
    """Median light time and straight-line speed from every county seat to its own townships."""
    towns = geo.load_towns()
    by_code = {t.code: t for t in towns}
    seats = {c.code: by_code[c.seat_town_code] for c in geo.load_counties()}
    rows = []
    for t in towns:
        s = seats[t.county_code]
        if s.code == t.code:
            continue
        i, _ = net.snap_place(geo.Place(s.lon, s.lat, s.name, s))
        j, _ = net.snap_place(geo.Place(t.lon, t.lat, t.name, t))
        hours = net.route(i, j).travel_time_s / 3600
        rows.append((float(geo.haversine_m(s.lon, s.lat, t.lon, t.lat)) / 1000, hours))
    gc = np.array([r[0] for r in rows])
    h = np.array([r[1] for r in rows])
    far = gc >= FAR_KM
    return (
        f"county seat → own townships (light vehicle): n = {len(rows)}, median "
        f"{np.median(h):.2f} h, median straight-line speed {np.median(gc / h):.0f} km/h; "
        f"townships ≥ {FAR_KM:g} km away: n = {int(far.sum())}, median {np.median(h[far]):.2f} h, "
        f"{np.median(gc[far] / h[far]):.0f} km/h"
    )


if __name__ == "__main__":
    sys.exit(main())
