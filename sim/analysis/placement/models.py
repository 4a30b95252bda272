"""Facility placement models (p-median, MCLP, LSCP, p-center) solved exactly with HiGHS.

Every model takes a cost matrix ``cost[i, j]`` from demand point ``i`` (rows) to candidate
site ``j`` (columns), in any unit (the simulator uses travel time in seconds). ``inf`` means
"candidate ``j`` cannot serve demand point ``i``" (for example an unreachable node); it never
enters a constraint matrix. Candidates listed in ``fixed`` are existing facilities that stay
open; ``p`` always counts the *new* facilities opened on top of them.

Models are frozen specifications: ``Model.from_cost_matrix(...)`` validates the inputs and
``model.solve()`` builds HiGHS models with highspy's array API, solves them and returns a
frozen `PlacementResult`. Specifications that cannot be satisfied raise `OptimizationError`
before any solver runs, with the numbers that make them infeasible; a solver run that does not
end "optimal" raises `OptimizationError` naming the HiGHS status. The one exception: when the
caller sets ``time_limit_s`` and the limit is hit with a feasible solution in hand, that
solution is returned with ``status="time limit reached"`` and its `PlacementResult.mip_gap`.
"""

from __future__ import annotations

import heapq
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import highspy
import numpy as np
import numpy.typing as npt

from sim.errors import OptimizationError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["LSCP", "MCLP", "PCenter", "PMedian", "PlacementResult"]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: How many offending demand points an error message lists.
_MAX_LISTED = 5
#: Seed of the random keys that hash candidate sets; fixed so that models are reproducible.
_HASH_SEED = 20_100_501
#: Columns per block in the vectorised heuristics (bounds the temporary arrays).
_BLOCK_COLS = 128
#: Rows per block when computing Benders cuts (bounds the temporary arrays).
_BLOCK_ROWS = 4096
#: A value within this distance of 0 or 1 counts as integral.
_INT_TOL = 1e-6
#: Relative amount by which a Benders cut must be violated to be added.
_CUT_TOL = 1e-9
#: Safety bound on cut rounds; each round adds at least one violated cut.
_MAX_ROUNDS = 10_000

# `highspy.Highs` (the Python wrapper) prints a banner when it is constructed, before any
# option can switch output off; the pybind class underneath does not, and is all we need.
_HighsClass = getattr(highspy, "_Highs", highspy.Highs)

_INF = np.inf
_MINIMIZE = int(highspy.ObjSense.kMinimize)
_MAXIMIZE = int(highspy.ObjSense.kMaximize)
_ROWWISE = int(highspy.MatrixFormat.kRowwise)
_INTEGER = int(highspy.HighsVarType.kInteger)
_CONTINUOUS = int(highspy.HighsVarType.kContinuous)
_FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible)


# --------------------------------------------------------------------------------------------
# Result record
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class PlacementResult:
    """The solution of a placement model.

    Attributes
    ----------
    model
        {"p-median", "MCLP", "LSCP", "p-center"}
    formulation
        What was solved: ``"compact"`` or ``"dense"`` (p-median), ``"coverage"`` (MCLP),
        ``"set-cover"`` (LSCP), ``"radius-bisection"`` (p-center), or ``"trivial"`` when
        the inputs leave no choice (``p == 0``, or every candidate must open).
    objective
        Objective value in the model's own sense: total weighted cost (p-median), covered
        weight (MCLP), number of open facilities including `fixed` (LSCP), largest cost
        (p-center). Recomputed from `selected` and the cost matrix, not read from the solver.
    selected
        Sorted indices of every open candidate, the fixed ones included.
    fixed
        Sorted indices of the candidates that were forced open.
    added
        Sorted indices of the newly opened candidates (`selected` minus `fixed`).
    assignment
        Candidate index serving each demand point (read-only, length ``n_demand``): the
        nearest open candidate, or the solver's allocation for the capacitated p-median;
        ``-1`` when no open candidate covers the point (MCLP only).
    assigned_cost
        Cost from each demand point to its assigned candidate; ``inf`` where unassigned.
    max_cost
        Largest `assigned_cost` over the assigned demand points.
    mean_cost
        Weighted mean of `assigned_cost` over the assigned demand points (plain mean for LSCP
        and p-center, which take no weights).
    coverage_fraction
        Weighted fraction of demand within `threshold` (MCLP, LSCP); ``None`` otherwise.
    threshold
        Coverage threshold in cost units (MCLP, LSCP); ``None`` otherwise.
    n_uncovered
        Number of demand points with no open candidate within `threshold` (0 without one).
    status
        HiGHS model status in lower case: ``"optimal"``, or ``"time limit reached"`` when a
        time limit was given and hit and a feasible solution is returned.
    mip_gap
        Relative gap between `objective` and the best proven bound (0 when optimal).
    build_time_s
        Wall time spent building solver models and cuts, in seconds (summed).
    solve_time_s
        Wall time spent inside HiGHS, in seconds (summed over all runs).
    n_variables
        Columns of the last model handed to HiGHS (0 if none was needed).
    n_constraints
        Rows of the last model handed to HiGHS (0 if none was needed).
    iterations
        HiGHS runs: LP and MIP rounds of the p-median cut loop, bisection steps of the
        p-center; 1 for a single MIP; 0 when no solver run was needed.
    """

    model: str
    formulation: str
    objective: float
    selected: tuple[int, ...]
    fixed: tuple[int, ...]
    added: tuple[int, ...]
    assignment: IntArray
    assigned_cost: FloatArray
    max_cost: float
    mean_cost: float
    coverage_fraction: float | None
    threshold: float | None
    n_uncovered: int
    status: str
    mip_gap: float
    build_time_s: float
    solve_time_s: float
    n_variables: int
    n_constraints: int
    iterations: int


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


def _as_cost(cost: npt.ArrayLike) -> FloatArray:
    """Return a read-only float64 copy of `cost`, checking shape and values."""
    try:
        a = np.array(cost, dtype=np.float64)
    except (TypeError, ValueError) as e:
        msg = f"`cost` must be a numeric 2-D array: {e}"
        raise OptimizationError(msg) from e
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        msg = (
            "`cost` must be a 2-D array (demand points × candidates) with at least one row "
            f"and one column, got shape {a.shape}"
        )
        raise OptimizationError(msg)
    bad = np.isnan(a) | (a < 0)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        msg = (
            f"`cost` must be >= 0 or inf (inf = cannot serve); found {int(bad.sum()):,} "
            f"negative or NaN value(s), the first is cost[{i}, {j}] = {float(a[i, j])!r}"
        )
        raise OptimizationError(msg)
    a.setflags(write=False)
    return a


def _as_vector(values: npt.ArrayLike, n: int, name: str, what: str) -> FloatArray:
    """Return a read-only float64 copy of a length-`n` vector of finite values >= 0."""
    try:
        v = np.array(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as e:
        msg = f"`{name}` must be a numeric 1-D array: {e}"
        raise OptimizationError(msg) from e
    if v.shape != (n,):
        msg = f"`{name}` must have one value per {what} ({n:,}), got {v.size:,} values"
        raise OptimizationError(msg)
    bad = ~np.isfinite(v) | (v < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        msg = f"`{name}` must be finite and >= 0; {name}[{k}] = {float(v[k])!r}"
        raise OptimizationError(msg)
    v.setflags(write=False)
    return v


def _as_fixed(fixed: Iterable[int], n_candidates: int) -> tuple[int, ...]:
    """Return the sorted, de-duplicated fixed candidate indices, checking their range."""
    out: set[int] = set()
    for f in fixed:
        if isinstance(f, bool) or not isinstance(f, int | np.integer):
            msg = f"`fixed` must contain candidate indices (integers), got {f!r}"
            raise OptimizationError(msg)
        if not 0 <= int(f) < n_candidates:
            msg = f"`fixed` index {int(f)} is out of range for {n_candidates:,} candidates"
            raise OptimizationError(msg)
        out.add(int(f))
    return tuple(sorted(out))


def _as_p(p: int, n_candidates: int, n_fixed: int) -> int:
    """Return `p` (new facilities) after checking that it fits the candidate set."""
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 0:
        msg = f"`p` must be an integer >= 0 (new facilities on top of `fixed`), got {p!r}"
        raise OptimizationError(msg)
    if p + n_fixed == 0:
        msg = "`p` is 0 and `fixed` is empty: the model would open no facility"
        raise OptimizationError(msg)
    if p + n_fixed > n_candidates:
        msg = (
            f"`p` = {p} new facilities plus {n_fixed} fixed exceed the {n_candidates:,} candidates"
        )
        raise OptimizationError(msg)
    return int(p)


def _as_threshold(threshold: float) -> float:
    t = float(threshold)
    if np.isnan(t) or t < 0:
        msg = f"`threshold` must be >= 0, got {threshold!r}"
        raise OptimizationError(msg)
    return t


def _fixed_mask(fixed: tuple[int, ...], n: int) -> BoolArray:
    mask = np.zeros(n, dtype=bool)
    mask[list(fixed)] = True
    return mask


def _check_servable(cost: FloatArray, model: str) -> None:
    """Raise if a demand point has no candidate with a finite cost."""
    dead = np.flatnonzero(~np.isfinite(cost).any(axis=1))
    if dead.size:
        listed = ", ".join(str(int(i)) for i in dead[:_MAX_LISTED])
        more = f" and {dead.size - _MAX_LISTED:,} more" if dead.size > _MAX_LISTED else ""
        msg = (
            f"{model} infeasible: {dead.size:,} demand point(s) cannot be served by any "
            f"candidate (every cost is inf): {listed}{more}"
        )
        raise OptimizationError(msg)


# --------------------------------------------------------------------------------------------
# HiGHS plumbing
# --------------------------------------------------------------------------------------------


class _Rows:
    """Constraint rows in CSR form: row lengths, column indices, values and bounds."""

    def __init__(self) -> None:
        self.lengths: list[IntArray] = []
        self.index: list[IntArray] = []
        self.value: list[FloatArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []

    def add(
        self,
        lengths: npt.ArrayLike,
        index: npt.ArrayLike,
        value: npt.ArrayLike,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
    ) -> None:
        """Append rows given by their lengths and concatenated column indices and values."""
        lens = np.atleast_1d(np.asarray(lengths, dtype=np.int64))
        nnz = int(lens.sum())
        self.lengths.append(lens)
        self.index.append(np.asarray(index, dtype=np.int64).reshape(-1))
        self.value.append(np.broadcast_to(np.asarray(value, dtype=np.float64), (nnz,)))
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (lens.size,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (lens.size,)))

    def extend(self, other: _Rows) -> None:
        """Append all rows of `other`."""
        self.lengths += other.lengths
        self.index += other.index
        self.value += other.value
        self.lower += other.lower
        self.upper += other.upper

    def arrays(
        self,
    ) -> tuple[
        int, FloatArray, FloatArray, npt.NDArray[np.int32], npt.NDArray[np.int32], FloatArray
    ]:
        """Return ``(n_rows, lower, upper, start, index, value)`` ready for HiGHS."""
        if not self.lengths:
            z = np.zeros(0)
            zi = np.zeros(0, dtype=np.int32)
            return 0, z, z, zi, zi, z
        lens = np.concatenate(self.lengths)
        start = np.zeros(lens.size, dtype=np.int64)
        np.cumsum(lens[:-1], out=start[1:])
        nnz = int(lens.sum())
        if nnz >= np.iinfo(np.int32).max:
            msg = f"model too large for HiGHS: {nnz:,} non-zeros"
            raise OptimizationError(msg)
        return (
            int(lens.size),
            np.ascontiguousarray(np.concatenate(self.lower)),
            np.ascontiguousarray(np.concatenate(self.upper)),
            start.astype(np.int32),
            np.concatenate(self.index).astype(np.int32),
            np.ascontiguousarray(np.concatenate(self.value)),
        )


@dataclass(frozen=True, slots=True, eq=False)
class _Outcome:
    """What one HiGHS run returned."""

    x: FloatArray | None
    col_dual: FloatArray | None
    objective: float
    dual_bound: float
    status: str
    mip_gap: float
    run_time_s: float


class _Solver:
    """One HiGHS instance, built from arrays and optionally grown by rows between runs."""

    def __init__(
        self,
        *,
        sense: int,
        offset: float,
        col_cost: FloatArray,
        col_lower: FloatArray,
        col_upper: FloatArray,
        integer: BoolArray,
        rows: _Rows,
        mip_rel_gap: float,
    ) -> None:
        self.h = _HighsClass()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        n_rows, lower, upper, start, index, value = rows.arrays()
        integrality = np.where(integer, _INTEGER, _CONTINUOUS).astype(np.int32)
        status = self.h.passModel(
            int(col_cost.size),
            n_rows,
            int(index.size),
            _ROWWISE,
            sense,
            float(offset),
            np.ascontiguousarray(col_cost, dtype=np.float64),
            np.ascontiguousarray(col_lower, dtype=np.float64),
            np.ascontiguousarray(col_upper, dtype=np.float64),
            lower,
            upper,
            start,
            index,
            value,
            integrality,
        )
        if status == highspy.HighsStatus.kError:  # pragma: no cover - arrays are consistent
            msg = "HiGHS rejected the model arrays (passModel returned an error)"
            raise OptimizationError(msg)

    @property
    def n_cols(self) -> int:
        return int(self.h.getNumCol())

    @property
    def n_rows(self) -> int:
        return int(self.h.getNumRow())

    def add_rows(self, rows: _Rows) -> None:
        n_rows, lower, upper, start, index, value = rows.arrays()
        if n_rows:
            self.h.addRows(n_rows, lower, upper, int(index.size), start, index, value)

    def set_integer(self, cols: IntArray) -> None:
        self.h.changeColsIntegrality(
            int(cols.size),
            cols.astype(np.int32),
            np.full(cols.size, _INTEGER, dtype=np.uint8),
        )

    def fix_cols(self, cols: IntArray, value: float) -> None:
        """Fix the given columns at `value` (both bounds)."""
        if cols.size:
            v = np.full(cols.size, float(value))
            self.h.changeColsBounds(int(cols.size), cols.astype(np.int32), v, v)

    def set_start(self, x: FloatArray) -> None:
        """Offer a feasible MIP solution (all columns) as the incumbent."""
        self.h.setSolution(int(x.size), np.arange(x.size, dtype=np.int32), x.astype(np.float64))

    def run(self, time_limit_s: float | None) -> _Outcome:
        # HiGHS compares `time_limit` with a clock that keeps running across run() calls on
        # the same instance, so the budget for this call is added to what it already shows.
        limit = _INF if time_limit_s is None else self.h.getRunTime() + max(time_limit_s, 1e-3)
        self.h.setOptionValue("time_limit", limit)
        t0 = time.perf_counter()
        self.h.run()
        run_time_s = time.perf_counter() - t0
        status = self.h.modelStatusToString(self.h.getModelStatus()).lower()
        info = self.h.getInfo()
        has_x = int(info.primal_solution_status) == _FEASIBLE
        sol = self.h.getSolution()
        x = np.asarray(sol.col_value, dtype=np.float64) if has_x else None
        col_dual = np.asarray(sol.col_dual, dtype=np.float64) if sol.dual_valid else None
        return _Outcome(
            x=x,
            col_dual=col_dual,
            objective=float(info.objective_function_value),
            dual_bound=float(info.mip_dual_bound),
            status=status,
            mip_gap=float(info.mip_gap) if has_x else _INF,
            run_time_s=run_time_s,
        )


def _accept(outcome: _Outcome, model: str, *, time_limit_s: float | None) -> FloatArray:
    """Return the solution vector, or raise unless HiGHS proved optimality.

    A run stopped by an explicit time limit is accepted when it holds a feasible solution.
    """
    if outcome.x is not None and (
        outcome.status == "optimal"
        or (time_limit_s is not None and outcome.status == "time limit reached")
    ):
        return outcome.x
    msg = f"{model}: HiGHS finished with status {outcome.status!r}"
    if outcome.x is None and outcome.status == "time limit reached":
        msg += " before finding a feasible solution"
    elif outcome.status != "infeasible":
        msg += " without a proven optimum"
    raise OptimizationError(msg)


def _remaining(time_limit_s: float | None, started: float) -> float | None:
    if time_limit_s is None:
        return None
    return time_limit_s - (time.perf_counter() - started)


def _gap(objective: float, bound: float) -> float:
    if not np.isfinite(bound):
        return _INF
    return max(0.0, abs(objective - bound) / max(abs(objective), 1e-12))


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _row_keys(mask: BoolArray) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Hash the column set of every row of `mask` with two random 64-bit keys per column."""
    rng = np.random.default_rng(_HASH_SEED)
    n = mask.shape[1]
    k1 = rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    k2 = rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    h1 = np.zeros(mask.shape[0], dtype=np.uint64)
    h2 = np.zeros(mask.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for lo in range(0, n, _BLOCK_COLS):
            blk = mask[:, lo : lo + _BLOCK_COLS]
            h1 += np.where(blk, k1[lo : lo + _BLOCK_COLS], np.uint64(0)).sum(
                axis=1, dtype=np.uint64
            )
            h2 += np.where(blk, k2[lo : lo + _BLOCK_COLS], np.uint64(0)).sum(
                axis=1, dtype=np.uint64
            )
    return h1, h2


def _unique_sets(mask: BoolArray) -> tuple[IntArray, IntArray]:
    """Group the rows of `mask` that have the same set of True columns.

    Rows are compared through two independent 64-bit hashes of their sets, so a false merge
    needs a 128-bit collision (probability ~ 1e-38 per pair).

    Returns
    -------
    first, inverse
        ``first[g]`` is a representative row of group ``g``; ``inverse[r]`` is the group of
        row ``r``.
    """
    h1, h2 = _row_keys(mask)
    key = np.stack([h1, h2], axis=1)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return first.astype(np.int64), inverse.reshape(-1).astype(np.int64)


def _set_rows(
    mask: BoolArray, rows: IntArray, col_map: IntArray | None = None
) -> tuple[IntArray, IntArray]:
    """Return (lengths, column indices) of the True entries of ``mask[rows]``, row by row."""
    sub = mask[rows]
    r, c = np.nonzero(sub)
    lengths = np.bincount(r, minlength=rows.size).astype(np.int64)
    cols = c.astype(np.int64) if col_map is None else col_map[c]
    return lengths, cols


def _nearest_open(cost: FloatArray, is_open: BoolArray) -> tuple[IntArray, FloatArray]:
    """Return the nearest open candidate of every demand point (-1 if none) and its cost."""
    open_idx = np.flatnonzero(is_open)
    sub = cost[:, open_idx]
    k = np.argmin(sub, axis=1)
    best = sub[np.arange(cost.shape[0]), k]
    assignment = np.where(np.isfinite(best), open_idx[k], -1).astype(np.int64)
    return assignment, best


def _result(
    *,
    model: str,
    formulation: str,
    objective: float,
    is_open: BoolArray,
    fixed: tuple[int, ...],
    assignment: IntArray,
    assigned_cost: FloatArray,
    weights: FloatArray | None,
    threshold: float | None,
    status: str,
    mip_gap: float,
    build_time_s: float,
    solve_time_s: float,
    size: tuple[int, int],
    iterations: int,
) -> PlacementResult:
    selected = tuple(int(j) for j in np.flatnonzero(is_open))
    fixed_set = set(fixed)
    served = assignment >= 0
    w = np.ones(assignment.size) if weights is None else weights
    if threshold is None:
        coverage_fraction = None
        n_uncovered = 0
    else:
        covered = served & (assigned_cost <= threshold)
        total = float(w.sum())
        coverage_fraction = float(w[covered].sum()) / total if total > 0 else 1.0
        n_uncovered = int((~covered).sum())
    if served.any():
        ws = float(w[served].sum())
        mean_cost = (
            float(w[served] @ assigned_cost[served]) / ws
            if ws > 0
            else float(assigned_cost[served].mean())
        )
        max_cost = float(assigned_cost[served].max())
    else:
        mean_cost = max_cost = _INF
    assignment = assignment.copy()
    assignment.setflags(write=False)
    assigned_cost = assigned_cost.copy()
    assigned_cost.setflags(write=False)
    return PlacementResult(
        model=model,
        formulation=formulation,
        objective=float(objective),
        selected=selected,
        fixed=fixed,
        added=tuple(j for j in selected if j not in fixed_set),
        assignment=assignment,
        assigned_cost=assigned_cost,
        max_cost=max_cost,
        mean_cost=mean_cost,
        coverage_fraction=coverage_fraction,
        threshold=threshold,
        n_uncovered=n_uncovered,
        status=status,
        mip_gap=float(mip_gap),
        build_time_s=build_time_s,
        solve_time_s=solve_time_s,
        n_variables=size[0],
        n_constraints=size[1],
        iterations=iterations,
    )


def _penalised(cost: FloatArray) -> FloatArray:
    """Replace inf by a large finite cost, for heuristics that need arithmetic on costs."""
    finite = np.isfinite(cost)
    big = (float(cost[finite].max()) + 1.0) * 1e3 if finite.any() else 1.0
    return np.where(finite, cost, big)


def _greedy_add(
    cost_pen: FloatArray, weights: FloatArray, is_open: BoolArray, k: int, *, minimax: bool
) -> BoolArray:
    """Open `k` more candidates greedily: best total (or best maximum) cost at each step."""
    is_open = is_open.copy()
    m, n = cost_pen.shape
    cur = cost_pen[:, is_open].min(axis=1) if is_open.any() else np.full(m, _INF)
    for _ in range(k):
        score = np.empty(n)
        tie = np.empty(n)
        for lo in range(0, n, _BLOCK_COLS):
            block = np.minimum(cur[:, None], cost_pen[:, lo : lo + _BLOCK_COLS])
            if minimax:
                score[lo : lo + _BLOCK_COLS] = block.max(axis=0)
                tie[lo : lo + _BLOCK_COLS] = block.sum(axis=0)
            else:
                score[lo : lo + _BLOCK_COLS] = weights @ block
                tie[lo : lo + _BLOCK_COLS] = 0.0
        score[is_open] = _INF
        best = int(np.lexsort((tie, score))[0])
        is_open[best] = True
        cur = np.minimum(cur, cost_pen[:, best])
    return is_open


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


# --------------------------------------------------------------------------------------------
# p-median
# --------------------------------------------------------------------------------------------


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


def _raise_unserved(model: str, assignment: IntArray) -> None:
    bad = np.flatnonzero(assignment < 0)
    listed = ", ".join(str(int(i)) for i in bad[:_MAX_LISTED])
    msg = (
        f"{model} infeasible: {bad.size:,} demand point(s) cannot reach an open facility: {listed}"
    )
    raise OptimizationError(msg)


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


# --------------------------------------------------------------------------------------------
# Coverage models
# --------------------------------------------------------------------------------------------


def _coverage_mask(cost: FloatArray, threshold: float) -> BoolArray:
    return np.asarray(cost <= threshold)


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


# --------------------------------------------------------------------------------------------
# p-center
# --------------------------------------------------------------------------------------------


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
        best_open = _greedy_add(pen, np.ones(m), fixed_mask, self.p, minimax=True)
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
