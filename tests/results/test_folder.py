"""The results-folder writer: complete or absent, never mixed with an earlier run, one writer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.results.folder import (
    INCOMPLETE,
    MAX_FOLDER_NAME_BYTES,
    OutputError,
    check_output_folder,
    fit_folder_name,
    results_folder,
)


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


# ----------------------------------------------------------------------------- pre-flight


def test_bad_paths_are_refused_before_anything_is_created(tmp_path: Path) -> None:
    """Empty, NUL, '.', a file in the way or above, someone's folder, too long a name.

    Each is an OutputError naming the path; nothing is created or removed.
    """
    (tmp_path / "afile").write_text("keep me")
    (tmp_path / "someone").mkdir()
    (tmp_path / "someone" / "thesis.tex").write_text("years of work")
    cases = {
        "": "expected a folder name, got an empty path",
        "a\0b": "the path holds a NUL character",
        ".": "expected a folder name at the end of the path",
        str(tmp_path / "someone"): "a folder with files this simulator did not write",
        str(tmp_path / "afile"): "it is a file, not a folder",
        str(tmp_path / "afile" / "sub" / "deeper"): "is a file, so no folder can be made below it",
        str(tmp_path / ("x" * 201)): "the folder name has 201 bytes, expected at most 200",
        str(tmp_path / ("中" * 67)): "the folder name has 201 bytes, expected at most 200",
        str(tmp_path / ("y" * 300) / "z"): "a part of the path has more than 255 bytes",
    }
    before = sorted(p.name for p in tmp_path.iterdir())
    for out, expect in cases.items():
        with pytest.raises(OutputError, match=re.escape(expect)) as info:
            check_output_folder(out, what="run results")
        assert str(info.value).startswith("cannot write run results to ")
        with pytest.raises(OutputError, match=re.escape(expect)):
            results_folder(out, what="run results").__enter__()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "afile").read_text() == "keep me"
    assert (tmp_path / "someone" / "thesis.tex").read_text() == "years of work"
    # 66 Chinese characters are 198 bytes: accepted, and the folder is written.
    with results_folder(tmp_path / ("中" * 66), what="run results") as tmp:
        (tmp / "a.txt").write_text("a")
    assert (tmp_path / ("中" * 66) / "a.txt").exists()


def test_unwritable_parent_is_refused_before_writing() -> None:
    """A folder below /sys (no user, not even root, may create one there) is an OutputError."""
    out = Path("/sys/sim-never-here/run")
    with pytest.raises(OutputError, match=r"to '/sys/sim-never-here/run': cannot create files in"):
        results_folder(out, what="run results").__enter__()
    assert not out.parent.exists()


def test_a_writer_in_progress_is_seen_by_the_preflight(tmp_path: Path) -> None:
    """check_output_folder says 'being written' while another writer holds the lock."""
    out = tmp_path / "run"
    with (
        results_folder(out, what="test results"),
        pytest.raises(OutputError, match="being written by another process"),
    ):
        check_output_folder(out, what="test results")
    assert check_output_folder(out, what="test results") == out  # free again


def test_the_previous_folder_stays_in_place_until_the_new_one_is_complete(tmp_path: Path) -> None:
    """While the block runs, `out` is the previous complete folder; after it, the new one."""
    out = tmp_path / "run"
    with results_folder(out, what="test results") as tmp:
        (tmp / "v.txt").write_text("1")
    with results_folder(out, what="test results") as tmp:
        (tmp / "v.txt").write_text("2")
        assert (out / "v.txt").read_text() == "1"
        assert not (out / INCOMPLETE).exists()
    assert (out / "v.txt").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.lock", "run"]


def test_an_interrupt_removes_the_temporary_folder(tmp_path: Path) -> None:
    """Ctrl-C (KeyboardInterrupt) inside the block: no temporary folder, the old one kept."""
    out = tmp_path / "run"
    with results_folder(out, what="test results") as tmp:
        (tmp / "v.txt").write_text("1")

    def interrupted() -> None:
        with results_folder(out, what="test results") as tmp:
            (tmp / "v.txt").write_text("2")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert (out / "v.txt").read_text() == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.lock", "run"]


def test_leftovers_of_killed_writers_are_cleaned_and_a_half_swap_undone(tmp_path: Path) -> None:
    """A killed writer's temporary folder is removed; a folder moved aside is put back."""
    out = tmp_path / "run"
    killed = tmp_path / ".run.incomplete-999999"
    killed.mkdir()
    (killed / INCOMPLETE).write_text("")
    aside = tmp_path / ".run.replaced-999998"  # the two-rename fallback, killed between renames
    aside.mkdir()
    (aside / "v.txt").write_text("previous")
    with results_folder(out, what="test results") as tmp:
        assert (out / "v.txt").read_text() == "previous"  # restored before anything else
        (tmp / "v.txt").write_text("new")
    assert (out / "v.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.lock", "run"]


def test_a_previous_folder_that_cannot_be_removed_does_not_fail_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous run holds a subfolder the system will not remove (PermissionError, as a
    non-root user gets for a read-only folder; the tests may run as root, whom permissions do
    not stop, so the refusal is simulated on that one name). The new results are complete
    and in place, so the writer succeeds: `out` holds v.txt = "new", and what is left of the
    previous folder is the refused subfolder alone, in the temporary folder that the next
    writer's clean-up removes."""
    import errno
    import os

    out = tmp_path / "run"
    with results_folder(out, what="test results") as tmp:
        (tmp / "v.txt").write_text("old")
        (tmp / "locked").mkdir()
    real_rmdir = os.rmdir

    def refuse(path: str, *args: object, **kwargs: object) -> None:
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", path)
        real_rmdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rmdir", refuse)
    with results_folder(out, what="test results") as tmp:
        (tmp / "v.txt").write_text("new")
    monkeypatch.undo()
    assert sorted(p.name for p in out.iterdir()) == ["v.txt"]
    assert (out / "v.txt").read_text() == "new"
    left = [p for p in tmp_path.iterdir() if p.name not in (".run.lock", "run")]
    assert [sorted(q.name for q in p.iterdir()) for p in left] == [["locked"]]


@pytest.mark.parametrize(
    ("name", "expect_same"),
    [("compare_a_vs_b", True), ("x" * 200, True), ("x" * 201, False), ("中" * 100, False)],
)
def test_generated_names_fit_the_file_system(name: str, expect_same: bool) -> None:
    """Generated folder names are cut to 200 bytes on a character boundary, plus a hash."""
    fitted = fit_folder_name(name)
    assert len(fitted.encode("utf-8")) <= MAX_FOLDER_NAME_BYTES
    assert (fitted == name) is expect_same
    if not expect_same:
        assert fitted != fit_folder_name(name + "2")  # long names that share a start differ
        check_output_folder(Path("results") / fitted, what="x")


def test_a_long_name_is_cut_to_exactly_the_limit_with_a_hash() -> None:
    """201 ASCII bytes: the first 191 bytes, a dash and 8 hex digits of SHA-1 = 200 bytes."""
    import hashlib

    name = "x" * 201
    fitted = fit_folder_name(name)
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    assert fitted == "x" * (MAX_FOLDER_NAME_BYTES - 9) + "-" + digest
    assert len(fitted.encode()) == MAX_FOLDER_NAME_BYTES == 200
    # Three-byte characters: 191 bytes hold 63 whole ones; the broken 64th is dropped.
    assert (
        fit_folder_name("中" * 100)
        == "中" * 63 + "-" + hashlib.sha1(("中" * 100).encode()).hexdigest()[:8]
    )


def test_the_busy_message_names_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with results_folder(out, what="test results"):
        msg = f"'{out}' is being written by another process; wait for it or choose --out"
        with pytest.raises(OutputError, match=re.escape(msg)):
            results_folder(out, what="test results").__enter__()


def test_an_exchange_with_a_missing_path_raises_its_os_error(tmp_path: Path) -> None:
    """renameat2 fails with ENOENT (not one of the 'unsupported' errors): the error names the
    path, with the system's message."""
    import errno
    import os

    from sim.results.folder import _exchange

    (tmp_path / "a").mkdir()
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError) as info:
        _exchange(tmp_path / "a", missing)
    assert (info.value.errno, info.value.strerror, info.value.filename) == (
        errno.ENOENT,
        os.strerror(errno.ENOENT),
        str(missing),
    )


def test_a_folder_of_someone_elses_files_is_refused_with_the_reason(tmp_path: Path) -> None:
    out = tmp_path / "someone"
    out.mkdir()
    (out / "thesis.docx").write_text("x")
    msg = (
        "it is a folder with files this simulator did not write (no '.someone.lock' beside it); "
        "choose another folder or empty it"
    )
    with pytest.raises(OutputError, match=re.escape(msg)):
        check_output_folder(out, what="x")


def test_a_too_long_part_is_quoted_by_its_first_40_characters(tmp_path: Path) -> None:
    part = "0123456789" * 30  # 300 bytes, over the 255 a file system allows
    msg = f"a part of the path has more than 255 bytes: '{part[:40]}'…"
    with pytest.raises(OutputError, match=re.escape(msg)):
        check_output_folder(tmp_path / part / "z", what="x")


def test_an_os_error_without_a_system_message_is_told_by_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing the folder fails with an OSError that carries only a text (strerror None, as
    Python code raises it; the kernel's errors always carry a message): the refusal gives that
    text after the path, not 'None'."""
    out = tmp_path / "run"
    out.mkdir()

    def fail(self: Path) -> None:
        raise OSError("the share went away")

    monkeypatch.setattr(Path, "iterdir", fail)
    msg = f"cannot write run results to '{out}': the share went away"
    with pytest.raises(OutputError) as info:
        check_output_folder(out, what="run results")
    assert str(info.value) == msg
