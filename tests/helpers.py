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


def run_small(tmp_path: Path, name: str, *extra: str) -> Path:
    """Run small_test through the command line into ``tmp_path / name``; return that folder."""
    out = tmp_path / name
    code = main(["run", str(SMALL), "--out", str(out), "--no-plots", "--quiet", *extra])
    assert code == 0
    return out
