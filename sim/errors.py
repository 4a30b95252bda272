"""Exception types of the simulator (all subclass built-ins, as osmnx does)."""

from __future__ import annotations


class SimError(Exception):
    """Base class for every error the simulator raises on purpose."""


class ScenarioError(SimError, ValueError):
    """A scenario file (or a command-line override of it) is missing, malformed or invalid."""


class NetworkError(SimError, RuntimeError):
    """A road network cannot be built, read or used."""


class PlaceError(ScenarioError):
    """A place name or coordinate cannot be resolved to a location in the study area."""


class OptimizationError(SimError, RuntimeError):
    """A placement model is infeasible or the solver did not reach optimality."""


class UsageError(SimError, ValueError):
    """A command-line flag or a workflow argument is malformed or out of range."""
