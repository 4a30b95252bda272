"""Facility placement models (p-median, MCLP, LSCP, p-center) solved exactly with HiGHS.

Every model takes a cost matrix ``cost[i, j]`` from demand point ``i`` (rows) to candidate
site ``j`` (columns), in any unit (the simulator uses travel time in seconds). ``inf`` means
"candidate ``j`` cannot serve demand point ``i``" (for example an unreachable node); it never
enters a constraint matrix. Candidates listed in ``fixed`` are existing facilities that stay
open; ``p`` always counts the *new* facilities added on top of them.

Models are frozen specifications: ``Model.from_cost_matrix(...)`` validates the inputs and
``model.solve()`` builds a HiGHS model (with highspy's array API), solves it and returns a
frozen `PlacementResult`. Infeasible specifications raise `OptimizationError` before any
solver runs, with the numbers that make them infeasible; a solver that does not finish with
"optimal" raises `OptimizationError` naming the HiGHS status (see `PMedian.solve` for the one
exception: an explicit time limit with a feasible incumbent).
"""

from __future__ import annotations

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

#: How many infeasible demand points an error message lists.
_MAX_LISTED = 5
#: Seed of the random keys that hash candidate sets; fixed so that models are reproducible.
_HASH_SEED = 20_100_501
#: Columns per block in the vectorised greedy heuristics (bounds the temporary arrays).
_BLOCK_COLS = 128

# `highspy.Highs` (the Python wrapper) prints a banner when it is constructed, before any
# option can switch output off; the pybind class underneath does not, and is all we use.
_HighsClass = getattr(highspy, "_Highs", highspy.Highs)

_INF = np.inf
_MINIMIZE = int(highspy.ObjSense.kMinimize)
_MAXIMIZE = int(highspy.ObjSense.kMaximize)
_ROWWISE = int(highspy.MatrixFormat.kRowwise)
_INTEGER = int(highspy.HighsVarType.kInteger)
_CONTINUOUS = int(highspy.HighsVarType.kContinuous)


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
        Formulation that was solved, e.g. ``"compact"`` or ``"dense"`` for the p-median.
    objective
        Objective value in the model's own sense: total weighted cost (p-median), covered
        weight (MCLP), number of open facilities including `fixed` (LSCP), maximum cost
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
        Number of demand points with no open candidate within `threshold` (MCLP; 0 else).
    status
        HiGHS model status in lower case, normally ``"optimal"``; ``"time limit reached"``
        only when a time limit was given and a feasible incumbent is returned.
    mip_gap
        Relative gap between the returned objective and the best proven bound (0 if optimal).
    build_time_s
        Wall time spent building solver models, in seconds (summed over iterations).
    solve_time_s
        Wall time HiGHS spent solving, in seconds (summed over iterations).
    n_variables
        Columns of the (last) MIP handed to HiGHS.
    n_constraints
        Rows of the (last) MIP handed to HiGHS.
    iterations
        MIPs solved: more than one for the p-median compact formulation when its level
        window had to be widened, and for the p-center bisection; 0 if none was needed.
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
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:  # noqa: PLR2004
        msg = (
            "`cost` must be a 2-D array (demand points × candidates) with at least one row "
            f"and one column, got shape {a.shape}"
        )
        raise OptimizationError(msg)
    bad = np.isnan(a) | (a < 0)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        msg = (
            f"`cost` must be >= 0 or inf (inf = cannot serve); {int(bad.sum()):,} entries are "
            f"negative or NaN, first cost[{i}, {j}] = {a[i, j]!r}"
        )
        raise OptimizationError(msg)
    a.setflags(write=False)
    return a


def _as_vector(values: npt.ArrayLike, n: int, name: str, what: str) -> FloatArray:
    """Return a read-only float64 copy of a length-`n` vector of finite values >= 0."""
    try:
        v = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        msg = f"`{name}` must be a numeric 1-D array: {e}"
        raise OptimizationError(msg) from e
    v = v.reshape(-1) if v.ndim == 2 and 1 in v.shape else v  # noqa: PLR2004
    if v.shape != (n,):
        msg = f"`{name}` must have one value per {what} ({n:,}), got shape {v.shape}"
        raise OptimizationError(msg)
    bad = ~np.isfinite(v) | (v < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        msg = f"`{name}` must be finite and >= 0; {name}[{k}] = {v[k]!r}"
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
    """Return `p` (new facilities) after checking it fits the candidate set."""
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 0:
        msg = f"`p` must be an integer >= 0 (new facilities on top of `fixed`), got {p!r}"
        raise OptimizationError(msg)
    if p + n_fixed == 0:
        msg = "`p` is 0 and `fixed` is empty: the model would open no facility"
        raise OptimizationError(msg)
    if p + n_fixed > n_candidates:
        msg = (
            f"`p` = {p} new facilities plus {n_fixed} fixed exceed the {n_candidates:,} "
            "candidates"
        )
        raise OptimizationError(msg)
    return int(p)


def _as_threshold(threshold: float) -> float:
    t = float(threshold)
    if np.isnan(t) or t < 0:
        msg = f"`threshold` must be >= 0, got {threshold!r}"
        raise OptimizationError(msg)
    return t


def _check_servable(cost: FloatArray, model: str) -> None:
    """Raise if a demand point has no candidate with a finite cost."""
    dead = np.flatnonzero(~np.isfinite(cost).any(axis=1))
    if dead.size:
        listed = ", ".join(str(int(i)) for i in dead[:_MAX_LISTED])
        more = f" (and {dead.size - _MAX_LISTED:,} more)" if dead.size > _MAX_LISTED else ""
        msg = (
            f"{model} infeasible: {dead.size:,} demand point(s) cannot be served by any "
            f"candidate (every cost is inf): {listed}{more}"
        )
        raise OptimizationError(msg)


# --------------------------------------------------------------------------------------------
# HiGHS plumbing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class _Mip:
    """A MIP in HiGHS' row-wise array form (CSR constraint matrix)."""

    sense: int
    offset: float
    col_cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    integrality: npt.NDArray[np.int32]
    row_lower: FloatArray
    row_upper: FloatArray
    a_start: npt.NDArray[np.int32]  # length n_rows + 1
    a_index: npt.NDArray[np.int32]
    a_value: FloatArray

    @property
    def n_cols(self) -> int:
        return int(self.col_cost.size)

    @property
    def n_rows(self) -> int:
        return int(self.row_lower.size)


@dataclass(frozen=True, slots=True, eq=False)
class _Outcome:
    """What one HiGHS run returned."""

    x: FloatArray | None
    objective: float
    dual_bound: float
    status: str
    mip_gap: float
    run_time_s: float


class _RowBuilder:
    """Collect constraint rows as CSR blocks and assemble them into one `_Mip`."""

    def __init__(self) -> None:
        self._lengths: list[npt.NDArray[np.int64]] = []
        self._index: list[npt.NDArray[np.int64]] = []
        self._value: list[FloatArray] = []
        self._lower: list[FloatArray] = []
        self._upper: list[FloatArray] = []

    def add(
        self,
        lengths: npt.ArrayLike,
        index: npt.ArrayLike,
        value: npt.ArrayLike,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
    ) -> None:
        """Append rows given as row lengths plus concatenated column indices and values."""
        lengths = np.atleast_1d(np.asarray(lengths, dtype=np.int64))
        n = lengths.size
        self._lengths.append(lengths)
        self._index.append(np.asarray(index, dtype=np.int64).reshape(-1))
        self._value.append(np.broadcast_to(np.asarray(value, dtype=np.float64), (int(lengths.sum()),)))
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)))
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)))

    def build(  # noqa: PLR0913
        self,
        *,
        sense: int,
        offset: float,
        col_cost: FloatArray,
        col_lower: FloatArray,
        col_upper: FloatArray,
        integrality: npt.NDArray[np.int32],
    ) -> _Mip:
        """Return the assembled model."""
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0, np.int64)
        start = np.zeros(lengths.size + 1, dtype=np.int64)
        np.cumsum(lengths, out=start[1:])
        if start[-1] >= np.iinfo(np.int32).max:
            msg = f"model too large for HiGHS: {int(start[-1]):,} non-zeros"
            raise OptimizationError(msg)
        cat = np.concatenate
        return _Mip(
            sense=sense,
            offset=float(offset),
            col_cost=np.ascontiguousarray(col_cost, dtype=np.float64),
            col_lower=np.ascontiguousarray(col_lower, dtype=np.float64),
            col_upper=np.ascontiguousarray(col_upper, dtype=np.float64),
            integrality=np.ascontiguousarray(integrality, dtype=np.int32),
            row_lower=cat(self._lower) if self._lower else np.zeros(0),
            row_upper=cat(self._upper) if self._upper else np.zeros(0),
            a_start=start.astype(np.int32),
            a_index=(cat(self._index) if self._index else np.zeros(0)).astype(np.int32),
            a_value=np.ascontiguousarray(cat(self._value) if self._value else np.zeros(0)),
        )


def _run_highs(
    mip: _Mip,
    *,
    time_limit_s: float | None,
    mip_rel_gap: float,
    hint: FloatArray | None = None,
) -> _Outcome:
    """Solve `mip` with HiGHS and return the raw outcome (never raises on solver status)."""
    h = _HighsClass()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if time_limit_s is not None:
        h.setOptionValue("time_limit", max(float(time_limit_s), 1e-3))
    status = h.passModel(
        mip.n_cols,
        mip.n_rows,
        int(mip.a_index.size),
        _ROWWISE,
        mip.sense,
        mip.offset,
        mip.col_cost,
        mip.col_lower,
        mip.col_upper,
        mip.row_lower,
        mip.row_upper,
        np.ascontiguousarray(mip.a_start[:-1]),
        mip.a_index,
        mip.a_value,
        mip.integrality,
    )
    if status == highspy.HighsStatus.kError:  # pragma: no cover - arrays are built consistently
        msg = "HiGHS rejected the model arrays (passModel returned an error)"
        raise OptimizationError(msg)
    if hint is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(hint, dtype=np.float64).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    t0 = time.perf_counter()
    h.run()
    run_time_s = time.perf_counter() - t0
    model_status = h.modelStatusToString(h.getModelStatus()).lower()
    info = h.getInfo()
    has_solution = int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_solution else None
    return _Outcome(
        x=x,
        objective=float(info.objective_function_value),
        dual_bound=float(info.mip_dual_bound),
        status=model_status,
        mip_gap=float(info.mip_gap) if has_solution else _INF,
        run_time_s=run_time_s,
    )


def _accept(outcome: _Outcome, model: str, *, time_limit_s: float | None) -> FloatArray:
    """Return the solution vector, or raise unless HiGHS proved optimality.

    A run stopped by an explicit time limit is accepted when it holds a feasible incumbent.
    """
    if outcome.x is not None and (
        outcome.status == "optimal"
        or (time_limit_s is not None and outcome.status == "time limit reached")
    ):
        return outcome.x
    msg = f"{model}: HiGHS finished with status {outcome.status!r}"
    if outcome.status == "time limit reached":
        msg += " without a feasible solution"
    elif outcome.status != "infeasible":
        msg += " (no proven optimum)"
    raise OptimizationError(msg)


def _remaining(time_limit_s: float | None, started: float) -> float | None:
    if time_limit_s is None:
        return None
    return time_limit_s - (time.perf_counter() - started)


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _set_keys(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Return two random 64-bit keys per candidate for hashing candidate sets."""
    rng = np.random.default_rng(_HASH_SEED)
    k1 = rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    k2 = rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    return k1, k2


def _group_sets(
    row_of_entry: IntArray, col_of_entry: IntArray, n_rows: int, n_cols: int
) -> tuple[IntArray, IntArray]:
    """Group rows of a 0/1 sparse matrix (given as row-sorted entries) that have the same set.

    Two rows fall into one group when the sums of two independent random 64-bit keys over
    their column sets agree (probability of a false merge ~ 1e-38 per pair).

    Returns
    -------
    first, inverse
        ``first[g]`` is a representative row of group ``g``; ``inverse[r]`` is the group of
        row ``r``. Rows without entries get their own group each.
    """
    k1, k2 = _set_keys(n_cols)
    h1 = np.zeros(n_rows, dtype=np.uint64)
    h2 = np.zeros(n_rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.add.at(h1, row_of_entry, k1[col_of_entry])
        np.add.at(h2, row_of_entry, k2[col_of_entry])
    key = np.stack([h1, h2], axis=1)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    return first.astype(np.int64), inverse.reshape(-1).astype(np.int64)


def _csr_rows(mask: BoolArray) -> tuple[IntArray, IntArray, IntArray]:
    """Return (lengths, rows, cols) of the True entries of `mask`, in row-major order."""
    rows, cols = np.nonzero(mask)
    lengths = np.bincount(rows, minlength=mask.shape[0]).astype(np.int64)
    return lengths, rows.astype(np.int64), cols.astype(np.int64)


def _open_vector(x: FloatArray, n: int) -> BoolArray:
    return np.asarray(x[:n] > 0.5)  # noqa: PLR2004 - binaries come back as 0/1 +- tolerance


def _nearest_open(cost: FloatArray, is_open: BoolArray) -> tuple[IntArray, FloatArray]:
    """Return the nearest open candidate of every demand point and its cost."""
    open_idx = np.flatnonzero(is_open)
    sub = cost[:, open_idx]
    k = np.argmin(sub, axis=1)
    best = sub[np.arange(cost.shape[0]), k]
    assignment = np.where(np.isfinite(best), open_idx[k], -1).astype(np.int64)
    return assignment, best


def _result(  # noqa: PLR0913
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
    mip: _Mip | None,
    iterations: int,
) -> PlacementResult:
    selected = tuple(int(j) for j in np.flatnonzero(is_open))
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
    ws = float(w[served].sum())
    mean_cost = float((w[served] * assigned_cost[served]).sum() / ws) if ws > 0 else _INF
    if ws == 0 and served.any():
        mean_cost = float(assigned_cost[served].mean())
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
        added=tuple(j for j in selected if j not in set(fixed)),
        assignment=assignment,
        assigned_cost=assigned_cost,
        max_cost=float(assigned_cost[served].max()) if served.any() else _INF,
        mean_cost=mean_cost,
        coverage_fraction=coverage_fraction,
        threshold=threshold,
        n_uncovered=n_uncovered,
        status=status,
        mip_gap=float(mip_gap),
        build_time_s=build_time_s,
        solve_time_s=solve_time_s,
        n_variables=mip.n_cols if mip is not None else 0,
        n_constraints=mip.n_rows if mip is not None else 0,
        iterations=iterations,
    )


def _penalised(cost: FloatArray) -> FloatArray:
    """Replace inf by a large finite cost, for heuristics that need arithmetic on costs."""
    finite = cost[np.isfinite(cost)]
    big = (float(finite.max()) + 1.0) * 1e3 if finite.size else 1.0
    return np.where(np.isfinite(cost), cost, big)


def _greedy_add(
    cost_pen: FloatArray, weights: FloatArray, is_open: BoolArray, k: int, *, minimax: bool
) -> BoolArray:
    """Open `k` more candidates greedily (best total or best maximum cost at each step)."""
    is_open = is_open.copy()
    m, n = cost_pen.shape
    cur = cost_pen[:, is_open].min(axis=1) if is_open.any() else np.full(m, _INF)
    for _ in range(k):
        score = np.full(n, _INF)
        tie = np.full(n, _INF)
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


def _locate_allocate(
    cost_pen: FloatArray, weights: FloatArray, is_open: BoolArray, fixed_mask: BoolArray
) -> BoolArray:
    """Improve a p-median solution by re-centring each cluster (Maranzana 1964)."""
    is_open = is_open.copy()
    m = cost_pen.shape[0]
    rows = np.arange(m)

    def total(op: BoolArray) -> float:
        return float(weights @ cost_pen[:, op].min(axis=1))

    best_total = total(is_open)
    for _ in range(20):
        open_idx = np.flatnonzero(is_open)
        owner = open_idx[np.argmin(cost_pen[:, open_idx], axis=1)]
        trial = is_open.copy()
        for f in open_idx:
            if fixed_mask[f]:
                continue
            members = rows[owner == f]
            if members.size == 0:
                continue
            score = weights[members] @ cost_pen[members, :]
            score[trial & (np.arange(score.size) != f)] = _INF
            g = int(np.argmin(score))
            if g != f and score[g] < score[f]:
                trial[f] = False
                trial[g] = True
        new_total = total(trial)
        if new_total >= best_total - 1e-9 * max(1.0, abs(best_total)):
            break
        is_open, best_total = trial, new_total
    return is_open


# --------------------------------------------------------------------------------------------
# p-median
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class PMedian:
    r"""p-median: open `p` new facilities that minimise the total weighted cost.

    Formulation (Hakimi 1964; ReVelle & Swain 1970), the ``"dense"`` one::

        min   Σ_i Σ_j w_i c_ij x_ij
        s.t.  Σ_j x_ij = 1                 ∀ i          (every demand point is served)
              x_ij ≤ y_j                   ∀ i, j       (only by an open candidate)
              Σ_j y_j = p + |F|,  y_j = 1  ∀ j ∈ F      (F: the `fixed` candidates)
              Σ_i d_i x_ij ≤ Q_j y_j       ∀ j          (only with `capacities`)
              y_j ∈ {0, 1},  x_ij ∈ [0, 1]  ({0, 1} when capacitated: single sourcing)

    where ``w_i`` is the weight of demand point ``i``, ``c_ij`` the cost from ``i`` to
    candidate ``j`` (pairs with ``c_ij = inf`` get no ``x_ij``), ``d_i`` the `demand` and
    ``Q_j`` the capacity.

    The default ``"compact"`` formulation (Cornuéjols, Nemhauser & Wolsey 1980; Elloumi 2010)
    needs no ``x``. Sort row ``i`` as ``c_i(1) ≤ c_i(2) ≤ …`` and let ``S_ik`` be its ``k``
    cheapest candidates. With ``z_ik ≥ 0`` meaning "no open candidate among ``S_ik``"::

        min   Σ_i w_i ( c_i(1) + Σ_k (c_i(k+1) − c_i(k)) z_ik )
        s.t.  z_ik + Σ_{j ∈ S_ik} y_j ≥ 1   ∀ i, k with c_i(k+1) > c_i(k)
              Σ_j y_j = p + |F|,  y_j = 1 ∀ j ∈ F,  y_j ∈ {0, 1}

    It has the same LP bound as the dense model and is exact. This implementation shrinks it
    without losing exactness: prefixes that already contain a fixed facility or have at least
    ``n − (p + |F|) + 1`` candidates are always satisfied and dropped; rows with the same
    candidate set (common for nearby demand points) are merged into one, their costs added;
    and levels are generated lazily: the model starts with the levels up to each point's cost
    in a greedy + locate-allocate heuristic solution, and whenever the optimum serves a point
    beyond its last level, that point's window is widened and the model re-solved. Since a
    truncated model under-estimates cost, an optimum that stays inside every window is optimal
    for the full problem.

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
    def from_cost_matrix(  # noqa: PLR0913
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
            ``(n_demand,)`` weights ``>= 0`` (e.g. expected incidents).
        p
            Number of **new** facilities to open on top of `fixed`; the solution has
            ``p + len(fixed)`` open candidates. With ``fixed=()`` this is the classic
            p-median.
        fixed
            Indices of candidates that must be open (existing stations).
        capacities
            ``(n_candidates,)`` capacities; turns on the capacitated (single-sourcing) model,
            which only the dense formulation supports.
        demand
            ``(n_demand,)`` load that counts against `capacities`; defaults to `weights`.
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
        cap = None if capacities is None else _as_vector(capacities, n, "capacities", "candidate")
        if cap is None and demand is not None:
            msg = "`demand` only applies with `capacities`"
            raise OptimizationError(msg)
        dem = None
        if cap is not None:
            dem = w if demand is None else _as_vector(demand, m, "demand", "demand point")
            if formulation == "compact":
                msg = "the compact p-median formulation has no capacities; use 'dense'"
                raise OptimizationError(msg)
            _check_capacity(cap, dem, fx, p)
        _check_servable(c, "p-median")
        form: Literal["compact", "dense"] = (
            "dense" if formulation == "dense" or cap is not None else "compact"
        )
        return cls(c, w, p, fx, cap, dem, form)

    def solve(self, *, time_limit_s: float | None = None, mip_rel_gap: float = 0.0) -> PlacementResult:
        """Solve the model with HiGHS.

        Parameters
        ----------
        time_limit_s
            Wall-clock limit for HiGHS in seconds (summed over iterations), or ``None``.
            When it is hit and a feasible solution exists, that solution is returned with
            ``status="time limit reached"`` and its `mip_gap`; otherwise it raises.
        mip_rel_gap
            Relative optimality gap at which HiGHS may stop (``0.0`` = prove optimality).

        Returns
        -------
        result
            The `PlacementResult`; `objective` is the total weighted cost.

        Raises
        ------
        OptimizationError
            HiGHS found the model infeasible (e.g. ``inf`` costs that no choice of ``p``
            facilities can avoid) or stopped without a proven optimum.
        """
        if self.formulation == "dense":
            return self._solve_dense(time_limit_s, mip_rel_gap)
        return self._solve_compact(time_limit_s, mip_rel_gap)

    # -- dense --------------------------------------------------------------------------------

    def _build_dense(self) -> _Mip:
        c, w = self.cost, self.weights
        m, n = c.shape
        capacitated = self.capacities is not None
        lengths, rows, cols = _csr_rows(np.isfinite(c))
        n_x = rows.size
        x_col = n + np.arange(n_x, dtype=np.int64)
        col_cost = np.concatenate([np.zeros(n), w[rows] * c[rows, cols]])
        col_lower = np.zeros(n + n_x)
        col_lower[list(self.fixed)] = 1.0
        col_upper = np.ones(n + n_x)
        integrality = np.full(n + n_x, _CONTINUOUS, dtype=np.int32)
        integrality[:n] = _INTEGER
        if capacitated:
            integrality[n:] = _INTEGER
        rb = _RowBuilder()
        rb.add(lengths, x_col, 1.0, 1.0, 1.0)  # Σ_j x_ij = 1
        vub_index = np.stack([x_col, cols], axis=1).reshape(-1)  # x_ij − y_j ≤ 0
        vub_value = np.tile([1.0, -1.0], n_x)
        rb.add(np.full(n_x, 2), vub_index, vub_value, -_INF, 0.0)
        total = self.p + len(self.fixed)
        rb.add([n], np.arange(n), 1.0, float(total), float(total))
        if capacitated:
            assert self.capacities is not None
            assert self.demand is not None
            by_col = np.argsort(cols, kind="stable")
            per_col = np.bincount(cols, minlength=n)
            # Row j: Σ_i d_i x_ij − Q_j y_j ≤ 0, entries grouped per candidate.
            starts = np.concatenate([[0], np.cumsum(per_col)[:-1]])
            idx = np.empty(n_x + n, dtype=np.int64)
            val = np.empty(n_x + n)
            out_start = starts + np.arange(n)
            pos = np.arange(n_x) + np.repeat(np.arange(n), per_col)
            idx[pos] = x_col[by_col]
            val[pos] = self.demand[rows[by_col]]
            idx[out_start + per_col] = np.arange(n)
            val[out_start + per_col] = -self.capacities
            rb.add(per_col + 1, idx, val, -_INF, 0.0)
        return rb.build(
            sense=_MINIMIZE,
            offset=0.0,
            col_cost=col_cost,
            col_lower=col_lower,
            col_upper=col_upper,
            integrality=integrality,
        )

    def _solve_dense(self, time_limit_s: float | None, mip_rel_gap: float) -> PlacementResult:
        t0 = time.perf_counter()
        mip = self._build_dense()
        build_time_s = time.perf_counter() - t0
        out = _run_highs(mip, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap)
        x = _accept(out, "p-median", time_limit_s=time_limit_s)
        m, n = self.cost.shape
        is_open = _open_vector(x, n)
        if self.capacities is not None:
            rows, cols = np.nonzero(np.isfinite(self.cost))
            xv = x[n:]
            # Single sourcing: each row has exactly one x_ij = 1.
            assignment = np.full(m, -1, dtype=np.int64)
            take = xv > 0.5  # noqa: PLR2004
            assignment[rows[take]] = cols[take]
            assigned_cost = self.cost[np.arange(m), assignment]
        else:
            assignment, assigned_cost = _nearest_open(self.cost, is_open)
        objective = float(self.weights @ assigned_cost)
        return _result(
            model="p-median",
            formulation="dense",
            objective=objective,
            is_open=is_open,
            fixed=self.fixed,
            assignment=assignment,
            assigned_cost=assigned_cost,
            weights=self.weights,
            threshold=None,
            status=out.status,
            mip_gap=_gap(objective, out.dual_bound) if out.status != "optimal" else out.mip_gap,
            build_time_s=build_time_s,
            solve_time_s=out.run_time_s,
            mip=mip,
            iterations=1,
        )

    # -- compact ------------------------------------------------------------------------------

    def _solve_compact(self, time_limit_s: float | None, mip_rel_gap: float) -> PlacementResult:
        started = time.perf_counter()
        c, w = self.cost, self.weights
        m, n = c.shape
        total = self.p + len(self.fixed)
        fixed_mask = np.zeros(n, dtype=bool)
        fixed_mask[list(self.fixed)] = True

        t0 = time.perf_counter()
        levels = _Levels.from_cost(c, w, fixed_mask, total)
        # Start the level windows at the heuristic solution's cost: most points keep a
        # facility at least that close in the optimum.
        pen = _penalised(c)
        heur = _greedy_add(pen, w, fixed_mask, self.p, minimax=False)
        heur = _locate_allocate(pen, w, heur, fixed_mask)
        depth = levels.depth_for(_nearest_open(c, heur)[1])
        build_time_s = time.perf_counter() - t0
        solve_time_s = 0.0
        incumbent = heur
        iterations = 0
        while True:
            t0 = time.perf_counter()
            mip, group_sets = levels.build(depth)
            hint = levels.hint(incumbent, group_sets, mip.n_cols)
            build_time_s += time.perf_counter() - t0
            out = _run_highs(
                mip,
                time_limit_s=_remaining(time_limit_s, started),
                mip_rel_gap=mip_rel_gap,
                hint=hint,
            )
            solve_time_s += out.run_time_s
            iterations += 1
            x = _accept(out, "p-median", time_limit_s=time_limit_s)
            is_open = _open_vector(x, n)
            assignment, assigned_cost = _nearest_open(c, is_open)
            needed = levels.depth_for(assigned_cost)
            short = needed > depth
            log.debug(
                "p-median compact iteration %d: %d columns, %d rows, %d points outside window",
                iterations, mip.n_cols, mip.n_rows, int(short.sum()),
            )
            if not short.any() or out.status != "optimal":
                break
            incumbent = is_open
            depth = np.where(short, np.maximum(needed, 2 * depth + 1), depth)
        objective = float(w @ assigned_cost)
        return _result(
            model="p-median",
            formulation="compact",
            objective=objective,
            is_open=is_open,
            fixed=self.fixed,
            assignment=assignment,
            assigned_cost=assigned_cost,
            weights=w,
            threshold=None,
            status=out.status,
            mip_gap=_gap(objective, out.dual_bound) if out.status != "optimal" else out.mip_gap,
            build_time_s=build_time_s,
            solve_time_s=solve_time_s,
            mip=mip,
            iterations=iterations,
        )


def _gap(objective: float, bound: float) -> float:
    if not np.isfinite(bound):
        return _INF
    return abs(objective - bound) / max(abs(objective), 1e-12)


def _check_capacity(cap: FloatArray, dem: FloatArray, fixed: tuple[int, ...], p: int) -> None:
    """Raise if even the largest possible capacity cannot hold the total demand."""
    mask = np.zeros(cap.size, dtype=bool)
    mask[list(fixed)] = True
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


class _Levels:
    """The sorted cost levels of a p-median instance, from which compact models are built."""

    def __init__(  # noqa: PLR0913
        self,
        order: IntArray,
        sorted_cost: FloatArray,
        weights: FloatArray,
        limit: IntArray,
        hard_len: IntArray,
        n_total: int,
        fixed_mask: BoolArray,
        h1: npt.NDArray[np.uint64],
        h2: npt.NDArray[np.uint64],
    ) -> None:
        self.order = order
        self.sorted_cost = sorted_cost
        self.weights = weights
        self.limit = limit  # positions t < limit[i] may carry a variable
        self.hard_len = hard_len  # > 0: prefix of this length must hold an open candidate
        self.n_total = n_total
        self.fixed_mask = fixed_mask
        self.h1 = h1
        self.h2 = h2

    @classmethod
    def from_cost(
        cls, cost: FloatArray, weights: FloatArray, fixed_mask: BoolArray, n_total: int
    ) -> _Levels:
        m, n = cost.shape
        order = np.argsort(cost, axis=1, kind="stable")
        s = np.take_along_axis(cost, order, axis=1)
        fixed_cost = cost[:, fixed_mask].min(axis=1) if fixed_mask.any() else np.full(m, _INF)
        n_finite = np.isfinite(s).sum(axis=1)
        # Prefixes with ≥ n − P + 1 candidates always hold an open one (Elloumi 2010), and so
        # do those whose last cost reaches the nearest fixed facility.
        limit = np.minimum(n - n_total, n_finite - 1)
        limit = np.minimum(limit, (s < fixed_cost[:, None]).sum(axis=1))
        limit = np.maximum(limit, 0)
        needs_hard = (n_finite < n) & ~np.isfinite(fixed_cost) & (n_finite <= n - n_total)
        hard_len = np.where(needs_hard, n_finite, 0)
        k1, k2 = _set_keys(n)
        with np.errstate(over="ignore"):
            h1 = np.cumsum(k1[order], axis=1, dtype=np.uint64)
            h2 = np.cumsum(k2[order], axis=1, dtype=np.uint64)
        return cls(order, s, weights, limit.astype(np.int64), hard_len, n_total, fixed_mask, h1, h2)

    def depth_for(self, assigned_cost: FloatArray) -> IntArray:
        """Return, per demand point, how many levels a model needs to price `assigned_cost`."""
        s = self.sorted_cost
        # Number of sorted costs strictly below the assigned cost = levels that are "missed".
        need = (s < assigned_cost[:, None]).sum(axis=1)
        return np.minimum(need, self.limit).astype(np.int64)

    def build(self, depth: IntArray) -> tuple[_Mip, tuple[IntArray, IntArray]]:
        """Return the compact model with variables for positions ``t < depth[i]``.

        Also returns, per merged row, the representative demand point and prefix position.
        """
        s, order, w = self.sorted_cost, self.order, self.weights
        m, n = s.shape
        depth = np.minimum(depth, self.limit)
        t_idx = np.arange(n - 1)
        with np.errstate(invalid="ignore"):
            gap = s[:, 1:] - s[:, :-1]
        use = (t_idx[None, :] < depth[:, None]) & (gap > 0) & (w[:, None] > 0)
        ii, tt = np.nonzero(use)
        coef = w[ii] * gap[ii, tt]
        key = np.stack([self.h1[ii, tt], self.h2[ii, tt]], axis=1)
        if key.shape[0]:
            _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
            inverse = inverse.reshape(-1)
        else:
            first = np.zeros(0, dtype=np.int64)
            inverse = np.zeros(0, dtype=np.int64)
        n_groups = first.size
        group_cost = np.bincount(inverse, weights=coef, minlength=n_groups)
        gi, gt = ii[first], tt[first]

        rb = _RowBuilder()
        # Row g: z_g + Σ_{j in prefix(gi, gt)} y_j ≥ 1.
        lengths = gt + 2
        idx = _prefix_rows(order, gi, gt + 1, lead=n + np.arange(n_groups))
        rb.add(lengths, idx, 1.0, 1.0, _INF)
        hard = np.flatnonzero(self.hard_len > 0)
        if hard.size:
            hl = self.hard_len[hard]
            hidx = _prefix_rows(order, hard, hl, lead=None)
            rb.add(hl, hidx, 1.0, 1.0, _INF)
        rb.add([n], np.arange(n), 1.0, float(self.n_total), float(self.n_total))
        col_lower = np.zeros(n + n_groups)
        col_lower[:n][self.fixed_mask] = 1.0
        col_upper = np.ones(n + n_groups)
        integrality = np.full(n + n_groups, _CONTINUOUS, dtype=np.int32)
        integrality[:n] = _INTEGER
        served = w > 0
        offset = float(w[served] @ s[served, 0])
        mip = rb.build(
            sense=_MINIMIZE,
            offset=offset,
            col_cost=np.concatenate([np.zeros(n), group_cost]),
            col_lower=col_lower,
            col_upper=col_upper,
            integrality=integrality,
        )
        return mip, (gi, gt)

    def hint(self, is_open: BoolArray, group_sets: tuple[IntArray, IntArray], n_cols: int) -> FloatArray:
        """Return a full column vector for the solution `is_open` (a MIP start)."""
        gi, gt = group_sets
        n = is_open.size
        x = np.zeros(n_cols)
        x[:n] = is_open
        if gi.size:
            # z_g = 1 exactly when no open candidate is among the first gt+1 of row gi.
            first_open = np.argmax(is_open[self.order], axis=1)
            x[n:] = (first_open[gi] > gt).astype(float)
        return x


def _prefix_rows(order: IntArray, rows: IntArray, lengths: IntArray, *, lead: IntArray | None) -> IntArray:
    """Concatenate ``[lead[k]] + order[rows[k], :lengths[k]]`` for every k (vectorised)."""
    extra = 0 if lead is None else 1
    sizes = lengths + extra
    total = int(sizes.sum())
    owner = np.repeat(np.arange(rows.size), sizes)
    starts = np.zeros(rows.size, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    pos = np.arange(total, dtype=np.int64) - starts[owner] - extra
    out = np.empty(total, dtype=np.int64)
    body = pos >= 0
    out[body] = order[rows[owner[body]], pos[body]]
    if lead is not None:
        out[~body] = lead
    return out
