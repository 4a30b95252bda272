"""``validate``: the model against known answers and public figures, written to docs/validation.md.

One command runs every check of `sim.analysis.validation`: the engine as an M/M/c queue against
Erlang C, route times on the scenario's network against ``sim/data/reference_routes.csv``, the
simulated forest-fire sizes of the scenario against the 广西 2016–2021 statistics, and the
scenario's yearly incidents against public 119 call figures. ``fast=True`` runs the same checks
with few replications (the tests use it); the page states which.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.analysis.validation import (
    Check,
    call_checks,
    fire_checks,
    load_reference_routes,
    markdown,
    mmc_waits,
    queue_checks,
    route_checks,
)
from sim.workflows.common import Progress, load, load_network, simulate
from sim.workflows.route import route_between

DEFAULT_SCENARIO = "scenarios/shaoguan_baseline.yaml"
DEFAULT_OUT = Path("docs/validation.md")
#: The M/M/c system checked: 3 calls an hour, 1 h of work each, 4 units (utilisation 0.75).
MMC = (3.0, 1.0, 4)
#: (replications, hours per replication) of the M/M/c runs: full and fast.
MMC_RUNS = {False: (20, 2000.0), True: (5, 500.0)}
#: Replications of the scenario in the fast version.
FAST_REPLICATIONS = 3


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """What `validate_model` produced.

    Attributes
    ----------
    checks
        Every check, in page order.
    markdown
        The page.
    out
        Where the page was written, or None.
    """

    checks: tuple[Check, ...]
    markdown: str
    out: Path | None


def validate_model(
    scenario: str | Path = DEFAULT_SCENARIO,
    *,
    fast: bool = False,
    seed: int | None = None,
    out: Path | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ValidationResult:
    """Run every validation check and write the page.

    Parameters
    ----------
    scenario
        Scenario whose network, fires and incident rates are checked.
    fast
        Few replications (a smoke version for the tests); the page says so.
    seed
        Override the scenario's seed (the M/M/c runs use it too).
    out
        Write the page here (atomically), or None.
    workers, progress
        As for `sim.workflows.common.simulate`.
    """
    sc = load(scenario, replications=FAST_REPLICATIONS if fast else None, seed=seed)
    run = simulate(sc, source=str(scenario), workers=workers, progress=progress)
    lam, mu, c = MMC
    reps, hours = MMC_RUNS[fast]
    waits, shares = mmc_waits(lam, mu, c, hours=hours, replications=reps, seed=sc.seed)
    checks = queue_checks(lam, mu, c, waits, shares)

    net = load_network(sc.network)
    checks += route_checks(load_reference_routes(), lambda a, b: route_between(net, a, b, "light"))

    fire_types = [n for n, inc in sc.incidents.items() if inc.fire is not None]
    is_fire = np.isin(run.table["type"], fire_types)
    checks += fire_checks(run.table["burned_ha"][is_fire], run.table["damaged_ha"][is_fire])

    by_type = run.metrics["response_times"]["by_type"]
    checks += call_checks(
        {n: float(by_type[n]["incidents_per_year"]) for n in sc.incidents},
        {n: inc.call_category for n, inc in sc.incidents.items()},
        float(run.prep.population),
    )
    intro = [
        "Written by `python run_scenario.py validate`"
        + (" --fast" if fast else "")
        + (f" --seed {seed}" if seed is not None else "")
        + "; do not edit by hand. Every check compares one number of the model with a "
        "reference that does not come from the model, states the rule of its verdict and cites "
        'its source (also in `DATA.md`, "Forest fire sizes", "119 call volumes" and '
        "`sim/data/reference_routes.csv`). An `off` verdict is a finding, not an error of the "
        "page.",
        "",
        f"Scenario `{scenario}` ({sc.name}): {sc.replications} replications × "
        f"{sc.horizon_days:g} days, seed {sc.seed}"
        + (" — FAST VERSION, few replications: verdicts are noisy." if fast else ".")
        + f" M/M/c: {reps} replications × {hours:g} h.",
    ]
    page = markdown(checks, intro=intro)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, out)
    return ValidationResult(checks=tuple(checks), markdown=page, out=out)
