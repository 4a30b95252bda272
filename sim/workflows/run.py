"""``run``: simulate one scenario and write its results folder."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.analysis.compare import ScenarioRun
from sim.analysis.resources import STAFFING_COLUMNS
from sim.model.compile import Prepared
from sim.output.gis import (
    EXCEL_CSV_NAME,
    GPKG_NAME,
    coverage_layer,
    write_excel_csv,
    write_geopackage,
)
from sim.output.plots import save
from sim.output.plots.charts import (
    plot_coverage_by_hour,
    plot_fire_map,
    plot_fire_outcomes,
    plot_incident_map,
    plot_response_cdfs,
    plot_target_compliance,
    plot_utilisation,
)
from sim.output.report import write_run_report
from sim.output.webmap import MAP_NAME, write_map_page
from sim.results.files import (
    write_incidents_csv,
    write_json,
    write_rows_csv,
    write_run_info,
    write_trips_csv,
)
from sim.results.folder import maybe_results_folder
from sim.scenario import Scenario, dump_scenario_yaml
from sim.workflows.common import (
    Progress,
    aviation_points,
    check_run_options,
    simulate,
    worker_count,
)

#: Files of a run folder that are a pure function of the scenario and seed.
REPRODUCIBLE = ("metrics.json", "incidents.csv", "scenario.yaml")
#: The per-trip log (`sim.results.schema.TRIP_COLUMNS`), also reproducible.
TRIPS_NAME = "trips.csv"


@dataclass(frozen=True, slots=True)
class RunResult:
    """What `run_scenario` produced.

    Attributes
    ----------
    run
        The simulated scenario: compiled scenario, ``metrics.json`` mapping, incident table.
    out_dir
        The results folder written, or None.
    files
        Files written into it (names relative to `out_dir`).
    wall_s
        Wall-clock time of the simulation and the writing (s).
    """

    run: ScenarioRun
    out_dir: Path | None
    files: tuple[str, ...]
    wall_s: float

    @property
    def metrics(self) -> dict[str, Any]:
        """The ``metrics.json`` mapping."""
        return self.run.metrics

    @property
    def table(self) -> dict[str, Any]:
        """The incident table of all replications."""
        return self.run.table

    @property
    def prepared(self) -> Prepared:
        """The compiled scenario."""
        return self.run.prep


def default_out(scenario: Scenario) -> Path:
    """``results/<scenario name>``."""
    return Path("results") / scenario.name


def run_scenario(
    scenario: Scenario,
    *,
    out: Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    lang: str = "zh",
    plots: bool = True,
    progress: Progress | None = None,
    source: str = "",
) -> RunResult:
    """Simulate a scenario and, if `out` is given, write its results folder.

    Parameters
    ----------
    scenario
        Validated scenario.
    out
        Results folder to write (replaced as a whole when complete), or None for no files.
    workers, dask
        Local worker processes, or a Dask scheduler address (``"local"``: a local cluster).
    lang
        {"zh", "en"}: language of charts and report.
    plots
        Whether to draw the PNG charts.
    progress
        Called as ``progress(label, done, total)`` after each replication.
    source
        File the scenario came from, named in messages about it.

    Returns
    -------
    result
        The run, the folder and the files written.

    Notes
    -----
    Folder contents: ``metrics.json``, ``incidents.csv``, ``scenario.yaml`` (resolved),
    ``results.gpkg`` (GIS layers, see `sim.output.gis`), ``incidents_excel.csv`` (UTF-8 with
    BOM for Excel), the PNG charts and ``map.html`` (interactive offline map, see
    `sim.output.webmap`; both unless ``plots`` is False), ``report.html`` / ``report.md`` (all
    reproducible from the seed) and ``run_info.json`` (wall clock, host).
    """
    t0 = time.perf_counter()
    w = worker_count(workers, scenario.replications)
    check_run_options(workers=workers, dask=dask)
    files: tuple[str, ...] = ()
    # The folder is checked and locked before simulating: a bad path costs no simulation.
    with maybe_results_folder(out, what="run results") as tmp:
        run = simulate(scenario, source=source, workers=w, dask=dask, progress=progress)
        if tmp is not None:
            files = write_run_files(tmp, run, lang=lang, plots=plots)
            write_run_info(
                tmp / "run_info.json",
                wall_s=time.perf_counter() - t0,
                workers=w,
                extra={"dask": dask} if dask else None,
            )
            files = (*files, "run_info.json")
    return RunResult(run=run, out_dir=out, files=files, wall_s=time.perf_counter() - t0)


def write_run_files(folder: Path, run: ScenarioRun, *, lang: str, plots: bool) -> tuple[str, ...]:
    """Write a run's reproducible files, charts and report into `folder`; return their names."""
    prep = run.prep
    write_json(folder / "metrics.json", run.metrics)
    write_incidents_csv(folder / "incidents.csv", run.table)
    (folder / "scenario.yaml").write_text(dump_scenario_yaml(prep.scenario), encoding="utf-8")
    coverage = coverage_layer(prep)
    write_geopackage(folder / GPKG_NAME, prep, run.table, coverage=coverage)
    write_excel_csv(folder / EXCEL_CSV_NAME, run.table)
    extra: tuple[str, ...] = ()
    if run.staffing_rows:
        write_staffing_csv(folder / "staffing.csv", run.staffing_rows)
        extra = ("staffing.csv",)
    if run.trips is not None:
        write_trips_csv(folder / TRIPS_NAME, run.trips)
        extra = (*extra, TRIPS_NAME)
    charts = write_charts(folder, prep, run.metrics, run.table, lang=lang) if plots else []
    pages = (
        [write_map_page(folder / MAP_NAME, prep, run.table, coverage=coverage, lang=lang)]
        if plots
        else []
    )
    reports = write_run_report(
        folder, prep, run.metrics, run.table, charts, lang=lang, map_page=bool(pages)
    )
    return (
        *REPRODUCIBLE,
        *extra,
        GPKG_NAME,
        EXCEL_CSV_NAME,
        *(p.name for p in charts),
        *(p.name for p in pages),
        *(p.name for p in reports),
    )


def write_staffing_csv(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """Write ``staffing.csv``: required (rostered) and simulated staff by facility, role and
    hour of the day, with utilisation, overtime, call-back hours and cost per year."""
    return write_rows_csv(
        path, [dict(zip(STAFFING_COLUMNS, r, strict=True)) for r in rows], STAFFING_COLUMNS
    )


def facility_table(prep: Prepared) -> dict[str, Any]:
    """Facility positions, kinds and names for maps."""
    f = prep.fleet
    return {
        "lon": prep.facility_lon,
        "lat": prep.facility_lat,
        "kind": list(f.facility_kinds),
        "name": list(f.facility_names),
        "id": list(f.facility_ids),
    }


def write_charts(
    out: Path, prep: Prepared, metrics: dict[str, Any], table: dict[str, Any], *, lang: str
) -> list[Path]:
    """Write the run's PNG charts into `out` and return their paths."""
    sc = prep.scenario
    facilities = facility_table(prep)
    paths = [
        save(plot_target_compliance(metrics, lang=lang)[0], out / "targets.png"),
        save(plot_response_cdfs(table, sc, lang=lang)[0], out / "response_times.png"),
        save(
            plot_incident_map(table, sc, facilities, lang=lang, region=prep.region, net=prep.net)[
                0
            ],
            out / "map.png",
        ),
    ]
    if metrics["utilisation"]["by_unit_type"]:
        paths.append(save(plot_utilisation(metrics, lang=lang)[0], out / "utilisation.png"))
    if "coverage" in metrics:
        label = sc.unit_types[metrics["coverage"]["unit_type"]].label
        fig, _ = plot_coverage_by_hour(metrics, lang=lang, unit_label=getattr(label, lang))
        paths.append(save(fig, out / "coverage.png"))
    if any(inc.fire is not None for inc in sc.incidents.values()):
        fig, _ = plot_fire_outcomes(table, sc, lang=lang)
        paths.append(save(fig, out / "forest_fires.png"))
        fig, _ = plot_fire_map(
            table, sc, facilities, aviation_points(sc), lang=lang, region=prep.region, net=prep.net
        )
        paths.append(save(fig, out / "forest_fire_map.png"))
    return paths
