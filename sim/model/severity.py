"""Severity levels of incidents: attendance plans by level and escalation on scene (no simpy).

An incident type may grade its incidents into the levels of Chinese emergency practice
(一般 / 较大 / 重大 / 特大, `sim.scenario.schema.LEVEL_IDS`). Each level has a probability, an
attendance plan (units by type), a queue priority and an on-scene time factor; a level may grow
to the next level of its type on scene (probability and delay after the first arrival), which
requests the next plan less the current one.

The level of each incident and whether it would grow at each level are drawn when the
replication starts, on their own random streams (`STREAM_SEVERITY`, `STREAM_ESCALATION`,
keyed by the incident type; surge incidents by ``surge:<type>``), so switching levels on or
off never changes another stream: arrivals, places and on-scene times stay common random
numbers across compared scenarios. Whether an escalation happens also depends on the
incident still being worked when its delay is over (the engine decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.incidents import stream
from sim.scenario.schema import LEVEL_IDS

if TYPE_CHECKING:
    from sim.model.incidents import IncidentSet
    from sim.scenario import Scenario

#: Random-stream purposes: the level at the call, and escalation on scene.
STREAM_SEVERITY = 14
STREAM_ESCALATION = 15


@dataclass(frozen=True, slots=True)
class SeverityTable:
    """Levels of every incident type, compiled (the same for every replication).

    Attributes
    ----------
    has_levels
        Per incident type: whether it has levels (else one level with the type's units).
    probability
        Array (types, levels): chance of each level at the call.
    units
        Array (types, levels, unit types): attendance plan (units).
    priority
        Array (types, levels): queue priority (1 = most urgent).
    on_scene_factor
        Array (types, levels): on-scene time multiplier.
    escalate_p, escalate_after_s
        Arrays (types, levels): chance of growing to the next level, and the delay after the
        first arrival (s; inf = never).
    next_level
        Array (types, levels): the level an escalation grows to (−1 = none).
    """

    has_levels: np.ndarray
    probability: np.ndarray
    units: np.ndarray
    priority: np.ndarray
    on_scene_factor: np.ndarray
    escalate_p: np.ndarray
    escalate_after_s: np.ndarray
    next_level: np.ndarray

    @property
    def any(self) -> bool:
        """Whether any incident type has levels."""
        return bool(self.has_levels.any())


def build_severity_table(
    scenario: Scenario, type_names: tuple[str, ...], demand_units: np.ndarray
) -> SeverityTable:
    """Compile the scenario's levels.

    Parameters
    ----------
    scenario
        Validated scenario.
    type_names
        Unit type ids (columns of the attendance plans).
    demand_units
        Array (incident types, unit types): the types' own `units` (plans of levels without
        their own, and of types without levels).
    """
    n_inc, n_lv, n_ut = len(scenario.incidents), len(LEVEL_IDS), len(type_names)
    has = np.zeros(n_inc, dtype=bool)
    prob = np.zeros((n_inc, n_lv))
    units = np.zeros((n_inc, n_lv, n_ut), dtype=np.int64)
    prio = np.zeros((n_inc, n_lv), dtype=np.int64)
    factor = np.ones((n_inc, n_lv))
    esc_p = np.zeros((n_inc, n_lv))
    esc_after = np.full((n_inc, n_lv), np.inf)
    nxt = np.full((n_inc, n_lv), -1, dtype=np.int64)
    for k, inc in enumerate(scenario.incidents.values()):
        prio[k] = inc.priority
        if not inc.levels:
            prob[k, 0] = 1.0
            units[k, 0] = demand_units[k]
            continue
        has[k] = True
        defined = [LEVEL_IDS.index(name) for name in inc.levels]
        for j, (name, lv) in enumerate(inc.levels.items()):
            L = LEVEL_IDS.index(name)
            prob[k, L] = lv.probability
            if lv.units is None:
                units[k, L] = demand_units[k]
            else:
                for ut, c in lv.units.items():
                    units[k, L, type_names.index(ut)] = c
            prio[k, L] = lv.priority if lv.priority is not None else inc.priority
            factor[k, L] = lv.on_scene_factor
            if lv.escalation is not None and j + 1 < len(defined):
                esc_p[k, L] = lv.escalation.probability
                esc_after[k, L] = lv.escalation.after_min * 60.0
                nxt[k, L] = defined[j + 1]
    return SeverityTable(
        has_levels=has,
        probability=prob,
        units=units,
        priority=prio,
        on_scene_factor=factor,
        escalate_p=esc_p,
        escalate_after_s=esc_after,
        next_level=nxt,
    )


@dataclass(frozen=True, slots=True)
class SeverityPlan:
    """Levels of one replication's incidents.

    Attributes
    ----------
    table
        The compiled levels.
    level
        Per incident: level index at the call (into `LEVEL_IDS`).
    escalates
        Array (incidents, levels): whether the incident grows if it is still worked when the
        delay of that level is over (drawn once per incident and level).
    """

    table: SeverityTable
    level: np.ndarray
    escalates: np.ndarray


def draw_levels(
    table: SeverityTable, scenario: Scenario, inc: IncidentSet, replication: int
) -> SeverityPlan:
    """Draw each incident's level and escalations on the severity streams of `replication`."""
    n = len(inc)
    n_lv = len(LEVEL_IDS)
    level = np.zeros(n, dtype=np.int64)
    escalates = np.zeros((n, n_lv), dtype=bool)
    surge = inc.surge if inc.surge is not None else np.zeros(n, dtype=bool)
    for k, name in enumerate(inc.type_names):
        if not table.has_levels[k]:
            continue
        cum = np.cumsum(table.probability[k])
        cum[-1] = 1.0  # rounding of probabilities that add up to 1
        for is_surge in (False, True):
            idx = np.flatnonzero((inc.type_idx == k) & (surge == is_surge))
            if idx.size == 0:
                continue
            key = f"surge:{name}" if is_surge else name
            u = stream(scenario.seed, replication, key, STREAM_SEVERITY).random(idx.size)
            level[idx] = np.searchsorted(cum, u, side="right")
            e = stream(scenario.seed, replication, key, STREAM_ESCALATION).random((idx.size, n_lv))
            escalates[idx] = e < table.escalate_p[k][None, :]
    return SeverityPlan(table=table, level=np.minimum(level, n_lv - 1), escalates=escalates)


__all__ = [
    "LEVEL_IDS",
    "STREAM_ESCALATION",
    "STREAM_SEVERITY",
    "SeverityPlan",
    "SeverityTable",
    "build_severity_table",
    "draw_levels",
]
