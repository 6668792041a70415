"""A curious analyst with the published tables only: integer programs that try to pin a hidden count.

Written apart from :mod:`cmocio.survey.privacy.audit` (integer programming with
scipy's ``milp`` instead of HiGHS' linear programs through highspy, and reading
the published CSV text instead of the library's tables), so that a mistake in
the audit does not hide itself in its own test.

What the analyst knows, per wave: every shown group size; every shown figure's
answered count and its share as published (rounded to a whole percentage, so
its yes count lies in an interval); that marketing + IT = everyone and that the
segments of a breakdown add up to the whole, in every group; that counts are
whole numbers from 0 to the group's size; and, across releases of the same
data, that the same people stand behind both.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

ALL = "all"
FUNCTIONS = ("marketing", "it")
SIZES = "respondents"


def read_release(csv_text: str) -> pd.DataFrame:
    """A published table as the analyst reads it: text, blanks as missing."""
    t = pd.read_csv(io.StringIO(csv_text), dtype={"wave": str, "dimension": str, "segment": str},
                    keep_default_na=False, na_values={c: [""] for c in ("percent", "n_answered", "n_respondents",
                                                                        "n_eff")})
    t["suppressed"] = t["suppressed"].astype(str).isin(["True", "true"])
    return t


@dataclass
class Model:
    """Integer unknowns and linear constraints, built up release by release."""

    names: dict[tuple, int] = field(default_factory=dict)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)
    rows: list[dict[int, float]] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)

    def var(self, name: tuple, lo: float = 0, hi: float = math.inf) -> int:
        if name not in self.names:
            self.names[name] = len(self.lo)
            self.lo.append(lo)
            self.hi.append(hi)
        else:
            i = self.names[name]
            self.lo[i], self.hi[i] = max(self.lo[i], lo), min(self.hi[i], hi)
        return self.names[name]

    def add(self, coefs: dict[int, float], lo: float, hi: float) -> None:
        self.rows.append(coefs)
        self.row_lo.append(lo)
        self.row_hi.append(hi)

    def solve(self, objective: dict[int, float], maximise: bool) -> float:
        """The best value of the objective over whole-number solutions."""
        return self.point(objective, maximise)[0]

    def point(self, objective: dict[int, float], maximise: bool) -> tuple[float, np.ndarray]:
        """The best value and a whole-number solution reaching it.

        The linear relaxation is tried first: when its optimum is a whole-number point it is also
        the integer optimum; otherwise the integer program is solved.
        """
        n = len(self.lo)
        c = np.zeros(n)
        for i, v in objective.items():
            c[i] = -v if maximise else v
        if getattr(self, "_shape", None) != (len(self.rows), n):
            a = np.zeros((len(self.rows), n))
            for r, coefs in enumerate(self.rows):
                for i, v in coefs.items():
                    a[r, i] += v
            self._a, self._shape = a, (len(self.rows), n)
        hi = np.minimum(np.array(self.hi), 10 ** 7)  # unbounded sizes: large enough to never bind
        eq = np.array(self.row_lo) == np.array(self.row_hi)
        row_lo, row_hi = np.array(self.row_lo, float), np.array(self.row_hi, float)
        up, down = ~eq & np.isfinite(row_hi), ~eq & np.isfinite(row_lo)
        relaxed = linprog(c, A_ub=np.vstack([self._a[up], -self._a[down]]),
                          b_ub=np.concatenate([row_hi[up], -row_lo[down]]),
                          A_eq=self._a[eq], b_eq=np.array(self.row_lo)[eq], bounds=list(zip(self.lo, hi)),
                          method="highs")
        if relaxed.status == 0 and np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7):
            res = relaxed
        else:
            res = milp(c, constraints=LinearConstraint(self._a, self.row_lo, self.row_hi), integrality=np.ones(n),
                       bounds=Bounds(self.lo, hi))
        if res.status != 0:
            raise AssertionError(f"the analyst's model is infeasible: {res.message}")
        return round(-res.fun if maximise else res.fun), np.round(res.x)


def add_release(model: Model, table: pd.DataFrame, tag: str = "", chart: dict | None = None,
                weights: dict[str, float] | None = None) -> None:
    """The constraints one published table (every question, wave, breakdown and group) puts on the unknowns.

    Unknowns are named by wave and cell, plus ``tag`` for releases of different data. ``chart``, the
    organisation chart the analyst knows, maps a finer breakdown to ``(coarser breakdown, {unit: division})``.
    ``weights``, the weight of each function when the analyst knows the weighting scheme: a figure for
    everyone then mixes two weights, and its effective size and weighted share say how (:func:`_weighted`).
    """
    for (wave, q), part in table.groupby(["wave", "question_id"], sort=False):
        for r in part.itertuples(index=False):
            cell = (tag, wave, r.dimension, r.segment, r.group)
            m = model.var(("m", *cell))
            if q == SIZES:
                if not r.suppressed:
                    model.add({m: 1}, r.n_respondents, r.n_respondents)
                continue
            y, n, b = (model.var((kind, q, *cell)) for kind in ("y", "n", "b"))
            model.add({y: 1, n: 1, b: 1, m: -1}, 0, 0)
            if not r.suppressed:
                a = float(r.n_answered)
                model.add({y: 1, n: 1}, a, a)
                if not pd.isna(r.n_respondents):  # a table that shows sizes elsewhere may leave them out
                    model.add({m: 1}, r.n_respondents, r.n_respondents)
                if weights and r.group == ALL:
                    _weighted(model, r, q, (tag, wave, r.dimension, r.segment), weights)
                else:
                    low, high = a * (r.percent - 0.5) / 100, a * (r.percent + 0.5) / 100
                    model.add({y: 1}, math.ceil(low - 1e-9), math.floor(high + 1e-9))
        dims = {d: sorted(set(part.loc[part["dimension"] == d, "segment"])) for d in set(part["dimension"])}
        kinds = ("m",) if q == SIZES else ("y", "n", "b")
        for kind in kinds:
            key = (kind,) if kind == "m" else (kind, q)
            for d, segs in dims.items():
                for s in segs:
                    model.add({model.var((*key, tag, wave, d, s, g)): 1 for g in FUNCTIONS}
                              | {model.var((*key, tag, wave, d, s, ALL)): -1}, 0, 0)
                if d:
                    for g in (*FUNCTIONS, ALL):
                        coefs = {model.var((*key, tag, wave, d, s, g)): 1.0 for s in segs}
                        coefs[model.var((*key, tag, wave, "", ALL, g))] = -1.0
                        model.add(coefs, 0, 0)
            for fine, coarse, within in _charts(chart):
                for division in set(within.values()):
                    for g in (*FUNCTIONS, ALL):
                        coefs = {model.var((*key, tag, wave, fine, u, g)): 1.0 for u, dv in within.items()
                                 if dv == division}
                        coefs[model.var((*key, tag, wave, coarse, division, g))] = -1.0
                        model.add(coefs, 0, 0)


def _charts(chart: dict | None) -> list[tuple[str, str, dict]]:
    """(finer, coarser, {unit: division}) of every nesting the analyst knows; a crossed breakdown (units x levels)
    nests in both of its breakdowns, so a finer breakdown may map to a list of (coarser, within)."""
    out = []
    for fine, spec in (chart or {}).items():
        for coarse, within in (spec if isinstance(spec, list) else [spec]):
            out.append((fine, coarse, within))
    return out


def tie_practices(model: Model, table: pd.DataFrame, prefix: str = "practice ", tag: str = "") -> None:
    """A driver's breakdown of the outcome by who agrees with a practice: the agreers of a group are exactly the
    group's yes count on that practice, and the rest are everyone else."""
    for (wave, d), _ in table[table["dimension"].astype(str).str.startswith(prefix)].groupby(["wave", "dimension"]):
        practice = d[len(prefix):]
        for g in (*FUNCTIONS, ALL):
            agree = model.var(("m", tag, wave, d, "agree", g))
            yes = model.var(("y", practice, tag, wave, "", ALL, g))
            model.add({agree: 1, yes: -1}, 0, 0)


def _weighted(model: Model, r, q: str, cell: tuple, weights: dict[str, float]) -> None:
    """A shown figure for everyone, weighted: its effective size tells how many of each function answered,
    and its weighted share bounds the weighted sum of their yes counts."""
    wm, wi = weights["marketing"], weights["it"]
    a = int(r.n_answered)
    splits = [m for m in range(a + 1)
              if round((m * wm + (a - m) * wi) ** 2 / (m * wm ** 2 + (a - m) * wi ** 2), 1) == round(r.n_eff, 1)]
    ym, nm = model.var(("y", q, *cell, "marketing")), model.var(("n", q, *cell, "marketing"))
    yi, ni = model.var(("y", q, *cell, "it")), model.var(("n", q, *cell, "it"))
    if len(splits) == 1:
        model.add({ym: 1, nm: 1}, splits[0], splits[0])
    # weighted yes / weighted answered lies within the rounding of the share
    for sign, bound in ((1, r.percent + 0.5), (-1, r.percent - 0.5)):
        coefs = {ym: 100 * wm - bound * wm, yi: 100 * wi - bound * wi, nm: -bound * wm, ni: -bound * wi}
        model.add({k: sign * v for k, v in coefs.items()}, -math.inf, 0)


def truth_of(responses: pd.DataFrame, questions: list[str], tag: str = "") -> dict[tuple, int]:
    """The true value of every unknown, from the responses (the analyst never has these)."""
    out: dict[tuple, int] = {}
    n = len(responses)
    waves = responses["wave"].astype(str).to_numpy() if "wave" in responses else np.full(n, ALL, dtype=object)
    fn = responses["function"].to_numpy()
    answers = {q: responses[q].to_numpy(dtype=float, na_value=np.nan) for q in questions}
    dims = [("", np.full(n, ALL, dtype=object))] + [
        (c[len("segment_"):], responses[c].astype(str).to_numpy()) for c in responses.columns if c.startswith("segment_")]
    for d, seg in dims:
        for g in (*FUNCTIONS, ALL):
            in_g = fn == g if g != ALL else np.ones(n, bool)
            for w, s in set(zip(waves[in_g], seg[in_g])):
                mask = in_g & (waves == w) & (seg == s)
                cell = (tag, str(w), d, str(s), g)
                out[("m", *cell)] = int(mask.sum())
                for q, v in answers.items():
                    out[("y", q, *cell)] = int((v[mask] == 1).sum())
                    out[("n", q, *cell)] = int((v[mask] == 0).sum())
                    out[("b", q, *cell)] = int(np.isnan(v[mask]).sum())
    return out


def pinned(model: Model, hidden: list[tuple], truth: dict[tuple, int]) -> list[str]:
    """What the analyst can prove about hidden cells: exact counts, or a group that answered as one.

    Whole-number solutions found along the way (for summed objectives first) settle most
    questions at once; only what they leave open gets an integer program of its own.
    """
    checks = []  # (description, variable indices, true value, kind)
    sizes_hidden = {c[1:] for c in hidden if c[0] == "m"}
    for cell in hidden:
        kind_q, rest = cell[:-5], cell[-5:]
        if kind_q == ("m",):
            checks.append((f"size of {rest}", [model.names[("m", *rest)]], truth.get(("m", *rest), 0), "width"))
            continue
        q = kind_q[0]
        y, n = model.names[("y", q, *rest)], model.names[("n", q, *rest)]
        ty, tn = truth.get(("y", q, *rest), 0), truth.get(("n", q, *rest), 0)
        checks += [(f"yes count of {q} {rest}", [y], ty, "width"), (f"no count of {q} {rest}", [n], tn, "width"),
                   (f"everyone in {rest} answering no on {q}", [y], ty, "reach"),
                   (f"everyone in {rest} answering yes on {q}", [n], tn, "reach")]
        if rest in sizes_hidden:  # a shown group's answered count tells only how many of a known group skipped
            checks.append((f"answered count of {q} {rest}", [y, n], ty + tn, "width"))
    points = []
    for kind in ("y", "n", "m"):
        idx = {i: 1.0 for name, i in model.names.items() if name[0] == kind}
        for maximise in (True, False):
            points.append(model.point(idx, maximise)[1])

    def settled(idx: list[int], t: int, kind: str) -> bool:
        values = [round(sum(p[i] for i in idx)) for p in points]
        return any(v != t for v in values) if kind == "width" else (t >= 1 or any(v >= 1 for v in values))

    found = []
    for what, idx, t, kind in checks:
        if settled(idx, t, kind):
            continue
        obj = {i: 1.0 for i in idx}
        hi, x = model.point(obj, True)
        points.append(x)
        if kind == "reach":
            if hi < 1:
                found.append(what)
            continue
        if hi != t:
            continue
        lo, x = model.point(obj, False)
        points.append(x)
        if lo == t:
            found.append(f"{what} pinned at {t}")
    return found


def hidden_cells(table: pd.DataFrame, tag: str = "") -> list[tuple]:
    """Every hidden figure of a published table, as the unknowns' names use them.

    The size of a driver's side (how many of a group agree with a practice) is the practice's yes count: no
    secret where that figure is shown, so it is not counted as hidden there. Where a group is shown answering
    a practice as one (0%, or 100% with no blanks), one side of its driver is empty and the other is the whole
    group: what the page's unanimous figure tells, which no rule can prevent, so neither side counts as hidden.
    """
    out = []
    overall = table[~table["suppressed"] & (table["dimension"] == "")]
    shown = {(r.question_id, r.wave, r.group) for r in overall.itertuples(index=False)}
    unanimous = {(r.question_id, r.wave, r.group) for r in overall.itertuples(index=False)  # exact under 200
                 if r.question_id != SIZES and r.n_answered < 200
                 and (r.percent == 0 or (r.percent == 100 and r.n_answered == r.n_respondents))}
    for r in table[table["suppressed"]].itertuples(index=False):
        cell = (tag, r.wave, r.dimension, r.segment, r.group)
        practice = (str(r.dimension)[len("practice "):], r.wave, r.group)
        if str(r.dimension).startswith("practice ") and (
                practice in unanimous or (r.question_id == SIZES and practice in shown)):
            continue
        out.append(("m", *cell) if r.question_id == SIZES else (r.question_id, *cell))
    return out


def attack(tables: list[str], truth: dict[tuple, int], chart: dict | None = None,
           weights: dict[str, float] | None = None) -> list[str]:
    """Everything the analyst can pin, from releases of the same data, about figures every one of them hides."""
    model = Model()
    parsed = [read_release(t) for t in tables]
    for t in parsed:
        add_release(model, t, chart=chart, weights=weights)
        tie_practices(model, t)
    hidden = sorted(set.intersection(*(set(hidden_cells(t)) for t in parsed)))
    return pinned(model, hidden, truth)


def attack_leaver(before: str, after: str, leavers: int = 1) -> list[str]:
    """What the analyst learns about the respondent who left between two releases, whoever else joined.

    Each count of ``before`` equals the same count of ``after`` plus what the leavers held, minus what the
    joiners brought; leavers and joiners hold whole, non-negative counts that add up like any other table,
    and the analyst knows how many left (they know who left).
    """
    model = Model()
    old, new = read_release(before), read_release(after)
    add_release(model, old, "a")
    add_release(model, new, "b")
    left = {}
    for name in list(model.names):
        if name[-5] == "a":
            other = (*name[:-5], "b", *name[-4:])
            if other in model.names:
                key = (*name[:-5], *name[-4:])
                r, j = model.var(("left", *key), 0), model.var(("joined", *key), 0)
                model.add({model.names[name]: 1, model.names[other]: -1, r: -1, j: 1}, 0, 0)
                left[key] = r
    _tie_groups(model, ("left", "joined"))
    everyone = [k for k in left if k[0] == "m" and k[-3:] == ("", ALL, ALL)]
    for k in everyone:
        model.add({left[k]: 1}, leavers, leavers)
    found = []
    for k, d in left.items():
        if k[0] == "y" and k[-3:-1] == ("", ALL):
            hi, lo = model.solve({d: 1}, True), model.solve({d: 1}, False)
            if hi == lo:
                found.append(f"the leavers' yes count on {k[1]} among {k[-1]} is {hi}")
    return found


def _tie_groups(model: Model, kinds: tuple[str, ...]) -> None:
    """Leavers and joiners are people too: in each cell, yes + no + blank = members, and sums add up."""
    for kind in kinds:
        names = [n for n in model.names if n[0] == kind]
        by_table: dict[tuple, dict[tuple, int]] = {}
        for n in names:
            head, (wave, d, s_, g) = n[:-4], n[-4:]
            by_table.setdefault((*head, wave), {})[(d, s_, g)] = model.names[n]
        for cells in by_table.values():
            dims: dict[str, set[str]] = {}
            for d, s_, _ in cells:
                dims.setdefault(d, set()).add(s_)
            for d, segs in dims.items():
                for s_ in segs:
                    if all((d, s_, g) in cells for g in (*FUNCTIONS, ALL)):
                        model.add({cells[(d, s_, "marketing")]: 1, cells[(d, s_, "it")]: 1, cells[(d, s_, ALL)]: -1},
                                  0, 0)
                if d:
                    for g in (*FUNCTIONS, ALL):
                        if ("", ALL, g) in cells and all((d, s_, g) in cells for s_ in segs):
                            coefs = {cells[(d, s_, g)]: 1.0 for s_ in segs}
                            coefs[cells[("", ALL, g)]] = -1.0
                            model.add(coefs, 0, 0)
        for n in [n for n in model.names if n[0] == kind]:
            if n[1] == "y":
                q, rest = n[2], n[3:]
                parts = [model.names.get((kind, k, q, *rest)) for k in ("y", "n", "b")]
                m = model.names.get((kind, "m", *rest))
                if None not in parts and m is not None:
                    model.add({parts[0]: 1, parts[1]: 1, parts[2]: 1, m: -1}, 0, 0)
