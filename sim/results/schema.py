"""The incident table: every column of ``incidents.csv`` once, with its dtype, unit and meaning.

One replication's outcome becomes one table (a mapping of column name to a numpy array, one
row per incident); the table of a run stacks its replications. The step that builds the table
(`sim.model.replication`), the CSV writer (`sim.results.files`), the measures
(`sim.results.measures`), comparisons and charts all name columns from here, and
``docs/results-reference.md`` is generated from it (``python tools/gen_reference.py``).

Times ending in ``_h`` are hours; unless the meaning says otherwise they are counted from the
incident's onset (for a forest fire: its ignition). An empty CSV cell (NaN) means the event did
not happen before the end of the run.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.errors import SimError

Dtype = Literal["int", "float", "str", "bool"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the incident table.

    Attributes
    ----------
    name
        Column name (units in the name: ``_h`` hours, ``_ha`` hectares).
    dtype
        {"int", "float", "str", "bool"}: how the column is stored and written.
    unit
        Unit in words (``"h"``, ``"ha"``, ``"people"``, ``"degree"``, ``""`` for none).
    meaning
        What the column holds (English).
    meaning_zh
        What the column holds (Chinese).
    """

    name: str
    dtype: Dtype
    unit: str
    meaning: str
    meaning_zh: str


#: Columns of every incident table, in ``incidents.csv`` order.
INCIDENT_COLUMNS: tuple[Column, ...] = (
    Column("replication", "int", "", "replication index (0-based)", "重复次序（从 0 开始）"),
    Column(
        "id",
        "int",
        "",
        "incident number within its replication (1-based, in onset order)",
        "该次重复内的事件编号（按发生时间，从 1 开始）",
    ),
    Column("type", "str", "", "incident type (key of the scenario's `incidents`)", "事件类型"),
    Column(
        "priority",
        "int",
        "",
        "queue priority at the call: the type's, or its severity level's (1 = most urgent)",
        "接警时的排队优先级：事件类型的，或其事件等级的（1 最高）",
    ),
    Column(
        "t_h",
        "float",
        "h",
        "onset, hours since the start of the simulated period",
        "发生时刻（自仿真起点的小时数）",
    ),
    Column("lon", "float", "degree", "longitude of the incident (WGS84)", "经度（WGS84）"),
    Column("lat", "float", "degree", "latitude of the incident (WGS84)", "纬度（WGS84）"),
    Column(
        "county", "str", "", "county (县、市、区) whose polygon holds the point", "所在县（市、区）"
    ),
    Column(
        "town", "str", "", "town (镇、乡、街道) whose seat is nearest", "最近的乡镇（街道）驻地"
    ),
    Column("node", "int", "", "road-network node the incident is snapped to", "吸附的路网节点"),
    Column(
        "access_h",
        "float",
        "h",
        "off-network leg from the node to the incident point; forest fires: crews' walk-in; "
        "empty outside the city",
        "路网节点至事发点的路外段；森林火灾为徒步进入时间；市外事件为空",
    ),
    Column(
        "report_h",
        "float",
        "h",
        "onset to the call (detection delay of forest fires, else 0)",
        "发生至报警（森林火灾为发现延误，其余为 0）",
    ),
    Column(
        "first_arrival_h", "float", "h", "onset to the first unit on scene", "发生至首支力量到场"
    ),
    Column(
        "first_mode",
        "str",
        "",
        "how the first unit came: road, boat or air",
        "首支力量方式：道路、船艇或航空",
    ),
    Column("road_h", "float", "h", "first unit's road leg (duration)", "首支力量道路段时长"),
    Column("boat_h", "float", "h", "first unit's boat leg (duration)", "首支力量水上段时长"),
    Column(
        "air_h",
        "float",
        "h",
        "first unit's flight (duration, daylight wait included)",
        "首支力量飞行时长（含等待日出）",
    ),
    Column(
        "first_ground_h",
        "float",
        "h",
        "onset to the first ground unit on scene",
        "发生至首支地面力量到场",
    ),
    Column(
        "first_air_h", "float", "h", "onset to the first aircraft on scene", "发生至首架航空器到场"
    ),
    Column(
        "all_arrived_h",
        "float",
        "h",
        "onset to the full complement on scene",
        "发生至全部所需力量到场",
    ),
    Column("cleared_h", "float", "h", "onset to the end of work on scene", "发生至现场处置结束"),
    Column("wait_h", "float", "h", "onset to the first dispatch", "发生至首次派出"),
    Column(
        "queued",
        "bool",
        "",
        "1 if a requested unit had to wait in the queue",
        "是否有力量需排队等待（1 是）",
    ),
    Column(
        "contained_h", "float", "h", "forest fires: ignition to containment", "森林火灾：起火至控制"
    ),
    Column(
        "burned_ha",
        "float",
        "ha",
        "forest fires: area burned over (过火面积) at containment or end of run",
        "森林火灾：过火面积",
    ),
    Column(
        "damaged_ha",
        "float",
        "ha",
        "forest fires: damaged forest (受害森林面积), burned over × the fire block's "
        "damage_fraction",
        "森林火灾：受害森林面积（过火面积 × 受害比例）",
    ),
    Column(
        "comms_h",
        "float",
        "h",
        "onset to communications established on scene: first arrival of a unit with "
        "`comms_setup_min`, plus that setup time",
        "发生至现场应急通信建立（首支携带通信装备的力量到场并完成架设）",
    ),
    Column(
        "units_required", "int", "", "units requested, escalations included", "所需力量数（含增援）"
    ),
    Column("units_sent_n", "int", "", "units dispatched", "已派出力量数"),
    Column(
        "units_sent",
        "str",
        "",
        "dispatched units as facility/type#k, separated by ';'",
        "派出力量（设施/类型#序号，分号分隔）",
    ),
    Column(
        "affected_people", "int", "people", "people affected (disasters; 0 otherwise)", "受灾人数"
    ),
    Column(
        "relief_h",
        "float",
        "h",
        "onset to the first relief delivered at the incident (disasters only)",
        "发生至首批救灾物资送达现场",
    ),
    Column(
        "relief_done_h",
        "float",
        "h",
        "onset to first supplies in the hands of every affected person: each load's arrival, "
        "village last mile and hand-out by number of people; empty if need stayed unmet",
        "发生至全部受灾群众领到首批救助物资（含进村最后一段与按人数发放）",
    ),
    Column(
        "relief_unmet_people",
        "int",
        "people",
        "affected people no depot could cover",
        "库存无法覆盖的受灾人数",
    ),
    Column(
        "relief_depots",
        "str",
        "",
        "facility ids of the depots and village stores allocated, ';'",
        "调拨物资的储备库（分号分隔）",
    ),
    Column(
        "relief_air",
        "bool",
        "",
        "1 if the first relief came by helicopter",
        "首批物资是否由直升机投送",
    ),
    Column("mutual_aid_units", "int", "", "mutual-aid units sent", "调派的社会/军队支援力量数"),
    Column(
        "surge",
        "bool",
        "",
        "1 if the incident belongs to a surge day (typhoon)",
        "是否属于突发高峰日（台风）",
    ),
)

#: Columns present only in some runs, after the fixed columns, by group: `air` in scenarios with
#: aircraft rules, helicopter missions or staff (`sim.model.aircraft.uses_air_ops`), `levels` in
#: scenarios whose incident types have severity levels. Older scenarios keep their tables byte
#: for byte.
OPTIONAL_COLUMNS: tuple[Column, ...] = (
    Column(
        "air_mission",
        "str",
        "",
        "helicopter mission asked for: bucket (fire), hoist, medevac, transport, relief_drop, "
        "air (other aircraft demand); empty = none",
        "所需直升机任务：吊桶灭火、绞车吊救、医疗转运、人员投送、物资投送、其他；空 = 无",
    ),
    Column(
        "level",
        "str",
        "",
        "severity level at the call: general (一般), large (较大), major (重大), "
        "especially_major (特大); empty for types without levels",
        "接警时的事件等级：一般、较大、重大、特大（英文标识）；未分级的类型为空",
    ),
    Column(
        "level_final",
        "str",
        "",
        "severity level when the incident cleared, after escalation on scene",
        "处置结束时的事件等级（现场升级后）",
    ),
    Column(
        "escalations",
        "int",
        "",
        "times the incident grew to the next level on scene (more units requested)",
        "现场升级次数（每次增派力量）",
    ),
)
#: Optional column groups, in table order: group name -> its columns.
OPTIONAL_GROUPS: Mapping[str, tuple[str, ...]] = {
    "air": ("air_mission",),
    "levels": ("level", "level_final", "escalations"),
}

#: Column for the first arrival of one unit type; one per unit type named by a
#: ``unit_arrival`` target, after the fixed columns.
UNIT_ARRIVAL = Column(
    "{unit_type}_arrival_h",
    "float",
    "h",
    "onset to the first unit of this type on scene",
    "发生至该类型首支力量到场",
)

#: Columns of ``trips.csv``: one row per assignment of a unit (`sim.model.engine.Trip`).
TRIP_COLUMNS: tuple[Column, ...] = (
    Column("replication", "int", "", "replication index (0-based)", "重复次序（从 0 开始）"),
    Column("unit", "str", "", "unit label `<facility id>/<unit type>#<k>`", "力量编号"),
    Column("unit_type", "str", "", "unit type (key of `unit_types`)", "力量类型"),
    Column("home", "str", "", "facility id of the unit's home station", "所属站点"),
    Column(
        "kind",
        "str",
        "",
        "response (to an incident), relief (a truckload), air_relief (a helicopter load), "
        "cover (drive to stand by at another station and stand by), cover_return (drive home "
        "from standing by)",
        "出动类别：响应、物资运输、直升机物资投送、移防备勤、备勤返回",
    ),
    Column(
        "incident",
        "int",
        "",
        "incident number (`id` of incidents.csv; 0 for cover moves)",
        "事件编号（对应 incidents.csv 的 id；移防为 0）",
    ),
    Column("incident_type", "str", "", "incident type; empty for cover moves", "事件类型"),
    Column(
        "priority",
        "int",
        "",
        "queue priority of the incident when the unit was sent (0 for cover moves)",
        "派出时事件的排队优先级（移防为 0）",
    ),
    Column(
        "origin",
        "str",
        "",
        "sent from: station (its own), cover_post (standing by elsewhere), returning (driving "
        "home from `from_incident`), en_route (diverted from `from_incident`), cover_move or "
        "cover_return (on the road of a cover move)",
        "出发位置：本站、移防备勤点、返回途中、前往其他事件途中（改派）、移防途中",
    ),
    Column(
        "from_incident",
        "int",
        "",
        "incident the unit was driving home from or diverted from (0 = none)",
        "改派前所在/前往的事件编号（0 = 无）",
    ),
    Column(
        "from_priority",
        "int",
        "",
        "queue priority of `from_incident` then (0 = none)",
        "改派前事件的优先级（0 = 无）",
    ),
    Column("post", "str", "", "cover moves: facility id where the unit stands by", "移防备勤站点"),
    Column("dispatch_h", "float", "h", "sent", "派出时刻"),
    Column("arrive_h", "float", "h", "on scene, or at the cover post", "到场（或到达备勤点）时刻"),
    Column(
        "leave_h", "float", "h", "left the scene, or the cover post", "离开现场（或备勤点）时刻"
    ),
    Column("end_h", "float", "h", "home, or sent elsewhere (see `end`)", "返回本站或被改派的时刻"),
    Column(
        "end",
        "str",
        "",
        "how the row ended: home, reassigned (sent on while driving home), diverted (sent "
        "elsewhere before arriving), dispatched (sent to an incident from a cover move), "
        "released (left the cover post to go home), recalled (turned back: no road left), "
        "run_end (still out at the end of the run)",
        "结束方式：返回本站、返回途中改派、途中改派、移防中派出、解除备勤、道路中断折返、仿真结束时仍在外",
    ),
    Column(
        "gain_min",
        "float",
        "min",
        "diversions (origin en_route): how much earlier the unit arrives than the best free "
        "unit left for the call when it was chosen (empty: none was free, or not a diversion)",
        "途中改派：比当时可派的最佳空闲力量提前到场的时间（空 = 无空闲力量或非改派）",
    ),
)

COLUMN: Mapping[str, Column] = {c.name: c for c in (*INCIDENT_COLUMNS, *OPTIONAL_COLUMNS)}
OPTIONAL_NAMES = tuple(c.name for c in OPTIONAL_COLUMNS)


class TableError(SimError, RuntimeError):
    """An incident table does not match the schema (a bug, not a user error)."""


def unit_arrival_column(unit_type: str) -> str:
    """Return the column name of the first arrival of `unit_type` (hours from onset)."""
    return UNIT_ARRIVAL.name.format(unit_type=unit_type)


def _groups(optional: bool | Collection[str]) -> tuple[str, ...]:
    """Optional groups asked for: True = `air` (the first group), False = none, or names."""
    if isinstance(optional, bool):
        return ("air",) if optional else ()
    return tuple(g for g in OPTIONAL_GROUPS if g in optional)


def column_names(
    unit_types: Sequence[str] = (), *, optional: bool | Collection[str] = False
) -> tuple[str, ...]:
    """Return the table's columns in order: the fixed ones, those of the optional groups asked
    for (`optional`: True = `air`, or group names of `OPTIONAL_GROUPS`), then one per unit type."""
    return (
        tuple(c.name for c in INCIDENT_COLUMNS)
        + tuple(c for g in _groups(optional) for c in OPTIONAL_GROUPS[g])
        + tuple(unit_arrival_column(u) for u in unit_types)
    )


def unit_arrival_types(table: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the unit types that have a first-arrival column in `table`, in column order."""
    suffix = UNIT_ARRIVAL.name.removeprefix("{unit_type}")
    return tuple(c.removesuffix(suffix) for c in table if c not in COLUMN and c.endswith(suffix))


def column(name: str) -> Column:
    """Return the schema entry of a column (unit-arrival columns included)."""
    if name in COLUMN:
        return COLUMN[name]
    suffix = UNIT_ARRIVAL.name.removeprefix("{unit_type}")
    if name.endswith(suffix) and name != suffix:
        return Column(
            name,
            UNIT_ARRIVAL.dtype,
            UNIT_ARRIVAL.unit,
            UNIT_ARRIVAL.meaning,
            UNIT_ARRIVAL.meaning_zh,
        )
    msg = f"{name!r} is not a column of the incident table"
    raise TableError(msg)


_KINDS = {"int": "iub", "float": "fiu", "str": "OUS", "bool": "b"}


def check_table(
    table: Mapping[str, Any],
    unit_types: Sequence[str] = (),
    *,
    optional: bool | Collection[str] | None = None,
) -> None:
    """Raise `TableError` unless `table` has exactly the schema's columns, in order, of one length.

    Parameters
    ----------
    table
        Column name to array.
    unit_types
        Unit types that have a ``<unit_type>_arrival_h`` column.
    optional
        Optional column groups that must be there (as in `column_names`; None: the groups
        whose first column the table has).
    """
    if optional is None:
        optional = [g for g, cols in OPTIONAL_GROUPS.items() if cols[0] in table]
    want = column_names(unit_types, optional=optional)
    if tuple(table) != want:
        msg = f"incident table columns {list(table)} differ from the schema {list(want)}"
        raise TableError(msg)
    lengths = {len(v) for v in table.values()}
    if len(lengths) > 1:
        msg = f"incident table columns have different lengths: {sorted(lengths)}"
        raise TableError(msg)
    for name, values in table.items():
        kind = np.asarray(values).dtype.kind
        if len(values) and kind not in _KINDS[column(name).dtype]:
            msg = f"column {name!r} has numpy kind {kind!r}, the schema says {column(name).dtype}"
            raise TableError(msg)


_NUMPY_DTYPE: dict[str, Any] = {
    "int": np.int64,
    "float": np.float64,
    "str": object,
    "bool": np.bool_,
}


def empty_table(unit_types: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """Return a table with the schema's columns and no rows (a plan that was not simulated)."""
    return {c: np.zeros(0, dtype=_NUMPY_DTYPE[column(c).dtype]) for c in column_names(unit_types)}


def concat_tables(tables: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Stack the incident tables of several replications (their order kept)."""
    keys = list(tables[0])
    return {k: np.concatenate([np.asarray(t[k]) for t in tables]) for k in keys}
