"""The incident-table schema: runs produce exactly its columns, the CSV follows it, the docs too."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from sim.results.schema import (
    TableError,
    check_table,
    column,
    column_names,
    empty_table,
    unit_arrival_column,
)
from sim.workflows.common import load
from sim.workflows.run import run_scenario
from tools.gen_reference import main as gen_reference

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "small_test.yaml"


@pytest.fixture(scope="module")
def small_table() -> dict[str, np.ndarray]:
    return run_scenario(load(SMALL, replications=1), workers=1, plots=False).table


def test_a_run_produces_the_schema_columns(small_table: dict[str, np.ndarray]) -> None:
    """The replication step builds exactly the schema's columns with the schema's dtypes."""
    assert tuple(small_table) == column_names()
    check_table(small_table)


def test_check_table_rejects_drift(small_table: dict[str, np.ndarray]) -> None:
    """A missing, extra or mistyped column is a bug the check catches."""
    missing = {k: v for k, v in small_table.items() if k != "burned_ha"}
    with pytest.raises(TableError, match="differ from the schema"):
        check_table(missing)
    with pytest.raises(TableError, match="differ from the schema"):
        check_table({**small_table, "extra_h": small_table["t_h"]})
    with pytest.raises(TableError, match="'queued' has numpy kind 'f'"):
        check_table({**small_table, "queued": small_table["t_h"]})
    with pytest.raises(TableError, match="different lengths"):
        check_table({**small_table, "t_h": small_table["t_h"][:-1]})


def test_unit_arrival_columns() -> None:
    """Unit-arrival columns follow the fixed ones and resolve to the family's entry."""
    assert unit_arrival_column("comms_vehicle") == "comms_vehicle_arrival_h"
    assert column_names(["comms_vehicle"])[-1] == "comms_vehicle_arrival_h"
    assert column("comms_vehicle_arrival_h").unit == "h"
    with pytest.raises(TableError):
        column("no_such_column")


def test_csv_header_is_the_schema(tmp_path: Path) -> None:
    """The golden incidents.csv has the schema's columns in the schema's order."""
    with (ROOT / "tests" / "golden" / "small_test" / "incidents.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == column_names()


def test_results_reference_is_up_to_date() -> None:
    """docs/results-reference.md is generated from the schema and the registry."""
    assert gen_reference(["--check"]) == 0, "run: python tools/gen_reference.py"


def test_empty_table_has_every_column_with_its_type_and_no_row() -> None:
    """A plan that was not simulated: the schema's columns (one per unit type at the end), each
    empty and of the schema's dtype, so it concatenates with simulated tables."""
    t = empty_table(["engine"])
    assert tuple(t) == column_names(["engine"])
    assert tuple(t)[-1] == unit_arrival_column("engine")
    assert all(v.shape == (0,) for v in t.values())
    assert t["t_h"].dtype == np.float64
    assert t["replication"].dtype.kind == "i"
    assert t["type"].dtype == object


def test_optional_true_asks_for_the_air_group() -> None:
    """`optional=True` means the first optional group, `air`: its one column air_mission comes
    after the fixed columns and before the unit-arrival ones, as optional=["air"] gives."""
    names = column_names(["engine"], optional=True)
    assert names[-2:] == ("air_mission", "engine_arrival_h")
    assert names == column_names(["engine"], optional=["air"])
