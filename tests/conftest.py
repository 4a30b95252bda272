"""Fixtures shared by test files in several packages."""

from __future__ import annotations

import pytest

from sim import network as nw


@pytest.fixture(scope="module")
def shaoguan() -> nw.RoadNetwork:
    """The embedded Shaoguan road network (memoised by `network_from_spec`)."""
    return nw.network_from_spec("shaoguan")
