"""A bare ``heapq`` event loop with the engine's dispatch rules, as a speed yardstick.

Same rules as `sim.engine` (nearest available unit, priority queue, partial dispatch with
reinforcement, clear after the on-scene time or at most twice that with a partial crew), no
relief, no simpy. `bench_engine.py` checks that both give identical arrival times before
comparing their speed, so the yardstick measures the same work.
"""

from __future__ import annotations

import heapq
import itertools

import numpy as np

from sim.model.dispatch import NearestAvailable

ARRIVE, WORK_DONE, EXTENSION_DONE, HOME, INCIDENT = range(5)


def simulate_heapq(fleet, inc, node, access_s, demand, *, until_s):
    """Run the incidents through a hand-written event loop; return first/all arrival times (s).

    Travel times come from the same `TravelModel` the engine builds (road only), so both loops
    do the same dispatch arithmetic and differ only in their event machinery.
    """
    from datetime import date

    from sim.model.travel import TravelModel

    travel = TravelModel(
        fleet,
        node=node,
        access_s=access_s,
        walk_s=np.full(len(inc), np.nan),
        lon=inc.lon,
        lat=inc.lat,
        unit_mode=np.zeros(fleet.n_units, dtype=np.int64),
        air=None,
        start=date(2025, 1, 1),
    )
    policy = NearestAvailable()
    n = len(inc)
    first = np.full(n, np.nan)
    allarr = np.full(n, np.nan)
    cleared = np.full(n, np.nan)
    n_req = demand.units[inc.type_idx].sum(axis=1)
    n_arr = np.zeros(n, dtype=np.int64)
    on_scene: dict[int, list[int]] = {}
    en_route_after_clear: set[tuple[int, int]] = set()
    outstanding: dict[int, dict[int, int]] = {}
    queues: list[list] = [[] for _ in fleet.type_names]
    available = np.ones(fleet.n_units, dtype=bool)
    seq = itertools.count()
    events: list = [(float(t), next(seq), INCIDENT, i, -1) for i, t in enumerate(inc.t_s)]
    heapq.heapify(events)

    def dispatch(now, u, i, eta):
        available[u] = False
        heapq.heappush(events, (now + eta, next(seq), ARRIVE, i, u))

    def request(now, i, k, count):
        cands = fleet.units_of_type[k]
        free = cands[available[cands]]
        if free.size:
            eta = travel.eta_s(free, i, now)
            for pos in policy.choose(eta, count):
                dispatch(now, int(free[pos]), i, float(eta[pos]))
                count -= 1
        if count > 0:
            out = outstanding.setdefault(i, {})
            out[k] = out.get(k, 0) + count
            prio = int(demand.priority[inc.type_idx[i]])
            heapq.heappush(queues[k], (prio, float(inc.t_s[i]), next(seq), i))

    def clear(now, i):
        cleared[i] = now
        outstanding.pop(i, None)
        for u in on_scene.pop(i, []):
            heapq.heappush(events, (now + travel.return_s(u, i, now), next(seq), HOME, i, u))

    while events:
        now, _, kind, i, u = heapq.heappop(events)
        if now > until_s:
            break
        if kind == INCIDENT:
            need = demand.units[inc.type_idx[i]]
            for k in np.flatnonzero(need):
                request(now, i, int(k), int(need[k]))
        elif kind == ARRIVE:
            if not np.isnan(cleared[i]):
                heapq.heappush(events, (now + travel.return_s(u, i, now), next(seq), HOME, i, u))
                continue
            on_scene.setdefault(i, []).append(u)
            n_arr[i] += 1
            if n_arr[i] == 1:
                first[i] = now
                heapq.heappush(events, (now + inc.on_scene_s[i], next(seq), WORK_DONE, i, -1))
            if n_arr[i] == n_req[i]:
                allarr[i] = now
                if i in en_route_after_clear:  # work time over, waiting for the complement
                    en_route_after_clear.discard(i)
                    clear(now, i)
        elif kind == WORK_DONE:
            if np.isnan(allarr[i]):
                en_route_after_clear.add(i)
                heapq.heappush(events, (now + inc.on_scene_s[i], next(seq), EXTENSION_DONE, i, -1))
            else:
                clear(now, i)
        elif kind == EXTENSION_DONE:
            if i in en_route_after_clear:
                en_route_after_clear.discard(i)
                clear(now, i)
        elif kind == HOME:
            available[u] = True
            k = int(fleet.unit_type[u])
            q = queues[k]
            while q:
                prio, t0, _, j = heapq.heappop(q)
                out = outstanding.get(j)
                if not out or out.get(k, 0) == 0:
                    continue
                eta = travel.eta_s(np.array([u]), j, now)
                out[k] -= 1
                if out[k] > 0:
                    heapq.heappush(q, (prio, t0, next(seq), j))
                dispatch(now, u, j, float(eta[0]))
                break
    return first, allarr, cleared
