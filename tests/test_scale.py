"""Parallel and distributed runs give the same bytes as one process (issue: scale-out)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "shaoguan_baseline.yaml"


def test_baseline_identical_on_one_two_workers_and_dask(tmp_path):
    """Baseline, 4 replications, one seed: byte-identical metrics.json on 1, 2 workers and Dask."""
    pytest.importorskip("distributed")
    outs = {}
    for label, extra in (
        ("w1", ["--workers", "1"]),
        ("w2", ["--workers", "2"]),
        ("dask", ["--workers", "2", "--dask", "local"]),
    ):
        out = tmp_path / label
        assert (
            main(
                [
                    "run",
                    str(BASELINE),
                    "--replications",
                    "4",
                    "--seed",
                    "11",
                    "--no-plots",
                    "--quiet",
                    "--out",
                    str(out),
                    *extra,
                ]
            )
            == 0
        )
        outs[label] = ((out / "metrics.json").read_bytes(), (out / "incidents.csv").read_bytes())
    assert outs["w1"] == outs["w2"] == outs["dask"]
