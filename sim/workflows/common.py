"""Orchestration shared by the commands: load, simulate, summarise, write, chart.

The library layers (`scenario`, `network`, `runner`, `metrics`) know nothing of folders or
charts; this module ties them together for `run`, `compare` and `sweep`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.results import files as io
from sim.analysis.summary import concat_tables, summarise
from sim.model.runner import Prepared, ReplicationResult, default_workers, prepare, run_replications

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

    from sim.network import RoadNetwork
    from sim.scenario import Scenario


@dataclass(frozen=True, slots=True)
class RunResult:
    """What `execute` produced."""

    prepared: Prepared
    results: list[ReplicationResult]
    metrics: dict[str, Any]
    table: dict[str, Any]
    out_dir: Path | None


@cache
def load_network(spec: str) -> RoadNetwork:
    """Return the `RoadNetwork` for a network spec, built once per process."""
    from sim.network import network_from_spec

    return network_from_spec(spec)


def load_with_overrides(path: str | Path, args: argparse.Namespace | None = None, **updates: Any) -> Scenario:
    """Load a scenario file and apply command-line overrides (replications, seed, network).

    The overridden scenario is validated again, so ``--seed -1`` is reported like a bad file.
    """
    from sim.scenario import load_scenario, scenario_from_dict, scenario_to_dict

    scenario = load_scenario(path)
    upd = {k: v for k, v in updates.items() if v is not None}
    if args is not None:
        for key in ("replications", "seed", "network"):
            value = getattr(args, key, None)
            if value is not None:
                upd[key] = value
    if not upd:
        return scenario
    return scenario_from_dict({**scenario_to_dict(scenario), **upd}, source=f"{path} (command-line overrides)")


def simulate_scenario(
    scenario: Scenario,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: bool = False,
    label: str | None = None,
) -> tuple[Prepared, list[ReplicationResult]]:
    """Compile and run every replication of a scenario (no files written)."""
    prep = prepare(scenario, load_network(scenario.network))
    n = int(scenario.replications)
    w = min(workers or default_workers(), n)
    if not progress:
        return prep, run_replications(prep, n, workers=w, dask=dask)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(label or scenario.name), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task("replications", total=n)
        results = run_replications(prep, n, workers=w, dask=dask, progress=lambda k: bar.update(task, completed=k))
    return prep, results


def facility_table(prep: Prepared) -> dict[str, Any]:
    """Facility positions and kinds for maps."""
    f = prep.fleet
    return {"lon": prep.facility_lon, "lat": prep.facility_lat, "kind": list(f.facility_kinds),
            "name": list(f.facility_names), "id": list(f.facility_ids)}


def write_charts(out: Path, prep: Prepared, metrics: dict[str, Any], table: dict[str, Any], *, lang: str) -> list[Path]:
    """Write the run's PNG charts into ``out/`` and return their paths."""
    from sim.output.plots import save
    from sim.output.plots.charts import plot_incident_map, plot_response_cdfs, plot_target_compliance, plot_utilisation

    paths = [
        save(plot_target_compliance(metrics, lang=lang)[0], out / "targets.png"),
        save(plot_response_cdfs(table, prep.scenario, lang=lang)[0], out / "response_times.png"),
        save(plot_incident_map(table, prep.scenario, facility_table(prep), lang=lang)[0], out / "map.png"),
    ]
    if metrics["utilisation"]["by_unit_type"]:
        paths.append(save(plot_utilisation(metrics, lang=lang)[0], out / "utilisation.png"))
    if any(inc.fire is not None for inc in prep.scenario.incidents.values()):
        from sim.output.plots.charts import plot_fire_map, plot_fire_outcomes

        paths.append(save(plot_fire_outcomes(table, prep.scenario, lang=lang)[0], out / "forest_fires.png"))
        paths.append(save(plot_fire_map(table, prep.scenario, facility_table(prep), aviation_points(prep.scenario),
                                        lang=lang)[0], out / "forest_fire_map.png"))
    return paths


def aviation_points(scenario: Scenario) -> list[Any]:
    """Return the scenario's aviation points (shipped ones when `aviation.builtin`, plus its own)."""
    from sim.physics.aviation import load_aviation_points

    pts: list[Any] = list(load_aviation_points()) if scenario.aviation.builtin else []
    for p in scenario.aviation.points:
        lon, lat = p.lonlat()
        pts.append(type("Point", (), {"kind": p.kind, "lon": lon, "lat": lat, "name": p.name})())
    return pts


def execute(
    scenario: Scenario,
    out: Path | None,
    *,
    workers: int | None = None,
    dask: str | None = None,
    lang: str = "zh",
    plots: bool = True,
    progress: bool = False,
) -> RunResult:
    """Simulate a scenario and, if `out` is given, write its results folder.

    Files: ``metrics.json``, ``incidents.csv``, ``scenario.yaml`` (resolved), ``run_info.json``
    (wall clock, host), the PNG charts and ``report.html`` / ``report.md`` (no clock time, so
    reproducible like the charts).
    """
    from sim.scenario import dump_scenario_yaml

    t0 = time.perf_counter()
    prep, results = simulate_scenario(scenario, workers=workers, dask=dask, progress=progress)
    metrics = summarise(prep, results)
    table = concat_tables(results)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        io.write_json(out / "metrics.json", metrics)
        io.write_incidents_csv(out / "incidents.csv", table)
        (out / "scenario.yaml").write_text(dump_scenario_yaml(scenario), encoding="utf-8")
        charts = write_charts(out, prep, metrics, table, lang=lang) if plots else []
        from sim.output.report import write_run_report

        write_run_report(out, prep, metrics, table, charts, lang=lang)
        io.write_run_info(out / "run_info.json", wall_s=time.perf_counter() - t0,
                          workers=min(workers or default_workers(), int(scenario.replications)),
                          extra={"dask": dask} if dask else None)
    return RunResult(prepared=prep, results=results, metrics=metrics, table=table, out_dir=out)


def print_targets(console: Console, metrics: dict[str, Any], *, lang: str = "zh") -> None:
    """Print the targets table (target, share, CI, required, met) to the terminal."""
    from rich.table import Table

    zh = lang == "zh"
    run = metrics["run"]
    table = Table(title=(f"{run['scenario']}: {run['replications']} 次重复 × {run['horizon_days']:g} 天"
                         if zh else f"{run['scenario']}: {run['replications']} replications × {run['horizon_days']:g} days"))
    for col in (("指标", "target"), ("数值", "share / value"), ("95% 置信区间", "95% CI"), ("要求", "required"), ("达标", "met")):
        table.add_column(col[0] if zh else col[1])
    for tid, t in metrics["targets"].items():
        label = f"{t['label']['zh' if zh else 'en']} ({tid})"
        if t["measure"] == "firefighter_ratio":
            val, ci, req = f"{t['value']:.3f}‰", "—", f"≥ {t['required_per_mille']}‰"
        elif t["measure"] == "burn_ratio":
            lo, hi = t["ci95"]
            val = f"{t['value']:.3f}‰"
            ci = "—" if lo is None else f"[{lo:.3f}‰, {hi:.3f}‰]"
            req = f"≤ {t['max_per_mille']}‰"
        else:
            share, (lo, hi) = t["share"], t["ci95"]
            val = "—" if share is None else f"{share:.1%}"
            ci = "—" if lo is None else f"[{lo:.1%}, {hi:.1%}]"
            req = f"≥ {t['required_share']:.0%} < {t['threshold_h']:g} h"
        met = ("是" if zh else "yes") if t["met"] else ("否" if zh else "NO")
        table.add_row(label, val, ci, req, f"[green]{met}[/]" if t["met"] else f"[red]{met}[/]")
    console.print(table)
    uns = metrics["unserved"]
    if uns["incidents_without_any_arrival"] or uns["relief_never_arrived"]:
        console.print(
            ("未获响应的事件：" if zh else "Unserved at end of run: ")
            + f"{uns['incidents_without_any_arrival']} / relief {uns['relief_never_arrived']}"
        )
