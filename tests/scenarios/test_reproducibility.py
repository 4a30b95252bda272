"""Reproducibility: one seed gives the same bytes on 1 or 2 workers and on Dask.

Another seed gives different results.
"""

from __future__ import annotations

import json

import pytest

from sim.cli import main
from tests.helpers import BASELINE
from tests.helpers import run_small as _run


def test_same_seed_is_byte_identical_and_other_seed_differs(tmp_path):
    """Same seed twice ⇒ identical bytes (also across worker counts); another seed ⇒ different."""
    a = _run(tmp_path, "a", "--workers", "1")
    b = _run(tmp_path, "b", "--workers", "2")
    c = _run(tmp_path, "c", "--workers", "1", "--seed", "999")
    for f in ("metrics.json", "incidents.csv"):
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
        assert (a / f).read_bytes() != (c / f).read_bytes(), f
    info = json.loads((a / "run_info.json").read_text())
    assert "wall_clock_s" in info
    assert "wall_clock" not in (a / "metrics.json").read_text()


def test_dask_local_gives_the_same_bytes(tmp_path):
    """Replications on a dask LocalCluster give byte-identical results to one local process."""
    pytest.importorskip("distributed")
    a = _run(tmp_path, "a", "--workers", "1")
    d = _run(tmp_path, "d", "--workers", "2", "--dask", "local")
    for f in ("metrics.json", "incidents.csv"):
        assert (a / f).read_bytes() == (d / f).read_bytes(), f
    assert json.loads((d / "run_info.json").read_text())["dask"] == "local"


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
