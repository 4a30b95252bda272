"""Write the small OpenStreetMap test extract ``tests/data/aguascalientes.osm.pbf`` and ``.bz2``.

Input: the osmnx repository's test extract of central Aguascalientes, Mexico (the copy in
``../shared/osm/aguascalientes.osm.pbf``; © OpenStreetMap contributors, ODbL 1.0; see DATA.md).
Kept: every way tagged ``highway`` (roads and also footways, paths, steps and pedestrian
areas, so that the drive filter is exercised), the first few ways of each other kind (landuse,
building, ...: not roads), and the nodes they use with their ``highway`` tags. Dropped:
relations, authors, versions and timestamps. Run: ``python tools/make_osm_fixture.py [SRC]``.
"""

from __future__ import annotations

import bz2
import sys
from collections import Counter
from pathlib import Path

import osmium

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "aguascalientes.osm.pbf"
#: Non-highway ways kept per leading tag key (enough to test that they are not roads).
OTHER_WAYS_PER_KIND = 2


def main(src: str) -> None:
    """Write the fixture from `src` (an .osm.pbf or .osm.bz2 file)."""
    ways = []
    kinds: Counter[str] = Counter()
    for w in osmium.FileProcessor(src, osmium.osm.WAY):
        tags = {t.k: t.v for t in w.tags}
        kind = "highway" if "highway" in tags else (sorted(tags)[0] if tags else "untagged")
        if kind != "highway":
            if kinds[kind] >= OTHER_WAYS_PER_KIND:
                continue
            kinds[kind] += 1
        ways.append((w.id, [n.ref for n in w.nodes], tags))
    used = {ref for _, refs, _ in ways for ref in refs}
    nodes = []
    for n in osmium.FileProcessor(src, osmium.osm.NODE):
        if n.id in used and n.location.valid():
            tags = {t.k: t.v for t in n.tags if t.k == "highway"}
            nodes.append((n.id, n.location.lon, n.location.lat, tags))
    OUT.unlink(missing_ok=True)
    xml = OUT.with_suffix("").with_suffix(".osm")
    for path in (OUT, xml):
        path.unlink(missing_ok=True)
        writer = osmium.SimpleWriter(str(path))
        try:
            for nid, lon, lat, tags in sorted(nodes):
                writer.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat), tags=tags))
            for wid, refs, tags in sorted(ways):
                writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))
        finally:
            writer.close()
    data = xml.read_bytes()
    xml.unlink()
    xml.with_suffix(".osm.bz2").write_bytes(bz2.compress(data, 9))
    print(f"{len(nodes)} nodes, {len(ways)} ways ({dict(kinds)} non-highway) -> {OUT}")


if __name__ == "__main__":
    main(
        sys.argv[1]
        if len(sys.argv) > 1
        else str(ROOT.parent / "shared" / "osm" / "aguascalientes.osm.pbf")
    )
