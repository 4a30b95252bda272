"""Paths and helpers shared by test files in several packages.

``ROOT`` is the repository root. Test files sit at different depths below ``tests/``, so they
take every path from here instead of computing it from their own ``__file__``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.geo import resolve_town
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SCENARIO_DATA = DATA / "scenarios"
MINIMAL = SCENARIO_DATA / "valid" / "minimal.yaml"
FOREST = SCENARIO_DATA / "valid" / "forest_small.yaml"
SMALL = ROOT / "scenarios" / "small_test.yaml"
BASELINE = ROOT / "scenarios" / "shaoguan_baseline.yaml"
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
WATER_TEAMS = "facilities.fs_xinshao.units.water_rescue_team.count"
#: The Aguascalientes case: a loaded region (two units, four towns) on a real OSM extract.
AGS = DATA / "aguascalientes" / "aguascalientes.yaml"
#: A forest fire type for Aguascalientes variants (the engines fight it; the fire is small).
AGS_FOREST_FIRE = {
    "label": {"zh": "森林火灾", "en": "Forest fire"},
    "rate": {"per_year": 120},
    "where": {"model": "forest", "min_distance_from_town_m": 0},
    "units": {"engine": 1},
    "on_scene": {"dist": "fixed", "value_h": 1},
    "fire": {"ros_m_per_h": {"dist": "fixed", "value": 40}},
}
AGS_BURN_TARGET = {
    "id": "burn",
    "label": {"zh": "森林火灾受害率", "en": "Burned forest share"},
    "measure": "burn_ratio",
    "max_per_mille": 1,
}


def load_quietly(path: Path) -> Scenario:
    """Load with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_scenario(path)


def minimal() -> dict:
    """The raw mapping of tests/data/scenarios/valid/minimal.yaml."""
    return yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))


def town_code(name: str) -> str:
    """The NBS code of a town given by name."""
    return resolve_town(name).code


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    """Run a command with --json and return what it printed."""
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def ags_variant(tmp_path: Path, change: dict, name: str = "ags_variant") -> Path:
    """Write a variant of the Aguascalientes case (``extends:`` it) and return its path.

    The base's files (network, region, calls) stay relative to the base file.
    """
    path = tmp_path / f"{name}.yaml"
    data = {"extends": str(AGS), "name": name, **change}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_small(tmp_path: Path, name: str, *extra: str) -> Path:
    """Run small_test through the command line into ``tmp_path / name``; return that folder."""
    out = tmp_path / name
    code = main(["run", str(SMALL), "--out", str(out), "--no-plots", "--quiet", *extra])
    assert code == 0
    return out
