"""Tests of sim.model.runner: bounded task submission, worker limits, Dask addresses."""

from __future__ import annotations

import subprocess
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pytest

from sim.errors import UsageError
from sim.model import runner
from sim.model.compile import Prepared
from sim.model.runner import (
    TASKS_PER_WORKER,
    dask_address_problem,
    run_point,
    run_points,
    run_replications,
)
from sim.scenario import load_scenario
from sim.workflows.common import compile_scenario, load_network
from tests.helpers import SMALL


@pytest.fixture(scope="module")
def small_prep() -> Prepared:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile_scenario(load_scenario(SMALL))


class _CountingPool(ProcessPoolExecutor):
    """A process pool that records how many submitted tasks were unfinished at any time."""

    most_unfinished = 0
    submitted = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unfinished = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        fut = super().submit(fn, *args, **kwargs)
        self._unfinished += 1
        type(self).submitted += 1
        type(self).most_unfinished = max(type(self).most_unfinished, self._unfinished)
        fut.add_done_callback(lambda _f: self._done())
        return fut

    def _done(self) -> None:
        self._unfinished -= 1


def test_pool_submits_in_bounded_batches(small_prep: Prepared, monkeypatch) -> None:
    """60 replications on 2 workers: never more than 2 × (1 + TASKS_PER_WORKER) queued.

    The results are those of one process, in replication order (the bounded window changes
    nothing but memory).
    """
    monkeypatch.setattr(runner, "ProcessPoolExecutor", _CountingPool)
    # The counts are class attributes: start from zero however often the test has run in this
    # process (mutmut runs the suite twice in one).
    monkeypatch.setattr(_CountingPool, "submitted", 0)
    monkeypatch.setattr(_CountingPool, "most_unfinished", 0)
    pooled = run_replications(small_prep, 60, workers=2)
    assert _CountingPool.submitted == 60
    assert _CountingPool.most_unfinished <= 2 * (1 + TASKS_PER_WORKER)
    assert [r.replication for r in pooled] == list(range(60))
    alone = run_replications(small_prep, 4, workers=1)
    for a, b in zip(alone, pooled[:4], strict=True):
        assert np.array_equal(a.incidents["first_arrival_h"], b.incidents["first_arrival_h"], True)


@pytest.mark.parametrize("workers", [0, -2, runner.MAX_WORKERS + 1])
def test_worker_count_out_of_range_is_refused(small_prep: Prepared, workers: int) -> None:
    """0, negative or absurd worker counts are a UsageError, not a silent run."""
    with pytest.raises(UsageError, match="workers: expected an integer >= 1 and <= 256"):
        run_replications(small_prep, 2, workers=workers)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("local", None),
        ("tcp://127.0.0.1:8786", None),
        ("scheduler.example.org:8786", None),
        ("tls://[::1]:8786", None),
        ("localhost", "(no port)"),
        ("tcp://h", "(no port)"),
        ("http://x:1", "(scheme 'http' is not one of tcp, tls, ws, wss, ucx)"),
        ("tcp://:8786", "(no host)"),
        ("tcp://h:99999", "(port must be a number from 1 to 65535)"),
        ("tcp://h:port", "(port must be a number from 1 to 65535)"),
        ("", "expected 'local' or a scheduler address"),
        ("a b", "expected 'local' or a scheduler address"),
    ],
)
def test_dask_addresses(address: str, problem: str | None) -> None:
    """Malformed scheduler addresses are named before anything connects."""
    found = dask_address_problem(address)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found
        assert repr(address) in found


def test_malformed_dask_address_is_refused_by_the_runner(small_prep: Prepared) -> None:
    """The runner itself refuses a malformed address with a UsageError (no ValueError)."""
    with pytest.raises(UsageError, match=r"dask address: .*\(no port\)"):
        run_replications(small_prep, 2, dask="localhost")


def _first_arrivals(prep, results):
    """Reduce a point to its per-replication mean first arrival (a module-level function)."""
    return [float(np.nanmean(r.incidents["first_arrival_h"])) for r in results]


def test_points_come_back_in_order_and_equal_with_two_workers():
    """Each point is compiled, run and reduced in a worker; the order is the input order."""
    base = load_scenario(SMALL)
    scenarios = [base.model_copy(update={"seed": s, "horizon_days": 10.0}) for s in (1, 2, 3)]
    net = load_network(base.network)
    one = run_points(scenarios, net, 2, _first_arrivals, workers=1)
    two = run_points(scenarios, net, 2, _first_arrivals, workers=2)
    assert one == two
    assert one == [run_point(sc, net, 2, _first_arrivals) for sc in scenarios]
    assert len({tuple(x) for x in one}) == 3  # other seeds, other incidents
    done = []
    run_points(scenarios, net, 1, _first_arrivals, workers=2, progress=done.append)
    assert done == [1, 2, 3]


def test_stopping_a_pool_with_half_a_result_in_its_pipe_lets_the_process_exit() -> None:
    """A worker stopped while sending its result leaves half a message in the result pipe; the
    executor's manager thread then waits for the rest, and the interpreter waits for that
    thread at exit — a SIGTERM'd run that never ends. Here half a message is written by hand
    (a length header of 1,000 bytes and 4 of them) before `_stop`: the process must exit."""
    script = (
        "import struct, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from multiprocessing import get_context\n"
        "from sim.model.runner import _stop\n"
        "pool = ProcessPoolExecutor(max_workers=2, mp_context=get_context('fork'))\n"
        "assert pool.submit(abs, -1).result() == 1  # workers and manager thread running\n"
        "pool._result_queue._writer._send(struct.pack('!i', 1000) + b'half')\n"
        "time.sleep(0.5)  # the manager thread is now reading the missing 996 bytes\n"
        "_stop(pool)\n"
        "print('stopped', flush=True)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.strip() == "stopped"
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_a_recorded_stop_request_ends_the_run_at_the_next_task(
    small_prep: Prepared, workers: int, monkeypatch
) -> None:
    """A SIGINT/SIGTERM whose exception Python lost (raised inside a finalizer, printed as
    ignored) is still recorded: the loop raises it after the next finished replication, as the
    signal's own exception would have, and the pool's workers are stopped."""
    done: list[int] = []
    stopped: list[bool] = []
    real_stop = runner._stop
    monkeypatch.setattr(runner, "_stop", lambda pool: stopped.append(True) or real_stop(pool))
    runner.request_stop(runner_terminated := type("Terminated", (KeyboardInterrupt,), {}))
    try:
        with pytest.raises(runner_terminated):
            run_replications(small_prep, 3, workers=workers, progress=done.append)
    finally:
        runner.clear_stop()
    assert done == [1]
    assert stopped == ([True] if workers == 2 else [])
    assert len(run_replications(small_prep, 2, workers=workers)) == 2  # cleared: runs again
