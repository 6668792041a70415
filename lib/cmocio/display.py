"""Tables for reading: one column dictionary, one look, in every notebook.

The CSV files a notebook writes keep every machine-readable column at full
precision. What a reader sees is :func:`readable`: readable headers, no row
index, percentages as "87%", intervals as "79–92%", differences as "+4 pts",
p-values to three places, "—" for a missing value, a published bound or
approximation marked on its figure (">50%", "~33%"), long wording wrapped, and
text from data escaped. Machine columns (ids, qualifiers of study sizes, flags
that other columns spell out) are left out of the page.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd

from .plots import GROUP_LABELS

MISSING = "—"
#: One look for every table: wrapped wording at a readable width, numbers right-aligned.
STYLE = ("<style>div.cmocio-scroll{overflow-x:auto;max-width:100%}"
         "table.cmocio-table{border-collapse:collapse;margin:0.5em 0;font-size:0.92em}"
         "table.cmocio-table th{text-align:left;vertical-align:bottom;border-bottom:2px solid #888;padding:4px 8px}"
         "table.cmocio-table td{vertical-align:top;border-bottom:1px solid #ddd;padding:4px 8px}"
         "table.cmocio-table td.text{min-width:7em;max-width:28em;white-space:normal;text-align:left}"
         "table.cmocio-table td.wide{min-width:14em}"
         "table.cmocio-table td.num{text-align:right;white-space:nowrap}"
         "details.cmocio-full>summary{cursor:pointer;font-size:0.9em;color:#1a5fb4;margin:0.2em 0 0.8em}</style>")


@dataclass(frozen=True)
class Column:
    """How one column reads: its header and the kind of value it holds."""

    header: str
    kind: str = "text"  # text, pct, pts, p, n, share, int, num, h, bool, group, base, verdict


#: Every column any notebook shows, by its CSV name. ``{a}`` / ``{b}`` in a header stand for the two
#: sides compared (e.g. "Marketing" and "IT / technology"), filled in from the table's own ``a``/``b``.
COLUMNS: dict[str, Column] = {
    "study": Column("Study"), "question": Column("Question"), "reason": Column("Reason"),
    "label": Column("Comparison"), "series": Column("Series"), "survey": Column("Survey"), "sponsor": Column("Sponsor"),
    "title": Column("Title"), "population": Column("Who was surveyed"), "geography": Column("Where"),
    "respondents": Column("Respondents"), "figures": Column("Figures", "int"), "theme": Column("Theme"),
    "year": Column("Year", "int"), "year_early": Column("From", "int"), "year_late": Column("To", "int"),
    "wave": Column("Wave"), "wave_early": Column("From"), "wave_late": Column("To"),
    "group": Column("Group", "group"), "benchmark_group": Column("Published group", "group"),
    "dimension": Column("Breakdown"), "segment": Column("Segment"), "role": Column("Role"),
    "share_marketing": Column("Marketing share", "pct"), "share_it": Column("IT share", "pct"),
    "percent": Column("Share", "pct"), "qualifier": Column("As published"),
    "percent_a": Column("{a}", "pct"), "percent_b": Column("{b}", "pct"),
    "percent_late": Column("Later wave", "pct"), "percent_early": Column("Earlier wave", "pct"),
    "percent_marketing": Column("Marketing", "pct"), "percent_it": Column("IT / technology", "pct"),
    "marketing": Column("Marketing", "int"), "it": Column("IT / technology", "int"),
    "benchmark_percent": Column("Published", "pct"), "benchmark_qualifier": Column("As published"),
    "portfolio_percent": Column("Rest of the portfolio", "pct"), "n_organisations": Column("Organisations", "int"),
    "diff": Column("Difference", "pts"), "p_value": Column("p", "p"), "p_adjusted": Column("p (adjusted)", "p"),
    "significant": Column("Significant", "bool"), "meaningful": Column("Meaningful", "bool"),
    "cohens_h": Column("Cohen's h", "h"), "n_used": Column("Base", "n"), "n_source": Column("Base kind", "base"),
    "n_a": Column("{a} base", "n"), "n_b": Column("{b} base", "n"), "base_a": Column("{a} base kind", "base"),
    "base_b": Column("{b} base kind", "base"), "n_late": Column("Later base", "n"), "n_early": Column("Earlier base", "n"),
    "base_late": Column("Later base kind", "base"), "base_early": Column("Earlier base kind", "base"),
    "benchmark_base": Column("Published base", "n"), "benchmark_base_kind": Column("Published base kind", "base"),
    "n_eff": Column("Effective base", "n"), "n_answered": Column("Answered", "n"), "n_missing": Column("No answer", "n"),
    "n_respondents": Column("Respondents", "n"), "suppressed": Column("Hidden", "bool"),
    "break_even_n": Column("Break-even base per side", "n"), "splits_significant": Column("Splits significant", "share"),
    "study_n": Column("Study size", "n"), "conclusion": Column("Conclusion", "verdict"),
    "what_it_takes": Column("What it would take"),
    "rosier": Column("Rosier side", "group"), "verdict": Column("Verdict"), "method": Column("Method"),
    "list_rank": Column("Rank", "int"), "caveat": Column("Caveat"), "source_id": Column("Source"),
    "finding_id": Column("Figure"), "question_id": Column("Item"), "headline": Column("Headline"),
    "family": Column("Family of questions"), "k": Column("Studies (k)", "int"), "studies": Column("Studies"),
    "pooled": Column("Pooled gap", "pts"), "tau2": Column("τ² (points²)", "num"), "i2": Column("I²", "pct"),
    "q": Column("Cochran's Q", "num"), "q_p_value": Column("p (heterogeneity)", "p"),
    "fixed": Column("Fixed-effect gap", "pts"),
}

#: Base kinds in words.
BASE_WORDS = {"reported": "reported", "minimum": "reported minimum", "derived": "derived",
              "derived_minimum": "derived minimum", "assumed": "assumed", "none": "unknown", "unknown": "unknown"}

#: Columns a page never shows: ids that a readable column already spells out, and flags for machines.
HIDDEN = {"a", "b", "study_id", "metric", "testable", "note", "study_n_a", "study_n_b", "study_n_late",
          "study_n_early", "study_n_qualifier_a", "study_n_qualifier_b", "study_n_qualifier_late",
          "study_n_qualifier_early", "qualifier_a", "qualifier_b", "qualifier_late", "qualifier_early",
          "finding_a", "finding_b", "finding_late", "finding_early", "others_a", "others_b", "others_late",
          "others_early", "worst_a", "worst_b", "worst_late", "worst_early", "question_ref", "kind"}

#: Percentage columns and the qualifier column that says how each was published.
QUALIFIED = {"percent": "qualifier", "percent_a": "qualifier_a", "percent_b": "qualifier_b",
             "percent_late": "qualifier_late", "percent_early": "qualifier_early",
             "benchmark_percent": "benchmark_qualifier"}
#: An id column a readable column spells out (readable -> id): the id is shown only where its name is not.
SPELLED_OUT = {"survey": "series"}
#: How a qualifier marks a shown percentage ("=" marks nothing).
QUALIFIER_MARKS = {">": ">", "<": "<", "~": "~"}

#: Columns of running text that get room to read (a minimum width) in a page.
WIDE = {"Question", "Comparison", "Reason", "Description", "Decision", "What it would take", "Headline"}

#: Interval pairs shown as one column.
INTERVALS = {("ci_low", "ci_high"): ("Interval", "pct"), ("diff_low", "diff_high"): ("Interval", "pts"),
             ("pooled_low", "pooled_high"): ("Interval", "pts"), ("pi_low", "pi_high"): ("Prediction interval", "pts"),
             ("fixed_low", "fixed_high"): ("Fixed-effect interval", "pts")}


def _num(x: object) -> float | None:
    if x is None or x is pd.NA or isinstance(x, str):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def fmt_value(value: object, kind: str) -> str:
    """One value as a reader sees it; "—" where it is missing."""
    v = _num(value)
    if kind in ("text", "group", "base", "verdict"):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return MISSING
        text = str(value)
        if kind == "verdict":  # a comparison's conclusion in plain words (the CSV keeps the statistic's own)
            from .sentences.words import verdict_words

            return verdict_words(text) if text else MISSING
        words = {"group": GROUP_LABELS, "base": BASE_WORDS}.get(kind, {})
        return words.get(text, text) if text else MISSING
    if kind == "bool":
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return MISSING
        return "yes" if bool(value) else "no"
    if v is None:
        return MISSING
    if kind == "pct":
        return f"{v:.0f}%"
    if kind == "pts":
        return f"{round(v) + 0:+d} pts".replace("-", "−")  # + 0: a value that rounds to zero reads "+0", never "−0"
    if kind == "p":
        return "<0.001" if v < 0.001 else f"{v:.3f}"
    if kind == "share":
        return f"{100 * v:.0f}%"
    if kind == "h":
        return f"{v:.2f}".replace("-", "−")
    if kind == "n":
        return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"
    if kind == "int":
        return f"{v:.0f}"
    if kind == "num":
        return f"{v:,.1f}"
    return str(value)


def fmt_interval(low: object, high: object, kind: str) -> str:
    """An interval in one cell: "79–92%" or "−13 to +5 pts"; an open end (a published bound) shows "…"."""
    lo, hi = _num(low), _num(high)
    if lo is None and hi is None:
        return MISSING
    if kind == "pct":
        return f"{'…' if lo is None else f'{lo:.0f}'}–{'…' if hi is None else f'{hi:.0f}'}%"
    left = "…" if lo is None else f"{round(lo) + 0:+d}".replace("-", "−")
    right = "…" if hi is None else f"{round(hi) + 0:+d}".replace("-", "−")
    return f"{left} to {right} pts"


def side_names(frame: pd.DataFrame) -> dict[str, str]:
    """The two sides a comparison table sets against each other ("Marketing", "IT / technology"), from ``a`` / ``b``."""
    names = {"a": "A", "b": "B"}
    for side in ("a", "b"):
        if side in frame.columns and frame[side].nunique() == 1:
            value = str(frame[side].iloc[0])
            names[side] = GROUP_LABELS.get(value, value)
    return names


def readable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as text cells with readable headers: what a page shows (unescaped)."""
    names = side_names(frame)
    out: dict[str, list[str]] = {}
    done = {q for pct, q in QUALIFIED.items() if pct in frame.columns and q in frame.columns}  # marked on the figure
    done |= {i for name, i in SPELLED_OUT.items() if name in frame.columns and i in frame.columns}
    for col in frame.columns:
        if col in done or col in HIDDEN:
            continue
        pair = next((p for p in INTERVALS if col in p and set(p) <= set(frame.columns)), None)
        if pair:
            header, kind = INTERVALS[pair]
            out[header] = [fmt_interval(lo, hi, kind) for lo, hi in zip(frame[pair[0]], frame[pair[1]])]
            done.update(pair)
            continue
        spec = COLUMNS.get(col, Column(str(col).replace("_", " ").capitalize() if isinstance(col, str) else str(col)))
        header = spec.header.format(**names)
        while header in out:  # two columns reading alike keep both
            header += " "
        cells = [fmt_value(v, spec.kind) for v in frame[col]]
        marks = QUALIFIED.get(col)
        if marks in frame.columns:  # a published bound or approximation reads as one: ">50%", "~33%"
            cells = [f"{QUALIFIER_MARKS.get(str(q), '')}{c}" if c != MISSING else c for c, q in zip(cells, frame[marks])]
        out[header] = cells
        done.add(col)
    return pd.DataFrame(out, columns=list(out))


#: A reader's view shows at most this many columns; the full table is one click away.
READER_COLUMNS = 8
#: How much a reader needs a column (lower first): who and what, the figures, the difference, its interval, the
#: verdict, the source. Columns not named here (bases, p-values, methods, caveats) stay in the full table.
_NEED = {"Study": 0, "Series": 0, "Survey": 0, "Sponsor": 1, "Question": 0, "Comparison": 0, "Reason": 0,
         "Family of questions": 0, "Title": 1, "Description": 1, "Headline": 1, "Theme": 2, "Group": 1, "Segment": 1,
         "Breakdown": 2,
         "Published group": 2, "Year": 3, "From": 2, "To": 2, "Difference": 1, "Pooled gap": 1, "Interval": 2,
         "Verdict": 1, "Conclusion": 1, "Decision": 2, "What it would take": 4, "Source": 3, "Studies (k)": 3,
         "Studies": 3, "Respondents": 2, "Figures": 3, "Who was surveyed": 3, "Rank": 2, "Hidden": 3,
         "Splits significant": 9, "Break-even base per side": 9, "Share of splits": 9}
_FIGURE_NEED = 1  # a share column (its header is a group's name, so it is found by its cells)


def reader_headers(frame: pd.DataFrame, limit: int = READER_COLUMNS) -> list[str]:
    """The columns of a readable frame a reader sees first, at most ``limit``, in the table's own order."""
    def need(col: str) -> int:
        key = str(col).strip()
        cells = [str(v) for v in frame[col] if str(v) != MISSING]
        if not cells and len(frame):  # a column with nothing in it says nothing to a reader
            return 9
        if key in _NEED:
            return _NEED[key]
        return _FIGURE_NEED if cells and all(c.rstrip("%").lstrip("<>~").isdigit() and c.endswith("%")
                                             for c in cells) else 9
    ranked = sorted(((need(c), i, c) for i, c in enumerate(frame.columns)), key=lambda t: (t[0], t[1]))
    keep = {c for n, _, c in ranked[:limit] if n < 9}
    return [c for c in frame.columns if c in keep]


@dataclass
class Table:
    """A table for reading: HTML in a notebook or page, aligned text elsewhere. Deterministic output.

    The page shows a reader's view of at most :data:`READER_COLUMNS` columns; every column is one click away
    (a folded "All columns" table) and in the CSV. ``links`` give a Source cell its article's address.
    """

    frame: pd.DataFrame  # text cells, readable headers
    name: str = "table"
    links: dict[str, str] | None = None  # Source cell text -> address

    def _html_table(self, frame: pd.DataFrame, ident: str) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
        wide = [str(c).strip() in WIDE for c in frame.columns]
        source = [str(c).strip() == "Source" for c in frame.columns]
        rows = []
        for row in frame.itertuples(index=False):
            cells = []
            for v, w, src in zip(row, wide, source):
                text = html.escape(str(v))
                address = (self.links or {}).get(str(v)) if src else None
                if address:
                    text = f'<a href="{html.escape(address)}">{text}</a>'
                cells.append(f'<td class="{_align(v)}{" wide" if w and _align(v) == "text" else ""}">{text}</td>')
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return (f'<div class="cmocio-scroll"><table class="cmocio-table" id="{ident}">'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")

    def _repr_html_(self) -> str:
        ident = f"table-{html.escape(self.name)}"
        if self.frame.empty:  # no header row over nothing: one line says so
            return f'<p class="cmocio-empty" id="{ident}"><em>No rows for this selection.</em></p>'

        shown = reader_headers(self.frame)
        if len(shown) == len(self.frame.columns):
            return STYLE + self._html_table(self.frame, ident)
        return (STYLE + self._html_table(self.frame[shown], ident)
                + f'<details class="cmocio-full"><summary>All {len(self.frame.columns)} columns of this table '
                  f"(also in {html.escape(self.name)}.csv)</summary>"
                + self._html_table(self.frame, f"{ident}-full") + "</details>")

    def __repr__(self) -> str:
        if self.frame.empty:
            return "(no rows)"
        return self.frame.to_string(index=False, max_colwidth=60)


def _align(value: object) -> str:
    text = str(value)
    return "num" if text and (text[0].isdigit() or text[0] in "+−<>~…—") else "text"


def readable(frame: pd.DataFrame, name: str = "table", links: dict[str, str] | None = None) -> Table:
    """The table a reader sees (see the module docstring); an empty frame gives an empty table.

    ``links`` map a value of the Source column (a source id) to the article's address.
    """
    return Table(readable_frame(frame.reset_index(drop=True)), name, links)
