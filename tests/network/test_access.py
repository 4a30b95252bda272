"""Tests of sim.network.access: the off-network access leg."""

from __future__ import annotations

import numpy as np
import pytest

from sim import network as nw
from sim.errors import NetworkError


def test_access_time():
    """1 km at 30 km/h with circuity 1.4 takes 168 s; arrays work too."""
    assert nw.access_time_s(1000.0) == pytest.approx(168.0)
    np.testing.assert_allclose(
        nw.access_time_s(np.array([0.0, 500.0]), speed_kph=60, circuity=1.0), [0.0, 30.0]
    )
    with pytest.raises(NetworkError):
        nw.access_time_s(10.0, speed_kph=0)
