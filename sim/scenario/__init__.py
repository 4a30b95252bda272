"""Scenario files: the validated, frozen scenario model, loading, overrides and error reporting.

The contract (every key, type and default) is ``docs/scenario-spec.md``; the user-facing
reference is ``docs/scenario-reference.md`` (tables generated from the field descriptions in
`sim.scenario.schema` by ``tools/gen_scenario_reference.py``).

Validation happens in two passes whose problems are collected together and raised as ONE
`ScenarioError`:

1. per-field checks by pydantic (types, ranges, unknown keys, place names, exactly-one-of forms);
2. cross-field checks on the raw mapping (references between sections, unique ids, what each
   target measure needs), run even when pass 1 found problems so that one run reports everything.

Soft problems (a required unit type with no unit anywhere, an unknown river name) are
``UserWarning``\\ s, issued only for a scenario without errors.

Modules: `schema` (the models), `load` (reading, ``extends:``, validation, dumping),
`overrides` (``KEY=VALUE`` changes), `assumptions` (the uncertain inputs a scenario declares:
their paths expanded and checked, samples put in); the private `_messages` (error text) and
`_checks` (cross-field checks, soft problems).
"""

from __future__ import annotations

from sim.scenario._checks import expected_incidents
from sim.scenario._messages import _unwrap as _unwrap  # used by tools/gen_scenario_reference.py
from sim.scenario.assumptions import (
    Resolved,
    assumption_settings,
    expand_path,
    resolve_assumptions,
    scenario_data_with,
)
from sim.scenario.load import (
    dump_scenario_yaml,
    load_scenario,
    merge_scenario_data,
    read_scenario_data,
    scenario_from_dict,
    scenario_to_dict,
)
from sim.scenario.overrides import apply_overrides
from sim.scenario.schema import (
    DEFAULT_PER_PERSON,
    DEFAULT_TRUCK_UNIT,
    Access,
    AirMission,
    AirScaling,
    AirSpec,
    Amount,
    Assumption,
    Aviation,
    AviationPoint,
    BoatSpec,
    Callback,
    Calls,
    ClosureRuleSpec,
    Detection,
    Disruption,
    Duration,
    Escalation,
    ExponentialAmount,
    ExponentialDuration,
    ExternalWhere,
    Facility,
    FireRain,
    FireSpec,
    FixedAmount,
    FixedDuration,
    ForestWhere,
    GammaAmount,
    GammaDuration,
    IncidentType,
    Label,
    Location,
    LognormalAmount,
    LognormalDuration,
    Maintenance,
    MutualAid,
    Point,
    PointsWhere,
    PopulationWhere,
    Rate,
    RegionSpec,
    Relief,
    Reserve,
    RiverWhere,
    Role,
    Roster,
    Scenario,
    Staffing,
    StaffSpec,
    StaticClosure,
    Surge,
    Target,
    UnitSpec,
    UnitType,
    Where,
)

__all__ = [
    "DEFAULT_PER_PERSON",
    "DEFAULT_TRUCK_UNIT",
    "Access",
    "AirMission",
    "AirScaling",
    "AirSpec",
    "Amount",
    "Assumption",
    "Aviation",
    "AviationPoint",
    "BoatSpec",
    "Callback",
    "Calls",
    "ClosureRuleSpec",
    "Detection",
    "Disruption",
    "Duration",
    "Escalation",
    "ExponentialAmount",
    "ExponentialDuration",
    "ExternalWhere",
    "Facility",
    "FireRain",
    "FireSpec",
    "FixedAmount",
    "FixedDuration",
    "ForestWhere",
    "GammaAmount",
    "GammaDuration",
    "IncidentType",
    "Label",
    "Location",
    "LognormalAmount",
    "LognormalDuration",
    "Maintenance",
    "MutualAid",
    "Point",
    "PointsWhere",
    "PopulationWhere",
    "Rate",
    "RegionSpec",
    "Relief",
    "Reserve",
    "Resolved",
    "RiverWhere",
    "Role",
    "Roster",
    "Scenario",
    "StaffSpec",
    "Staffing",
    "StaticClosure",
    "Surge",
    "Target",
    "UnitSpec",
    "UnitType",
    "Where",
    "apply_overrides",
    "assumption_settings",
    "dump_scenario_yaml",
    "expand_path",
    "expected_incidents",
    "load_scenario",
    "merge_scenario_data",
    "read_scenario_data",
    "resolve_assumptions",
    "scenario_data_with",
    "scenario_from_dict",
    "scenario_to_dict",
]
