"""The optimize command line: an infeasible model, an unknown kind or template exit 2."""

from __future__ import annotations

from sim.cli import main
from tests.helpers import BASELINE


def test_infeasible_lscp_is_reported_with_numbers(capsys, tmp_path):
    """An LSCP threshold no site can meet exits 2 with the distances, before solving."""
    cands = tmp_path / "cands.csv"
    cands.write_text("name,town\nsite A,九峰镇\n", encoding="utf-8")
    code = main(
        [
            "optimize",
            str(BASELINE),
            "--kind",
            "depot",
            "--objective",
            "lscp",
            "--threshold-h",
            "0.5",
            "--candidates",
            str(cands),
            "--no-compare",
            "--no-plots",
            "--quiet",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "infeasible" in err.lower()
    assert "Traceback" not in err
    assert any(ch.isdigit() for ch in err)


def test_unknown_kind_and_template_exit_2(capsys, tmp_path):
    """A kind nobody needs, or a template id that does not exist, is a clear error."""
    assert (
        main(
            [
                "optimize",
                str(BASELINE),
                "--kind",
                "helicopter_base",
                "--no-compare",
                "--quiet",
                "--out",
                str(tmp_path / "a"),
            ]
        )
        == 2
    )
    assert "no incident type needs" in capsys.readouterr().err
    assert (
        main(
            [
                "optimize",
                str(BASELINE),
                "--kind",
                "depot",
                "--template",
                "nope",
                "--no-compare",
                "--quiet",
                "--out",
                str(tmp_path / "b"),
            ]
        )
        == 2
    )
    assert "--template 'nope'" in capsys.readouterr().err
