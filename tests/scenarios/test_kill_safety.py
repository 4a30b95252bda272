"""Killed runs: never a half results folder, never a surviving worker, a rerun always succeeds.

Each test starts ``run_scenario.py run`` as a real process with two worker processes, waits for
a given moment of the run (seen from outside: worker processes started, the temporary folder
created, its first result file written), signals it, and then inspects the results folder and
the process table.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.results.folder import INCOMPLETE
from tests.helpers import ROOT, SMALL

pytestmark = pytest.mark.slow

#: Liveness guard for waiting on a moment of the run (not a speed requirement).
WAIT_S = 120.0


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _start(out: Path, *extra: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, str(ROOT / "run_scenario.py"), "run", str(SMALL), "--quiet"]
    return subprocess.Popen(
        [*cmd, "--workers", "2", "--out", str(out), *extra],
        cwd=out.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # A test run started in the background (`cmd &` in a script) inherits SIGINT ignored, and
        # Python keeps an ignored SIGINT ignored: give the command the interactive default, as a
        # terminal would, so that the SIGINT test tests the command and not how it was launched.
        preexec_fn=_interactive_sigint,
    )


def _interactive_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    t0 = time.monotonic()
    while not ready():
        assert proc.poll() is None, f"the run ended before {what}: {proc.stderr.read()}"
        assert time.monotonic() - t0 < WAIT_S, f"{what} never happened"
        time.sleep(0.002)


def _tmp_folder(out: Path) -> Path | None:
    found = sorted(out.parent.glob(f".{out.name}.incomplete-*"))
    return found[0] if found else None


def _workers_started(proc: subprocess.Popen[str]) -> Callable[[], bool]:
    return lambda: len(_children(proc.pid)) >= 2


def _assert_complete(out: Path, reference: dict[str, bytes]) -> None:
    """`out` is exactly the earlier complete folder: same files, same bytes, no marker."""
    assert out.is_dir()
    assert not (out / INCOMPLETE).exists()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == reference


def _first_file_written(out: Path) -> Callable[[], bool]:
    return lambda: (t := _tmp_folder(out)) is not None and (t / "metrics.json").exists()


def test_sigkill_at_several_moments_never_leaves_a_half_folder(tmp_path: Path) -> None:
    """SIGKILL while starting, simulating and writing: the previous folder stays whole.

    A first run killed while writing leaves no folder at all. After every kill no worker
    survives, and a rerun into the same --out succeeds (the killed writer's temporary folder
    is cleaned, its lock died with it).
    """
    out = tmp_path / "run"
    proc = _start(out)
    _wait_for("the first file", _first_file_written(out), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=WAIT_S)
    assert not out.exists()

    first = _start(out, "--no-plots")
    assert first.wait(timeout=WAIT_S) == 0, first.stderr.read()
    reference = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {"metrics.json", "incidents.csv", "scenario.yaml", "run_info.json"} <= set(reference)

    moments: dict[str, Callable[[subprocess.Popen[str]], Callable[[], bool]]] = {
        "at start": lambda proc: lambda: True,
        "while simulating (workers running)": _workers_started,
        "while writing (first file written)": lambda proc: _first_file_written(out),
    }
    for moment, ready in moments.items():
        proc = _start(out)  # with charts: the writing takes long enough to be caught
        _wait_for(moment, ready(proc), proc)
        kids = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=WAIT_S) == -signal.SIGKILL
        _assert_complete(out, reference)
        t0 = time.monotonic()
        while any(_alive(k) for k in kids) and time.monotonic() - t0 < WAIT_S:
            time.sleep(0.05)
        assert not [k for k in kids if _alive(k)], f"workers survived a SIGKILL {moment}"

    rerun = _start(out, "--no-plots")
    assert rerun.wait(timeout=WAIT_S) == 0, rerun.stderr.read()
    assert not (out / INCOMPLETE).exists()
    assert (out / "metrics.json").read_bytes() == reference["metrics.json"]  # same seed
    assert json.loads((out / "metrics.json").read_text())["run"]["replications"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.lock", "run"]


@pytest.mark.parametrize(
    ("sig", "status", "said"),
    [(signal.SIGTERM, 143, "terminated (SIGTERM)"), (signal.SIGINT, 130, "interrupted")],
    ids=["SIGTERM", "SIGINT"],
)
def test_sigterm_and_sigint_stop_the_workers(
    tmp_path: Path, sig: signal.Signals, status: int, said: str
) -> None:
    """SIGTERM / SIGINT mid-simulation: exit 143 / 130, no worker left, no folder, no temp."""
    out = tmp_path / "run"
    # 2,000 replications keep the workers busy long after the signal.
    proc = _start(out, "--no-plots", "--replications", "2000")
    _wait_for("two workers", _workers_started(proc), proc)
    kids = _children(proc.pid)
    time.sleep(0.5)  # let them take tasks
    proc.send_signal(sig)
    assert proc.wait(timeout=WAIT_S) == status
    err = proc.stderr.read()
    assert said in err
    assert "Traceback" not in err
    assert not [k for k in kids if _alive(k)], f"workers survived {sig.name}"
    assert not out.exists()
    assert not list(tmp_path.glob(".run.incomplete-*"))


def test_workers_die_when_the_parent_is_killed_outside_any_command(tmp_path: Path) -> None:
    """A bare run_replications in a killed process: the pool's workers end with it."""
    script = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "from sim.scenario import load_scenario\n"
        "from sim.workflows.common import compile_scenario\n"
        "from sim.model.runner import run_replications\n"
        f"prep = compile_scenario(load_scenario({str(SMALL)!r}))\n"
        "run_replications(prep, 5000, workers=2)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    _wait_for("two workers", _workers_started(proc), proc)
    kids = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=WAIT_S)
    t0 = time.monotonic()
    while any(_alive(k) for k in kids) and time.monotonic() - t0 < WAIT_S:
        time.sleep(0.05)
    assert not [k for k in kids if _alive(k)]
