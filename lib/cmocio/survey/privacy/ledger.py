"""The disclosure ledger: every release of a survey's figures, so that the difference of two releases reveals nothing.

A release is anything that shows an organisation's own figures: a notebook run,
a deck and workbook, a portfolio page. Two releases of the same survey can give
away what each hides on its own: one at ``min_group_size`` 5 and one at 6, or
one before and one after somebody left, differ by exactly the hidden people.
So every release is recorded, and a new one is checked against the earlier ones:

* **The threshold is fixed at the first release.** A lower one later is
  refused; a stricter one hides at least what the first release hid.
* **The same respondents** (the same people with the same answers and weights
  in a wave, whatever breakdowns are published: :func:`fingerprints`) released
  again hide at least what any earlier release of them hid, and every figure an
  earlier release showed is known to the analyst: the audit takes it as given,
  so it never serves to hide another (:meth:`Ledger.known`).
* **Changed data** (responses added, removed, edited or reweighted in a wave
  that was already released) is released only if at least ``min_group_size``
  respondents changed in the wave as a whole; otherwise the release is refused,
  with what to do (wait for more responses, or release them as a new wave). When
  enough changed, every figure hidden before stays hidden, and so does every
  figure whose change is small: one that fewer than ``min_group_size`` people
  explain (its largest part), or whose counts fell, or rose, by fewer than
  ``min_group_size`` in all (:func:`change_size`), since an analyst who knows how
  many left or joined may then learn how those few answered.

The ledger is a JSON-lines file kept with the survey's data (by default beside
the responses file: :func:`default_ledger_path`), never in an output folder, so
runs into different output folders are checked together. Each line holds the
settings, per wave a digest of its counts and one of its respondents, and, per
group, its counts and weight sums, which the checks compare: group-level counts
and digests, never a respondent's answer, id or text. Keep it with the export;
do not hand it out. Lines are only ever added, atomically, under a lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from ...files import atomic_write_text
from ..aggregation import CELL_KEYS
from ..instrument import ALL, WAVE_COLUMN

LEDGER_NAME = "cmocio-disclosure-ledger.jsonl"
_COUNTS = ["n_respondents", "n_answered", "n_yes"]
_WEIGHTS = ["weight_sum", "yes_weight"]


class ReleaseRefused(ValueError):
    """A release that would reveal, together with an earlier one, what either hides."""


def default_ledger_path(responses_path: str | os.PathLike) -> Path:
    """Where a survey's ledger lives unless told otherwise: beside its responses file."""
    return Path(responses_path).resolve().parent / LEDGER_NAME


def ledger_for(responses_path: str | os.PathLike, ledger_path: str | os.PathLike = "", survey: str = ""
               ) -> Ledger | None:
    """The ledger a release of ``responses_path`` is checked against and recorded in (None for made-up data).

    ``ledger_path`` empty means :func:`default_ledger_path`; ``survey`` empty means the
    responses file's name, so each export kept in one folder is its own survey.
    """
    if not responses_path:
        return None
    path = Path(ledger_path) if ledger_path else default_ledger_path(responses_path)
    return Ledger(path, survey or Path(responses_path).stem)


def _cells(table: pd.DataFrame) -> dict[str, dict[tuple, list]]:
    """wave -> cell key (question, dimension, segment, group) -> [members, answered, yes, weight sum, yes weight]."""
    out: dict[str, dict[tuple, list]] = {}
    cols = [table[c].to_numpy(float) for c in _COUNTS + _WEIGHTS]
    for i, (q, w, d, s, g) in enumerate(zip(*(table[c] for c in CELL_KEYS))):
        out.setdefault(str(w), {})[(str(q), str(d), str(s), str(g))] = [
            *(int(round(c[i])) for c in cols[:3]), float(f"{cols[3][i]:.12g}"), float(f"{cols[4][i]:.12g}")]
    return out


def _digest(cells: dict[tuple, list]) -> str:
    h = hashlib.sha256()
    for key in sorted(cells):
        h.update(json.dumps([*key, *cells[key]]).encode())
    return h.hexdigest()


def fingerprints(responses: pd.DataFrame, question_ids: Iterable[str]) -> dict[str, str]:
    """Wave -> a digest of its respondents: each one's function, weight and answers, in no particular order.

    Segment columns are left out, so the same people released with other breakdowns (a crossed pair of
    segments, a segment column added to the export) are recognised as the same; people who moved between
    segments show as changed cells instead. Ids are left out too: the same people renumbered are the same data.
    """
    qids = [q for q in question_ids if q in responses.columns]
    n = len(responses)
    if not n:
        return {}
    frame = pd.DataFrame({"function": responses["function"].astype(str).to_numpy(),
                          "weight": responses["weight"].to_numpy(dtype=float),
                          **{q: responses[q].to_numpy(dtype=float, na_value=np.nan) for q in qids}})
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    waves = responses[WAVE_COLUMN].astype(str).to_numpy() if WAVE_COLUMN in responses else np.full(n, ALL)
    out = {}
    for wave in np.unique(waves):
        h = hashlib.sha256(json.dumps(qids).encode())
        h.update(np.sort(rows[waves == wave]).astype("<u8").tobytes())
        out[str(wave)] = h.hexdigest()
    return out


#: A cell with nobody in it: members, answered, yes, weight sum, yes weight.
_EMPTY = [0, 0, 0, 0.0, 0.0]


def _delta(old: list | None, new: list) -> np.ndarray:
    """Change in (yes, no, blank) counts of one cell between two releases."""
    a = old or _EMPTY
    return np.array([new[2] - a[2], (new[1] - new[2]) - (a[1] - a[2]), (new[0] - new[1]) - (a[0] - a[1])])


def change_size(delta: np.ndarray) -> int:
    """The fewest leavers or joiners of one cell whose answers a change of its (yes, no, blank) counts may give
    away: 0 when nothing changed.

    With L leavers and J joiners in a cell (an analyst may know both) and Δ the change of one answer's count,
    the leavers' count of that answer lies in [max(0, -Δ), min(L, J - Δ)] and the joiners' in
    [max(0, Δ), min(J, L + Δ)]: the leavers all gave it when Δ <= -L, the joiners when Δ >= J. The ledger knows
    neither L nor J, only that the leavers hold at least every count that fell and the joiners every count that
    rose. L may be exactly the sum of the falls, and then every leaver's answer count is pinned (all of them
    gave one answer when a single count fell); likewise J and the rises. So the change is about as few people as
    the smaller of those two sums that is not zero.
    """
    delta = np.asarray(delta)
    sides = [int(-delta[delta < 0].sum()), int(delta[delta > 0].sum())]
    return min((n for n in sides if n), default=0)


def _moved(delta: np.ndarray) -> int:
    """The fewest people whose joining or leaving explains a change: its largest part."""
    return int(np.abs(delta).max(initial=0))


def _small_part(delta: np.ndarray) -> int:
    """How few people a change may be about: its :func:`change_size`, or fewer when its largest part is smaller."""
    return min((n for n in (change_size(delta), _moved(delta)) if n), default=0)


def _changed(old: dict[tuple, list], new: dict[tuple, list], new_cells: bool = True, measure=_small_part
             ) -> dict[tuple, int]:
    """Per cell, how few people its change may be about (``measure`` of the change; 1 for a reweighting).

    ``new_cells`` False leaves out cells the earlier release did not have (a breakdown of the same people
    published for the first time is no change).
    """
    out = {}
    for key in (set(old) | set(new)) if new_cells else (set(old) & set(new)):
        a, b = old.get(key, _EMPTY), new.get(key, _EMPTY)
        d = measure(_delta(a, b))
        if d == 0 and not np.allclose(a[3:], b[3:], rtol=1e-9, atol=0):
            d = 1  # the same people, reweighted: at least one changed
        out[key] = d
    return out


def _recorded(old: dict) -> dict[tuple, list]:
    """A recorded wave's cells: (question, dimension, segment, group) -> counts and weight sums."""
    return {tuple(c[:4]): c[4:] for c in old["cells"]}


def _matching(earlier: list[dict], wave: str, digest: str, who: str | None) -> Iterator[tuple[dict, dict, bool]]:
    """(release, its recorded wave, whether the same respondents) for each earlier release of ``wave``.

    A recorded wave matches when it has the same name, the same counts, or the same respondents
    (:func:`fingerprints`) under any name; another wave is fielded anew, a survey of its own.
    """
    for rec in earlier:
        for label, old in rec["waves"].items():
            same = old["digest"] == digest or (who is not None and old.get("respondents") == who)
            if label == wave or same:
                yield rec, old, same


@dataclass
class Ledger:
    """The releases of one survey (``survey``) recorded in the file at ``path``."""

    path: Path
    survey: str

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The ledger's lock, held by one release at a time (re-entered freely by its holder)."""
        if getattr(self, "_holding", False):
            yield
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path.with_name(self.path.name + ".lock"), "a")
        except OSError as exc:
            raise ReleaseRefused(f"the disclosure ledger {self.path} cannot be written here ({exc.strerror or exc}); "
                                 "run where the survey's data are kept, or give ledger_path a folder this machine "
                                 "can write") from None
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            self._holding = True
            try:
                yield
            finally:
                self._holding = False
                fcntl.flock(fh, fcntl.LOCK_UN)

    def transaction(self):
        """Hold the lock from checking a release to recording it, so two releases run at once are checked
        against each other rather than both against the same earlier ones."""
        return self._locked()

    def _lines(self) -> list[str]:
        if not self.path.is_file():
            return []
        return [line for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def releases(self) -> list[dict]:
        """The recorded releases of this survey, oldest first."""
        out = []
        for n, line in enumerate(self._lines(), 1):
            try:
                rec = json.loads(line)
            except ValueError:
                raise ReleaseRefused(f"{self.path.name}, line {n}: is not a ledger record; the ledger was edited by "
                                     "hand. Restore it from a backup; releases cannot be checked without it") from None
            if rec.get("survey") == self.survey:
                out.append(rec)
        return out

    def check_threshold(self, earlier: list[dict], min_group_size: int) -> None:
        """Refuse a threshold lower than the first release's: it is fixed then."""
        if not earlier:
            return
        k0, since = int(earlier[0]["min_group_size"]), earlier[0]["time"][:10]
        if min_group_size < k0:
            raise ReleaseRefused(
                f"survey {self.survey!r} was first released on {since} with min_group_size {k0}; its threshold is "
                f"fixed then, and a release at {min_group_size} would show figures that one hid. Use "
                f"min_group_size {k0} or more (ledger: {self.path})")

    def plan(self, table: pd.DataFrame, min_group_size: int, weighted: bool,
             respondents: dict[str, str] | None = None) -> set[tuple]:
        """Cells (``question_id, wave, dimension, segment, group``) a new release must hide; refuses an unsafe one.

        ``table``: every cell's counts before suppression (:func:`cmocio.survey.aggregation.shares`);
        ``respondents``: each wave's :func:`fingerprints`, which tell the same people under other breakdowns.
        """
        earlier = self.releases()
        if not earlier:
            return set()
        first = earlier[0]
        since = first["time"][:10]
        self.check_threshold(earlier, min_group_size)
        if bool(first["weighted"]) != bool(weighted):
            said = "with weights" if first["weighted"] else "without weights"
            raise ReleaseRefused(
                f"survey {self.survey!r} was first released {said} on {since}; a release "
                f"{'without' if first['weighted'] else 'with'} them would show the hidden groups by difference. "
                f"Run it {said} (ledger: {self.path})")
        forced: set[tuple] = set()
        for wave, cells in _cells(table).items():
            digest = _digest(cells)
            for rec, old, same in _matching(earlier, wave, digest, (respondents or {}).get(wave)):
                forced |= {(q, wave, d, s, g) for q, d, s, g in old["hidden"]}
                if old["digest"] == digest:
                    continue
                before = _recorded(old)
                overall = max((n for (q, d, s, g), n in _changed(before, cells, not same, _moved).items()
                               if (d, s, g) == ("", ALL, ALL)), default=0)
                if 0 < overall < min_group_size:
                    raise ReleaseRefused(
                        f"wave {wave!r} of survey {self.survey!r} was released on {rec['time'][:10]}, and fewer "
                        f"than {min_group_size} respondents have joined, left, changed an answer or been "
                        "reweighted since: the difference between the two releases would show their answers. "
                        f"Wait until at least {min_group_size} more have answered, or field a new wave")
                forced |= {(q, wave, d, s, g) for (q, d, s, g), n in _changed(before, cells, not same).items()
                           if 0 < n < min_group_size}
        return forced

    def known(self, table: pd.DataFrame, respondents: dict[str, str] | None = None) -> set[tuple]:
        """Cells (``question_id, wave, dimension, segment, group``) an earlier release of the same data showed.

        Each is shown there with exactly the counts and weights it has now, so the analyst knows it whatever
        this release shows: the audit takes it as given, and it cannot hide another figure.
        """
        out: set[tuple] = set()
        earlier = self.releases()
        for wave, cells in _cells(table).items():
            for _, old, _ in _matching(earlier, wave, _digest(cells), (respondents or {}).get(wave)):
                hidden = {tuple(h) for h in old["hidden"]}
                out |= {(key[0], wave, *key[1:]) for key, vals in _recorded(old).items()
                        if key not in hidden and cells.get(key) == vals}
        return out

    def differences(self, table: pd.DataFrame, suppressed: pd.DataFrame, min_group_size: int,
                    nesting: dict | None = None, respondents: dict[str, str] | None = None) -> set[tuple]:
        """Figures a new release must also hide so that its difference from an earlier release of a wave hides nobody.

        The difference of two releases of a wave is itself a table, of the people who joined or left: where
        a total is shown in both, the change of its hidden parts follows from the shown ones, and must be
        nothing or be large (:func:`change_size`). Returns the cells to hide (one per offending sum).
        """
        from .suppress import grid_of  # the same sums as the suppression

        earlier = self.releases()
        if not earlier:
            return set()
        k = min_group_size
        hidden_now = set(map(tuple, suppressed.loc[suppressed["suppressed"].astype(bool), CELL_KEYS].astype(str)
                             .itertuples(index=False)))
        more: set[tuple] = set()
        for wave, cells in _cells(table).items():
            digest = _digest(cells)
            for _, old, same in _matching(earlier, wave, digest, (respondents or {}).get(wave)):
                if old["digest"] == digest:
                    continue
                before = _recorded(old)
                if same:  # a breakdown of the same people published for the first time is no change
                    before = {key: before.get(key, vals) for key, vals in cells.items()}
                hidden_then = {tuple(h) for h in old["hidden"]}
                for q in sorted({key[0] for key in cells}):
                    keys = [key[1:] for key in cells if key[0] == q]
                    grid, _ = grid_of(keys, (nesting or {}).get(wave, []))
                    delta = np.array([_delta(before.get((q, *key)), cells[(q, *key)]) for key in keys])
                    both = np.array([(q, *key) not in hidden_then and (q, wave, *key) not in hidden_now
                                     for key in keys])
                    size = np.array([cells[(q, *key)][0] for key in keys])
                    for parts, total in grid.relations:
                        hidden_parts = [c for c in parts if not both[c]]
                        visible = [c for c in parts if both[c]]
                        if both[total] and hidden_parts:
                            derived = delta[total] - delta[visible].sum(axis=0)
                        elif not both[total] and not hidden_parts:
                            derived = delta[parts].sum(axis=0)
                        else:
                            continue
                        if 0 < _small_part(derived) < k:
                            pick = min(visible, key=lambda c: (size[c], c)) if visible else total
                            more.add((q, wave, *keys[pick]))
        return more

    def record(self, table: pd.DataFrame, suppressed: pd.DataFrame, min_group_size: int, weighted: bool,
               kind: str, respondents: dict[str, str] | None = None) -> bool:
        """Append this release (unless an identical one is recorded); True when a line was added."""
        cells = _cells(table)
        hidden = suppressed.loc[suppressed["suppressed"].astype(bool), CELL_KEYS]
        waves = {}
        for wave, by_cell in cells.items():
            mine = hidden[hidden["wave"].astype(str) == wave]
            waves[wave] = {"digest": _digest(by_cell),
                           **({"respondents": respondents[wave]} if wave in (respondents or {}) else {}),
                           "hidden": sorted([str(q), str(d), str(s), str(g)] for q, d, s, g in
                                            zip(mine["question_id"], mine["dimension"], mine["segment"],
                                                mine["group"])),
                           "cells": [[*key, *vals] for key, vals in sorted(by_cell.items())]}
        return self.append({"survey": self.survey, "kind": kind, "min_group_size": int(min_group_size),
                            "weighted": bool(weighted), "waves": waves})

    def append(self, record: dict) -> bool:
        """Add ``record`` with the time, atomically and under a lock, unless the same release is recorded."""
        with self._locked():
            lines = self._lines()
            for line in lines:
                old = json.loads(line)
                if {k: v for k, v in old.items() if k not in ("time", "kind")} == \
                        {k: v for k, v in record.items() if k != "kind"}:
                    return False
            record = {**record, "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            atomic_write_text(self.path, "".join(f"{line}\n" for line in lines) + json.dumps(record) + "\n")
        return True
