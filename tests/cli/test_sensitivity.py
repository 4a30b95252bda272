"""The sensitivity command line: a run prints the leading inputs; wrong input exits 2."""

from __future__ import annotations

from sim.cli import main
from tests.helpers import SCENARIO_DATA, SMALL

SENS = SCENARIO_DATA / "valid" / "sensitivity_small.yaml"


def test_sensitivity_prints_rankings_and_advice(tmp_path, capsys):
    """The table names each target's leading inputs; the advice and the folder follow."""
    out = tmp_path / "s"
    code = main(
        [
            "sensitivity",
            str(SENS),
            "--trajectories",
            "2",
            "--replications",
            "2",
            "--workers",
            "1",
            "--no-plots",
            "--quiet",
            "--lang",
            "en",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Sensitivity (morris, 14 points × 2 replications, seed 12345)" in printed
    assert "1. Engine turnout" in printed  # the table wraps long labels
    assert "What to measure first:" in printed
    assert "Building fire first arrival (building_fire_arrival): " in printed
    assert "moved most by Engine turnout (factor)" in printed  # advice lines do not wrap
    assert "results written to" in printed
    assert (out / "sensitivity.json").is_file()


def test_wrong_options_and_files_exit_2_with_a_message(tmp_path, capsys):
    """Bad design options, a file without assumptions and a missing file: status 2, no trace."""
    cases = [
        (["--method", "sobol", "--samples", "100"], SENS, "--samples: expected a power of 2"),
        (["--levels", "5"], SENS, "--levels: expected an even integer >= 2, got 5"),
        ([], SMALL, "the scenario declares no assumptions"),
        ([], tmp_path / "missing.yaml", "missing.yaml: scenario file not found"),
    ]
    for extra, scenario, needle in cases:
        code = main(["sensitivity", str(scenario), *extra, "--quiet", "--out", str(tmp_path / "x")])
        err = capsys.readouterr().err
        assert code == 2, needle
        assert err.startswith("error: ")
        assert needle in err
        assert "Traceback" not in err
    assert not (tmp_path / "x").exists()
