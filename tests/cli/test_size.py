"""The size command line: printed table and statement, the chart, errors with exit status 2."""

from __future__ import annotations

from pathlib import Path

from sim.cli import main
from tests.helpers import SCENARIO_DATA

CENTRE = SCENARIO_DATA / "valid" / "centre_small.yaml"


def test_size_prints_the_cheapest_configuration_and_draws_the_frontier(tmp_path: Path, capsys):
    out = tmp_path / "sz"
    code = main(
        [
            "size",
            str(CENTRE),
            "--vary",
            "facilities.fs_maba.staff.firefighter.per_shift=5,8",
            "--target",
            "fire_arrival",
            "--replications",
            "2",
            "--workers",
            "1",
            "--quiet",
            "--lang",
            "en",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Sizing (2 replications, seed 11" in printed
    assert ("Cheapest configuration meeting fire_arrival" in printed) or (
        "does not meet fire_arrival" in printed
    )
    assert (out / "frontier.png").stat().st_size > 10_000
    assert (out / "size.json").exists()


def test_size_bad_vary_exits_2(tmp_path: Path, capsys):
    code = main(
        ["size", str(CENTRE), "--vary", "facilities.centre.units.helicopter.count=1,-2",
         "--out", str(tmp_path / "x"), "--quiet"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "--vary facilities.centre.units.helicopter.count=-2" in err
    assert "expected an integer >= 0, got -2" in err
    assert not (tmp_path / "x").exists()
