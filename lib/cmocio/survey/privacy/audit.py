"""The disclosure audit: what an analyst holding only the published figures can prove about a hidden one.

The attacker this audit models knows, for one question and wave:

* every shown figure *exactly* (its yes count, no count and blanks: more than
  rounded shares and intervals reveal, so the audit errs on the safe side);
* every shown group size;
* that parts add up to their totals (marketing + IT = everyone, in every
  segment; the segments of a breakdown add up to the whole, for each group);
* that no count is negative (a count lies between 0 and its group's size).

For every hidden figure the audit finds, by linear programming (HiGHS), the
smallest and largest value of each of its counts that is consistent with all of
that, as statistical agencies do for tables (τ-ARGUS, sdcTable). A hidden
figure is *protected* when its feasible range

* never pins a count: its yes count and its no count (and, where the group's
  size is hidden too, how many answered and how many are in it) can each take
  at least two values one apart;
* never pins the group to unanimity: it may contain at least one yes and at
  least one no.

The decision uses only what is published, so it is the same whatever the
hidden people answered. To keep the number of linear programs small, a
range is first checked against a few points known to be feasible (the true
counts, and the optima of summed objectives); only the facts those points
leave open get a linear program of their own.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

TOL = 1e-6
_SOLVER = threading.local()


@dataclass
class Grid:
    """The cells of one wave (the same for every question) and the sums that tie them."""

    keys: list[tuple[str, str, str]]  # (dimension, segment, group)
    relations: list[tuple[list[int], int]]  # (parts, total), as positions in ``keys``
    touching: list[list[int]] = field(default_factory=list)  # relations each cell is in

    def __post_init__(self) -> None:
        self.touching = [[] for _ in self.keys]
        for r, (parts, total) in enumerate(self.relations):
            for c in (*parts, total):
                self.touching[c].append(r)

    def neighbours(self, cell: int) -> list[int]:
        """Every cell that shares a relation with ``cell``."""
        out: dict[int, None] = {}
        for r in self.touching[cell]:
            parts, total = self.relations[r]
            for c in (*parts, total):
                if c != cell:
                    out[c] = None
        return list(out)


_BANNER = threading.Lock()


def _highs():
    """A HiGHS instance for this thread, created once with its banner silenced.

    HiGHS prints its banner to file descriptor 1 when an instance is created, before any option
    can be set (a notebook kernel would show it). Descriptor 1 is pointed at /dev/null for that
    moment only, under a lock, so no two threads juggle it at once; without a descriptor 1 the
    banner is simply not silenced.
    """
    h = getattr(_SOLVER, "h", None)
    if h is None:
        import highspy

        with _BANNER:
            try:
                saved = os.dup(1)
            except OSError:
                saved = None
            if saved is None:
                h = highspy.Highs()
            else:
                devnull = os.open(os.devnull, os.O_WRONLY)
                try:
                    os.dup2(devnull, 1)
                    h = highspy.Highs()
                finally:
                    os.dup2(saved, 1)
                    os.close(saved)
                    os.close(devnull)
        h.setOptionValue("output_flag", False)
        _SOLVER.h = h
    return h


class Polytope:
    """{x >= 0 : A x = b}: the values of the hidden counts an attacker cannot rule out.

    Every polytope of a thread shares the thread's one HiGHS instance: use one at a time.
    """

    def __init__(self, n_vars: int, rows: list[dict[int, float]], rhs: list[float]):
        import highspy

        self.n = n_vars
        self.h = h = _highs()
        h.clearModel()
        h.addVars(n_vars, np.zeros(n_vars), np.full(n_vars, highspy.kHighsInf))
        self.a, self.b = sparse.csr_matrix((0, n_vars)), np.zeros(0)
        if rows:
            r = [i for i, row in enumerate(rows) for _ in row]
            c = [j for row in rows for j in row]
            v = [x for row in rows for x in row.values()]
            a = sparse.coo_matrix((v, (r, c)), shape=(len(rows), n_vars)).tocsr()  # duplicates are summed
            a.eliminate_zeros()
            b = np.asarray(rhs, dtype=float)
            h.addRows(len(rows), b, b, a.nnz, a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32),
                      a.data.astype(float))
            self.a, self.b = a, b
        self._idx = np.arange(n_vars, dtype=np.int32)

    def optimum(self, c: np.ndarray, maximise: bool) -> tuple[float, np.ndarray | None]:
        """Best value of c·x and a point reaching it (``inf`` and ``None`` when unbounded)."""
        import highspy

        h = self.h
        h.changeColsCost(self.n, self._idx, np.asarray(c, dtype=float))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            x = np.asarray(h.getSolution().col_value, dtype=float)
            return float(c @ x), x
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return (np.inf if maximise else -np.inf), None
        return self._afresh(np.asarray(c, dtype=float), maximise, h.modelStatusToString(status))

    def _afresh(self, c: np.ndarray, maximise: bool, why: str) -> tuple[float, np.ndarray | None]:
        """The same program solved from scratch (scipy's HiGHS), when a warm start ends without a verdict."""
        from scipy.optimize import linprog

        res = linprog(-c if maximise else c, A_eq=self.a if self.a.shape[0] else None,
                      b_eq=self.b if self.a.shape[0] else None, bounds=(0, None), method="highs")
        if res.status == 0:
            return float(c @ res.x), res.x
        if res.status == 3:
            return (np.inf if maximise else -np.inf), None
        raise RuntimeError(f"the disclosure audit's linear program failed ({why}; then {res.message})")


@dataclass
class Fact:
    """A fact about one hidden cell that must stay unproven: ``c·x`` takes two values one apart, or reaches 1."""

    cell: int
    c: np.ndarray
    truth: float
    kind: str  # "width" or "reach"


def unprotected(poly: Polytope, facts: list[Fact], truth: np.ndarray, objectives: list[np.ndarray]) -> list[int]:
    """Cells with a fact the attacker can prove: a pinned count or a unanimous group."""
    if not facts:
        return []
    points = [truth]
    for obj in objectives:
        for maximise in (True, False):
            _, x = poly.optimum(obj, maximise)
            if x is not None:
                points.append(x)
    pts = np.vstack(points)
    coef = np.vstack([f.c for f in facts])
    values = coef @ pts.T  # facts x points
    truths = np.array([f.truth for f in facts])
    width = np.array([f.kind == "width" for f in facts])
    ok = np.where(width, (np.abs(values - truths[:, None]) >= 1 - TOL).any(axis=1), (values >= 1 - TOL).any(axis=1))
    failed: dict[int, None] = {}
    found: list[np.ndarray] = []  # optima of the programs below: feasible points that may settle later facts

    def settled(f: Fact) -> bool:
        v = np.array([f.c @ x for x in found])
        return bool(len(v) and ((np.abs(v - f.truth) >= 1 - TOL).any() if f.kind == "width" else (v >= 1 - TOL).any()))

    for i in np.flatnonzero(~ok):
        f = facts[i]
        if f.cell in failed or settled(f):
            continue
        hi, x = poly.optimum(f.c, True)
        if x is not None:
            found.append(x)
        if f.kind == "reach":
            if hi < 1 - TOL:
                failed[f.cell] = None
            continue
        if hi >= f.truth + 1 - TOL:
            continue
        lo, x = poly.optimum(f.c, False)
        if x is not None:
            found.append(x)
        if lo > f.truth - 1 + TOL:
            failed[f.cell] = None
    return sorted(failed)


def _relation_rows(grid: Grid, hidden: np.ndarray, var_of: dict[int, int], known: np.ndarray
                   ) -> tuple[list[dict[int, float]], list[float]]:
    """Rows of ``parts - total = 0`` over the hidden cells, shown values moved to the right-hand side."""
    rows, rhs = [], []
    for parts, total in grid.relations:
        cells = [(c, 1.0) for c in parts] + [(total, -1.0)]
        if not any(hidden[c] for c, _ in cells):
            continue
        row: dict[int, float] = {}
        b = 0.0
        for c, coef in cells:
            if hidden[c]:
                row[var_of[c]] = row.get(var_of[c], 0.0) + coef
            else:
                b -= coef * known[c]
        rows.append(row)
        rhs.append(b)
    return rows, rhs


def exposed_sizes(grid: Grid, hidden: np.ndarray, members: list[np.ndarray], check: np.ndarray | None = None
                  ) -> list[int]:
    """Hidden group sizes an attacker can pin from the shown ones (of the cells ``check`` marks, default all).

    ``members`` holds one array of group sizes per weight class (one array when the data are unweighted or
    have many distinct weights): the attacker is taken to know each shown group's size in every class, which
    effective sample sizes reveal when weights take a few values.
    """
    cells = np.flatnonzero(hidden)
    if not len(cells) or (check is not None and not check[cells].any()):
        return []
    h, n_classes = len(cells), len(members)
    var_of = {int(c): i for i, c in enumerate(cells)}  # class j of cell i: j * h + i
    rows, rhs = [], []
    for j, known in enumerate(members):
        r, b = _relation_rows(grid, hidden, {c: v + j * h for c, v in var_of.items()}, known)
        rows += r
        rhs += b
    poly = Polytope(h * n_classes, rows, rhs)
    facts = [Fact(c, np.tile(np.eye(1, h, i).ravel(), n_classes), float(sum(m[c] for m in members)), "width")
             for c, i in var_of.items() if check is None or check[c]]
    truth = np.concatenate([m[cells] for m in members]).astype(float)
    return unprotected(poly, facts, truth, [np.ones(h * n_classes)])


def exposed_answers(grid: Grid, hidden: np.ndarray, size_hidden: np.ndarray, members: list[np.ndarray],
                    yes: list[np.ndarray], no: list[np.ndarray], check: np.ndarray | None = None) -> list[int]:
    """Hidden figures of one question an attacker can pin: yes, no or answered counts, or a unanimous group.

    Only the cells ``check`` marks (default all) are checked; the other hidden ones are unknowns of the sums.

    ``size_hidden`` marks cells whose group size is hidden too; the others' sizes are known to the attacker.
    ``members``, ``yes`` and ``no`` hold one array per weight class (see :func:`exposed_sizes`); shown figures
    are taken as known in every class.
    """
    cells = np.flatnonzero(hidden)
    if not len(cells) or (check is not None and not check[cells].any()):
        return []
    h, n_classes = len(cells), len(members)
    width = 3 * h
    var_of = {int(c): i for i, c in enumerate(cells)}  # class j: yes j*3h + i, no j*3h + h + i, blank j*3h + 2h + i
    rows, rhs, truth = [], [], []
    for j in range(n_classes):
        blank = members[j] - yes[j] - no[j]
        for offset, known in ((0, yes[j]), (h, no[j]), (2 * h, blank)):
            r, b = _relation_rows(grid, hidden, {c: v + j * width + offset for c, v in var_of.items()}, known)
            rows += r
            rhs += b
        for c, i in var_of.items():
            if not size_hidden[c]:
                rows.append({j * width + i: 1.0, j * width + h + i: 1.0, j * width + 2 * h + i: 1.0})
                rhs.append(float(members[j][c]))
        truth.append(np.concatenate([yes[j][cells], no[j][cells], blank[cells]]).astype(float))
    poly = Polytope(width * n_classes, rows, rhs)
    total = lambda a: float(sum(x[c] for x in a))  # noqa: E731 - over the classes
    facts = []
    for c, i in var_of.items():
        if check is not None and not check[c]:
            continue
        y = np.tile(np.eye(1, width, i).ravel(), n_classes)
        n = np.tile(np.eye(1, width, h + i).ravel(), n_classes)
        facts += [Fact(c, y, total(yes), "width"), Fact(c, n, total(no), "width"), Fact(c, y, 0.0, "reach"),
                  Fact(c, n, 0.0, "reach")]
        if size_hidden[c]:  # where the group's size is shown, how many answered is no more private than the size
            facts.append(Fact(c, y + n, total(yes) + total(no), "width"))
    blocks = [np.tile(np.concatenate([np.ones(h) * (j == k) for k in range(3)]), n_classes) for j in range(3)]
    return unprotected(poly, facts, np.concatenate(truth), blocks)
