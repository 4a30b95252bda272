"""The p-center model, solved by bisection over the candidate radii with HiGHS set covers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim.analysis.placement.base import (
    _INF,
    _MINIMIZE,
    BoolArray,
    FloatArray,
    PlacementResult,
    _as_cost,
    _as_fixed,
    _as_p,
    _check_servable,
    _fixed_mask,
    _greedy_add,
    _nearest_open,
    _penalised,
    _raise_unserved,
    _remaining,
    _result,
    _Rows,
    _set_rows,
    _Solver,
    _unique_sets,
)
from sim.errors import OptimizationError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["PCenter"]


@dataclass(frozen=True, slots=True, eq=False)
class PCenter:
    r"""p-center: open `p` new facilities that minimise the largest cost to a demand point.

    Model (Hakimi 1964; the radius view of Minieka 1970 and Elloumi, Labbé & Pochet 2004)::

        min   r
        s.t.  every demand point i has an open j with c_ij ≤ r
              Σ_j y_j = p + |F|;  y_j = 1 ∀ j ∈ F;  y_j ∈ {0, 1}

    The optimal ``r`` is one of the distinct finite costs ``R_1 < R_2 < …``. The solver
    bisects over the ``R_k`` between a lower bound (the largest nearest-candidate cost) and an
    upper bound (a greedy solution); each step asks whether ``p`` new facilities can cover
    the points that `fixed` leaves uncovered within ``R_k``, i.e. a set-cover feasibility MIP
    ``Σ_{j: c_ij ≤ R_k} y_j ≥ 1 ∀ i, Σ_j y_j ≤ p`` with merged duplicate rows, answered first by
    a greedy cover when it uses at most ``p`` facilities. If the optimum needs fewer than ``p``
    new facilities, the rest are added greedily to lower the mean cost.

    Build instances with `from_cost_matrix`.
    """

    cost: FloatArray
    p: int
    fixed: tuple[int, ...]

    @classmethod
    def from_cost_matrix(cls, cost: npt.ArrayLike, p: int, *, fixed: Iterable[int] = ()) -> PCenter:
        """Validate a p-center specification.

        Parameters
        ----------
        cost
            ``(n_demand, n_candidates)`` costs; ``inf`` means the candidate cannot serve.
        p
            Number of **new** facilities on top of `fixed` (``p + len(fixed)`` open in all).
        fixed
            Indices of candidates that must be open.

        Returns
        -------
        model
            A frozen `PCenter`; call `solve`.
        """
        c = _as_cost(cost)
        n = c.shape[1]
        fx = _as_fixed(fixed, n)
        p = _as_p(p, n, len(fx))
        _check_servable(c, "p-center")
        return cls(c, p, fx)

    def solve(
        self, *, time_limit_s: float | None = None, mip_rel_gap: float = 0.0
    ) -> PlacementResult:
        """Solve the model by bisection over the candidate radii.

        Parameters
        ----------
        time_limit_s
            Wall-clock budget in seconds for all steps, or ``None``. When it runs out, the
            smallest radius proven feasible so far is returned with
            ``status="time limit reached"``.
        mip_rel_gap
            Stop bisecting once the relative gap between the feasible and the infeasible
            radius is at most this (``0.0`` = exact).

        Returns
        -------
        result
            The `PlacementResult`; `objective` is the largest assigned cost.

        Raises
        ------
        OptimizationError
            The `inf` costs leave a demand point unserved by any choice of facilities, or a
            step ended without an answer and no time limit was given.
        """
        started = time.perf_counter()
        t0 = started
        c = self.cost
        m, n = c.shape
        fixed_mask = _fixed_mask(self.fixed, n)
        total = self.p + len(self.fixed)
        pen = _penalised(c)
        if self.p == 0 or total == n:
            is_open = fixed_mask if self.p == 0 else np.ones(n, dtype=bool)
            return self._finish(
                is_open, "trivial", "optimal", 0.0, time.perf_counter() - t0, 0.0, (0, 0), 0
            )
        # Upper bound: greedy minimax. Lower bound: every point needs its nearest candidate.
        best_open: BoolArray | None = _greedy_add(pen, np.ones(m), fixed_mask, self.p, minimax=True)
        hi_value = float(c[:, best_open].min(axis=1).max())
        lo_value = float(c.min(axis=1).max())
        if not np.isfinite(hi_value):
            # Greedy could not reach everyone; the exact search decides feasibility.
            hi_value = float(c[np.isfinite(c)].max())
            best_open = None
        finite = c[np.isfinite(c)]
        radii = np.unique(finite[(finite >= lo_value) & (finite <= hi_value)])
        fixed_cost = c[:, fixed_mask].min(axis=1) if fixed_mask.any() else np.full(m, _INF)
        build_time_s = time.perf_counter() - t0
        solve_time_s = 0.0
        iterations = 0
        size = (0, 0)
        lo, hi = 0, radii.size - 1  # radii[hi] feasible (if best_open), radii < radii[lo] not
        status = "optimal"
        hi_known = best_open is not None
        while lo < hi or not hi_known:
            if hi_known and mip_rel_gap > 0 and radii[hi] - radii[lo] <= mip_rel_gap * radii[hi]:
                break
            mid = (lo + hi) // 2 if hi_known else hi
            t1 = time.perf_counter()
            answer, chosen, out_size, run_s = self._cover(
                radii[mid], c, pen, fixed_mask, fixed_cost, _remaining(time_limit_s, started)
            )
            build_time_s += time.perf_counter() - t1 - run_s
            solve_time_s += run_s
            if out_size != (0, 0):
                size = out_size
                iterations += 1
            if answer is None:  # time limit
                status = "time limit reached"
                if not hi_known:
                    msg = "p-center: HiGHS hit the time limit before a feasible solution was found"
                    raise OptimizationError(msg)
                break
            if answer:
                hi, best_open, hi_known = mid, chosen, True
            elif not hi_known:
                msg = (
                    "p-center: HiGHS finished with status 'infeasible': with the inf costs, no "
                    f"{self.p} new facilities can serve every demand point"
                )
                raise OptimizationError(msg)
            else:
                lo = mid + 1
        assert best_open is not None  # the loop only ends with a feasible radius known
        gap = (
            0.0
            if lo >= hi
            else float((radii[hi] - radii[lo]) / radii[hi])
            if radii[hi] > 0
            else 0.0
        )
        is_open = self._pad(best_open, pen, total)
        return self._finish(
            is_open, "radius-bisection", status, gap, build_time_s, solve_time_s, size, iterations
        )

    def _cover(
        self,
        radius: float,
        c: FloatArray,
        pen: FloatArray,
        fixed_mask: BoolArray,
        fixed_cost: FloatArray,
        time_limit_s: float | None,
    ) -> tuple[bool | None, BoolArray | None, tuple[int, int], float]:
        """Decide whether `p` new facilities cover, within `radius`, what `fixed` does not.

        Returns
        -------
        answer, chosen, size, run_time_s
            ``answer`` is None when the time limit stopped HiGHS; ``chosen`` the open set.
        """
        n = c.shape[1]
        need = np.flatnonzero(fixed_cost > radius)
        if need.size == 0:
            return True, fixed_mask.copy(), (0, 0), 0.0
        cover = c[need] <= radius
        cover[:, fixed_mask] = False
        if not cover.any(axis=1).all():
            return False, None, (0, 0), 0.0
        # A greedy cover with at most p sets settles the question without a MIP.
        left = np.ones(need.size, dtype=bool)
        chosen = fixed_mask.copy()
        for _ in range(self.p):
            gain = cover[left].sum(axis=0)
            j = int(np.argmax(gain))
            if gain[j] == 0:
                break
            chosen[j] = True
            left &= ~cover[:, j]
            if not left.any():
                return True, chosen, (0, 0), 0.0
        first, _ = _unique_sets(cover)
        cols_free = np.flatnonzero(~fixed_mask)
        col_map = np.full(n, -1, dtype=np.int64)
        col_map[cols_free] = np.arange(cols_free.size)
        lengths, cols = _set_rows(cover, first, col_map)
        rows = _Rows()
        rows.add(lengths, cols, 1.0, 1.0, _INF)
        rows.add([cols_free.size], np.arange(cols_free.size), 1.0, -_INF, float(self.p))
        solver = _Solver(
            sense=_MINIMIZE,
            offset=0.0,
            col_cost=np.zeros(cols_free.size),  # any feasible cover answers the question
            col_lower=np.zeros(cols_free.size),
            col_upper=np.ones(cols_free.size),
            integer=np.ones(cols_free.size, dtype=bool),
            rows=rows,
            mip_rel_gap=0.0,
        )
        out = solver.run(time_limit_s)
        size = (solver.n_cols, solver.n_rows)
        if out.status == "optimal" and out.x is not None:
            chosen = fixed_mask.copy()
            chosen[cols_free[out.x > 0.5]] = True
            return True, chosen, size, out.run_time_s
        if out.status == "infeasible":
            return False, None, size, out.run_time_s
        if out.status == "time limit reached" and time_limit_s is not None:
            return None, None, size, out.run_time_s
        msg = f"p-center: HiGHS finished with status {out.status!r} at radius {radius:,.6g}"
        raise OptimizationError(msg)

    def _pad(self, is_open: BoolArray, pen: FloatArray, total: int) -> BoolArray:
        missing = total - int(is_open.sum())
        if missing <= 0:
            return is_open
        return _greedy_add(pen, np.ones(pen.shape[0]), is_open, missing, minimax=False)

    def _finish(
        self,
        is_open: BoolArray,
        formulation: str,
        status: str,
        gap: float,
        build_time_s: float,
        solve_time_s: float,
        size: tuple[int, int],
        iterations: int,
    ) -> PlacementResult:
        assignment, assigned_cost = _nearest_open(self.cost, is_open)
        if (assignment < 0).any():
            _raise_unserved("p-center", assignment)
        return _result(
            model="p-center",
            formulation=formulation,
            objective=float(assigned_cost.max()),
            is_open=is_open,
            fixed=self.fixed,
            assignment=assignment,
            assigned_cost=assigned_cost,
            weights=None,
            threshold=None,
            status=status,
            mip_gap=gap,
            build_time_s=build_time_s,
            solve_time_s=solve_time_s,
            size=size,
            iterations=iterations,
        )
