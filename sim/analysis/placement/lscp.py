"""The location set covering problem (LSCP), solved as one HiGHS MIP."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim.analysis.placement.base import (
    _INF,
    _MAX_LISTED,
    _MINIMIZE,
    FloatArray,
    PlacementResult,
    _accept,
    _as_cost,
    _as_fixed,
    _as_threshold,
    _coverage_mask,
    _fixed_mask,
    _gap,
    _nearest_open,
    _result,
    _Rows,
    _set_rows,
    _Solver,
    _unique_sets,
)
from sim.errors import OptimizationError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["LSCP"]


def _fmt(value: float) -> str:
    """Format a cost for a message: thousands separators for large values."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


def _check_coverable(cost: FloatArray, threshold: float, model: str, unit: str) -> None:
    """Raise, listing the worst points, if some demand point has no candidate in range."""
    nearest = cost.min(axis=1)
    bad = np.flatnonzero(nearest > threshold)
    if bad.size == 0:
        return
    u = f" {unit}" if unit else ""
    worst = bad[np.argsort(-nearest[bad], kind="stable")][:_MAX_LISTED]
    parts = [
        f"demand point {int(i)} is {_fmt(nearest[i])}{u} from the nearest candidate"
        if np.isfinite(nearest[i])
        else f"demand point {int(i)} cannot be reached from any candidate (inf)"
        for i in worst
    ]
    more = f" ({bad.size:,} demand points in all)" if bad.size > len(worst) else ""
    msg = f"{model} infeasible: {'; '.join(parts)}, above threshold {_fmt(threshold)}{u}{more}"
    raise OptimizationError(msg)


@dataclass(frozen=True, slots=True, eq=False)
class LSCP:
    r"""Location set covering problem: the fewest facilities that cover every demand point.

    Formulation (Toregas, Swain, ReVelle & Bergman 1971)::

        min   Σ_j y_j
        s.t.  Σ_{j ∈ N_i} y_j ≥ 1   ∀ i        N_i = {j : c_ij ≤ threshold}
              y_j = 1              ∀ j ∈ F    F: the `fixed` candidates
              y_j ∈ {0, 1}

    The objective counts the fixed facilities too. Rows already covered by `fixed` are
    dropped and identical rows are merged. Feasibility (every ``N_i`` non-empty) is checked
    before solving.

    Build instances with `from_cost_matrix`.
    """

    cost: FloatArray
    threshold: float
    fixed: tuple[int, ...]

    @classmethod
    def from_cost_matrix(
        cls, cost: npt.ArrayLike, threshold: float, *, fixed: Iterable[int] = (), unit: str = "s"
    ) -> LSCP:
        """Validate an LSCP specification.

        Parameters
        ----------
        cost
            ``(n_demand, n_candidates)`` costs; ``inf`` means never covered.
        threshold
            Coverage threshold in the unit of `cost`.
        fixed
            Indices of candidates that must be open.
        unit
            Unit of `cost` used in error messages (``"s"`` for travel times).

        Returns
        -------
        model
            A frozen `LSCP`; call `solve`.

        Raises
        ------
        OptimizationError
            A demand point has no candidate within `threshold`; the message lists up to five
            of the farthest such points with their nearest-candidate cost.
        """
        c = _as_cost(cost)
        t = _as_threshold(threshold)
        fx = _as_fixed(fixed, c.shape[1])
        _check_coverable(c, t, "LSCP", unit)
        return cls(c, t, fx)

    def solve(
        self, *, time_limit_s: float | None = None, mip_rel_gap: float = 0.0
    ) -> PlacementResult:
        """Solve the model with HiGHS.

        Parameters
        ----------
        time_limit_s
            Wall-clock limit in seconds, or ``None`` (see `PMedian.solve`).
        mip_rel_gap
            Relative optimality gap at which HiGHS may stop.

        Returns
        -------
        result
            The `PlacementResult`; `objective` is the number of open facilities.
        """
        t0 = time.perf_counter()
        c = self.cost
        n = c.shape[1]
        fixed_mask = _fixed_mask(self.fixed, n)
        cover = _coverage_mask(c, self.threshold)
        free = np.flatnonzero(~cover[:, fixed_mask].any(axis=1))
        status, gap, size, solve_time_s, iterations = "optimal", 0.0, (0, 0), 0.0, 0
        if free.size == 0:
            is_open = fixed_mask
            build_time_s = time.perf_counter() - t0
        else:
            first, _ = _unique_sets(cover[free])
            lengths, cols = _set_rows(cover, free[first])
            rows = _Rows()
            rows.add(lengths, cols, 1.0, 1.0, _INF)
            solver = _Solver(
                sense=_MINIMIZE,
                offset=0.0,
                col_cost=np.ones(n),
                col_lower=fixed_mask.astype(float),
                col_upper=np.ones(n),
                integer=np.ones(n, dtype=bool),
                rows=rows,
                mip_rel_gap=mip_rel_gap,
            )
            build_time_s = time.perf_counter() - t0
            out = solver.run(time_limit_s)
            x = _accept(out, "LSCP", time_limit_s=time_limit_s)
            is_open = x > 0.5
            status, solve_time_s, iterations = out.status, out.run_time_s, 1
            size = (solver.n_cols, solver.n_rows)
            if status != "optimal" or mip_rel_gap > 0:
                gap = _gap(float(is_open.sum()), out.dual_bound)
        assignment, assigned_cost = _nearest_open(c, is_open)
        return _result(
            model="LSCP",
            formulation="set-cover",
            objective=float(is_open.sum()),
            is_open=is_open,
            fixed=self.fixed,
            assignment=assignment,
            assigned_cost=assigned_cost,
            weights=None,
            threshold=self.threshold,
            status=status,
            mip_gap=gap,
            build_time_s=build_time_s,
            solve_time_s=solve_time_s,
            size=size,
            iterations=iterations,
        )
