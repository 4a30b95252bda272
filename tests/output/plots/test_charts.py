"""Run charts (sim.output.plots.charts) drawn from hand-made metrics."""

from __future__ import annotations

import numpy as np

from sim.output.plots import plt
from sim.output.plots.charts import plot_coverage_by_hour
from sim.output.report import Doc, dispatch_rules


def _coverage_metrics() -> dict:
    by_hour = [0.9] * 24
    by_hour[3] = 0.6  # the night hour with the fewest engines available
    return {
        "coverage": {
            "unit_type": "engine",
            "threshold_h": 0.5,
            "share_mean": float(np.mean(by_hour)),
            "ci95": [0.86, 0.90],
            "by_hour": by_hour,
            "by_hour_ci95": [[x - 0.01, x + 0.01] for x in by_hour],
            "min_hour": 3,
        },
        "dispatch": {
            "reassigned_per_year": 12.0,
            "diverted_per_year": 3.5,
            "cover_moves_per_year": 40,
        },
    }


def test_coverage_chart_draws_the_share_by_hour_in_percent():
    """The step line is the share by hour in %, the dashed line the mean (88.75 %), both
    labelled in Chinese by default."""
    fig, ax = plot_coverage_by_hour(_coverage_metrics())
    step = ax.lines[0]
    assert np.allclose(step.get_xdata(), np.arange(24))
    assert np.allclose(step.get_ydata()[3], 60.0)
    assert np.allclose(np.delete(step.get_ydata(), 3), 90.0)
    assert np.allclose(ax.lines[1].get_ydata(), (90.0 * 23 + 60.0) / 24)
    assert "30 分钟内覆盖人口比例" in ax.get_ylabel()
    assert "88.8%" in ax.get_title()
    plt.close(fig)


def test_report_states_coverage_and_the_rules_actions():
    """The run report gives the mean share, its interval, the lowest hour and the rules'
    actions per year."""
    doc = Doc(title="t", lang="en")
    dispatch_rules(doc, _coverage_metrics(), "en")
    text = " ".join(str(b) for b in doc.blocks)
    assert "88.8%" in text
    assert "86.0%-90.0%" in text
    assert "lowest at 3:00-4:00 (60.0%)" in text
    assert "12.0 units sent on while driving home, 3.5 diverted en route, 40.0 cover moves" in text
