"""Every bad input of the case table gets exit status 2 and its message, never a traceback.

The table (`tests/scenarios/input_cases.py`) is also rendered to docs/input-errors.md by
tools/gen_input_errors.py; the last test checks that the page is current.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.scenarios.input_cases import CASES, Case, run_case


@pytest.mark.parametrize("case", CASES, ids=[f"{c.group[:12]}: {c.given[:50]}" for c in CASES])
def test_bad_input_gets_its_message(case: Case, tmp_path: Path) -> None:
    """Exit status 2, the expected text (what was expected, what was found), no traceback."""
    status, message = run_case(case, tmp_path)
    assert status == 2, message
    assert message.startswith("error: "), message
    assert case.expect in message, message
    assert "Traceback" not in message
    results = tmp_path / "results"  # nothing was written (at most a lock file beside a folder)
    assert not results.exists() or not [p for p in results.iterdir() if p.is_dir()]


def test_every_class_of_the_issue_is_covered() -> None:
    """The table covers each class of input named in issue 12, with several cases each."""
    groups = {c.group for c in CASES}
    assert len(groups) == 8
    for group in groups:
        assert sum(c.group == group for c in CASES) >= 4, group


def test_the_page_is_up_to_date() -> None:
    """docs/input-errors.md is what tools/gen_input_errors.py writes from the table."""
    spec = importlib.util.spec_from_file_location("gen", ROOT / "tools" / "gen_input_errors.py")
    assert spec is not None
    assert spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.DOC.read_text(encoding="utf-8") == gen.render(), (
        "run: python tools/gen_input_errors.py"
    )
