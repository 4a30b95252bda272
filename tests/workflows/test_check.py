"""The check workflow: validate and compile without simulating."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.workflows.check import check_scenario
from tests.helpers import MINIMAL, SMALL


def test_a_valid_file_is_compiled_and_not_simulated(monkeypatch) -> None:
    """small_test: valid and compiled on its network; the runner is never called."""

    def no_simulation(*args: object, **kwargs: object) -> None:
        raise AssertionError("check must not simulate")

    monkeypatch.setattr("sim.workflows.common.run_replications", no_simulation)
    result = check_scenario(SMALL)
    assert result.compiled
    assert result.scenario.name == "small_test"
    assert result.incidents_per_replication > 0
    assert result.warnings == ()


def test_warnings_are_returned_not_raised(tmp_path: Path) -> None:
    """A soft problem is listed in the result; the file is still valid."""
    text = MINIMAL.read_text(encoding="utf-8").replace("rescue_vehicle: {count: 1}", "")
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    result = check_scenario(path, compile_network=False)
    assert not result.compiled
    assert any("no facility has a 'rescue_vehicle' unit" in w for w in result.warnings)


def test_a_problem_only_the_network_shows_names_the_file(tmp_path: Path) -> None:
    """Static closure between towns no road joins: found by compiling, with file and key."""
    path = tmp_path / "c.yaml"
    path.write_text(
        MINIMAL.read_text(encoding="utf-8") + "closures: [{between: [乐城街道, 马坝镇]}]\n",
        encoding="utf-8",
    )
    check_scenario(path, compile_network=False)  # the file alone is valid
    with pytest.raises(ScenarioError, match=rf"^{path}: closures\[0\]\.between: static closure"):
        check_scenario(path)


VALID_AND_SHIPPED = sorted(
    [
        *(Path(__file__).parents[1] / "data" / "scenarios" / "valid").glob("*.yaml"),
        *(Path(__file__).parents[2] / "scenarios").glob("*.yaml"),
    ]
)


@pytest.mark.parametrize("path", VALID_AND_SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_valid_and_shipped_scenario_compiles_on_its_network(path: Path) -> None:
    """A scenario kept as valid also compiles (facilities on the network, closures on roads):
    otherwise the fuzz test's runs of its variants would all stop at compilation."""
    result = check_scenario(path)
    assert result.compiled
    assert result.incidents_per_replication > 0
