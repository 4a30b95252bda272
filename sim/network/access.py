"""Off-network access leg: time from a coordinate to its nearest road node."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.errors import NetworkError

#: Speed on the off-network leg from a coordinate to its nearest network node (km/h).
#: Assumption: village roads and tracks, matching the scenario default ``access.speed_kph``.
ACCESS_SPEED_KPH = 30.0
#: Ratio of road distance to straight-line distance on the access leg (assumption).
ACCESS_CIRCUITY = 1.4


def access_time_s(
    dist_m: Any, speed_kph: float = ACCESS_SPEED_KPH, circuity: float = ACCESS_CIRCUITY
) -> Any:
    """Return the time of an off-network access leg.

    Parameters
    ----------
    dist_m
        Straight-line (great-circle) distance in metres; scalar or array.
    speed_kph
        Travel speed off the network in km/h.
    circuity
        Road distance divided by straight-line distance (≥ 1).

    Returns
    -------
    time_s
        ``dist_m * circuity / speed`` in seconds, same shape as `dist_m`.
    """
    if speed_kph <= 0 or circuity < 1:
        msg = f"access speed_kph={speed_kph!r} must be > 0 and circuity={circuity!r} >= 1"
        raise NetworkError(msg)
    t = np.asarray(dist_m, dtype=float) * circuity / (speed_kph / 3.6)
    return float(t) if np.ndim(t) == 0 else t
