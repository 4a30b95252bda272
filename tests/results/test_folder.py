"""The results-folder writer: complete or absent, never mixed with an earlier run, one writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.results.folder import INCOMPLETE, OutputError, results_folder


def test_rerun_replaces_the_whole_folder(tmp_path: Path) -> None:
    """Files of an earlier run do not survive a rerun; no temporary folder is left."""
    out = tmp_path / "run"
    with results_folder(out, what="test results") as tmp:
        assert (tmp / INCOMPLETE).exists()
        (tmp / "old_chart.png").write_text("old")
    with results_folder(out, what="test results") as tmp:
        (tmp / "metrics.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.lock", "run"]


def test_failure_keeps_the_previous_folder(tmp_path: Path) -> None:
    """An error while writing leaves the previous complete folder untouched."""
    out = tmp_path / "run"
    with results_folder(out, what="test results") as tmp:
        (tmp / "metrics.json").write_text("first")

    def half_written() -> None:
        with results_folder(out, what="test results") as tmp:
            (tmp / "metrics.json").write_text("second, half written")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        half_written()
    assert (out / "metrics.json").read_text() == "first"
    assert not any(p.name.startswith(".run.incomplete") for p in tmp_path.iterdir())


def test_second_writer_is_refused(tmp_path: Path) -> None:
    """Two writers on one folder: the second gets a clear error, the first completes."""
    out = tmp_path / "run"
    with results_folder(out, what="test results") as tmp:
        second = results_folder(out, what="test results")
        with pytest.raises(OutputError, match="being written by another process"):
            second.__enter__()
        (tmp / "a.txt").write_text("a")
    assert (out / "a.txt").exists()


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    """--out naming an existing file is refused before anything is written."""
    f = tmp_path / "notes.txt"
    f.write_text("keep me")
    with pytest.raises(OutputError, match="it is a file"), results_folder(f, what="test results"):
        pass  # pragma: no cover - never entered
    assert f.read_text() == "keep me"
