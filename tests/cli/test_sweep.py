"""The sweep command line: a bad --set, --until-met or --target exits 2 naming the problem."""

from __future__ import annotations

import pytest

from sim.cli import main
from tests.helpers import SMALL, WATER_TEAMS


@pytest.mark.parametrize(
    ("set_option", "expected"),
    [
        (
            "facilities.fs_nowhere.units.engine.count=1,2",
            "facilities.fs_nowhere.units.engine.count",
        ),
        ("facilities.fs_xinshao.units.engine.cuont=1", "facilities.fs_xinshao.units.engine.cuont"),
        (f"{WATER_TEAMS}=1,-1", WATER_TEAMS),
        (f"{WATER_TEAMS}=1,two", WATER_TEAMS),
        (f"{WATER_TEAMS}=[1,", WATER_TEAMS),
        (WATER_TEAMS, WATER_TEAMS),
        (f"{WATER_TEAMS}=", WATER_TEAMS),
    ],
)
def test_bad_set_exits_2_naming_the_path(tmp_path, capsys, set_option, expected):
    """Bad path, malformed option or bad value: exit 2 naming the path; nothing run or written."""
    out = tmp_path / "never"
    code = main(
        ["sweep", str(SMALL), "--set", set_option, "--out", str(out), "--quiet", "--no-plots"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err
    assert "Traceback" not in err
    assert not out.exists()


def test_until_met_with_two_keys_is_an_error(tmp_path, capsys):
    """--until-met searches exactly one key."""
    code = main(
        [
            "sweep",
            str(SMALL),
            "--set",
            f"{WATER_TEAMS}=1",
            "--set",
            "facilities.fs_maba.units.engine.count=1",
            "--until-met",
            "--out",
            str(tmp_path / "x"),
            "--quiet",
        ]
    )
    assert code == 2
    assert "one key" in capsys.readouterr().err


def test_unknown_target_exits_2(tmp_path, capsys):
    """A --target id that the scenario does not define is a usage error naming it."""
    code = main(
        [
            "sweep",
            str(SMALL),
            "--set",
            f"{WATER_TEAMS}=0",
            "--until-met",
            "--target",
            "no_such_target",
            "--out",
            str(tmp_path / "x"),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "no_such_target" in err
    assert "building_fire_arrival" in err  # the known ids are listed
    assert not (tmp_path / "x").exists()
