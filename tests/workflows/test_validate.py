"""The validate command: one run writes docs/validation.md-style pages with sources and verdicts."""

from __future__ import annotations

from pathlib import Path

from sim.cli import main
from sim.workflows.validate import validate_model
from tests.helpers import ROOT


def test_fast_validation_writes_a_page_with_sources(tmp_path: Path, capsys) -> None:
    """The fast version runs every section; each check has a rule and a source (its verdict is
    typed ok/off; the rules behind the verdicts are tested in tests/analysis/test_validation.py)."""
    out = tmp_path / "validation.md"
    res = validate_model(ROOT / "scenarios" / "shaoguan_baseline.yaml", fast=True, out=out)
    page = out.read_text(encoding="utf-8")
    assert page == res.markdown
    assert "FAST VERSION" in page
    sections = {c.section for c in res.checks}
    assert sections == {"queue", "routes", "fires", "calls"}
    assert all(c.rule and c.source for c in res.checks)
    assert "http" in page  # sources carry their addresses
    assert not list(tmp_path.glob(".*tmp"))
    # The command line writes the same page.
    again = tmp_path / "cli.md"
    code = main(["validate", "--fast", "--out", str(again), "--quiet", "--workers", "1"])
    assert code == 0
    assert again.read_text(encoding="utf-8") == page.replace(
        str(ROOT / "scenarios" / "shaoguan_baseline.yaml"), "scenarios/shaoguan_baseline.yaml"
    )
    assert "checks ok" in capsys.readouterr().out


def test_shipped_validation_page_is_the_full_version() -> None:
    """docs/validation.md is written by the full command (not --fast) from the baseline."""
    page = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert page.startswith("# Validation (generated)")
    assert "Written by `python run_scenario.py validate`;" in page
    assert "FAST VERSION" not in page
    assert "shaoguan_baseline" in page
