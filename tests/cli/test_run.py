"""The run command line: an unreachable Dask scheduler exits 2 without a traceback."""

from __future__ import annotations

import pytest

from sim.cli import main
from tests.helpers import SMALL


def test_unreachable_dask_scheduler_exits_2(capsys):
    """A scheduler address that does not answer is a clear error, not a traceback."""
    pytest.importorskip("distributed")
    code = main(
        [
            "run",
            str(SMALL),
            "--no-plots",
            "--quiet",
            "--dask",
            "tcp://127.0.0.1:9",
            "--out",
            "/tmp/x-never",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "dask scheduler" in err
    assert "Traceback" not in err
