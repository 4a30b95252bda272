"""The command line entry point: a bare scenario means `run`; errors in a real process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.cli import main
from tests.helpers import ROOT, SMALL


def test_cli_bare_scenario_argument_means_run(tmp_path, monkeypatch):
    """`run_scenario.py SCENARIO` is `run SCENARIO`."""
    monkeypatch.chdir(tmp_path)
    assert main([str(SMALL), "--no-plots", "--quiet", "--replications", "1"]) == 0
    assert (tmp_path / "results" / "small_test" / "metrics.json").is_file()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["network", "--network", "/nonexistent/roads.graphml"], "does not exist"),
        (["route", "Nowhereville", "乐昌"], "unknown place"),
    ],
)
def test_errors_in_a_real_process_have_no_traceback(argv, needle):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_scenario.py"), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ")
