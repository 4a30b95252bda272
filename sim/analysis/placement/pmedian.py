"""The p-median model: compact formulation by Benders branch-and-cut, or dense MIP."""

from __future__ import annotations

import heapq
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from sim.analysis.placement.base import (
    _BLOCK_COLS,
    _INF,
    _MINIMIZE,
    BoolArray,
    FloatArray,
    IntArray,
    PlacementResult,
    _accept,
    _as_cost,
    _as_fixed,
    _as_p,
    _as_vector,
    _check_servable,
    _fixed_mask,
    _gap,
    _greedy_add,
    _nearest_open,
    _Outcome,
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

__all__ = ["PMedian"]

log = logging.getLogger(__name__)

#: Rows per block when computing Benders cuts (bounds the temporary arrays).
_BLOCK_ROWS = 4096
#: A value within this distance of 0 or 1 counts as integral.
_INT_TOL = 1e-6
#: Relative amount by which a Benders cut must be violated to be added.
_CUT_TOL = 1e-9
#: Safety bound on cut rounds; each round adds at least one violated cut.
_MAX_ROUNDS = 10_000


def _interchange(
    cost_pen: FloatArray, weights: FloatArray, is_open: BoolArray, fixed_mask: BoolArray
) -> BoolArray:
    """Improve a p-median solution by best-improvement swaps (Teitz & Bart 1968).

    Each pass prices every (close r, open k) swap in O(n_demand × n_candidates) with the
    nearest / second-nearest bookkeeping of Whitaker (1983).
    """
    is_open = is_open.copy()
    m, n = cost_pen.shape
    rows = np.arange(m)
    movable = is_open & ~fixed_mask
    if not movable.any() or is_open.all():
        return is_open
    for _ in range(50 * int(movable.sum())):
        oi = np.flatnonzero(is_open)
        sub = cost_pen[:, oi]
        if oi.size > 1:
            two = np.argpartition(sub, 1, axis=1)[:, :2]
            da, db = sub[rows, two[:, 0]], sub[rows, two[:, 1]]
            first = np.where(da <= db, two[:, 0], two[:, 1])
            d1, d2 = np.minimum(da, db), np.maximum(da, db)
        else:
            first = np.zeros(m, dtype=np.int64)
            d1, d2 = sub[:, 0], np.full(m, _INF)
        owner = oi[first]
        total = float(weights @ d1)
        gain = np.empty(n)
        for lo in range(0, n, _BLOCK_COLS):
            gain[lo : lo + _BLOCK_COLS] = weights @ np.minimum(
                0.0, cost_pen[:, lo : lo + _BLOCK_COLS] - d1[:, None]
            )
        best_delta, best_pair = -1e-9 * max(1.0, abs(total)), None
        for r in oi:
            if fixed_mask[r]:
                continue
            members = rows[owner == r]
            c = cost_pen[members]
            loss = weights[members] @ (
                np.minimum(d2[members, None], c) - np.minimum(d1[members, None], c)
            )
            delta = gain + loss
            delta[is_open] = _INF
            k = int(np.argmin(delta))
            if delta[k] < best_delta:
                best_delta, best_pair = float(delta[k]), (int(r), k)
        if best_pair is None:
            break
        is_open[best_pair[0]] = False
        is_open[best_pair[1]] = True
    return is_open


@dataclass(frozen=True, slots=True, eq=False)
class PMedian:
    r"""p-median: open `p` new facilities that minimise the total weighted cost.

    ``"dense"`` formulation (Hakimi 1964; ReVelle & Swain 1970)::

        min   Σ_i Σ_j w_i c_ij x_ij
        s.t.  Σ_j x_ij = 1                  ∀ i        every demand point is served
              x_ij ≤ y_j                    ∀ i, j     ... by an open candidate
              Σ_j y_j = p + |F|;  y_j = 1   ∀ j ∈ F    F: the `fixed` candidates
              Σ_i d_i x_ij ≤ Q_j y_j        ∀ j        only with `capacities`
              y_j ∈ {0, 1};  x_ij ∈ [0, 1]  ({0, 1} when capacitated: single sourcing)

    ``w_i`` weight of demand point ``i``; ``c_ij`` its cost to candidate ``j`` (no ``x_ij``
    where ``c_ij = inf``); ``d_i`` its `demand`; ``Q_j`` the capacity of ``j``.

    ``"compact"`` formulation (Cornuéjols, Nemhauser & Wolsey 1980; Elloumi 2010), the
    default when there are no capacities. Sort row ``i`` as ``c_i(1) ≤ c_i(2) ≤ …``; let
    ``S_ik`` hold its ``k`` cheapest candidates and ``z_ik ≥ 0`` mean "none of ``S_ik`` is
    open"::

        min   Σ_i w_i ( c_i(1) + Σ_k (c_i(k+1) − c_i(k)) z_ik )
        s.t.  z_ik + Σ_{j ∈ S_ik} y_j ≥ 1   ∀ i, k
              Σ_j y_j = p + |F|;  y_j = 1 ∀ j ∈ F;  y_j ∈ {0, 1}

    It has the LP bound of the dense model and needs no ``x_ij``. It is solved by Benders
    decomposition (as in Duran-Mateluna, Ales & Elloumi 2023): for given ``y`` the ``z`` block
    of demand point ``i`` has a closed-form optimum, so the master LP keeps only ``y`` and one
    cost variable ``θ_i`` per demand point and receives optimality cuts

        θ_i ≥ c_i(k) − Σ_{j: c_ij < c_i(k)} (c_i(k) − c_ij) y_j

    at the level ``k`` where ``y`` first covers ``i``. Cuts are added until the LP point
    violates none (with "in-out" stabilisation at the root), then a best-first
    branch-and-cut on ``y`` closes the integrality gap: every node LP is re-solved warm by
    HiGHS with the global cut pool, nodes are pruned against the incumbent and fixed by
    reduced costs. An integral node LP that violates no cut is optimal for the full model.
    Identical cost rows are merged (weights added), zero-weight points dropped, and a greedy
    + swap heuristic (Teitz & Bart 1968) gives the first cuts and incumbent. Demand points
    that some candidates cannot serve (``inf``) get the row ``Σ_{j: c_ij < inf} y_j ≥ 1`` when
    neither `fixed` nor ``p`` implies it.

    Build instances with `from_cost_matrix`.
    """

    cost: FloatArray
    weights: FloatArray
    p: int
    fixed: tuple[int, ...]
    capacities: FloatArray | None
    demand: FloatArray | None
    formulation: Literal["compact", "dense"]

    @classmethod
    def from_cost_matrix(
        cls,
        cost: npt.ArrayLike,
        weights: npt.ArrayLike,
        p: int,
        *,
        fixed: Iterable[int] = (),
        capacities: npt.ArrayLike | None = None,
        demand: npt.ArrayLike | None = None,
        formulation: Literal["auto", "compact", "dense"] = "auto",
    ) -> PMedian:
        """Validate a p-median specification.

        Parameters
        ----------
        cost
            ``(n_demand, n_candidates)`` costs (e.g. travel time in seconds); ``inf`` means
            the candidate cannot serve the demand point.
        weights
            ``(n_demand,)`` weights ``>= 0`` (e.g. expected incidents per year).
        p
            Number of **new** facilities to open on top of `fixed`: the solution has
            ``p + len(fixed)`` open candidates. With ``fixed=()`` this is the classic
            p-median. (spopt's ``p_facilities`` counts the fixed ones too.)
        fixed
            Indices of candidates that must be open, e.g. existing stations.
        capacities
            ``(n_candidates,)`` capacities; turns on the capacitated model with single
            sourcing, which only the dense formulation supports.
        demand
            ``(n_demand,)`` load counted against `capacities`; defaults to `weights`.
        formulation
            {"auto", "compact", "dense"}
            ``"auto"`` is ``"compact"`` unless `capacities` is given.

        Returns
        -------
        model
            A frozen `PMedian`; call `solve`.

        Raises
        ------
        OptimizationError
            Invalid inputs, a demand point no candidate can serve, or capacities that cannot
            hold the total demand even with the largest ``p`` of them open.
        """
        c = _as_cost(cost)
        m, n = c.shape
        w = _as_vector(weights, m, "weights", "demand point")
        fx = _as_fixed(fixed, n)
        p = _as_p(p, n, len(fx))
        if formulation not in {"auto", "compact", "dense"}:
            msg = f"`formulation` must be 'auto', 'compact' or 'dense', got {formulation!r}"
            raise OptimizationError(msg)
        _check_servable(c, "p-median")
        if capacities is None:
            if demand is not None:
                msg = "`demand` only applies together with `capacities`"
                raise OptimizationError(msg)
            form: Literal["compact", "dense"] = "dense" if formulation == "dense" else "compact"
            return cls(c, w, p, fx, None, None, form)
        if formulation == "compact":
            msg = "the compact p-median formulation has no capacities; use 'dense' or 'auto'"
            raise OptimizationError(msg)
        cap = _as_vector(capacities, n, "capacities", "candidate")
        dem = w if demand is None else _as_vector(demand, m, "demand", "demand point")
        _check_capacity(cap, dem, fx, p)
        return cls(c, w, p, fx, cap, dem, "dense")

    def solve(
        self, *, time_limit_s: float | None = None, mip_rel_gap: float = 0.0
    ) -> PlacementResult:
        """Solve the model with HiGHS.

        Parameters
        ----------
        time_limit_s
            Wall-clock budget in seconds for all HiGHS runs, or ``None``. When it is hit with
            a feasible solution in hand, that solution is returned with
            ``status="time limit reached"`` and its gap; without one, it raises.
        mip_rel_gap
            Relative optimality gap at which HiGHS may stop (``0.0`` proves optimality).

        Returns
        -------
        result
            The `PlacementResult`; `objective` is the total weighted cost.

        Raises
        ------
        OptimizationError
            HiGHS found the model infeasible (e.g. ``inf`` costs that no choice of ``p``
            facilities avoids, or capacities that single sourcing cannot meet) or stopped
            without a proven optimum.
        """
        n = self.cost.shape[1]
        if self.p == 0 or self.p + len(self.fixed) == n:
            return self._trivial()
        if self.formulation == "dense":
            return self._solve_dense(time_limit_s, mip_rel_gap)
        return _MedianBenders(self).solve(time_limit_s, mip_rel_gap)

    def _trivial(self) -> PlacementResult:
        n = self.cost.shape[1]
        is_open = np.ones(n, dtype=bool) if self.p else _fixed_mask(self.fixed, n)
        if self.capacities is not None:
            # Capacities still decide the allocation, so let the solver do it.
            return self._solve_dense(None, 0.0)
        assignment, assigned_cost = _nearest_open(self.cost, is_open)
        if (assignment < 0).any():
            _raise_unserved("p-median", assignment)
        return _result(
            model="p-median",
            formulation="trivial",
            objective=float(self.weights @ assigned_cost),
            is_open=is_open,
            fixed=self.fixed,
            assignment=assignment,
            assigned_cost=assigned_cost,
            weights=self.weights,
            threshold=None,
            status="optimal",
            mip_gap=0.0,
            build_time_s=0.0,
            solve_time_s=0.0,
            size=(0, 0),
            iterations=0,
        )

    def _solve_dense(self, time_limit_s: float | None, mip_rel_gap: float) -> PlacementResult:
        t0 = time.perf_counter()
        c, w = self.cost, self.weights
        m, n = c.shape
        rows_i, cols_j = np.nonzero(np.isfinite(c))
        n_x = rows_i.size
        x_col = n + np.arange(n_x, dtype=np.int64)
        col_lower = np.zeros(n + n_x)
        col_lower[list(self.fixed)] = 1.0
        integer = np.zeros(n + n_x, dtype=bool)
        integer[:n] = True
        capacitated = self.capacities is not None
        integer[n:] = capacitated
        rows = _Rows()
        rows.add(np.bincount(rows_i, minlength=m), x_col, 1.0, 1.0, 1.0)  # Σ_j x_ij = 1
        # x_ij − y_j ≤ 0
        rows.add(
            np.full(n_x, 2),
            np.stack([x_col, cols_j], axis=1),
            np.tile([1.0, -1.0], n_x),
            -_INF,
            0.0,
        )
        total = float(self.p + len(self.fixed))
        rows.add([n], np.arange(n), 1.0, total, total)
        if capacitated:
            # Narrow the optional fields for the type checker; `capacitated` implies both.
            assert self.capacities is not None
            assert self.demand is not None
            # Σ_i d_i x_ij − Q_j y_j ≤ 0, one row per candidate: sort the x entries by column.
            by_col = np.argsort(cols_j, kind="stable")
            per_col = np.bincount(cols_j, minlength=n)
            starts = np.zeros(n, dtype=np.int64)
            np.cumsum(per_col[:-1] + 1, out=starts[1:])
            idx = np.empty(n_x + n, dtype=np.int64)
            val = np.empty(n_x + n)
            pos = np.arange(n_x) + np.repeat(np.arange(n), per_col)
            idx[pos] = x_col[by_col]
            val[pos] = self.demand[rows_i[by_col]]
            idx[starts + per_col] = np.arange(n)
            val[starts + per_col] = -self.capacities
            rows.add(per_col + 1, idx, val, -_INF, 0.0)
        solver = _Solver(
            sense=_MINIMIZE,
            offset=0.0,
            col_cost=np.concatenate([np.zeros(n), w[rows_i] * c[rows_i, cols_j]]),
            col_lower=col_lower,
            col_upper=np.ones(n + n_x),
            integer=integer,
            rows=rows,
            mip_rel_gap=mip_rel_gap,
        )
        build_time_s = time.perf_counter() - t0
        out = solver.run(time_limit_s)
        x = _accept(out, "p-median", time_limit_s=time_limit_s)
        is_open = x[:n] > 0.5
        if capacitated:
            take = x[n:] > 0.5
            assignment = np.full(m, -1, dtype=np.int64)
            assignment[rows_i[take]] = cols_j[take]
            assigned_cost = c[np.arange(m), assignment]
        else:
            assignment, assigned_cost = _nearest_open(c, is_open)
        objective = float(w @ assigned_cost)
        return _result(
            model="p-median",
            formulation="dense",
            objective=objective,
            is_open=is_open,
            fixed=self.fixed,
            assignment=assignment,
            assigned_cost=assigned_cost,
            weights=w,
            threshold=None,
            status=out.status,
            mip_gap=0.0 if out.status == "optimal" else _gap(objective, out.dual_bound),
            build_time_s=build_time_s,
            solve_time_s=out.run_time_s,
            size=(solver.n_cols, solver.n_rows),
            iterations=1,
        )


def _check_capacity(cap: FloatArray, dem: FloatArray, fixed: tuple[int, ...], p: int) -> None:
    """Raise if even the largest possible capacity cannot hold the total demand."""
    mask = _fixed_mask(fixed, cap.size)
    best_new = np.sort(cap[~mask])[::-1][:p]
    best = float(cap[mask].sum() + best_new.sum())
    need = float(dem.sum())
    if best < need:
        msg = (
            f"capacitated p-median infeasible: the largest possible capacity {best:,.6g} "
            f"({len(fixed)} fixed + the {p} largest other candidates) is below the total "
            f"demand {need:,.6g}"
        )
        raise OptimizationError(msg)


class _MedianBenders:
    """Benders decomposition of the compact p-median formulation (see `PMedian`)."""

    def __init__(self, model: PMedian) -> None:
        t0 = time.perf_counter()
        self.model = model
        cost, w = model.cost, model.weights
        n = cost.shape[1]
        self.n = n
        self.n_total = model.p + len(model.fixed)
        self.fixed_mask = _fixed_mask(model.fixed, n)
        # Identical cost rows have identical cuts: keep one, with the summed weight.
        rows = np.ascontiguousarray(cost).view(np.dtype((np.void, cost.dtype.itemsize * n)))
        _, first, inverse = np.unique(rows.reshape(-1), return_index=True, return_inverse=True)
        merged_w = np.bincount(inverse.reshape(-1), weights=w, minlength=first.size)
        self.keep = first[merged_w > 0]  # representative rows that carry weight
        self.w = merged_w[merged_w > 0]
        sub = cost[self.keep]
        self.order = np.argsort(sub, axis=1, kind="stable")
        self.sorted_cost = np.take_along_axis(sub, self.order, axis=1)
        self.n_finite = np.isfinite(self.sorted_cost).sum(axis=1)
        self.hard = self._hard_rows(cost[first])
        self.prep_time_s = time.perf_counter() - t0

    def _hard_rows(self, cost: FloatArray) -> _Rows:
        """Rows Σ_{j: c_ij < inf} y_j ≥ 1 where neither `fixed` nor the count imply them."""
        finite = np.isfinite(cost)
        n_finite = finite.sum(axis=1)
        fixed_ok = finite[:, self.fixed_mask].any(axis=1)
        need = (n_finite < self.n) & ~fixed_ok & (n_finite <= self.n - self.n_total)
        rows = _Rows()
        idx = np.flatnonzero(need)
        if idx.size:
            first, _ = _unique_sets(finite[idx])
            lengths, cols = _set_rows(finite, idx[first])
            rows.add(lengths, cols, 1.0, 1.0, _INF)
        return rows

    def cuts(
        self, y: FloatArray, at: FloatArray | None = None
    ) -> tuple[FloatArray, IntArray, FloatArray]:
        """Return, per kept demand point, a cut and its value at `y`.

        The cut is the one tight at `at` (default `y`): ``θ_i ≥ D − Σ_{u<t} (D − s_u) y_u``
        with ``t`` the first sorted position where the cumulated ``at`` reaches 1 and ``D`` the
        cost there. At ``at = y`` its value is the optimum of the point's ``z`` block; at
        integral ``y`` that is the cost to the nearest open candidate.

        Returns
        -------
        value, level, cut_cost
            Cut value at `y`, position ``t`` and cost ``D``, one per kept demand point.
        """
        at = y if at is None else at
        k = self.keep.size
        value = np.empty(k)
        level = np.empty(k, dtype=np.int64)
        cut_cost = np.empty(k)
        for lo in range(0, k, _BLOCK_ROWS):
            sl = slice(lo, lo + _BLOCK_ROWS)
            o, s = self.order[sl], self.sorted_cost[sl]
            cum_at = np.cumsum(at[o], axis=1)
            reached = (cum_at >= 1.0 - _INT_TOL) & np.isfinite(s)
            t = np.where(reached.any(axis=1), reached.argmax(axis=1), self.n_finite[sl] - 1)
            r = np.arange(t.size)
            d = s[r, t]
            # value = D − Σ_{u<t} (D − s_u) y_u = D (1 − Y_{t−1}) + Σ_{u<t} s_u y_u
            yo = y[o]
            cum = np.cumsum(yo, axis=1)
            csy = np.cumsum(np.where(np.isfinite(s), s, 0.0) * yo, axis=1)
            prev_y = np.where(t > 0, cum[r, t - 1], 0.0)
            prev_sy = np.where(t > 0, csy[r, t - 1], 0.0)
            value[sl] = d * (1.0 - prev_y) + prev_sy
            level[sl] = t
            cut_cost[sl] = d
        return value, level, cut_cost

    def cut_rows(self, points: IntArray, level: IntArray, cut_cost: FloatArray) -> _Rows:
        """Rows ``θ_i + Σ_{u < level} (D − s_u) y_{order_u} ≥ D`` for the given points."""
        t = level[points]
        d = cut_cost[points]
        lengths = t + 1
        total = int(lengths.sum())
        owner = np.repeat(np.arange(points.size), lengths)
        starts = np.zeros(points.size, dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        pos = np.arange(total) - starts[owner]
        idx = np.empty(total, dtype=np.int64)
        val = np.empty(total)
        lead = pos == 0
        idx[lead] = self.n + points
        val[lead] = 1.0
        body = ~lead
        ii = points[owner[body]]
        uu = pos[body] - 1
        idx[body] = self.order[ii, uu]
        val[body] = d[owner[body]] - self.sorted_cost[ii, uu]
        rows = _Rows()
        rows.add(lengths, idx, val, d, _INF)
        return rows

    def violated(
        self, x: FloatArray, core: BoolArray | None = None
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """Return the points whose cost variable `x` under-estimates, with their cuts.

        With `core` (an integral solution), cuts are also taken at the midpoint of `core` and
        the LP point ("in-out" stabilisation, Ben-Ameur & Neto 2007), and used instead when
        they cut off `x` at least half as much in total: early on they are deeper, near the
        end they would only creep, and then the exact cuts at `x` take over.
        """
        y = np.clip(x[: self.n], 0.0, 1.0)
        theta = x[self.n :]
        value, level, cut_cost = self.cuts(y)
        excess = value - theta
        bad = np.flatnonzero(excess > _CUT_TOL * np.maximum(1.0, np.abs(value)))
        if core is not None and bad.size:
            value_s, level_s, cost_s = self.cuts(y, at=0.5 * (y + core))
            excess_s = value_s - theta
            bad_s = np.flatnonzero(excess_s > _CUT_TOL * np.maximum(1.0, np.abs(value_s)))
            if excess_s[bad_s].sum() >= 0.5 * excess[bad].sum():
                return bad_s, level_s, cost_s
        return bad, level, cut_cost

    def solve(self, time_limit_s: float | None, mip_rel_gap: float) -> PlacementResult:
        started = time.perf_counter()
        model = self.model
        n, k = self.n, self.keep.size
        t0 = time.perf_counter()
        pen = _penalised(model.cost)
        self.best_open = _interchange(
            pen,
            model.weights,
            _greedy_add(pen, model.weights, self.fixed_mask, model.p, minimax=False),
            self.fixed_mask,
        )
        self.best_obj = self._objective(self.best_open)
        rows = _Rows()
        rows.add([n], np.arange(n), 1.0, float(self.n_total), float(self.n_total))
        rows.extend(self.hard)
        _, level, cut_cost = self.cuts(self.best_open.astype(float))
        self.solver = _Solver(
            sense=_MINIMIZE,
            offset=0.0,
            col_cost=np.concatenate([np.zeros(n), self.w]),
            col_lower=np.concatenate([self.fixed_mask.astype(float), self.sorted_cost[:, 0]]),
            col_upper=np.concatenate([np.ones(n), np.full(k, _INF)]),
            integer=np.zeros(n + k, dtype=bool),
            rows=rows,
            mip_rel_gap=0.0,
        )
        self.solver.add_rows(self.cut_rows(np.arange(k), level, cut_cost))
        self.build_time_s = self.prep_time_s + time.perf_counter() - t0
        self.solve_time_s = 0.0
        self.iterations = 0
        self.nodes = 0
        status, bound = self._branch_and_cut(time_limit_s, mip_rel_gap, pen, started)
        best_open = self.best_open
        cost = model.cost
        assignment, assigned_cost = _nearest_open(cost, best_open)
        objective = float(model.weights @ assigned_cost)
        gap = 0.0 if status == "optimal" and mip_rel_gap == 0 else _gap(objective, bound)
        log.debug(
            "p-median compact: %d LP runs, %d nodes, status %s", self.iterations, self.nodes, status
        )
        return _result(
            model="p-median",
            formulation="compact",
            objective=objective,
            is_open=best_open,
            fixed=model.fixed,
            assignment=assignment,
            assigned_cost=assigned_cost,
            weights=model.weights,
            threshold=None,
            status=status,
            mip_gap=gap,
            build_time_s=self.build_time_s,
            solve_time_s=self.solve_time_s,
            size=(self.solver.n_cols, self.solver.n_rows),
            iterations=self.iterations,
        )

    def _objective(self, is_open: BoolArray) -> float:
        return float(self.model.weights @ _nearest_open(self.model.cost, is_open)[1])

    def _offer(self, cand: BoolArray) -> None:
        """Keep `cand` if it beats the incumbent."""
        obj = self._objective(cand)
        if obj < self.best_obj:
            self.best_open, self.best_obj = cand.copy(), obj

    def _node_lp(
        self, lower: FloatArray, upper: FloatArray, time_limit_s: float | None, started: float
    ) -> tuple[str, FloatArray | None, _Outcome | None]:
        """Solve one node's LP with its y bounds, adding violated cuts until none is left.

        Returns
        -------
        status, x, outcome
            ``status`` is "optimal", "infeasible", "cutoff" (bound above the incumbent) or
            "time limit reached".
        """
        n = self.n
        self.solver.h.changeColsBounds(n, np.arange(n, dtype=np.int32), lower, upper)
        self.node_lp_bound = -_INF
        while True:
            out = self.solver.run(_remaining(time_limit_s, started))
            self.solve_time_s += out.run_time_s
            self.iterations += 1
            if out.status == "time limit reached" and time_limit_s is not None:
                return out.status, None, None
            if out.status == "infeasible":
                return "infeasible", None, out
            x = _accept(out, "p-median", time_limit_s=time_limit_s)
            # Every round's LP value bounds this subtree from below, whatever cuts follow.
            self.node_lp_bound = max(self.node_lp_bound, out.objective)
            if out.objective >= self._cutoff():
                return "cutoff", x, out
            t0 = time.perf_counter()
            core = self.best_open.astype(float) if self.nodes == 1 else None
            bad, level, cut_cost = self.violated(x, core)
            if bad.size:
                self.solver.add_rows(self.cut_rows(bad, level, cut_cost))
            self.build_time_s += time.perf_counter() - t0
            if not bad.size:
                return "optimal", x, out

    def _cutoff(self) -> float:
        if not np.isfinite(self.best_obj):
            return _INF
        return self.best_obj * (1.0 - self.rel_gap) - _CUT_TOL * max(1.0, abs(self.best_obj))

    def _branch_and_cut(
        self, time_limit_s: float | None, mip_rel_gap: float, pen: FloatArray, started: float
    ) -> tuple[str, float]:
        """Best-first branch-and-cut on y; every cut is globally valid and stays in the LP.

        Returns the final status and the best proven lower bound.
        """
        n = self.n
        self.rel_gap = float(mip_rel_gap)
        root_lower = self.fixed_mask.astype(float)
        root_upper = np.ones(n)
        heap: list[tuple[float, int, FloatArray, FloatArray]] = [(-_INF, 0, root_lower, root_upper)]
        counter = 1
        pruned = _INF  # lowest bound among subtrees pruned against the incumbent
        while heap:
            node_bound, _, lower, upper = heapq.heappop(heap)
            if node_bound >= self._cutoff():
                pruned = min(pruned, node_bound)
                continue
            self.nodes += 1
            status, x, out = self._node_lp(lower, upper, time_limit_s, started)
            if status == "time limit reached":
                if not np.isfinite(self.best_obj):
                    msg = "p-median: HiGHS hit the time limit before a feasible solution was found"
                    raise OptimizationError(msg)
                here = max(node_bound, self.node_lp_bound)
                return status, min([here, pruned] + [b for b, *_ in heap])
            if status == "infeasible" and self.nodes == 1:
                msg = (
                    "p-median: HiGHS finished with status 'infeasible' (the inf costs leave some "
                    "demand point without any reachable open candidate)"
                )
                raise OptimizationError(msg)
            if status == "cutoff":
                pruned = min(pruned, out.objective if out is not None else node_bound)
                continue
            if status == "infeasible":
                continue
            assert x is not None  # "optimal" nodes carry a solution and its duals
            assert out is not None
            y = x[:n]
            frac = np.flatnonzero((y > _INT_TOL) & (y < 1.0 - _INT_TOL))
            if frac.size == 0:
                self._offer(y > 0.5)
                continue
            # Round the LP point (largest y first) and polish it, to tighten the cutoff.
            t0 = time.perf_counter()
            top = np.argsort(-(y + 2.0 * lower))[: self.n_total]
            cand = np.zeros(n, dtype=bool)
            cand[top] = True
            if self.nodes == 1:
                cand = _interchange(pen, self.model.weights, cand, self.fixed_mask)
            self._offer(cand)
            self.build_time_s += time.perf_counter() - t0
            if out.objective >= self._cutoff():
                pruned = min(pruned, out.objective)
                continue
            lower, upper = lower.copy(), upper.copy()
            if out.col_dual is not None:
                # LP value + reduced cost bounds every solution that flips y_j; where that
                # exceeds the incumbent, y_j keeps its LP value in this subtree.
                d = out.col_dual[:n]
                slack = self._cutoff() - out.objective
                lower[(y > 1.0 - _INT_TOL) & (-d > slack)] = 1.0
                upper[(y < _INT_TOL) & (d > slack)] = 0.0
            j = int(frac[np.argmin(np.abs(y[frac] - 0.5))])
            for value in (1.0, 0.0):
                lo, up = lower.copy(), upper.copy()
                lo[j] = up[j] = value
                heapq.heappush(heap, (out.objective, counter, lo, up))
                counter += 1
        if not np.isfinite(self.best_obj):  # pragma: no cover - the root LP would be infeasible
            msg = "p-median: no feasible solution exists"
            raise OptimizationError(msg)
        return "optimal", min(pruned, self.best_obj)
