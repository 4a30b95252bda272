"""Golden outputs: fixed-seed runs must reproduce ``tests/golden/`` byte for byte.

The golden files are rewritten only by ``python tools/regen_golden.py``; a change to them must be
explained in the commit that makes it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from sim.cli import main
from tests.helpers import ROOT

CASES = {
    "small_test": ROOT / "scenarios" / "small_test.yaml",
    "forest_small": ROOT / "tests" / "data" / "scenarios" / "valid" / "forest_small.yaml",
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("name", ["metrics.json", "incidents.csv"])
def test_golden_output(tmp_path: Path, case: str, name: str) -> None:
    """The run's reproducible files equal the stored golden files."""
    out = tmp_path / case
    assert (
        main(
            ["run", str(CASES[case]), "--out", str(out), "--no-plots", "--quiet", "--workers", "1"]
        )
        == 0
    )
    got = (out / name).read_text(encoding="utf-8")
    want = (ROOT / "tests" / "golden" / case / name).read_text(encoding="utf-8")
    if got != want:
        diff = "".join(
            list(
                difflib.unified_diff(
                    want.splitlines(True), got.splitlines(True), "golden", "now", n=1
                )
            )[:60]
        )
        pytest.fail(
            f"{case}/{name} differs from tests/golden (regenerate with tools/regen_golden.py "
            f"only if the change is intended):\n{diff}"
        )
