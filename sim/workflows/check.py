"""``check``: read and validate a scenario file, and compile it against its road network.

Nothing is simulated and nothing is written: this is what "check a file only" means, and it
reports everything a run would refuse before its first replication.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from sim.scenario import Scenario, expected_incidents
from sim.workflows.common import compile_scenario, load


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What `check_scenario` found.

    Attributes
    ----------
    scenario
        The validated scenario (overrides applied).
    warnings
        Soft problems (the scenario runs, but something in it does nothing).
    incidents_per_replication
        Expected incidents of one replication (rates over the horizon's months, plus surges).
    compiled
        Whether the scenario was also compiled against its road network.
    """

    scenario: Scenario
    warnings: tuple[str, ...]
    incidents_per_replication: float
    compiled: bool


def check_scenario(
    path: str | Path,
    *,
    replications: int | None = None,
    seed: int | None = None,
    network: str | None = None,
    compile_network: bool = True,
) -> CheckResult:
    """Validate a scenario file and (by default) compile it against its road network.

    Parameters
    ----------
    path
        Scenario file.
    replications, seed, network
        Overrides, as for ``run``.
    compile_network
        Also load the road network and compile the scenario against it (static closures need
        roads that exist there); False checks the file alone.

    Returns
    -------
    result
        The scenario, its warnings and its expected size.

    Raises
    ------
    SimError
        Every problem a run would stop on before simulating (`ScenarioError`, `NetworkError`).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scenario = load(path, replications=replications, seed=seed, network=network)
        if compile_network:
            compile_scenario(scenario, source=str(path))
    notes = tuple(
        dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning))
    )
    return CheckResult(
        scenario=scenario,
        warnings=notes,
        incidents_per_replication=expected_incidents(scenario),
        compiled=compile_network,
    )
