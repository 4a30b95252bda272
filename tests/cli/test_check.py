"""The check command: one line per valid file, exit 2 with every problem for a wrong one."""

from __future__ import annotations

from pathlib import Path

from sim.cli import main
from tests.helpers import MINIMAL, SMALL


def test_valid_files_print_ok_and_exit_0(capsys) -> None:
    """Each valid file gets an `ok:` line with its size."""
    assert main(["check", str(SMALL), str(MINIMAL), "--no-network"]) == 0
    out = capsys.readouterr().out
    assert f"ok: {SMALL}: 4 facilities, 3 incident types, 4 targets" in out
    assert f"ok: {MINIMAL}: 2 facilities" in out


def test_a_wrong_file_exits_2_with_every_problem(tmp_path: Path, capsys) -> None:
    """Two mistakes, both reported, no traceback; nothing is simulated or written."""
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("horizon_days: 30", "horizon_days: 1.0e+9").replace(
        "replications: 2", "replications: 0"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: 2 problems")
    assert "  - horizon_days: expected a number <= 3,660, got 1000000000.0" in err
    assert "  - replications: expected an integer >= 1, got 0" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]
