"""Write the Aguascalientes test region and its synthetic calls (``tests/data/aguascalientes/``).

The road network is the real OpenStreetMap extract ``tests/data/aguascalientes.osm.pbf``
(see ``tools/make_osm_fixture.py``). Everything written here is a TEST FIXTURE, not data:

* ``units.geojson``: two rectangular sectors over central Aguascalientes (the extract spans
  lon -102.280..-102.263, lat 21.863..21.875); the eastern sector reaches 2 km past the
  extract so that a region can be larger than its network. Populations are ASSUMPTIONS.
* ``towns.csv``: four neighbourhood points (Spanish names, English labels), populations
  ASSUMPTIONS.
* ``calls.csv``: synthetic calls (fixed seed), NOT historical records: Poisson arrivals with
  a day/night profile, positions uniform over the extract, lognormal on-scene times.

Run: ``python tools/make_aguascalientes_case.py``.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "aguascalientes"
#: Box of the OSM extract (WGS84), slightly inside its bounds.
NET_BOX = (-102.2790, 21.8630, -102.2640, 21.8748)
SEED = 20240301
START = datetime(2024, 3, 1)
DAYS = 30
#: Calls per 30 days by type (ASSUMPTION, test sizes) and lognormal on-scene (mean, sd) in h.
TYPES = {"building_fire": (40, (1.0, 0.5)), "medical": (90, (0.5, 0.25))}
#: Relative hourly intensity: quieter at night (ASSUMPTION).
DIURNAL = np.array([0.4] * 7 + [1.0] * 12 + [0.8] * 5)


def _box(w: float, s: float, e: float, n: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def main() -> None:
    """Write units.geojson, towns.csv and calls.csv."""
    OUT.mkdir(parents=True, exist_ok=True)
    units = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Centro Poniente", "name_en": "West Centre",
                               "code": "AGS-W", "population": 60000},
                "geometry": _box(-102.2810, 21.8610, -102.2715, 21.8765),
            },
            {
                "type": "Feature",
                "properties": {"name": "Centro Oriente", "name_en": "East Centre",
                               "code": "AGS-E", "population": 80000},
                "geometry": _box(-102.2715, 21.8610, -102.2440, 21.8765),
            },
        ],
    }  # fmt: skip
    (OUT / "units.geojson").write_text(json.dumps(units, indent=1) + "\n", encoding="utf-8")
    towns = [
        ("Zona Centro", "Downtown", -102.2720, 21.8690, 30000),
        ("San Marcos", "San Marcos", -102.2770, 21.8680, 30000),
        ("La Purísima", "La Purisima", -102.2670, 21.8700, 50000),
        ("Héroes", "Heroes", -102.2660, 21.8650, 30000),
    ]
    with (OUT / "towns.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "name_en", "lon", "lat", "population"])
        for name, en, lon, lat, pop in towns:
            w.writerow([name, en, f"{lon:.4f}", f"{lat:.4f}", pop])
    rng = np.random.default_rng(SEED)
    rows = []
    hours = np.arange(DAYS * 24)
    p = DIURNAL[hours % 24] / DIURNAL[hours % 24].sum()
    for kind, (n, (mean, sd)) in TYPES.items():
        k = rng.poisson(n)
        h = rng.choice(hours, size=k, p=p) + rng.random(k)
        lon = rng.uniform(NET_BOX[0], NET_BOX[2], k)
        lat = rng.uniform(NET_BOX[1], NET_BOX[3], k)
        s2 = np.log1p((sd / mean) ** 2)
        scene = rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), k)
        for i in range(k):
            t = START + timedelta(hours=float(h[i]))
            rows.append((t.strftime("%Y-%m-%d %H:%M:%S"), kind, lon[i], lat[i], scene[i]))
    rows.sort()
    with (OUT / "calls.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["time", "type", "lon", "lat", "on_scene_h"])
        for t, kind, lon, lat, scene in rows:
            w.writerow([t, kind, f"{lon:.5f}", f"{lat:.5f}", f"{scene:.3f}"])
    print(f"{len(rows)} calls -> {OUT}")


if __name__ == "__main__":
    main()
