"""Shared parts of the placement models: result record, input checks, HiGHS plumbing, helpers."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np
import numpy.typing as npt

from sim.errors import OptimizationError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["BoolArray", "FloatArray", "IntArray", "PlacementResult"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: How many offending demand points an error message lists.
_MAX_LISTED = 5
#: Seed of the random keys that hash candidate sets; fixed so that models are reproducible.
_HASH_SEED = 20_100_501
#: Columns per block in the vectorised heuristics (bounds the temporary arrays).
_BLOCK_COLS = 128

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


def _as_p(p: object, n_candidates: int, n_fixed: int) -> int:
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
    k1: npt.NDArray[np.uint64] = np.asarray(
        rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    )
    k2: npt.NDArray[np.uint64] = np.asarray(
        rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    )
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


def _raise_unserved(model: str, assignment: IntArray) -> None:
    bad = np.flatnonzero(assignment < 0)
    listed = ", ".join(str(int(i)) for i in bad[:_MAX_LISTED])
    msg = (
        f"{model} infeasible: {bad.size:,} demand point(s) cannot reach an open facility: {listed}"
    )
    raise OptimizationError(msg)


def _coverage_mask(cost: FloatArray, threshold: float) -> BoolArray:
    return np.asarray(cost <= threshold)
