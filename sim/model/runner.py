"""Replications of a scenario in this process, in local worker processes or on Dask.

The runner owns parallelism only: replication ``r`` is `sim.model.replication.run_replication`
whatever the process, so one core, many cores and a cluster give the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

from sim.errors import ScenarioError
from sim.model.compile import Prepared, prepare
from sim.model.replication import ReplicationResult, run_replication
from sim.network import RoadNetwork
from sim.scenario import Scenario

_SHARED: Prepared | None = None
#: What forked point workers inherit: (scenarios, network, replications, reduce).
_POINTS: tuple[Sequence[Scenario], RoadNetwork, int, Callable[..., Any]] | None = None
T = TypeVar("T")


def _worker(r: int) -> ReplicationResult:
    assert _SHARED is not None
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
    assert _POINTS is not None
    scenarios, net, replications, reduce = _POINTS
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
    """
    global _SHARED
    if replications < 1:
        msg = f"replications must be >= 1, got {replications}"
        raise ScenarioError(msg)
    if dask:
        return _run_dask(prep, replications, address=dask, workers=workers, progress=progress)
    results: list[ReplicationResult] = []
    if workers <= 1 or replications == 1:
        for r in range(replications):
            results.append(run_replication(prep, r))
            if progress:
                progress(len(results))
        return results
    _SHARED = prep
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            for res in pool.map(_worker, range(replications), chunksize=1):
                results.append(res)
                if progress:
                    progress(len(results))
    finally:
        _SHARED = None
    return results


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
    (``broadcast=True``), and each task only carries its replication index.
    """
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
    except OSError as e:
        msg = f"cannot connect to the dask scheduler at {address!r}: {e}"
        raise ScenarioError(msg) from e
    try:
        shared = client.scatter(prep, broadcast=True)
        futures = client.map(
            run_replication, [shared] * replications, range(replications), pure=False
        )
        results: dict[int, ReplicationResult] = {}
        for fut in as_completed(futures):
            res = fut.result()
            results[res.replication] = res
            if progress:
                progress(len(results))
        return [results[r] for r in range(replications)]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
    global _POINTS
    if replications < 1:
        msg = f"replications must be >= 1, got {replications}"
        raise ScenarioError(msg)
    n = len(scenarios)
    if dask:
        return _points_dask(scenarios, net, replications, reduce, dask, workers, progress)
    out: list[T] = []
    if workers <= 1 or n <= 1:
        for sc in scenarios:
            out.append(run_point(sc, net, replications, reduce))
            if progress:
                progress(len(out))
        return out
    _POINTS = (scenarios, net, replications, reduce)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            for res in pool.map(_point_worker, range(n), chunksize=1):
                out.append(res)
                if progress:
                    progress(len(out))
    finally:
        _POINTS = None
    return out


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
    except OSError as e:
        msg = f"cannot connect to the dask scheduler at {address!r}: {e}"
        raise ScenarioError(msg) from e
    try:
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
        return [results[k] for k in range(n)]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
