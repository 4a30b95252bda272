"""The command line entry point: a bare scenario means `run`; errors in a real process."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from sim.cli import main
from sim.cli.main import COMMANDS
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


def test_help_exits_0_and_a_wrong_flag_2_without_raising(capsys):
    """main() returns the status of argparse's exits instead of raising SystemExit."""
    assert main(["run", "--help"]) == 0
    assert "--replications" in capsys.readouterr().out
    assert main(["run", str(SMALL), "--workers", "zero"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --workers: expected an integer >= 1 and <= 256, got 'zero'")
    assert "(see run_scenario.py run --help)" in err


def test_sigterm_handler_is_installed_only_while_a_command_runs(monkeypatch):
    """During a command SIGTERM raises Terminated; afterwards the previous handler is back."""
    seen = {}

    def handler(args):
        seen["during"] = signal.getsignal(signal.SIGTERM)
        return 0

    monkeypatch.setattr(COMMANDS["check"], "run", handler)
    before = signal.getsignal(signal.SIGTERM)
    main(["check", str(SMALL)])
    assert seen["during"] is not before
    assert signal.getsignal(signal.SIGTERM) is before
