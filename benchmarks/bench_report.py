"""Benchmark: writing report.html / report.md and map.html with and without the font cache.

Usage::

    python benchmarks/bench_report.py [SCENARIO] [--replications 2] [--repeat 5]

The scenario is simulated once (default: the baseline, 2 replications, charts drawn once);
then the report is written `--repeat` times in each mode, interleaved:

* ``no cache`` - ``SIM_FONT_CACHE=off``: fontTools cuts the 16 MB Noto Sans CJK SC every time;
* ``cold cache`` - an empty cache folder each time: cut once and stored;
* ``warm cache`` - the stored subset is read back.

The same is done for ``map.html``. Reported: median and best wall time per mode, and whether
the three modes wrote byte-identical files (they must).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from sim.output.report import write_run_report
from sim.output.webmap import write_map_page
from sim.scenario import load_scenario
from sim.workflows.common import simulate
from sim.workflows.run import write_charts

MODES = ("no cache", "cold cache", "warm cache")


def main() -> None:
    """Run the benchmark and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="scenarios/shaoguan_baseline.yaml")
    ap.add_argument("--replications", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = load_scenario(args.scenario)
        sc = sc.model_copy(update={"replications": args.replications})
        run = simulate(sc, workers=1)
    root = Path(tempfile.mkdtemp(prefix="bench_report_"))
    charts = write_charts(root, run.prep, run.metrics, run.table, lang="zh")
    warm = root / "warm-cache"
    times: dict[tuple[str, str], list[float]] = {}
    outputs: dict[tuple[str, str], set[bytes]] = {}

    def one(mode: str, k: int) -> None:
        if mode == "no cache":
            os.environ["SIM_FONT_CACHE"] = "off"
        elif mode == "cold cache":
            os.environ["SIM_FONT_CACHE"] = str(root / f"cold-{k}")
        else:
            os.environ["SIM_FONT_CACHE"] = str(warm)
        out = root / f"{mode.replace(' ', '-')}-{k}"
        out.mkdir()
        t0 = time.perf_counter()
        html, _md = write_run_report(out, run.prep, run.metrics, run.table, charts,
                                     map_page=True)  # fmt: skip
        t1 = time.perf_counter()
        page = write_map_page(out / "map.html", run.prep, run.table)
        t2 = time.perf_counter()
        times.setdefault((mode, "report"), []).append(t1 - t0)
        times.setdefault((mode, "map"), []).append(t2 - t1)
        outputs.setdefault((mode, "report"), set()).add(html.read_bytes())
        outputs.setdefault((mode, "map"), set()).add(page.read_bytes())

    os.environ["SIM_FONT_CACHE"] = str(warm)  # fill the warm cache (not timed)
    write_run_report(root, run.prep, run.metrics, run.table, charts, map_page=True)
    write_map_page(root / "map.html", run.prep, run.table)
    for k in range(args.repeat):
        for mode in MODES:
            one(mode, k)
    print(f"{args.scenario}: {args.replications} replications, {len(charts)} charts, "
          f"{args.repeat} repeats (wall seconds)")  # fmt: skip
    print(f"{'page':<8}{'mode':<12}{'median':>9}{'best':>9}")
    for page in ("report", "map"):
        for mode in MODES:
            ts = times[(mode, page)]
            print(f"{page:<8}{mode:<12}{statistics.median(ts):>9.3f}{min(ts):>9.3f}")
        same = len(set().union(*(outputs[(m, page)] for m in MODES))) == 1
        print(f"{page:<8}identical bytes in every mode: {same}")


if __name__ == "__main__":
    main()
