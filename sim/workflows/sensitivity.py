"""``sensitivity``: which of a scenario's assumptions move each target (Morris or Sobol).

The scenario's ``assumptions`` give the uncertain inputs and their ranges; SALib draws the
points (`sim.analysis.sensitivity`); every point is the scenario with those values put in,
validated before anything runs, and simulated with the scenario's seed and replications
(common random numbers: points differ only by the inputs). Points run in parallel on local
workers or Dask (`sim.model.runner.run_points`), each compiled against the one network,
and come back as their targets only. The results folder holds ``sensitivity.json``,
``sensitivity.csv``, ``points.csv``, a tornado chart per target and the report.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.sensitivity import (
    DEFAULT_LEVELS,
    DEFAULT_SOBOL_N,
    DEFAULT_TRAJECTORIES,
    analyse_target,
    check_design,
    point_summary,
    salib_problem,
    sample,
    verdict_share,
    what_to_measure,
)
from sim.errors import ScenarioError
from sim.model.compile import prepare
from sim.model.runner import run_points
from sim.output.plots import save
from sim.output.plots.sensitivity import plot_tornado
from sim.output.report import sensitivity_doc, write_doc
from sim.results.files import clean, write_json, write_rows_csv, write_run_info
from sim.results.folder import results_folder
from sim.results.measures import MEASURES
from sim.scenario import (
    Resolved,
    Scenario,
    assumption_settings,
    dump_scenario_yaml,
    resolve_assumptions,
    scenario_data_with,
    scenario_from_dict,
    scenario_to_dict,
)
from sim.workflows.common import Progress, load, load_network, worker_count

#: Columns of ``sensitivity.csv``: one row per target and input.
CSV_COLUMNS = (
    "target",
    "measure",
    "method",
    "rank",
    "input",
    "label_zh",
    "label_en",
    "mu_star",
    "mu_star_ci95_low",
    "mu_star_ci95_high",
    "mu",
    "sigma",
    "S1",
    "S1_ci95_low",
    "S1_ci95_high",
    "ST",
    "ST_ci95_low",
    "ST_ci95_high",
    "negligible",
)


@dataclass(frozen=True, slots=True)
class SensitivityResult:
    """What `sensitivity_scenario` produced.

    Attributes
    ----------
    sensitivity
        The ``sensitivity.json`` mapping.
    out_dir
        The results folder written, or None.
    wall_s
        Wall-clock time from loading to the folder written (s).
    """

    sensitivity: dict[str, Any]
    out_dir: Path | None
    wall_s: float


def default_out(name: str, method: str) -> Path:
    """``results/sensitivity_<scenario>_<method>`` with folder-safe characters."""
    folder = f"sensitivity_{name}_{method}"
    return Path("results") / re.sub(r"[^\w.\-]+", "_", folder, flags=re.UNICODE)[:150]


def _point_scenario(
    data: dict[str, Any], resolved: Sequence[Resolved], values: Sequence[float], source: str
) -> tuple[Scenario, list[str]]:
    """The scenario of one point, validated; its validation warnings kept, not emitted."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sc = scenario_from_dict(
            scenario_data_with(data, resolved, values, source=source), source=source
        )
    notes = list(
        dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning))
    )
    return sc, notes


def _check_corners(data: dict[str, Any], resolved: Sequence[Resolved], source: str) -> None:
    """Validate each assumption at its low and its high end (the others at the scenario's value).

    A range the scenario cannot take (a probability above 1, a count below 0) is reported
    with the assumption, the end and what it sets, before anything runs.
    """
    for r in resolved:
        for end in ("low", "high"):
            v = float(getattr(r.assumption, end))
            try:
                with warnings.catch_warnings():  # soft problems belong to the points that run
                    warnings.simplefilter("ignore", UserWarning)
                    scenario_from_dict(
                        scenario_data_with(data, [r], [v], source=source), source=source
                    )
            except ScenarioError as e:
                sets = assumption_settings([r], [v])
                shown = ", ".join(f"{p} = {x}" for p, x in sets[:2]) + (
                    f" (and {len(sets) - 2} more)" if len(sets) > 2 else ""
                )
                msg = f"assumptions[{r.assumption.id}].{end} = {v:g} sets {shown}: {e}"
                raise ScenarioError(msg) from e


def sensitivity_scenario(
    path: str | Path,
    *,
    method: str = "morris",
    trajectories: int = DEFAULT_TRAJECTORIES,
    levels: int = DEFAULT_LEVELS,
    samples: int = DEFAULT_SOBOL_N,
    replications: int | None = None,
    seed: int | None = None,
    network: str | None = None,
    out: Path | None = None,
    write: bool = True,
    workers: int | None = None,
    dask: str | None = None,
    lang: str = "zh",
    plots: bool = True,
    progress: Progress | None = None,
) -> SensitivityResult:
    """Rank a scenario's assumptions by their effect on each target.

    Parameters
    ----------
    path
        Scenario file with an ``assumptions`` list.
    method
        ``"morris"`` (screening: μ*, σ) or ``"sobol"`` (S1, ST).
    trajectories, levels
        Morris design: trajectories (points = trajectories × (inputs + 1)) and grid levels.
    samples
        Sobol base sample (a power of 2; points = samples × (inputs + 2)).
    replications, seed, network
        Overrides of the scenario (every point uses them: common random numbers).
    out, write
        Results folder (default ``results/sensitivity_<scenario>_<method>``); no folder when
        `write` is False.
    workers, dask
        Local worker processes (default: all cores) or a Dask scheduler (``"local"``).
    lang, plots
        Language of charts and report; whether to draw the tornado charts.
    progress
        Called as ``progress(label, done, total)`` after each point.

    Returns
    -------
    result
        The ``sensitivity.json`` mapping, the folder and the wall time.

    Raises
    ------
    ScenarioError
        For a scenario without assumptions, an impossible design option, or an assumption
        range the scenario cannot take (named with the assumption and its end).
    """
    t0 = time.perf_counter()
    check_design(method, trajectories=trajectories, levels=levels, samples=samples)
    base = load(path, replications=replications, seed=seed, network=network)
    source = str(path)
    data = scenario_to_dict(base)
    data.pop("assumptions", None)  # the points need their values, not the declarations
    resolved, problems, _ = resolve_assumptions(scenario_to_dict(base), base.assumptions)
    assert not problems  # checked when the scenario was loaded
    problem = salib_problem(resolved)
    _check_corners(data, resolved, source)
    X = sample(
        problem, method, trajectories=trajectories, levels=levels, samples=samples, seed=base.seed
    )
    # Every point is validated before the first one runs: a bad combination costs nothing.
    scenarios: list[Scenario] = []
    notes: dict[int, list[str]] = {}
    for k, row in enumerate(X):
        try:
            sc, w = _point_scenario(data, resolved, row, source)
        except ScenarioError as e:
            values = ", ".join(
                f"{r.assumption.id}={v:g}" for r, v in zip(resolved, row, strict=True)
            )
            msg = f"sensitivity point {k} ({values}): {e}"
            raise ScenarioError(msg) from e
        scenarios.append(sc)
        if w:
            notes[k] = w
    base_point = scenario_from_dict(data, source=source)  # the scenario's own values
    net = load_network(base.network)
    prepare(base_point, net)  # fills the per-network caches before workers fork
    total = len(scenarios) + 1
    report = None if progress is None else (lambda done: progress(base.name, done, total))
    n_workers = worker_count(workers, total)
    summaries = run_points(
        [*scenarios, base_point],
        net,
        int(base.replications),
        point_summary,
        workers=n_workers,
        dask=dask,
        progress=report,
    )
    base_summary, summaries = summaries[-1], summaries[:-1]

    sens = _assemble(
        base,
        source,
        method,
        trajectories,
        levels,
        samples,
        resolved,
        problem,
        X,
        summaries,
        base_summary,
        notes,
    )
    folder = (out or default_out(base.name, method)) if write else None
    if folder is not None:
        with results_folder(folder, what="sensitivity results") as tmp:
            write_sensitivity_files(tmp, sens, base, lang=lang, plots=plots)
            write_run_info(
                tmp / "run_info.json",
                wall_s=time.perf_counter() - t0,
                workers=n_workers,
                extra={"dask": dask, "points": total} if dask else {"points": total},
            )
    return SensitivityResult(sens, folder, time.perf_counter() - t0)


def _assemble(
    base: Scenario,
    source: str,
    method: str,
    trajectories: int,
    levels: int,
    samples: int,
    resolved: Sequence[Resolved],
    problem: dict[str, Any],
    X: np.ndarray,
    summaries: Sequence[dict[str, Any]],
    base_summary: dict[str, Any],
    notes: dict[int, list[str]],
) -> dict[str, Any]:
    """Build the ``sensitivity.json`` mapping from the points' targets."""
    inputs = [
        {
            "id": r.assumption.id,
            "label": {"zh": r.assumption.label.zh, "en": r.assumption.label.en},
            "path": list(r.assumption.paths),
            "settings": len(r.paths),
            "base": r.base_text,
            "low": r.assumption.low,
            "high": r.assumption.high,
            "distribution": r.assumption.distribution,
            **({"peak": r.assumption.peak} if r.assumption.peak is not None else {}),
            "mode": r.assumption.mode,
            "integer": r.assumption.integer,
            "source": r.assumption.source,
        }
        for r in resolved
    ]
    labels: dict[str, dict[str, str]] = {
        r.assumption.id: {"zh": r.assumption.label.zh, "en": r.assumption.label.en}
        for r in resolved
    }
    targets: dict[str, Any] = {}
    for t in base.targets:
        measure = MEASURES[t.measure]
        y = np.array(
            [
                s["targets"][t.id]["value"] if s["targets"][t.id]["value"] is not None else np.nan
                for s in summaries
            ],
            dtype=float,
        )
        entry: dict[str, Any] = {
            "label": {"zh": t.label.zh, "en": t.label.en},
            "measure": t.measure,
            **{k: getattr(t, k) for k in measure.keys if getattr(t, k, None) is not None},
            "requirement": {
                lang: measure.requirement_text(t.model_dump(), lang, short=True)
                for lang in ("zh", "en")
            },
            "base": base_summary["targets"][t.id],
            "met_share": verdict_share(list(y), t.model_dump()),
            "analysis": analyse_target(problem, X, y, method, levels=levels, seed=base.seed),
        }
        entry["analysis"]["unit"] = {
            "zh": measure.effect_unit("zh"),
            "en": measure.effect_unit("en"),
        }
        targets[t.id] = entry
    points = [
        {
            "index": k,
            "values": {r.assumption.id: float(v) for r, v in zip(resolved, row, strict=True)},
            "targets": {tid: s["targets"][tid]["value"] for tid in s["targets"]},
            "incidents_per_replication": s["incidents_per_replication"],
            **({"warnings": notes[k]} if k in notes else {}),
        }
        for k, (row, s) in enumerate(zip(X, summaries, strict=True))
    ]
    design: dict[str, Any] = {"points": len(points)}
    if method == "morris":
        design |= {"trajectories": trajectories, "levels": levels}
    else:
        design |= {"samples": samples}
    return clean(
        {
            "scenario": base.name,
            "file": source,
            "seed": base.seed,
            "replications": base.replications,
            "horizon_days": base.horizon_days,
            "method": method,
            "design": design,
            "inputs": inputs,
            "targets": targets,
            "what_to_measure": {
                lang: what_to_measure(targets, labels, lang=lang) for lang in ("zh", "en")
            },
            "points": points,
        }
    )


def write_csv(path: Path, sens: dict[str, Any]) -> Path:
    """One row per target and input: its rank and indices (``sensitivity.csv``)."""
    labels = {i["id"]: i["label"] for i in sens["inputs"]}
    rows = []
    for tid, t in sens["targets"].items():
        a = t["analysis"]
        for r in a.get("inputs", []):
            ci = r.get("mu_star_ci95") or [None, None]
            s1 = r.get("S1_ci95") or [None, None]
            st = r.get("ST_ci95") or [None, None]
            rows.append(
                {
                    "target": tid,
                    "measure": t["measure"],
                    "method": sens["method"],
                    "rank": r["rank"],
                    "input": r["id"],
                    "label_zh": labels[r["id"]]["zh"],
                    "label_en": labels[r["id"]]["en"],
                    "mu_star": r.get("mu_star"),
                    "mu_star_ci95_low": ci[0],
                    "mu_star_ci95_high": ci[1],
                    "mu": r.get("mu"),
                    "sigma": r.get("sigma"),
                    "S1": r.get("S1"),
                    "S1_ci95_low": s1[0],
                    "S1_ci95_high": s1[1],
                    "ST": r.get("ST"),
                    "ST_ci95_low": st[0],
                    "ST_ci95_high": st[1],
                    "negligible": r["negligible"],
                }
            )
    return write_rows_csv(path, rows, CSV_COLUMNS)


def write_points_csv(path: Path, sens: dict[str, Any]) -> Path:
    """One row per point: the sampled inputs and every target's value (``points.csv``)."""
    ids = [i["id"] for i in sens["inputs"]]
    tids = list(sens["targets"])
    rows = [
        {"point": p["index"], **p["values"], **{f"target:{t}": p["targets"][t] for t in tids}}
        for p in sens["points"]
    ]
    return write_rows_csv(path, rows, ["point", *ids, *(f"target:{t}" for t in tids)])


def write_sensitivity_files(
    folder: Path, sens: dict[str, Any], base: Scenario, *, lang: str, plots: bool
) -> None:
    """Write the reproducible files, the tornado charts and the reports into `folder`."""
    write_csv(folder / "sensitivity.csv", sens)
    write_points_csv(folder / "points.csv", sens)
    (folder / "scenario.yaml").write_text(dump_scenario_yaml(base), encoding="utf-8")
    charts: list[Path] = []
    if plots:
        for tid, t in sens["targets"].items():
            if t["analysis"].get("analysed"):
                fig, _ = plot_tornado(sens, tid, lang=lang)
                charts.append(save(fig, folder / f"tornado_{tid}.png"))
    write_doc(sensitivity_doc(sens, base, charts, lang=lang), folder)
    write_json(folder / "sensitivity.json", sens)
