"""The maximal covering location problem (MCLP), solved as one HiGHS MIP."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim.analysis.placement.base import (
    _INF,
    _MAXIMIZE,
    BoolArray,
    FloatArray,
    PlacementResult,
    _accept,
    _as_cost,
    _as_fixed,
    _as_p,
    _as_threshold,
    _as_vector,
    _coverage_mask,
    _fixed_mask,
    _gap,
    _greedy_add,
    _nearest_open,
    _result,
    _Rows,
    _set_rows,
    _Solver,
    _unique_sets,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MCLP"]


@dataclass(frozen=True, slots=True, eq=False)
class MCLP:
    r"""Maximal covering location problem: open `p` new facilities covering the most weight.

    Formulation (Church & ReVelle 1974)::

        max   Σ_i w_i u_i
        s.t.  u_i ≤ Σ_{j ∈ N_i} y_j          ∀ i        N_i = {j : c_ij ≤ threshold}
              Σ_j y_j = p + |F|;  y_j = 1   ∀ j ∈ F    F: the `fixed` candidates
              y_j ∈ {0, 1};  u_i ∈ [0, 1]

    ``u_i`` is 1 when demand point ``i`` (weight ``w_i``) has an open candidate within the
    threshold; at integral ``y`` the LP optimum makes it integral, so it is continuous.
    Points already covered by `fixed`, or by any ``p + |F|`` candidates (``|N_i| > n − p −
    |F|``), count as covered without a row; points no candidate covers are dropped; points
    with the same ``N_i`` share one ``u`` with their weights added.

    Build instances with `from_cost_matrix`.
    """

    cost: FloatArray
    weights: FloatArray
    threshold: float
    p: int
    fixed: tuple[int, ...]

    @classmethod
    def from_cost_matrix(
        cls,
        cost: npt.ArrayLike,
        weights: npt.ArrayLike,
        threshold: float,
        p: int,
        *,
        fixed: Iterable[int] = (),
    ) -> MCLP:
        """Validate an MCLP specification.

        Parameters
        ----------
        cost
            ``(n_demand, n_candidates)`` costs; ``inf`` means never covered.
        weights
            ``(n_demand,)`` weights ``>= 0``.
        threshold
            A demand point is covered by a candidate with ``cost <= threshold`` (same unit
            as `cost`, e.g. seconds).
        p
            Number of **new** facilities on top of `fixed` (``p + len(fixed)`` open in all).
        fixed
            Indices of candidates that must be open.

        Returns
        -------
        model
            A frozen `MCLP`; call `solve`.
        """
        c = _as_cost(cost)
        m, n = c.shape
        w = _as_vector(weights, m, "weights", "demand point")
        fx = _as_fixed(fixed, n)
        return cls(c, w, _as_threshold(threshold), _as_p(p, n, len(fx)), fx)

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
            The `PlacementResult`; `objective` is the covered weight, `assignment` is -1
            for uncovered points.
        """
        t0 = time.perf_counter()
        c, w = self.cost, self.weights
        n = c.shape[1]
        total = self.p + len(self.fixed)
        fixed_mask = _fixed_mask(self.fixed, n)
        cover = _coverage_mask(c, self.threshold)
        n_cover = cover.sum(axis=1)
        settled = cover[:, fixed_mask].any(axis=1) | (n_cover > n - total)
        free = np.flatnonzero(~settled & (n_cover > 0) & (w > 0))
        status, gap, size, solve_time_s, iterations = "optimal", 0.0, (0, 0), 0.0, 0
        if self.p == 0 or total == n or free.size == 0:
            is_open = fixed_mask if self.p == 0 else self._fill(fixed_mask, cover)
            build_time_s = time.perf_counter() - t0
        else:
            first, inverse = _unique_sets(cover[free])
            group_w = np.bincount(inverse, weights=w[free], minlength=first.size)
            g = first.size
            lengths, cols = _set_rows(cover, free[first])
            # Row g: u_g − Σ_{j ∈ N_g} y_j ≤ 0
            starts = np.zeros(g, dtype=np.int64)
            np.cumsum(lengths[:-1] + 1, out=starts[1:])
            idx = np.empty(cols.size + g, dtype=np.int64)
            val = np.full(cols.size + g, -1.0)
            idx[starts] = n + np.arange(g)
            val[starts] = 1.0
            body = np.ones(cols.size + g, dtype=bool)
            body[starts] = False
            idx[body] = cols
            rows = _Rows()
            rows.add(lengths + 1, idx, val, -_INF, 0.0)
            rows.add([n], np.arange(n), 1.0, float(total), float(total))
            integer = np.zeros(n + g, dtype=bool)
            integer[:n] = True
            solver = _Solver(
                sense=_MAXIMIZE,
                offset=0.0,
                col_cost=np.concatenate([np.zeros(n), group_w]),
                col_lower=np.concatenate([fixed_mask.astype(float), np.zeros(g)]),
                col_upper=np.ones(n + g),
                integer=integer,
                rows=rows,
                mip_rel_gap=mip_rel_gap,
            )
            build_time_s = time.perf_counter() - t0
            out = solver.run(time_limit_s)
            x = _accept(out, "MCLP", time_limit_s=time_limit_s)
            is_open = x[:n] > 0.5
            status, solve_time_s, iterations = out.status, out.run_time_s, 1
            size = (solver.n_cols, solver.n_rows)
            fixed_w = float(w[settled].sum())
            if status != "optimal" or mip_rel_gap > 0:
                gap = _gap(
                    float(w[(cover[:, is_open]).any(axis=1)].sum()), out.dual_bound + fixed_w
                )
        assignment, assigned_cost = _nearest_open(c, is_open)
        covered = assigned_cost <= self.threshold
        assignment = np.where(covered, assignment, -1)
        return _result(
            model="MCLP",
            formulation="coverage",
            objective=float(w[covered].sum()),
            is_open=is_open,
            fixed=self.fixed,
            assignment=assignment,
            assigned_cost=np.where(covered, assigned_cost, _INF),
            weights=w,
            threshold=self.threshold,
            status=status,
            mip_gap=gap,
            build_time_s=build_time_s,
            solve_time_s=solve_time_s,
            size=size,
            iterations=iterations,
        )

    def _fill(self, fixed_mask: BoolArray, cover: BoolArray) -> BoolArray:
        """Open `p` more candidates when no choice matters: greedily by covered weight."""
        if self.p + len(self.fixed) == fixed_mask.size:
            return np.ones(fixed_mask.size, dtype=bool)
        pen = np.where(cover, 0.0, 1.0)
        return _greedy_add(pen, self.weights, fixed_mask, self.p, minimax=False)
