"""One writer for every results folder: complete or absent, never half written, one at a time.

Every workflow that writes a folder (``run``, ``compare``, ``sweep``, ``optimize``) does it through
`results_folder`, entered *before* it simulates:

* `check_output_folder` refuses a path that can never become a folder (empty, a NUL character,
  a name too long for the file system, a file in the way, no permission) before any work;
* a lock (``.<name>.lock`` beside the folder, `fcntl.flock`) refuses a second writer on the
  same folder with a clear message, for the whole run; it dies with the process;
* files are written into a hidden temporary sibling (``.<name>.incomplete-<pid>``) holding an
  ``INCOMPLETE`` marker, and the folder is put in place only when everything is written, by
  exchanging the two names in one step (``renameat2(RENAME_EXCHANGE)`` on Linux) so that a run
  killed at any moment leaves the previous complete folder (or nothing), never a half one, and
  a rerun never keeps files of an earlier run;
* leftovers of killed runs (temporary and replaced folders) are removed by the next writer.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.errors import SimError

#: Marker file present while a folder is being written.
INCOMPLETE = "INCOMPLETE"
#: Longest folder name (bytes of its file-system form): the temporary sibling
#: ``.<name>.incomplete-<pid>`` must fit the 255-byte limit of a file name.
MAX_FOLDER_NAME_BYTES = 200
#: Longest file-system path (bytes), Linux ``PATH_MAX`` less room for the files inside.
MAX_PATH_BYTES = 3800
_NAME_MAX_BYTES = 255


class OutputError(SimError, OSError):
    """A results folder cannot be written (bad path, no permission, another writer)."""


def fit_folder_name(name: str) -> str:
    """Shorten a generated folder name to `MAX_FOLDER_NAME_BYTES` (UTF-8) if needed.

    A shortened name ends in ``-`` and 8 hex digits of a hash of the full name, so two long
    names that share their beginning still name two folders.
    """
    raw = name.encode("utf-8")
    if len(raw) <= MAX_FOLDER_NAME_BYTES:
        return name
    digest = hashlib.sha1(raw).hexdigest()[:8]
    head = raw[: MAX_FOLDER_NAME_BYTES - 9].decode("utf-8", errors="ignore")
    return f"{head}-{digest}"


def create_problem(folder: Path) -> str | None:
    """Say why no file can be created in an existing folder, or None.

    A real write (an unnamed temporary file) answers for permissions, read-only and special
    file systems alike, and for every user (root included).
    """
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        return f"cannot create files in {str(folder)!r} ({e.strerror or e})"
    return None


def _leftovers(parent: Path, name: str) -> list[Path]:
    return [*parent.glob(f".{name}.incomplete-*"), *parent.glob(f".{name}.replaced-*")]


def _lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def check_output_folder(out: Path | str, *, what: str) -> Path:
    """Refuse, before any work, a path that cannot become a results folder.

    Nothing is created. The checks: the path is not empty and has no NUL character; its last
    part is a folder name (not ``.``, ``..`` or ``/``) of at most `MAX_FOLDER_NAME_BYTES`
    bytes; no part is longer than a file system allows; it is not an existing file, nor a
    folder with files this writer did not write (no lock file beside it: ``--out ~`` must never
    replace a home folder); the nearest existing folder above it is a folder (not a file) in
    which this process may write; and no other process is writing it.

    Parameters
    ----------
    out
        The results folder as given (``--out`` or the default ``results/<name>``).
    what
        What would be written, for messages (``"run results"``).

    Returns
    -------
    out
        The folder as a `Path`.

    Raises
    ------
    OutputError
        ``cannot write <what> to '<out>': <why>``.
    """
    text = os.fspath(out)
    shown = repr(text)
    shown = shown if len(shown) <= 80 else shown[:76] + "...'"

    def fail(why: str) -> OutputError:
        return OutputError(f"cannot write {what} to {shown}: {why}")

    if not text.strip():
        raise fail("expected a folder name, got an empty path")
    if "\0" in text:
        raise fail("the path holds a NUL character")
    path = Path(text)
    name = path.name
    if not name or name in {".", ".."}:
        raise fail("expected a folder name at the end of the path")
    try:
        encoded = os.fsencode(path)
    except UnicodeError:  # pragma: no cover - only with a non-UTF-8 file-system encoding
        raise fail("the path cannot be written in the file system's encoding") from None
    if len(os.fsencode(name)) > MAX_FOLDER_NAME_BYTES:
        raise fail(
            f"the folder name has {len(os.fsencode(name))} bytes, expected at most "
            f"{MAX_FOLDER_NAME_BYTES}"
        )
    long_part = next((p for p in path.parts if len(os.fsencode(p)) > _NAME_MAX_BYTES), None)
    if long_part is not None:
        raise fail(f"a part of the path has more than {_NAME_MAX_BYTES} bytes: {long_part[:40]!r}…")
    if len(encoded) > MAX_PATH_BYTES:
        raise fail(f"the path has {len(encoded)} bytes, expected at most {MAX_PATH_BYTES}")
    try:
        is_file = path.exists() and not path.is_dir()
        above = next(p for p in (path.parent, *path.parent.parents) if p.exists())
    except OSError as e:  # a loop of links, no permission to look
        raise fail(e.strerror or str(e)) from e
    if is_file:
        raise fail("it is a file, not a folder")
    lock = _lock_path(path)
    try:
        foreign = path.is_dir() and not lock.exists() and any(path.iterdir())
    except OSError as e:
        raise fail(e.strerror or str(e)) from e
    if foreign:  # replacing it would delete files this simulator did not write
        raise fail(
            f"it is a folder with files this simulator did not write (no {lock.name!r} beside "
            "it); choose another folder or empty it"
        )
    if not above.is_dir():
        raise fail(f"{str(above)!r} is a file, so no folder can be made below it")
    problem = create_problem(above)
    if problem is not None:
        raise fail(problem)
    if lock.exists():
        try:
            with lock.open("a") as fh:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        except BlockingIOError:
            raise _busy(path) from None
        except OSError as e:
            raise fail(e.strerror or str(e)) from e
    return path


def _busy(out: Path) -> OutputError:
    return OutputError(
        f"{str(out)!r} is being written by another process; wait for it or choose --out"
    )


# ``renameat2`` exchanges two paths atomically (Linux 3.15, glibc 2.28). Without it the
# writer falls back to two renames, and the next writer restores an interrupted swap.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_renameat2: Any
try:
    _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    _renameat2.argtypes += [ctypes.c_uint]
    _renameat2.restype = ctypes.c_int
except (AttributeError, OSError):  # pragma: no cover - not glibc
    _renameat2 = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step; False where the system cannot."""
    if _renameat2 is None:  # pragma: no cover - not glibc
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP}:  # pragma: no cover - old kernel
        return False
    raise OSError(err, os.strerror(err), str(b))


def _clean_leftovers(out: Path) -> None:
    """Remove what killed writers left; put back a folder whose replacement was interrupted."""
    for old in _leftovers(out.parent, out.name):
        if ".replaced-" in old.name and not out.exists():
            old.rename(out)  # the previous complete folder, moved aside by the two-rename swap
        else:
            shutil.rmtree(old, ignore_errors=True)


def _put_in_place(tmp: Path, out: Path) -> None:
    if not out.exists():
        tmp.rename(out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # now the previous folder
        return
    replaced = out.parent / f".{out.name}.replaced-{os.getpid()}"  # pragma: no cover - fallback
    out.rename(replaced)  # pragma: no cover
    tmp.rename(out)  # pragma: no cover
    shutil.rmtree(replaced, ignore_errors=True)  # pragma: no cover


@contextlib.contextmanager
def results_folder(out: Path | str, *, what: str) -> Iterator[Path]:
    """Yield a temporary folder to write into; put it in place as `out` when the block succeeds.

    Enter it before the work that produces the files: the path is checked and the lock taken
    first, so a bad ``--out`` or a second writer costs nothing.

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
    out = check_output_folder(out, what=what)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        lock = _lock_path(out).open("a")
    except OSError as e:
        msg = f"cannot write {what} to {str(out)!r}: {e.strerror or e}"
        raise OutputError(msg) from e
    with lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise _busy(out) from e
        tmp = out.parent / f".{out.name}.incomplete-{os.getpid()}"
        try:
            _clean_leftovers(out)
            tmp.mkdir()
            (tmp / INCOMPLETE).write_text(
                f"{what} are being written; this folder is not complete\n"
            )
        except OSError as e:
            shutil.rmtree(tmp, ignore_errors=True)
            msg = f"cannot write {what} to {str(out)!r}: {e.strerror or e}"
            raise OutputError(msg) from e
        try:
            yield tmp
            (tmp / INCOMPLETE).unlink()
            _put_in_place(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


@contextlib.contextmanager
def maybe_results_folder(out: Path | str | None, *, what: str) -> Iterator[Path | None]:
    """`results_folder` when `out` is given, else yield None (nothing is written)."""
    if out is None:
        yield None
        return
    with results_folder(out, what=what) as tmp:
        yield tmp
