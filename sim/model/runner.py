"""Replications of a scenario in this process, in local worker processes or on Dask.

The runner owns parallelism only: replication ``r`` is `sim.model.replication.run_replication`
whatever the process, so one core, many cores and a cluster give the same bytes.

Worker processes never outlive the run: each asks the kernel to kill it when its parent dies
(``prctl(PR_SET_PDEATHSIG)`` on Linux, with a parent-pid watch as a fallback), ignores the
terminal's Ctrl-C (the parent decides), and the parent stops and reaps them on any exception
(including the `KeyboardInterrupt` the command line raises on SIGINT and SIGTERM). Tasks are
submitted in bounded batches, so a run of 10,000 replications keeps at most a few per worker
in the task queue.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

from sim.errors import ScenarioError, UsageError
from sim.model.compile import Prepared, prepare
from sim.model.replication import ReplicationResult, run_replication
from sim.network import RoadNetwork
from sim.scenario import Scenario

#: What forked workers inherit: a compiled scenario, or the points of a design (`run_points`).
_SHARED: Any = None
#: Most local worker processes (also the largest ``--workers``).
MAX_WORKERS = 256
#: Replications queued per worker process beyond the one it runs: enough to keep every worker
#: busy, few enough that the queue's memory does not grow with ``--replications``.
TASKS_PER_WORKER = 2
#: Seconds between two looks of the fallback watch at the worker's parent.
PARENT_WATCH_S = 1.0
#: Dask address schemes `distributed` understands for a remote scheduler.
DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
_DASK_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)?"
    r"(?::(?P<port>[^/]*))?/?$"
)
_PR_SET_PDEATHSIG = 1


def dask_address_problem(address: str) -> str | None:
    """Say why `address` is not ``local`` or a Dask scheduler address ``tcp://HOST:PORT``.

    Returns
    -------
    problem
        ``expected ..., got ...``, or None for a well-formed address (it may still not answer).
    """
    expected = f"expected 'local' or a scheduler address like tcp://HOST:8786, got {address!r}"
    if address == "local":
        return None
    m = _DASK_ADDRESS.match(address.strip())
    if not address.strip() or m is None:
        return expected
    scheme, host, port = m.group("scheme"), m.group("host"), m.group("port")
    if scheme is not None and scheme.lower() not in DASK_SCHEMES:
        return f"{expected} (scheme {scheme!r} is not one of {', '.join(DASK_SCHEMES)})"
    if not host:
        return f"{expected} (no host)"
    if port is None:
        return f"{expected} (no port)"
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"{expected} (port must be a number from 1 to 65535)"
    return None


#: The exception type a stop was requested with (`request_stop`), or empty. The command line's
#: SIGINT/SIGTERM handlers raise at once *and* record the request here: an exception raised
#: while Python runs a finalizer (``__del__``, a weakref callback) is printed as ignored and
#: lost, so the loops below also check the record between tasks.
_STOP: list[type[BaseException]] = []


def request_stop(exc: type[BaseException]) -> None:
    """Ask every running loop of this module to stop by raising `exc` at its next task."""
    _STOP[:] = [exc]


def clear_stop() -> None:
    """Forget a stop request (when the command that asked for it has ended)."""
    _STOP.clear()


def _check_stop() -> None:
    if _STOP:
        raise _STOP[0]()


def _die_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this process when the parent that started it ends."""
    # Ctrl-C reaches the whole process group; the parent stops the pool, the workers must not
    # print tracebacks of their own. SIGTERM handlers inherited through fork are dropped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watch remains
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:  # for systems without prctl, and parents that exec'd away
        while True:
            time.sleep(PARENT_WATCH_S)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


T = TypeVar("T")


def _worker(r: int) -> ReplicationResult:
    assert isinstance(_SHARED, Prepared)
    return run_replication(_SHARED, r)


def run_point(
    scenario: Scenario,
    net: RoadNetwork,
    replications: int,
    reduce: Callable[[Prepared, list[ReplicationResult]], T],
) -> T:
    """Compile one scenario, run replications ``0 .. replications-1`` in order, reduce them.

    This is one point of a sensitivity design (or any batch of scenarios): the same function
    whichever process runs it, so the answer does not depend on the parallelism.
    """
    prep = prepare(scenario, net)
    return reduce(prep, [run_replication(prep, r) for r in range(replications)])


def _point_worker(k: int) -> Any:
    assert isinstance(_SHARED, tuple)
    scenarios, net, replications, reduce = _SHARED
    return run_point(scenarios[k], net, replications, reduce)


def default_workers() -> int:
    """Return the number of usable cores."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_replications(
    prep: Prepared,
    replications: int,
    *,
    workers: int = 1,
    dask: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ReplicationResult]:
    """Run replications ``0 .. replications-1``, in order of index whatever the parallelism.

    Parameters
    ----------
    prep
        Compiled scenario.
    replications
        Number of replications.
    workers
        Local worker processes (1 = run in this process); with ``dask="local"``, the number of
        workers of the local cluster.
    dask
        None (local processes), ``"local"`` (a `distributed.LocalCluster`) or the address of a
        running ``dask.distributed`` scheduler (``tcp://host:8786``).
    progress
        Called with the number of finished replications after each one.

    Raises
    ------
    ScenarioError
        If `replications` < 1.
    UsageError
        If `workers` is not 1 .. `MAX_WORKERS` or `dask` is not an address.
    """
    if replications < 1:
        msg = f"replications must be >= 1, got {replications}"
        raise ScenarioError(msg)
    if not 1 <= workers <= MAX_WORKERS:
        msg = f"workers: expected an integer >= 1 and <= {MAX_WORKERS}, got {workers}"
        raise UsageError(msg)
    if dask:
        return _run_dask(prep, replications, address=dask, workers=workers, progress=progress)
    results: list[ReplicationResult] = []
    if workers <= 1 or replications == 1:
        for r in range(replications):
            results.append(run_replication(prep, r))
            if progress:
                progress(len(results))
            _check_stop()
        return results
    return _run_pool(_worker, replications, prep, workers=workers, progress=progress)


def _run_pool(
    task: Callable[[int], T],
    n: int,
    shared: Any,
    *,
    workers: int,
    progress: Callable[[int], None] | None,
) -> list[T]:
    """Run ``task(0) .. task(n-1)`` on forked workers, at most ``workers × (1 +
    TASKS_PER_WORKER)`` queued; results in index order.

    `shared` (a compiled scenario, or the points of a design) is inherited by the forked
    workers through `_SHARED`, never pickled per task.
    """
    global _SHARED
    _SHARED = shared
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
    results: list[T] = []
    pending: deque[Future[T]] = deque()
    window = workers * (1 + TASKS_PER_WORKER)
    try:
        submitted = 0
        while len(results) < n:
            while submitted < n and len(pending) < window:
                pending.append(pool.submit(task, submitted))
                submitted += 1
            results.append(pending.popleft().result())  # in index order
            if progress:
                progress(len(results))
            _check_stop()
    except BaseException:
        _stop(pool)
        raise
    finally:
        _SHARED = None
    pool.shutdown(wait=True)
    return results


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued, end the workers now and reap them (no process outlives the run)."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public handle before 3.14
    # shutdown() forgets the result queue; its manager thread still reads from it.
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)
        if p.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
            p.kill()
            p.join(timeout=5)
    # A worker stopped while sending its result leaves half a message in the result pipe: the
    # pool's manager thread would wait for the rest for ever, and the interpreter for that
    # thread at exit. With every worker gone, closing our own copy of the pipe's write end
    # turns that wait into end-of-file, which the manager takes for a broken pool, and ends.
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()


@contextlib.contextmanager
def _dask_client(address: str, workers: int) -> Iterator[tuple[Any, Any]]:
    """Connect to a dask.distributed scheduler (or start a local cluster of `workers`
    processes) and yield ``(client, as_completed)``; closes both on the way out.

    Raises
    ------
    UsageError
        If `address` is not ``local`` or a scheduler address.
    ScenarioError
        If dask.distributed is not installed or the scheduler cannot be reached.
    """
    problem = dask_address_problem(address)
    if problem is not None:
        msg = f"dask address: {problem}"
        raise UsageError(msg)
    try:  # dask.distributed is an optional extra: imported only when --dask is used
        from distributed import Client, LocalCluster, as_completed
    except ImportError as e:  # pragma: no cover - depends on the installed extras
        msg = "--dask needs dask.distributed: pip install 'shaoguan-dispatch[dask]'"
        raise ScenarioError(msg) from e
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=max(1, workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = Client(cluster)
        else:
            client = Client(address, timeout=5)
    except (OSError, ValueError) as e:  # unreachable, refused, or an address dask refuses
        if cluster is not None:
            cluster.close()
        msg = f"cannot connect to the dask scheduler at {address!r}: {e}"
        raise ScenarioError(msg) from e
    try:
        yield client, as_completed
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_dask(
    prep: Prepared,
    replications: int,
    *,
    address: str,
    workers: int,
    progress: Callable[[int], None] | None,
) -> list[ReplicationResult]:
    """Run replications on a dask.distributed cluster; results come back in replication order.

    The compiled scenario (graph, travel-time matrices) is scattered once to every worker
    (``broadcast=True``), and each task only carries its replication index; tasks are
    submitted in bounded batches as results come back.
    """
    with _dask_client(address, workers) as (client, as_completed):
        shared = client.scatter(prep, broadcast=True)
        window = max(1, workers) * (1 + TASKS_PER_WORKER)
        results: dict[int, ReplicationResult] = {}
        queue = as_completed()
        submitted = 0
        while submitted < min(window, replications):
            queue.add(client.submit(run_replication, shared, submitted, pure=False))
            submitted += 1
        for fut in queue:
            res = fut.result()
            results[res.replication] = res
            if progress:
                progress(len(results))
            _check_stop()
            if submitted < replications:
                queue.add(client.submit(run_replication, shared, submitted, pure=False))
                submitted += 1
        return [results[r] for r in range(replications)]


def run_points(
    scenarios: Sequence[Scenario],
    net: RoadNetwork,
    replications: int,
    reduce: Callable[[Prepared, list[ReplicationResult]], T],
    *,
    workers: int = 1,
    dask: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[T]:
    """Run many scenarios on one network, each with the same replications; results in order.

    Each task is one scenario: compiled (`prepare`, whose network-only parts are shared
    between scenarios), its replications run in order and reduced to what the caller keeps
    (`reduce(prep, results)`, e.g. the targets only), all in the worker, so only the reduced
    values travel back. Every scenario uses its own seed, so scenarios with one seed see the
    same incidents (common random numbers).

    Parameters
    ----------
    scenarios
        Validated scenarios (the points).
    net
        The road network they all run on (compiled once; workers inherit or receive it once).
    replications
        Replications per scenario.
    reduce
        ``reduce(prep, results) -> value``; a module-level function for Dask (pickled).
    workers, dask
        As for `run_replications`: local worker processes (forked) or a Dask scheduler.
    progress
        Called with the number of finished scenarios after each one.
    """
    if replications < 1:
        msg = f"replications must be >= 1, got {replications}"
        raise ScenarioError(msg)
    if not 1 <= workers <= MAX_WORKERS:
        msg = f"workers: expected an integer >= 1 and <= {MAX_WORKERS}, got {workers}"
        raise UsageError(msg)
    n = len(scenarios)
    if dask:
        return _points_dask(scenarios, net, replications, reduce, dask, workers, progress)
    out: list[T] = []
    if workers <= 1 or n <= 1:
        for sc in scenarios:
            out.append(run_point(sc, net, replications, reduce))
            if progress:
                progress(len(out))
            _check_stop()
        return out
    return _run_pool(
        _point_worker, n, (scenarios, net, replications, reduce), workers=workers, progress=progress
    )


def _points_dask(
    scenarios: Sequence[Scenario],
    net: RoadNetwork,
    replications: int,
    reduce: Callable[[Prepared, list[ReplicationResult]], T],
    address: str,
    workers: int,
    progress: Callable[[int], None] | None,
) -> list[T]:
    """`run_points` on a dask.distributed cluster: the network is scattered once per worker."""
    with _dask_client(address, workers) as (client, as_completed):
        shared = client.scatter(net, broadcast=True)
        n = len(scenarios)
        futures = client.map(
            run_point,
            list(scenarios),
            [shared] * n,
            [replications] * n,
            [reduce] * n,
            pure=False,
        )
        index = {f.key: k for k, f in enumerate(futures)}
        results: dict[int, T] = {}
        for fut in as_completed(futures):
            results[index[fut.key]] = fut.result()
            if progress:
                progress(len(results))
            _check_stop()
        return [results[k] for k in range(n)]
