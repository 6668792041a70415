"""Which figures are hidden: the minimum-group rule, then complementary suppression until the audit passes.

Each wave is handled on its own (waves are never pooled, so no sum runs across
them), in two steps:

1. **Group sizes.** A group whose members fail the rule (:mod:`.rule`) is
   hidden, in every question. Further groups are hidden until no hidden size
   can be pinned from the shown ones (:func:`.audit.exposed_sizes`).
2. **Each question.** A group whose answerers fail the rule is hidden for that
   question as well. Further figures are hidden until the attacker of
   :mod:`.audit` can pin no hidden count and prove no hidden group unanimous.

Each step first applies the cheap rules that settle most tables (in every sum,
either nothing is hidden, or at least two parts are, and the hidden parts
together pass the rule when the total is shown), then the linear-programming
audit, hiding one more neighbour of each exposed figure per round (the smallest
shown one, by its published size) until nothing is exposed.

Every decision uses the group sizes and weights of the members, the published
counts of shown figures, and the audit of what is published: never the answers
or blanks of people in hidden groups. So changing what a hidden person answered
(or whether they answered) changes nothing that is shown.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from ..aggregation import CELL_KEYS, RESPONDENTS
from ..instrument import ALL, FUNCTIONS, GROUPS
from . import audit
from .rule import HIDDEN, check_min_group_size, passes

_FIGURES = ["n_respondents", "n_answered", "n_missing", "percent", "n_eff", "ci_low", "ci_high"]


#: Breakdowns that nest in another, per wave: (finer dimension, coarser dimension, finer value -> coarser value).
Nesting = dict[str, list[tuple[str, str, dict[str, str]]]]
#: Breakdowns the audit sees but nobody publishes: name -> [(margin dimension, value -> margin value)].
Latent = dict[str, list[tuple[str, dict[str, str]]]]


def _codes(responses: pd.DataFrame, cols: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {c: pd.factorize(responses[c].astype(str)) for c in cols}


def nesting_of(responses: pd.DataFrame) -> Nesting:
    """Where one segment column refines another (every unit in one division), wave by wave.

    Anyone who knows the organisation chart can then subtract a division's other units from it,
    so these sums are audited like the others.
    """
    from ..instrument import SEGMENT_PREFIX, WAVE_COLUMN, segment_columns

    cols = segment_columns(responses)
    out: Nesting = {}
    if len(cols) < 2 or responses.empty:
        return out
    waves = responses[WAVE_COLUMN].astype(str) if WAVE_COLUMN in responses else pd.Series(ALL, index=responses.index)
    codes = _codes(responses, cols)
    wave_codes, wave_names = pd.factorize(waves)
    for w, wave in enumerate(wave_names):
        here = wave_codes == w
        for fine in cols:
            for coarse in cols:
                if fine == coarse:
                    continue
                (f, f_names), (c, c_names) = codes[fine], codes[coarse]
                pairs = np.unique(f[here] * len(c_names) + c[here])
                f_of, c_of = pairs // len(c_names), pairs % len(c_names)
                if len(pairs) and len(np.unique(f_of)) == len(f_of):  # each unit in one division (or the same split)
                    out.setdefault(str(wave), []).append(
                        (fine[len(SEGMENT_PREFIX):], coarse[len(SEGMENT_PREFIX):],
                         {str(f_names[a]): str(c_names[b]) for a, b in zip(f_of, c_of)}))
    return out


def crossings(responses: pd.DataFrame) -> tuple[list[tuple[str, str]], Latent]:
    """Every pair of segment columns not published crossed, and how each crossed value lies in the two margins.

    Whoever knows the organisation chart (which units have no seniors) can subtract one breakdown from the
    other: "IT staff of unit A = IT staff minus unit C's". The crossed cells are the unknowns of those sums;
    :func:`suppress` audits them, always hidden, and never returns them. The pairs go to
    :func:`cmocio.survey.aggregation.cells`, which names the crossed values the same way.
    """
    from ..instrument import CROSS, SEGMENT_PREFIX, crossed_name, segment_columns

    cols = [c for c in segment_columns(responses) if CROSS not in c]
    if len(cols) < 2 or responses.empty:
        return [], {}
    shown = set(segment_columns(responses))
    codes = _codes(responses, cols)
    pairs, latent = [], {}
    for i, a in enumerate(cols):
        for b in cols[i + 1:]:
            name = crossed_name(a[len(SEGMENT_PREFIX):], b[len(SEGMENT_PREFIX):])
            if SEGMENT_PREFIX + name in shown:  # published crossed: audited as a breakdown of its own
                continue
            (x, x_names), (y, y_names) = codes[a], codes[b]
            held = np.flatnonzero(np.bincount(x * len(y_names) + y, minlength=len(x_names) * len(y_names)))
            values = {f"{x_names[h // len(y_names)]}{CROSS}{y_names[h % len(y_names)]}": h for h in held}
            pairs.append((a, b))
            latent[name] = [(a[len(SEGMENT_PREFIX):], {v: str(x_names[h // len(y_names)]) for v, h in values.items()}),
                            (b[len(SEGMENT_PREFIX):], {v: str(y_names[h % len(y_names)]) for v, h in values.items()})]
    return pairs, latent


def grid_of(keys: list[tuple[str, str, str]], nested: list[tuple[str, str, dict[str, str]]] = ()
            ) -> tuple[audit.Grid, list[str]]:
    """The sums tying the cells ``(dimension, segment, group)`` of one wave, and each sum's kind.

    ``nested`` adds the sums of a breakdown that refines another (:func:`nesting_of`).
    """
    pos = {k: i for i, k in enumerate(keys)}
    rels, kinds = [], []
    dims: dict[str, list[str]] = defaultdict(list)
    for d, s, _ in keys:
        if s not in dims[d]:
            dims[d].append(s)
    for d, segs in dims.items():
        for s in segs:
            parts = [pos.get((d, s, g)) for g in FUNCTIONS]
            total = pos.get((d, s, ALL))
            if total is not None and None not in parts:
                rels.append((parts, total))
                kinds.append("function")
        if d == "":
            continue
        for g in GROUPS:
            parts = [pos[(d, s, g)] for s in segs if (d, s, g) in pos]
            total = pos.get(("", ALL, g))
            if total is not None and parts:
                rels.append((parts, total))
                kinds.append("segment")
    for fine, coarse, within in nested:
        for value in dict.fromkeys(within.values()):
            for g in GROUPS:
                parts = [pos[(fine, a, g)] for a, b in within.items() if b == value and (fine, a, g) in pos]
                total = pos.get((coarse, value, g))
                if total is not None and parts:
                    rels.append((parts, total))
                    kinds.append("segment")
    return audit.Grid(keys, rels), kinds


def _close(grid: audit.Grid, kinds: list[str], hidden: np.ndarray, cost: np.ndarray,
           union_ok: Callable[[list[int], list[int], int], bool], exposed: Callable[[np.ndarray], list[int]],
           latent: np.ndarray, known: np.ndarray | None = None) -> np.ndarray:
    """Hide further cells until no relation gives a hidden one away and the audit finds nothing.

    ``latent`` cells are never published: their sums are left to the audit, and they are never hidden as
    complements. ``known`` marks cells the analyst knows whether shown or not (an earlier release showed them):
    they count as shown in every sum and in the audit, and are never hidden to protect another.
    """
    hidden = hidden.copy()
    known = np.zeros(len(hidden), bool) if known is None else known
    plain = [(rel, kind) for rel, kind in zip(grid.relations, kinds) if not latent[[*rel[0], rel[1]]].any()]

    def cheapest(cands: Iterable[int]) -> int:
        return min(cands, key=lambda c: (cost[c], c))

    while True:
        changed = True
        while changed:
            changed = False
            for (parts, total), kind in plain:
                hidden_parts = [c for c in parts if hidden[c] and not known[c]]
                visible = [c for c in parts if not hidden[c] and not known[c]]
                if hidden[total] and not known[total]:
                    if not hidden_parts and visible:
                        hidden[cheapest(visible)] = True
                        changed = True
                    continue
                if not hidden_parts or (len(hidden_parts) >= 2 and union_ok(hidden_parts, parts, total)):
                    continue
                pick = total if (kind == "function" or not visible) and not hidden[total] and not known[total] \
                    else (cheapest(visible) if visible else None)
                if pick is not None:
                    hidden[pick] = True
                    changed = True
        found = exposed(hidden & ~known)
        if not found:
            return hidden
        free = ~hidden & ~latent & ~known
        around = next(([x for x in grid.neighbours(c) if free[x]] for c in found
                       if any(free[x] for x in grid.neighbours(c))), [])
        if not around:  # nothing left to widen: hide the whole question and wave (but what the analyst knows)
            return hidden | ~known
        hidden[cheapest(around)] = True  # one at a time: the cheap rules and the audit run again after each


def _containers(keys: list[tuple[str, str, str]], latent: Latent) -> dict[int, list[int]]:
    """For each crossed cell, the cells of its margins and of its group overall (positions in ``keys``)."""
    pos = {k: i for i, k in enumerate(keys)}
    out = {}
    for i, (d, s, g) in enumerate(keys):
        if d in latent:
            around = [pos.get((margin, within.get(s), g)) for margin, within in latent[d]] + [pos.get(("", ALL, g))]
            out[i] = [c for c in around if c is not None]
    return out


def _member_union(members: np.ndarray, wsum: np.ndarray, wsq: np.ndarray, wmax: np.ndarray, k: int
                  ) -> Callable[[list[int]], bool]:
    """Whether the members of hidden parts, taken together, pass the rule (their sum is derivable)."""
    def ok(cells: list[int]) -> bool:
        sw, sw2 = wsum[cells].sum(), wsq[cells].sum()
        n_eff = sw * sw / sw2 if sw2 > 0 else 0.0
        share = wmax[cells].max() / sw if sw > 0 else np.nan
        return bool(passes(members[cells].sum(), sw, n_eff, share, k))
    return ok


def suppress(table: pd.DataFrame, min_group_size: int, forced: Iterable[tuple] = (), audit_: bool = True,
             nesting: Nesting | None = None, classes: list[pd.DataFrame] | None = None,
             latent: Latent | None = None, known: Iterable[tuple] = (), keep: Iterable[tuple] = ()) -> pd.DataFrame:
    """Mark every figure that may not be shown (``suppressed``, ``reason``) and blank its numbers.

    ``table`` comes from :func:`cmocio.survey.aggregation.shares`. ``forced`` holds
    cell keys (``question_id, wave, dimension, segment, group``) to hide whatever
    the rule says, such as those an earlier release of the survey hid
    (:mod:`.ledger`). ``audit_=False`` leaves out the linear-programming audit
    (for tests that show what it catches). ``nesting`` (:func:`nesting_of`) adds the sums of
    breakdowns that refine one another. ``classes`` holds, for weights that take a few values,
    the unweighted counts of each weight class in the rows of ``table`` (:func:`weight_classes`): the audit
    then assumes the analyst knows each shown figure class by class, as effective sizes and weighted shares
    let them work out. ``known`` holds cell keys the analyst knows already (an earlier release of the same
    data showed them, or the page gives a crossed group's size): taken as given by the audit, never hidden to
    protect another. ``latent`` (:func:`crossings`) names breakdowns in ``table`` that are audited, hidden
    unless known, tied to their margins, and left out of what is returned. ``keep`` holds cells shown
    elsewhere: the rule does not hide them, and they are hidden as complements only when nothing else will
    do. An empty table is returned unchanged in shape.
    """
    k = check_min_group_size(min_group_size)
    out = table.reset_index(drop=True).copy()
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        out["reason"] = pd.Series(dtype=object)
        return out
    forced, known, keep = set(map(tuple, forced)), set(map(tuple, known)), set(map(tuple, keep))
    hidden_all = np.zeros(len(out), bool)
    keys = list(zip(*(out[c] for c in CELL_KEYS)))
    num = {c: out[c].to_numpy(float) for c in ("n_respondents", "n_answered", "n_yes", "weight_sum", "weight_sq_sum",
                                                "max_weight", "n_eff", "max_share")}
    scale = np.nanmax(num["max_weight"]) if np.isfinite(num["max_weight"]).any() else 1.0
    scale = scale if scale > 0 else 1.0
    split = [{c: part[c].to_numpy(float) for c in ("n_respondents", "n_answered", "n_yes")}
             for part in (classes or [])] or [{c: num[c] for c in ("n_respondents", "n_answered", "n_yes")}]
    rows_of: dict[tuple, dict[str, dict[tuple, int]]] = defaultdict(lambda: defaultdict(dict))
    for i, (q, w, d, s, g) in enumerate(keys):
        rows_of[w][q][(d, s, g)] = i
    for w, by_q in rows_of.items():
        sizes = by_q[RESPONDENTS]
        local = list(sizes)
        grid, kinds = grid_of(local, [*(nesting or {}).get(str(w), []), *(
            (name, margin, within) for name, margins in (latent or {}).items() for margin, within in margins)])
        m_rows = np.array([sizes[key] for key in local])
        members = num["n_respondents"][m_rows]
        unseen = np.array([d in (latent or {}) for d, _, _ in local], dtype=bool)
        within_of = _containers(local, latent or {})
        held = unseen & (members > 0)  # an empty crossed cell is an unknown of the sums, with no one to protect
        wsum = num["weight_sum"][m_rows] / scale
        with np.errstate(divide="ignore", invalid="ignore"):  # sums of squares from n_eff: they may overflow unscaled
            wsq = np.where(num["n_eff"][m_rows] > 0, wsum * wsum / num["n_eff"][m_rows], 0.0)
        wmax = num["max_weight"][m_rows] / scale
        member_ok = _member_union(members, wsum, wsq, wmax, k)
        small = ~passes(members, wsum, num["n_eff"][m_rows], num["max_share"][m_rows], k)
        kept = np.array([(RESPONDENTS, w, *key) in keep for key in local], bool)
        cost = np.where(kept, np.inf, members)
        size_known = np.array([(RESPONDENTS, w, *key) in known for key in local], bool)
        primary = (small & ~unseen & ~kept) | (unseen & ~size_known)
        primary |= np.array([(RESPONDENTS, w, *key) in forced for key in local])
        size_hidden = _close(grid, kinds, primary, cost, lambda cells, parts, total: member_ok(cells),
                             lambda h: audit.exposed_sizes(grid, h, [p["n_respondents"][m_rows] for p in split],
                                                           (small & held) | ~unseen)
                             if audit_ else [], unseen, size_known)
        hidden_all[m_rows] = size_hidden
        for q, cells_q in by_q.items():
            if q == RESPONDENTS:
                continue
            rows = np.array([cells_q[key] for key in local])
            answered = num["n_answered"][rows]
            few = ~passes(answered, num["weight_sum"][rows], num["n_eff"][rows], num["max_share"][rows], k)
            kept = np.array([(q, w, *key) in keep for key in local], bool)
            first = size_hidden | (few & ~unseen & ~kept) | unseen
            first |= np.array([(q, w, *key) in forced for key in local])
            if not first.any():
                continue

            def union_answers(cells: list[int], parts: list[int], total: int, answered=answered) -> bool:
                shown = [c for c in parts if c not in cells]  # what the hidden parts answered follows from these
                return answered[total] - answered[shown].sum() >= k and member_ok(cells)

            by_class = [(p["n_respondents"][rows], p["n_yes"][rows], p["n_answered"][rows] - p["n_yes"][rows])
                        for p in split]
            yes = num["n_yes"][rows]
            as_one = (answered > 0) & ((yes == 0) | (yes == answered))

            def check(h: np.ndarray, few=few, as_one=as_one) -> np.ndarray:
                """Every hidden cell, and the crossed cells on too few people that no shown group they lie in
                already gives away (a group shown at 0% or 100% tells each member's answer)."""
                told = np.zeros(len(h), bool)
                for c, around in within_of.items():
                    told[c] = bool((as_one[around] & ~h[around]).any())
                return ~unseen | (few & held & ~told)

            hidden = _close(grid, kinds, first, np.where(kept, np.inf, members), union_answers,
                            lambda h, by_class=by_class, check=check: audit.exposed_answers(
                                grid, h, size_hidden & ~size_known, *map(list, zip(*by_class)), check=check(h))
                            if audit_ else [], unseen, np.array([(q, w, *key) in known for key in local], bool))
            hidden_all[rows] = hidden
    out["suppressed"] = hidden_all
    out["reason"] = np.where(hidden_all, HIDDEN, "")
    for col in _FIGURES:
        out[col] = out[col].astype(float).where(~hidden_all)
    if latent:
        out = out[~out["dimension"].isin(list(latent)).to_numpy()].reset_index(drop=True)
    return out


#: Weights taking at most this many values are audited class by class; more (raking) are not.
MAX_WEIGHT_CLASSES = 12


def weight_classes(responses: pd.DataFrame, questions: pd.DataFrame, table: pd.DataFrame,
                   pairs: list[tuple[str, str]] = ()) -> list[pd.DataFrame] | None:
    """Unweighted counts of each weight class in the rows of ``table``, or None (one class, or too many).

    ``pairs`` are the crossed breakdowns of ``table`` (:func:`crossings`).
    """
    from ..aggregation import cells as count_cells

    values = np.unique(responses["weight"].to_numpy(float))
    if not 1 < len(values) <= MAX_WEIGHT_CLASSES:
        return None
    keys = table[CELL_KEYS].astype(str)
    out = []
    for v in values:
        part = count_cells(responses[responses["weight"].to_numpy(float) == v], questions, weighted=False, pairs=pairs)
        part = part.astype({c: str for c in CELL_KEYS})[[*CELL_KEYS, "n_respondents", "n_answered", "n_yes"]]
        out.append(keys.merge(part, on=CELL_KEYS, how="left").fillna(0))
    return out
