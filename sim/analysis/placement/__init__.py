"""Facility placement: p-median, MCLP, LSCP and p-center models, and their scenario bridge."""

from __future__ import annotations

from sim.analysis.placement.base import PlacementResult
from sim.analysis.placement.lscp import LSCP
from sim.analysis.placement.mclp import MCLP
from sim.analysis.placement.pcenter import PCenter
from sim.analysis.placement.pmedian import PMedian
from sim.analysis.placement.problem import (
    OBJECTIVES,
    WEIGHT_REPLICATIONS,
    Candidate,
    PlacementProblem,
    build_problem,
    demand_weights,
    file_candidates,
    new_scenario_data,
    placement_sites,
    relevant_incident_types,
    score_existing,
    solve,
    town_candidates,
)

__all__ = [
    "LSCP",
    "MCLP",
    "OBJECTIVES",
    "WEIGHT_REPLICATIONS",
    "Candidate",
    "PCenter",
    "PMedian",
    "PlacementProblem",
    "PlacementResult",
    "build_problem",
    "demand_weights",
    "file_candidates",
    "new_scenario_data",
    "placement_sites",
    "relevant_incident_types",
    "score_existing",
    "solve",
    "town_candidates",
]
