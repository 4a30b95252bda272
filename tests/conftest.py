"""Fixtures shared by test files in several packages."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

from sim import network as nw
from sim.scenario import load_scenario
from sim.workflows.run import RunResult, run_scenario
from tests.helpers import AGS


def pytest_configure(config: pytest.Config) -> None:
    """One cache folder for the whole session (font subsets, networks), outside every cwd.

    Subprocesses the tests start inherit it, so no test leaves a `.cache/` in its folder and
    the cache is shared, as for a user's repeated runs.
    """
    if "SIM_CACHE_DIR" not in os.environ:
        os.environ["SIM_CACHE_DIR"] = tempfile.mkdtemp(prefix="sim-test-cache-")
        config.stash[_CACHE_KEY] = os.environ["SIM_CACHE_DIR"]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the session's cache folder (only one this session made)."""
    folder = config.stash.get(_CACHE_KEY, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


_CACHE_KEY = pytest.StashKey[str]()


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
