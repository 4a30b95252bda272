"""One writer for every results folder: complete or absent, never half written, one at a time.

Every workflow that writes a folder (``run``, ``compare``, ``sweep``, ``optimize``) does it through
`results_folder`:

* files are written into a hidden temporary sibling (``.<name>.incomplete-<pid>``) holding an
  ``INCOMPLETE`` marker, and the folder is renamed into place only when everything is written;
  a run that fails or is killed leaves the previous complete folder (or nothing), never a half
  one, and a rerun never keeps files of an earlier run;
* a lock (``.<name>.lock`` beside the folder, `fcntl.flock`) refuses a second writer on the
  same folder with a clear message;
* leftovers of killed runs (temporary and replaced folders) are removed by the next writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from sim.errors import SimError

#: Marker file present while a folder is being written.
INCOMPLETE = "INCOMPLETE"


class OutputError(SimError, OSError):
    """A results folder cannot be written (bad path, no permission, another writer)."""


def _leftovers(parent: Path, name: str) -> list[Path]:
    return [*parent.glob(f".{name}.incomplete-*"), *parent.glob(f".{name}.replaced-*")]


@contextlib.contextmanager
def results_folder(out: Path, *, what: str) -> Iterator[Path]:
    """Yield a temporary folder to write into; rename it to `out` when the block succeeds.

    Parameters
    ----------
    out
        The results folder to (re)place.
    what
        What is being written, for the ``INCOMPLETE`` marker and messages (``"run results"``).

    Yields
    ------
    tmp
        Empty folder to write every file into.

    Raises
    ------
    OutputError
        When `out` cannot be created or another process is writing it.
    """
    out = Path(out)
    parent = out.parent
    name = out.name
    if not name or name in {".", ".."}:
        msg = f"cannot write {what} to {str(out)!r}: expected a folder name"
        raise OutputError(msg)
    if out.exists() and not out.is_dir():
        msg = f"cannot write {what} to {str(out)!r}: it is a file, not a folder"
        raise OutputError(msg)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        lock = (parent / f".{name}.lock").open("a")
    except OSError as e:
        msg = f"cannot write {what} to {str(out)!r}: {e.strerror or e}"
        raise OutputError(msg) from e
    with lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            msg = f"{str(out)!r} is being written by another process; wait for it or choose --out"
            raise OutputError(msg) from e
        for old in _leftovers(parent, name):
            shutil.rmtree(old, ignore_errors=True)
        tmp = parent / f".{name}.incomplete-{os.getpid()}"
        tmp.mkdir()
        (tmp / INCOMPLETE).write_text(f"{what} are being written; this folder is not complete\n")
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        (tmp / INCOMPLETE).unlink()
        replaced = parent / f".{name}.replaced-{os.getpid()}"
        if out.exists():
            out.rename(replaced)
        tmp.rename(out)
        shutil.rmtree(replaced, ignore_errors=True)
