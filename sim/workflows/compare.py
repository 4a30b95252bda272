"""``compare``: run scenarios with common random numbers and compare each with the first."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.analysis.compare import (
    ScenarioRun,
    compare_runs,
    comparison_rows,
    county_missed,
    distinct_labels,
)
from sim.errors import ScenarioError
from sim.output.plots import save
from sim.output.plots.compare import (
    plot_compare_cdfs,
    plot_compare_diffs,
    plot_compare_targets,
    plot_county_change,
    plot_county_maps,
)
from sim.output.report import compare_doc, write_doc
from sim.results.files import write_json, write_rows_csv
from sim.results.folder import fit_folder_name, maybe_results_folder, results_folder
from sim.scenario import Scenario, dump_scenario_yaml
from sim.workflows.common import Progress, check_run_options, load, simulate

#: Columns of ``comparison.csv`` (tidy: one row per item, metric and scenario).
CSV_COLUMNS = (
    "section",
    "item",
    "metric",
    "scenario",
    "reference",
    "value",
    "ci95_low",
    "ci95_high",
    "diff_vs_reference",
    "diff_ci95_low",
    "diff_ci95_high",
)


@dataclass(frozen=True, slots=True)
class CompareResult:
    """What `compare_scenarios` produced.

    Attributes
    ----------
    comparison
        The ``comparison.json`` mapping.
    runs
        The simulated scenarios, the reference first.
    out_dir
        The results folder written, or None.
    wall_s
        Wall-clock time (s).
    """

    comparison: dict[str, Any]
    runs: tuple[ScenarioRun, ...]
    out_dir: Path | None
    wall_s: float


def default_out(labels: Sequence[str]) -> Path:
    """``results/compare_A_vs_B[_vs_C…]`` (long lists and names are shortened)."""
    name = "compare_" + "_vs_".join(labels)
    if len(name) > 120:
        name = "compare_" + "_vs_".join(labels[:2]) + f"_and_{len(labels) - 2}_more"
    return Path("results") / fit_folder_name(name)


def load_for_comparison(
    paths: Sequence[str | Path],
    *,
    replications: int | None = None,
    seed: int | None = None,
    network: str | None = None,
) -> list[Scenario]:
    """Load every scenario before running anything.

    All take the first one's seed and replications.
    """
    if len(paths) < 2:
        msg = (
            f"compare needs at least two scenario files, got {len(paths)}: "
            f"{', '.join(map(str, paths))}"
        )
        raise ScenarioError(msg)
    first = load(paths[0], replications=replications, seed=seed, network=network)
    common = {"replications": first.replications, "seed": first.seed, "network": network}
    return [first] + [load(p, **common) for p in paths[1:]]


def compare_scenarios(
    paths: Sequence[str | Path],
    *,
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
) -> CompareResult:
    """Run scenarios with the same seed and replications and compare each with the first.

    Parameters
    ----------
    paths
        Scenario files; the first is the reference.
    replications, seed, network
        Overrides of the first file; the others take its seed and replications.
    out, write
        Results folder (default ``results/compare_A_vs_B``); nothing is written if not `write`.
    workers, dask, lang, plots, progress
        As for `sim.workflows.run.run_scenario`.

    Returns
    -------
    result
        The comparison, the runs and the folder.
    """
    t0 = time.perf_counter()
    check_run_options(workers=workers, dask=dask)
    scenarios = load_for_comparison(paths, replications=replications, seed=seed, network=network)
    labels = distinct_labels([s.name for s in scenarios], [str(p) for p in paths])
    folder = (out or default_out(labels)) if write else None
    # The folder is checked and locked before simulating: a bad path costs no simulation.
    with maybe_results_folder(folder, what="comparison results") as tmp:
        runs = tuple(
            simulate(
                sc, label=label, source=str(src), workers=workers, dask=dask, progress=progress
            )
            for sc, label, src in zip(scenarios, labels, paths, strict=True)
        )
        comparison = compare_runs(runs)
        if tmp is not None:
            write_compare_files(tmp, runs, comparison, lang=lang, plots=plots)
    return CompareResult(comparison, runs, folder, time.perf_counter() - t0)


def write_compare_folder(
    out: Path,
    runs: Sequence[ScenarioRun],
    comparison: dict[str, Any],
    *,
    lang: str,
    plots: bool,
) -> None:
    """Write the comparison results folder (complete or not at all, see `results_folder`)."""
    with results_folder(out, what="comparison results") as tmp:
        write_compare_files(tmp, runs, comparison, lang=lang, plots=plots)


def write_compare_files(
    tmp: Path,
    runs: Sequence[ScenarioRun],
    comparison: dict[str, Any],
    *,
    lang: str,
    plots: bool,
) -> None:
    """Write comparison.json/csv, each scenario's metrics and resolved scenario, charts and
    reports into the folder `tmp` (which must exist).
    """
    for run in runs:
        sub = tmp / run.label
        sub.mkdir()
        write_json(sub / "metrics.json", run.metrics)
        (sub / "scenario.yaml").write_text(dump_scenario_yaml(run.prep.scenario), encoding="utf-8")
    write_rows_csv(tmp / "comparison.csv", comparison_rows(comparison), CSV_COLUMNS)
    charts: list[Path] = []
    if plots:
        tables = {r.label: r.table for r in runs}
        missed = {r.label: county_missed(r.table, r.prep.scenario) for r in runs}
        # every scenario of a comparison is drawn on the reference's region
        region = runs[0].prep.region
        charts = [
            save(plot_compare_targets(comparison, lang=lang)[0], tmp / "compare_targets.png"),
            save(plot_compare_diffs(comparison, lang=lang)[0], tmp / "compare_diffs.png"),
            save(
                plot_compare_cdfs(tables, comparison, lang=lang)[0],
                tmp / "compare_response_times.png",
            ),
            save(plot_county_maps(missed, lang=lang, region=region)[0], tmp / "county_maps.png"),
            save(
                plot_county_change(missed, comparison["reference"], lang=lang, region=region)[0],
                tmp / "county_change.png",
            ),
        ]
    doc = compare_doc(
        comparison,
        {r.label: r.prep.scenario for r in runs},
        {r.label: r.prep for r in runs},
        {r.label: r.metrics for r in runs},
        charts,
        lang=lang,
    )
    write_doc(doc, tmp)
    write_json(tmp / "comparison.json", comparison)
