"""Fixtures shared by test files in several packages."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from sim import network as nw
from sim.scenario import load_scenario
from sim.workflows.run import RunResult, run_scenario
from tests.helpers import AGS


@pytest.fixture(scope="module")
def shaoguan() -> nw.RoadNetwork:
    """The embedded Shaoguan road network (memoised by `network_from_spec`)."""
    return nw.network_from_spec("shaoguan")


@pytest.fixture(scope="session")
def ags_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    """The Aguascalientes case run once (3 replications, charts and report): folder, result."""
    out = tmp_path_factory.mktemp("ags") / "run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the network's dropped-component notice
        result = run_scenario(load_scenario(AGS), out=out, workers=1)
    return out, result
