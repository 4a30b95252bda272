"""The table of bad inputs and the message each gets (docs/input-errors.md is made from it).

Each `Case` is one thing a careless or hurried user does: a scenario file with one mistake
(made from ``tests/data/scenarios/valid/minimal.yaml``), a flag with a wrong value, an output
folder that cannot be written, a road-network file with a bad number. `run_case` runs it
through the real command line, in this process, and returns the exit status and the message.
``tests/scenarios/test_input_errors.py`` checks every case (exit status 2, the expected text,
no traceback) and that the page is up to date; ``tools/gen_input_errors.py`` writes the page.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sim.cli import main
from sim.network import save_graph
from tests.helpers import MINIMAL, ROOT
from tests.network.helpers import small_graph

EMPTY_GRAPHML = (
    '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
    '<graph edgedefault="directed"></graph></graphml>'
)
#: The valid file every scenario case changes in one place.
BASE_TEXT = MINIMAL.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """One bad input.

    Attributes
    ----------
    group
        The class of input (a heading of the page).
    given
        What the user gave, as the page shows it.
    argv
        The command line; ``<tmp>`` is a fresh folder, ``<scenario>`` the case's scenario
        file, ``<graphml>`` its network file, ``<small>`` scenarios/small_test.yaml.
    expect
        Text the message must contain (what was expected and what was found).
    edits
        ``(old, new)`` replacements that make ``<scenario>`` from minimal.yaml (once each).
    text
        The whole ``<scenario>`` file instead of edits.
    files
        Extra files under ``<tmp>`` (text, or bytes).
    graphml
        ``(old, new)`` replacements in the GraphML of a small valid grid network.
    locked
        A results folder under ``<tmp>`` whose lock this process holds while the case runs.
    """

    group: str
    given: str
    argv: tuple[str, ...]
    expect: str
    edits: tuple[tuple[str, str], ...] = ()
    text: str | bytes | None = None
    files: dict[str, str | bytes] = field(default_factory=dict)
    graphml: tuple[tuple[str, str], ...] = ()
    locked: str | None = None


def _edit(old: str, new: str, given: str | None = None, **kw: object) -> Case:
    """A scenario case: one replacement in minimal.yaml, checked with ``check --no-network``."""
    group = str(kw.pop("group"))
    expect = str(kw.pop("expect"))
    more: tuple[tuple[str, str], ...] = kw.pop("edits", ())  # type: ignore[assignment]
    return Case(
        group=group,
        given=given or new,
        argv=("check", "--no-network", "<scenario>"),
        expect=expect,
        edits=((old, new), *more),
        **kw,  # type: ignore[arg-type]
    )


READ = "Reading the file (YAML)"
BOUNDS = "Magnitudes (every number has an upper bound)"
IDS = "Ids and references between sections"
EXTENDS = "`extends:` chains"
PLACES = "Places and network values"
OUT = "Output folder (`--out`, and default folders)"
FLAGS = "Command-line flags"
NETWORK = "Road-network files (`network:` / `--network`)"

CASES: tuple[Case, ...] = (
    # ------------------------------------------------------------------ reading the file
    Case(
        READ, "a file that does not exist", ("check", "<tmp>/nope.yaml"), "scenario file not found"
    ),
    Case(READ, "a folder", ("check", "<tmp>"), "is a directory, expected a scenario file"),
    Case(
        READ,
        "a file in GBK, not UTF-8",
        ("check", "<scenario>"),
        "cannot read the file as UTF-8 text",
        text="name: 乐昌\n".encode("gbk"),
    ),
    Case(READ, "an empty file", ("check", "<scenario>"), "got an empty file", text=""),
    Case(
        READ,
        "a list at the top level",
        ("check", "<scenario>"),
        "expected a mapping of keys",
        text="- horizon_days: 30\n",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nhorizon_days: 31",
        "`horizon_days` given twice",
        group=READ,
        expect="duplicate key 'horizon_days' (first given at line",
    ),
    _edit(
        "replications: 2",
        "replications: [2",
        group=READ,
        expect="YAML syntax error at line",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nstart_date: 2025-02-30",
        "start_date: 2025-02-30",
        group=READ,
        expect="invalid date '2025-02-30': day is out of range for month",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\ndescription: " + "[" * 5000 + "]" * 5000,
        "description: [[[[…]]]] (5,000 levels)",
        group=READ,
        expect="nested deeper than 40 levels of mappings and lists",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\ndescription:\n  a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"  {chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(8)
        ),
        "an alias bomb as `description`: 9 anchors of 9 aliases each (1 kB, 9⁹ items)",
        group=READ,
        expect="description: expected text, got {'a': ['x', 'x', 'x', 'x', 'x', 'x', ...],",
    ),
    _edit(
        "replications: 2",
        "replications: 1" + "0" * 5000,
        "replications: 1000…0 (5,001 digits)",
        group=READ,
        expect="more than 4,300 digits",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: !!set {30}",
        group=READ,
        expect="the YAML type 'set' is not used in scenario files",
    ),
    _edit(
        "rate: {per_year: 100}",
        "rate: {per_year: 1e3}",
        group=READ,
        expect="YAML reads 1e3 as text: an exponent needs a dot and a sign, 1.0e+3, or write 1000",
    ),
    _edit(
        "rate: {per_year: 100}",
        "rate: {per_year: '100'}",
        group=READ,
        expect="expected a number, got '100' (text, not a number: drop the quotes)",
    ),
    Case(
        READ,
        "a file larger than 5 MB",
        ("check", "<scenario>"),
        "expected a scenario file of at most 5,000,000 bytes",
        text="# padding\n" * 600_000,
    ),
    # ------------------------------------------------------------------ magnitudes
    _edit(
        "horizon_days: 30",
        "horizon_days: 1.0e+9",
        group=BOUNDS,
        expect="horizon_days: expected a number <= 3,660, got 1000000000.0",
    ),
    _edit(
        "replications: 2",
        "replications: 1000000000",
        group=BOUNDS,
        expect="replications: expected an integer <= 10,000, got 1000000000",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nstart_date: 9999-12-01",
        "start_date: 9999-12-01",
        group=BOUNDS,
        expect="start_date: expected a date <= 2199-12-31, got 9999-12-01",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nseed: 1000000000000000000000000000000",
        "seed: 10^30",
        group=BOUNDS,
        expect="seed: expected an integer <= 9,223,372,036,854,775,807",
    ),
    _edit(
        "rate: {per_year: 100}",
        "rate: {per_year: 1.0e+12}",
        group=BOUNDS,
        expect="rate.per_year: expected a number <= 1,000,000, got 1000000000000.0",
    ),
    _edit(
        "on_scene: {dist: lognormal, mean_h: 1.5, sd_h: 1.0}",
        "on_scene: {dist: lognormal, mean_h: 1.5, sd_h: 1.0e+308}",
        group=BOUNDS,
        expect="on_scene.sd_h: expected a number <= 8,760, got 1e+308",
    ),
    _edit(
        "on_scene: {dist: lognormal, mean_h: 1.5, sd_h: 1.0}",
        "on_scene: {dist: gamma, mean_h: 1.5, sd_h: 1.0e-300}",
        group=BOUNDS,
        expect="expected sd_h between mean_h/1,000 and 1,000 × mean_h",
    ),
    _edit(
        "engine: {count: 2}",
        "engine: {count: 100000000000000000000000000000}",
        "engine: {count: 10^29}",
        group=BOUNDS,
        expect="units.engine.count: expected an integer <= 1,000",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\npopulation: 1000000000000000000000000000000",
        "population: 10^30",
        group=BOUNDS,
        expect="population: expected an integer <= 100,000,000",
    ),
    _edit(
        "rate: {per_year: 100}",
        "rate: {per_year: 100}\n    seasonality: [1.0e+308, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
        "seasonality: [1.0e+308, 1, 1, …]",
        group=BOUNDS,
        expect="seasonality[0]: expected a number <= 1,000,000, got 1e+308",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 3660",
        "horizon_days: 3660 with rate: {per_year: 900000}",
        group=BOUNDS,
        # (900,000 + 5 per year) × 3,660 / 365.25 days = 9,018,530.7
        expect="expected at most 500,000 incidents per replication, got about 9,018,531",
        edits=(("rate: {per_year: 100}", "rate: {per_year: 900000}"),),
    ),
    _edit(
        "replications: 2",
        "replications: 10000",
        "replications: 10000 with rate: {per_year: 10000}",
        group=BOUNDS,
        expect="expected at most 5,000,000 incidents in the whole run",
        edits=(("rate: {per_year: 100}", "rate: {per_year: 10000}"),),
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nsurge: [{day: 45, incidents: {building_fire: 3}}]",
        "surge: [{day: 45, …}] with horizon_days: 30",
        group=BOUNDS,
        expect="surge[0].day: expected a day before the end of the run (horizon_days 30)",
    ),
    _edit(
        "where: {model: population, counties: [乐昌]}",
        "where: {model: forest, counties: [乐昌], min_distance_from_town_m: 60000}",
        group=BOUNDS,
        expect="no point of 乐昌市 lies 60,000 m from every town seat",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nname: " + "a" * 300,
        "name: aaaa… (300 characters)",
        group=BOUNDS,
        expect="name: expected text of at most 64 characters, got 300",
    ),
    _edit(
        "horizon_days: 30",
        'horizon_days: 30\nname: "a\\0b"',
        'name: "a\\0b" (a NUL character)',
        group=BOUNDS,
        expect="name: expected a folder-safe name (no '/', '\\' or control characters",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nname: ../elsewhere",
        group=BOUNDS,
        expect="name: expected a folder-safe name",
    ),
    _edit(
        "label: {zh: 建筑火灾, en: Building fire}",
        'label: {zh: 建筑火灾, en: "Building\\0fire"}',
        group=BOUNDS,
        expect="label.en: expected one line of text without control characters",
    ),
    # ------------------------------------------------------------------ ids and references
    _edit(
        "  landslide:",
        "  5:",
        "incidents: {5: …} (a number as an incident-type id)",
        group=IDS,
        expect="incidents.5 (key): expected text, got 5",
    ),
    _edit(
        "measure: first_arrival",
        "measure: {first_arrival: 1}",
        group=IDS,
        expect="measure: expected one of first_arrival, all_arrived",
    ),
    _edit(
        "incident_types: [building_fire]",
        "incident_types: [{building_fire: 1}]",
        group=IDS,
        expect="incident_types[0]: expected text, got {'building_fire': 1}",
    ),
    _edit(
        "units: {engine: 2}",
        "units: {1: 2}",
        group=IDS,
        expect="units.1 (key): expected text, got 1",
    ),
    _edit(
        "  - id: depot_maba",
        "  - id: fs_lecheng",
        "a second facility with id `fs_lecheng`",
        group=IDS,
        expect="duplicate facility id 'fs_lecheng' (also facilities[0])",
    ),
    _edit(
        "units: {engine: 2}",
        "units: {engin: 2}",
        group=IDS,
        expect="unknown unit type 'engin' (did you mean 'engine'?",
    ),
    # ------------------------------------------------------------------ extends
    Case(
        EXTENDS,
        "`extends:` a base that is an empty file",
        ("check", "--no-network", "<scenario>"),
        "extends: base scenario 'base.yaml' must be a mapping of keys (name: ..., unit_types: "
        "...), got an empty file",
        text="extends: base.yaml\n",
        files={"base.yaml": ""},
    ),
    Case(
        EXTENDS,
        "`extends:` a base that is a list",
        ("check", "--no-network", "<scenario>"),
        "must be a mapping of keys (name: ..., unit_types: ...), got a list",
        text="extends: base.yaml\n",
        files={"base.yaml": "- a\n- b\n"},
    ),
    Case(
        EXTENDS,
        "`extends:` a base that is one value",
        ("check", "--no-network", "<scenario>"),
        "must be a mapping of keys (name: ..., unit_types: ...), got a number",
        text="extends: base.yaml\n",
        files={"base.yaml": "42\n"},
    ),
    Case(
        EXTENDS,
        '`extends: "a\\0b.yaml"` (a NUL character)',
        ("check", "--no-network", "<scenario>"),
        "extends: expected a path to a base scenario file, got 'a\\x00b.yaml' (it holds a NUL "
        "character)",
        text='extends: "a\\0b.yaml"\n',
    ),
    Case(
        EXTENDS,
        "`extends: nowhere.yaml`",
        ("check", "--no-network", "<scenario>"),
        "extends: base scenario 'nowhere.yaml' not found",
        text="extends: nowhere.yaml\n",
    ),
    Case(
        EXTENDS,
        "`extends: [a.yaml, b.yaml]`",
        ("check", "--no-network", "<scenario>"),
        "extends: expected a path to the base scenario file, got ['a.yaml', 'b.yaml']",
        text="extends: [a.yaml, b.yaml]\n",
    ),
    Case(
        EXTENDS,
        "a file that extends itself",
        ("check", "--no-network", "<scenario>"),
        "extends: 'scenario.yaml' extends itself (cycle",
        text="extends: scenario.yaml\n",
    ),
    Case(
        EXTENDS,
        "a variant whose facilities have list ids",
        ("check", "--no-network", "<scenario>"),
        "facilities[0].id: expected text, got [1]",
        text=f"extends: {MINIMAL}\nfacilities: [{{id: [1], kind: depot}}]\n",
    ),
    # ------------------------------------------------------------------ places and networks
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nclosures: [{between: [乐城街道, 火星镇]}]",
        "closures: [{between: [乐城街道, 火星镇]}]",
        group=PLACES,
        expect="closures[0].between: unknown place '火星镇'",
    ),
    Case(
        PLACES,
        "closures: [{between: [乐城街道, 马坝镇]}] (no direct road; found when compiled)",
        ("check", "<scenario>"),
        "closures[0].between: static closure '乐城街道'–'马坝镇': no road joins these two towns "
        "directly",
        edits=(
            ("horizon_days: 30", "horizon_days: 30\nclosures: [{between: [乐城街道, 马坝镇]}]"),
        ),
    ),
    _edit(
        "location: {town: 乐城街道}",
        "location: {town: 乐城街道, county: 南雄}",
        group=PLACES,
        expect="place '乐城街道' is in 乐昌市, not in 南雄市; correct or drop `county`",
    ),
    _edit(
        "location: {town: 乐城街道}",
        "location: {town: 乐城街道, county: 火星}",
        group=PLACES,
        expect="unknown county '火星'",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nnetwork: shaogan",
        "network: shaogan",
        group=PLACES,
        expect="network: unknown network 'shaogan' (did you mean 'shaoguan'?)",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nnetwork: roads/shaoguan.graphml",
        "network: roads/shaoguan.graphml (missing; read from the scenario file's folder)",
        group=PLACES,
        expect="network: road-network file '<tmp>/roads/shaoguan.graphml' does not exist",
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nnetwork: roads/",
        "network: roads/ (a folder)",
        group=PLACES,
        expect="which is not a regular file",
        files={"roads/keep.txt": ""},
    ),
    _edit(
        "horizon_days: 30",
        "horizon_days: 30\nnetwork: roads/net.txt",
        "network: roads/net.txt",
        group=PLACES,
        expect="has an unsupported format (expected a name ending in .graphml, .osm",
        files={"roads/net.txt": "x"},
    ),
    # ------------------------------------------------------------------ output folder
    Case(
        OUT,
        "--out ''",
        ("run", "<small>", "--out", ""),
        "--out: cannot write results to '': expected a folder name, got an empty path",
    ),
    Case(
        OUT,
        "--out notes.txt (a file)",
        ("run", "<small>", "--out", "<tmp>/notes.txt"),
        "it is a file, not a folder",
        files={"notes.txt": "keep me"},
    ),
    Case(
        OUT,
        "--out notes.txt/run (below a file)",
        ("run", "<small>", "--out", "<tmp>/notes.txt/run"),
        "'<tmp>/notes.txt' is a file, so no folder can be made below it",
        files={"notes.txt": "keep me"},
    ),
    Case(
        OUT,
        "--out /sys/run (no permission, not even for root)",
        ("run", "<small>", "--out", "/sys/sim-never-here/run"),
        "cannot create files in '/sys' (Permission denied)",
    ),
    Case(
        OUT,
        "--out home (a folder of someone's files)",
        ("run", "<small>", "--out", "<tmp>/home"),
        "it is a folder with files this simulator did not write (no '.home.lock' beside it)",
        files={"home/thesis.tex": "years of work"},
    ),
    Case(
        OUT,
        "--out aaaa… (a 300-character name)",
        ("run", "<small>", "--out", "<tmp>/" + "a" * 300),
        "the folder name has 300 bytes, expected at most 200",
    ),
    Case(
        OUT,
        "--out 'a\\0b' (a NUL character)",
        ("run", "<small>", "--out", "<tmp>/a\0b"),
        "the path holds a NUL character",
    ),
    Case(
        OUT,
        "--out run while another process writes it",
        ("run", "<small>", "--out", "<tmp>/busy"),
        "'<tmp>/busy' is being written by another process; wait for it or choose --out",
        locked="busy",
    ),
    # ------------------------------------------------------------------ flags
    Case(
        FLAGS,
        "--workers 0",
        ("run", "<small>", "--workers", "0"),
        "--workers: expected an integer >= 1 and <= 256, got 0",
    ),
    Case(
        FLAGS,
        "--workers -2",
        ("run", "<small>", "--workers", "-2"),
        "--workers: expected an integer >= 1 and <= 256, got -2",
    ),
    Case(
        FLAGS,
        "--replications 0",
        ("run", "<small>", "--replications", "0"),
        "--replications: expected an integer >= 1 and <= 10,000, got 0",
    ),
    Case(
        FLAGS,
        "--replications 1e3",
        ("run", "<small>", "--replications", "1e3"),
        "--replications: expected an integer >= 1 and <= 10,000, got '1e3'",
    ),
    Case(
        FLAGS,
        "--replications 1000000000",
        ("run", "<small>", "--replications", "1000000000"),
        "--replications: expected an integer >= 1 and <= 10,000, got 1000000000",
    ),
    Case(
        FLAGS, "--seed -1", ("run", "<small>", "--seed", "-1"), "--seed: expected an integer >= 0"
    ),
    Case(
        FLAGS,
        "--dask localhost",
        ("run", "<small>", "--dask", "localhost"),
        "--dask: expected 'local' or a scheduler address like tcp://HOST:8786, got 'localhost' "
        "(no port)",
    ),
    Case(
        FLAGS,
        "--dask http://host:8786",
        ("run", "<small>", "--dask", "http://host:8786"),
        "(scheme 'http' is not one of tcp, tls, ws, wss, ucx)",
    ),
    Case(
        FLAGS,
        "--lang fr",
        ("run", "<small>", "--lang", "fr"),
        "--lang: expected one of 'zh', 'en', got 'fr'",
    ),
    Case(
        FLAGS,
        "--network nowhere.graphml",
        ("run", "<small>", "--network", "<tmp>/nowhere.graphml"),
        "--network: road-network file '<tmp>/nowhere.graphml' does not exist",
    ),
    Case(
        FLAGS,
        "optimize --time-limit-s -1",
        ("optimize", "<small>", "--kind", "depot", "--time-limit-s", "-1"),
        "--time-limit-s: expected a number >= 0 and <= 604,800, got -1",
    ),
    Case(
        FLAGS,
        "optimize --threshold-h -1",
        ("optimize", "<small>", "--kind", "depot", "--threshold-h", "-1"),
        "--threshold-h: expected a number > 0 and <= 8,760, got -1",
    ),
    Case(
        FLAGS,
        "optimize --add -1",
        ("optimize", "<small>", "--kind", "depot", "--add", "-1"),
        "--add: expected an integer >= 0 and <= 1,000, got -1",
    ),
    Case(
        FLAGS,
        "optimize --kind firestation",
        ("optimize", "<small>", "--kind", "firestation"),
        "--kind: expected one of 'fire_station', 'township_team'",
    ),
    Case(
        FLAGS,
        "optimize --capacity nan",
        ("optimize", "<small>", "--kind", "depot", "--capacity", "nan"),
        "--capacity: expected a number > 0, got nan",
    ),
    Case(
        FLAGS,
        "sweep --max-steps 0",
        ("sweep", "<small>", "--set", "seed=1", "--until-met", "--max-steps", "0"),
        "--max-steps: expected an integer >= 1 and <= 1,000, got 0",
    ),
    Case(
        FLAGS,
        "sweep --set a grid of 1,001 settings",
        ("sweep", "<small>", "--set", "seed=" + ",".join(map(str, range(1001)))),
        "--set: the grid has 1,001 settings (1001), expected at most 1,000",
    ),
    Case(
        FLAGS,
        "sweep --set KEY without =",
        ("sweep", "<small>", "--set", "seed"),
        "expected KEY=V1,V2,...",
    ),
    Case(
        FLAGS,
        "optimize --candidates sites.csv (saved in GBK)",
        (
            "optimize",
            "<small>",
            "--kind",
            "depot",
            "--no-compare",
            "--candidates",
            "<tmp>/sites.csv",
        ),
        "<tmp>/sites.csv: cannot read the file as UTF-8 text",
        files={"sites.csv": "name,town\n站点,乐城街道\n".encode("gbk")},
    ),
    Case(
        FLAGS,
        "network --map city.jpg",
        ("network", "--map", "<tmp>/city.jpg"),
        "--map '<tmp>/city.jpg': the file name must end in .png",
    ),
    Case(
        FLAGS,
        "route 乐城街道 火星镇",
        ("route", "乐城街道", "火星镇"),
        "TO: unknown place '火星镇'",
    ),
    Case(
        FLAGS,
        "network --from 乐成",
        ("network", "--from", "乐成"),
        "--from: unknown place '乐成'; did you mean",
    ),
    Case(
        FLAGS,
        "route '' 乐城街道",
        ("route", "", "乐城街道"),
        "FROM: expected a value, got an empty text",
    ),
    # ------------------------------------------------------------------ network files
    Case(
        NETWORK,
        "an edge's travel_time `nan`",
        ("network", "--network", "<graphml>"),
        "edge 0->1 (key 0): travel_time must be a finite number >= 0 (s), got nan",
        graphml=(("TT0", "nan"),),
    ),
    Case(
        NETWORK,
        "an edge's travel_time `-5`",
        ("network", "--network", "<graphml>"),
        "travel_time must be a finite number >= 0 (s), got -5.0",
        graphml=(("TT0", "-5"),),
    ),
    Case(
        NETWORK,
        "an edge's travel_time `fast`",
        ("network", "--network", "<graphml>"),
        "travel_time must be a finite number >= 0 (s), got 'fast'",
        graphml=(("TT0", "fast"),),
    ),
    Case(
        NETWORK,
        "an edge's travel_time `inf`",
        ("network", "--network", "<graphml>"),
        "travel_time must be a finite number >= 0 (s), got inf",
        graphml=(("TT0", "inf"),),
    ),
    Case(
        NETWORK,
        "an edge's length `-100`",
        ("network", "--network", "<graphml>"),
        "length must be a finite number >= 0 (m), got -100.0",
        graphml=(("LEN0", "-100"),),
    ),
    Case(
        NETWORK,
        "a node's x `nan`",
        ("network", "--network", "<graphml>"),
        "node 0: x must be a finite number, got nan",
        graphml=(("X0", "nan"),),
    ),
    Case(
        NETWORK,
        "a node's x `500` (not a longitude)",
        ("network", "--network", "<graphml>"),
        "node 0: x must lie in -180..180 degrees, got 500.0",
        graphml=(("X0", "500"),),
    ),
    Case(
        NETWORK,
        "a GraphML file with no nodes",
        ("network", "--network", "<tmp>/empty.graphml"),
        "is empty (no nodes)",
        files={"empty.graphml": EMPTY_GRAPHML},
    ),
    Case(
        NETWORK,
        "a GraphML file that is not XML",
        ("network", "--network", "<tmp>/broken.graphml"),
        "cannot read GraphML file",
        files={"broken.graphml": "<graphml"},
    ),
)


def _graphml(tmp: Path, edits: tuple[tuple[str, str], ...]) -> Path:
    """A small valid grid network as GraphML, with markers of its first values replaced.

    ``TT0``, ``LEN0`` and ``X0`` stand for the first edge's travel time and length and the
    first node's longitude.
    """
    path = save_graph(small_graph(), tmp / "net.graphml")
    text = path.read_text(encoding="utf-8")
    keys = dict(re.findall(r'<key id="(d\d+)" for="\w+" attr.name="(\w+)"', text))
    names = {v: k for k, v in keys.items()}
    for marker, attr in (("TT0", "travel_time"), ("LEN0", "length"), ("X0", "x")):
        for old, new in edits:
            if old == marker:
                pattern = f'(<data key="{names[attr]}">)([^<]*)(</data>)'
                text = re.sub(pattern, lambda m, v=new: m.group(1) + v + m.group(3), text, count=1)
    path.write_text(text, encoding="utf-8")
    return path


@contextlib.contextmanager
def _held_lock(path: Path) -> Iterator[None]:
    """Hold a results folder's lock as another writer would."""
    with path.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        yield


def run_case(case: Case, tmp: Path) -> tuple[int, str]:
    """Set the case up under `tmp` and run its command line here; return (status, message).

    In the message the folder `tmp` reads ``<tmp>`` and the repository ``.``.
    """
    for name, content in case.files.items():
        target = tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    scenario = tmp / "scenario.yaml"
    if case.text is not None:
        if isinstance(case.text, bytes):
            scenario.write_bytes(case.text)
        else:
            scenario.write_text(case.text, encoding="utf-8")
    else:
        text = BASE_TEXT
        for old, new in case.edits:
            assert text.count(old) >= 1, f"{case.given}: {old!r} not in minimal.yaml"
            text = text.replace(old, new, 1)
        scenario.write_text(text, encoding="utf-8")
    graphml = _graphml(tmp, case.graphml) if case.graphml else tmp / "net.graphml"
    argv = [
        a.replace("<tmp>", str(tmp))
        .replace("<scenario>", str(scenario))
        .replace("<graphml>", str(graphml))
        .replace("<small>", str(ROOT / "scenarios" / "small_test.yaml"))
        for a in case.argv
    ]
    err, out = io.StringIO(), io.StringIO()
    lock = _held_lock(tmp / f".{case.locked}.lock") if case.locked else contextlib.nullcontext()
    cwd = Path.cwd()
    try:
        os.chdir(tmp)  # results/ of a case that wrongly ran would land here, not in the repo
        with (
            lock,
            contextlib.redirect_stderr(err),
            contextlib.redirect_stdout(out),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            status = main(argv)
    finally:
        os.chdir(cwd)
    message = err.getvalue().replace(str(tmp), "<tmp>").replace(str(ROOT), ".")
    return status, message.strip()
