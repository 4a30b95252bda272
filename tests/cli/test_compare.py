"""The compare command line: usage errors exit 2 before anything runs."""

from __future__ import annotations

from sim.cli import main
from tests.helpers import SMALL


def test_compare_needs_two_scenarios(capsys):
    """One scenario is a usage error: exit 2, a message, no traceback."""
    assert main(["compare", str(SMALL), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "at least two" in err
    assert "Traceback" not in err


def test_compare_missing_file_exits_2_before_running(tmp_path, capsys):
    """A missing second file is reported before anything runs or is written."""
    out = tmp_path / "never"
    code = main(["compare", str(SMALL), str(tmp_path / "nope.yaml"), "--out", str(out), "--quiet"])
    assert code == 2
    assert "nope.yaml" in capsys.readouterr().err
    assert not out.exists()
