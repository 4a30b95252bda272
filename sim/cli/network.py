"""The ``network`` sub-command: summarise a road network, export it as GraphML, draw the map."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.cli.common import file_path, network_value, place_value
from sim.network import SHAOGUAN
from sim.workflows.common import load
from sim.workflows.network import summarise_network

_CLASS_ZH = {
    "motorway": "高速公路",
    "motorway_link": "互通匝道",
    "trunk": "国道",
    "primary": "省道",
    "secondary": "县道",
    "tertiary": "乡道",
}


#: Position of the command in ``--help``.
ORDER = 20


def add_parser(subparsers: Any) -> None:
    """Register ``network`` on the top-level sub-parser."""
    p = subparsers.add_parser(
        "network",
        help="summarise a road network; export it as GraphML or draw the city map",
        description=(
            "Summarise a road network (nodes, edges, km by road class, bridges). "
            "The default 'shaoguan' is the embedded approximate township-level network."
        ),
    )
    p.add_argument(
        "--network",
        type=network_value,
        default=None,
        metavar="X",
        help=(
            "'shaoguan' (default), a .graphml or .osm/.osm.bz2/.osm.pbf file, or a place name "
            "(needs internet); with --scenario, default the scenario's network"
        ),
    )
    p.add_argument(
        "--scenario",
        metavar="S.yaml",
        help=(
            "take the study region (units and their seats for --from, outline for --map) and "
            "the network from this scenario file"
        ),
    )
    p.add_argument("--json", action="store_true", help="print plain JSON")
    p.add_argument(
        "--export", type=file_path, metavar="PATH.graphml", help="write the graph as GraphML"
    )
    p.add_argument("--map", type=file_path, metavar="PATH.png", help="draw the city map to a PNG")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="map and table language")
    p.add_argument(
        "--from",
        dest="origin",
        type=place_value,
        metavar="PLACE",
        help=(
            "also list travel times from PLACE to every county seat (light and heavy); with "
            "--scenario, to the seat of every unit of its region"
        ),
    )
    p.add_argument("--cache-dir", type=file_path, help="cache for downloaded place networks")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the summary; write the GraphML export and the map if asked."""
    scenario = load(args.scenario) if args.scenario else None
    network = args.network or (scenario.network if scenario is not None else SHAOGUAN)
    out = summarise_network(
        network,
        region=scenario.study_region if scenario is not None else None,
        cache_dir=args.cache_dir,
        origin=args.origin,
        export=args.export,
        map_path=args.map,
        lang=args.lang,
    ).summary
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print_human(out, args.lang)
    return 0


def _print_human(out: dict[str, Any], lang: str) -> None:
    zh = lang == "zh"
    console = Console(highlight=False)
    title = f"{'道路网络' if zh else 'Road network'} {out['network']}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [
        ("节点" if zh else "nodes", f"{out['nodes']:,}"),
        ("有向边" if zh else "directed edges", f"{out['edges']:,}"),
        ("乡镇" if zh else "towns", str(out["towns"])),
        ("县区" if zh else "counties", str(out["counties"])),
        ("强连通" if zh else "strongly connected", "✓" if out["strongly_connected"] else "✗"),
        ("桥梁（跨河路段）" if zh else "bridges (river-crossing roads)", str(out["bridges"])),
    ]
    for name, value in rows:
        table.add_row(name, value)
    for cls, km in out["km_by_class"].items():
        label = f"{_CLASS_ZH.get(cls, cls)} ({cls})" if zh else cls
        table.add_row(f"  km {label}", f"{km:,.1f}")
    table.add_row("  km " + ("合计" if zh else "total"), f"{out['km_total']:,.1f}")
    console.print(table)
    if "seat_times" in out:
        t = Table(
            title=("从 " if zh else "From ") + out["from"],
            title_justify="left",
        )
        for col in (
            "县区" if zh else "county",
            "驻地" if zh else "seat",
            "km",
            ("轻型 h" if zh else "light h"),
            ("重型 h" if zh else "heavy h"),
            ("道路" if zh else "roads"),
        ):
            t.add_column(col)
        for r in out["seat_times"]:
            t.add_row(
                r["county"],
                r["seat"],
                f"{r['length_km']:.1f}",
                f"{r['light_h']:.2f}",
                f"{r['heavy_h']:.2f}",
                ", ".join(r["refs"]),
            )
        console.print(t)
    for key, label in (("export", "GraphML"), ("map", "map")):
        if key in out:
            console.print(f"{label}: {out[key]}")
