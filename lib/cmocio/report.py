"""What every notebook does around its analysis: parameters, output files, the analyses shared by themes.

A notebook starts with::

    from cmocio import report
    ctx = report.start("01_alignment", confidence=confidence, studies=studies,
                       findings_path=findings_path, output_dir=output_dir, assumed_base_n=assumed_base_n)

which sets the plot theme (:func:`cmocio.plots.setup`), checks the parameters,
loads and validates the data, and prepares ``output_dir/<notebook>/``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import display, plots, stats
from .sentences.gaps import (HOLDING_WORDS, bullet_list, chart_note, fmt_pct, fmt_pp, robustness_brief, size_words,
                             study_size, wave_change_lines, what_it_takes)
from .sentences.words import md_escape
from .data import Dataset, distinct_figures, load_dataset
from .errors import ParameterError
from .files import atomic_write_bytes, atomic_write_text

#: Metrics that describe the sample rather than answers about marketing and IT.
SAMPLE_METRICS = ("sample_share_by_function", "sample_firms_3000_plus_staff", "sample_firms_revenue_over_1bn")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _memoized(method):
    """A comparison computed once per set of rows: the brief and the sections of a page, and the deck, ask for the
    same table (split sweeps take a second); each caller gets its own copy."""
    import functools

    @functools.wraps(method)
    def wrapper(self, frame: pd.DataFrame) -> pd.DataFrame:
        try:
            key = (method.__name__, len(frame), tuple(frame.columns),
                   int(pd.util.hash_pandas_object(frame, index=False).sum()))
        except TypeError:  # a cell that cannot be hashed: compute afresh
            return method(self, frame)
        memo = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            memo[key] = method(self, frame)
        return memo[key].copy()
    return wrapper


@dataclass
class Context:
    """Everything a notebook needs: parameters, validated data, and where to write."""

    name: str
    confidence: float
    assumed_n: int | None
    data: Dataset
    findings: pd.DataFrame  # distinct figures of the selected studies, with intervals
    out: Path
    studies: list[str] = field(default_factory=list)  # the selected study ids; empty means all

    def selected_studies(self) -> pd.DataFrame:
        """The rows of studies.csv this run covers (all of them when ``studies`` is empty)."""
        st = self.data.studies
        return st if not self.studies else st[st["study_id"].isin(self.studies)]

    # ---- labels -------------------------------------------------------------------------------
    @cached_property
    def _wordings(self) -> dict[str, str]:
        return dict(zip(self.data.metrics["metric"], self.data.metrics["wording"]))

    @cached_property
    def _families(self) -> dict[str, str]:
        return dict(zip(self.data.metrics["metric"], self.data.metrics["family"]))

    @cached_property
    def _labels(self) -> dict[str, str]:
        return dict(zip(self.data.studies["study_id"], self.data.studies["label"]))

    def wording(self, metric: str) -> str:
        """The paraphrased wording of a metric."""
        return str(self._wordings.get(metric, metric))

    def study_label(self, study_id: str) -> str:
        """The short chart label of a study (``label`` in studies.csv)."""
        return str(self._labels.get(study_id, study_id))

    def theme(self, theme: str) -> pd.DataFrame:
        """The selected findings of one theme, sample-composition rows left out."""
        f = self.findings
        return f[(f["theme"] == theme) & ~f["metric"].isin(SAMPLE_METRICS)]

    # ---- outputs ------------------------------------------------------------------------------
    def save_table(self, frame: pd.DataFrame, name: str) -> pd.DataFrame:
        """Write ``frame`` to ``<out>/<name>.csv`` atomically and return it for display."""
        path = self.out / f"{name}.csv"
        atomic_write_text(path, csv_safe(frame).to_csv(index=False, float_format="%.10g"))
        return frame

    def table(self, frame: pd.DataFrame, name: str) -> display.Table:
        """Save ``frame`` as ``<name>.csv`` (every column, full precision) and return it formatted for reading."""
        self.save_table(frame, name)
        return display.readable(frame, name, self.source_links)

    @cached_property
    def source_links(self) -> dict[str, str]:
        """Each source id with a known web address, and that address (for the tables' Source column)."""
        src = self.data.sources
        return {str(i): str(a) for i, a in zip(src["source_id"], src["address"])
                if isinstance(a, str) and a.startswith(("http://", "https://"))}

    def save_figure(self, ax: plt.Axes, name: str, show: bool = True) -> None:
        """Write the figure holding ``ax`` to ``<out>/<name>.png`` and ``.svg`` atomically, then show that same PNG.

        A chart marked as a sentence (:func:`cmocio.plots.as_sentence`: a single point) shows the sentence instead.

        The tight bounding box is measured once, at the saving resolution, and used for both
        formats (rather than each format drawing the figure an extra time to find it). The
        file and the notebook output are the same bytes (no timestamp metadata), and the
        figure is closed afterwards.
        """
        import matplotlib

        sentence = plots.sentence_of(ax)
        if sentence:  # too little to draw: the sentence, not a chart
            if show:
                from IPython.display import Markdown, display

                display(Markdown(md_escape(sentence)))
            plt.close(ax.figure)
            return
        path = self.out / f"{name}.png"
        buffer = io.BytesIO()
        fig = ax.figure
        fig.set_dpi(matplotlib.rcParams["savefig.dpi"])
        box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(matplotlib.rcParams["savefig.pad_inches"])
        fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches=box)
        atomic_write_bytes(path, buffer.getvalue())
        vector = io.BytesIO()  # the same chart as SVG, for print and slides (no date: same chart, same bytes)
        fig.savefig(vector, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=box)
        atomic_write_bytes(path.with_suffix(".svg"), vector.getvalue())
        if show:
            from IPython.display import Image, display

            categories = plots.categories_of(ax)
            display(Image(data=buffer.getvalue(), format="png"),
                    metadata={"cmocio": {"categories": categories}} if categories else None)
        plt.close(fig)

    # ---- shared analyses ----------------------------------------------------------------------
    def with_labels(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add 'study' and 'question' columns for display."""
        out = frame.copy()
        if "study_id" in out:
            out.insert(0, "study", [self.study_label(s) for s in out["study_id"]])
        if "metric" in out:
            out.insert(1 if "study" in out else 0, "question", [self.wording(m) for m in out["metric"]])
        return out

    @property
    def evidence(self) -> pd.DataFrame:
        """Every comparison of the selected evidence base, adjusted as one family (:mod:`cmocio.stats.evidence`).

        The evidence base is every figure of the selected studies, sample-composition figures left out. It is
        computed once per process for the same data and parameters, so each page shows a comparison with the
        same adjusted result.
        """
        f = self.findings
        base = f[~f["metric"].isin(SAMPLE_METRICS)]
        return stats.evidence_comparisons(base, self.data.studies.set_index("study_id")["series"],
                                          self.confidence, self.assumed_n)

    def _comparisons(self, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
        """The comparisons of one kind among ``frame``'s figures, from the evidence-wide family.

        A frame with figures that are not in the evidence base (made up, or read from elsewhere) is its own
        family: its comparisons are computed and adjusted over it alone.
        """
        ids = set(frame["finding_id"]) if "finding_id" in frame else set()
        if ids and ids <= set(self.findings["finding_id"]):
            return stats.select(self.evidence, kind, ids)
        if kind == "wave":
            series = self.data.studies.set_index("study_id")["series"]
            pairs = stats.wave_pairs(frame, series, self.confidence, self.assumed_n, finish=True)
            return stats.evidence.as_wave_table(pairs)
        column, a, b, base = stats.evidence.KINDS[kind]
        return stats.compare_pairs(frame, column, a, b, stats.evidence._keys(base, frame), self.confidence,
                                   self.assumed_n)

    @_memoized
    def perception_gaps(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Marketing minus IT on every question asked of both, with interval, test and who is rosier."""
        gaps = self._comparisons("perception", frame)
        direction = self.data.metrics.set_index("metric")["direction"]
        d = gaps["metric"].map(direction).astype(float) if not gaps.empty else pd.Series(dtype=float)
        signed = np.sign(gaps["diff"].astype(float) * d) if not gaps.empty else d
        gaps["rosier"] = np.select([signed > 0, signed < 0], ["marketing", "it"], "neither")
        gaps.loc[d == 0, "rosier"] = "not applicable"
        if not gaps.empty:  # a bound that cannot cut the observed way names no rosier side
            gaps.loc[~gaps["testable"].astype(bool) & (d != 0), "rosier"] = stats.NOT_TESTABLE
        return gaps

    def family(self, metric: str) -> str:
        """The metric's family of comparable questions (its own id when alone)."""
        return str(self._families.get(metric, metric))

    def meta_analysis(self, gaps: pd.DataFrame, min_k: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Gaps usable for pooling (both bases known, exact figures) and the random-effects estimate per family.

        Families of two studies are listed unpooled (:data:`cmocio.stats.NOT_POOLED`); their gaps are in the first
        frame, to be shown side by side.
        """
        effects = stats.gap_effects(gaps)
        effects = effects.assign(family=[self.family(m) for m in effects["metric"]],
                                 label=[f"{self.study_label(s)}: {self.wording(m)}"
                                        for s, m in zip(effects["study_id"], effects["metric"])])
        pooled = stats.meta_analysis(effects, "family", self.confidence, min_k)
        pooled["studies"] = ["; ".join(self.study_label(s) for s in ids.split("; ")) if ids else ""
                             for ids in pooled["studies"]]
        return effects[effects["family"].isin(set(pooled["family"]))].sort_values(["family", "year"]), pooled

    @_memoized
    def segment_gaps(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Very effective minus effective CMO-CIO relationships, per question."""
        return self._comparisons("segment", frame)

    @_memoized
    def wave_changes(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Change between consecutive waves of the same survey series (``series`` in studies.csv), with the
        programme's name as ``survey`` beside its id."""
        changes = self._comparisons("wave", frame)
        names = self.data.studies.drop_duplicates("series").set_index("series")["programme"]
        changes.insert(list(changes.columns).index("series") + 1, "survey", changes["series"].map(names))
        return changes

    def series_points(self, frame: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
        """The figures behind ``changes`` (from :meth:`wave_changes`), ready for :func:`plots.series_panels`.

        Adds ``panel`` (sponsor, series and its waves, e.g. "Accenture (accenture-cmo-cio):
        2013 → 2014") and ``line`` (group and wording). Only figures of a series, question
        and group that appear in ``changes`` are kept; an empty ``changes`` gives no rows.
        """
        studies = self.data.studies.set_index("study_id")
        series_of = frame["study_id"].map(studies["series"])
        keep = set(zip(changes["series"], changes["metric"], changes["group"]))
        rows = frame[[(s, m, g) in keep for s, m, g in zip(series_of, frame["metric"], frame["group"])]]
        rows = rows.assign(series=series_of[rows.index])
        waves = rows.groupby("series")["year"].agg(lambda y: " → ".join(map(str, sorted(set(int(v) for v in y)))))
        return rows.assign(
            panel=[f"{studies.at[s, 'sponsor']} ({ser}): {waves[ser]}" for s, ser in zip(rows["study_id"], rows["series"])],
            line=[f"{plots.GROUP_LABELS.get(g, g)}: {self.wording(m)}" for m, g in zip(rows["metric"], rows["group"])])

    def wave_change_lines(self, changes: pd.DataFrame) -> list[str]:
        """One Markdown line per wave change (see :func:`cmocio.sentences.gaps.wave_change_lines`)."""
        return wave_change_lines(changes, self.wording)

    def robustness(self, table: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
        """One row per comparison: label, difference, conclusion, and what the unknown bases would take.

        ``table`` is a comparison table (perception gaps, segment gaps or wave
        changes); ``labels`` are the row labels a chart uses.
        """
        late = "percent_late" in table.columns
        a, b = ("late", "early") if late else ("a", "b")
        rows = []
        for lab, (_, r) in zip(labels, table.iterrows()):
            size = study_size(r, b, a) if late else study_size(r, a, b)  # waves in time order
            rows.append({"label": lab, "diff": r["diff"], "conclusion": r["conclusion"],
                         "break_even_n": r["break_even_n"], "splits_significant": r["splits_significant"],
                         "study_n": max(float(np.nan_to_num(r[f"study_n_{a}"])), float(np.nan_to_num(r[f"study_n_{b}"])))
                         or np.nan,
                         "what_it_takes": what_it_takes(r, size),
                         "note": chart_note(r)})
        cols = ["label", "diff", "conclusion", "break_even_n", "splits_significant", "study_n", "what_it_takes", "note"]
        return pd.DataFrame(rows, columns=cols)

    def robustness_brief(self, robust: pd.DataFrame) -> str:
        """What holds whatever the unknown bases are, and what depends on them (see
        :func:`cmocio.sentences.gaps.robustness_brief`)."""
        return robustness_brief(robust)

    def waves(self) -> pd.DataFrame:
        """The survey waves of this selection: selected studies with at least one figure, with their chart label."""
        st = self.selected_studies()
        st = st[st["study_id"].isin(self.findings["study_id"])]
        return st.assign(label=st["study_id"].map(self.study_label))

    def waves_table(self) -> pd.DataFrame:
        """The waves for reading: sponsor, title, series, year, size as reported, who, where, split, figures."""
        table = self.waves().sort_values(["year", "sponsor"], na_position="last")
        table = table.assign(
            figures=table["study_id"].map(self.findings["study_id"].value_counts()).fillna(0).astype(int),
            respondents=["" if pd.isna(n) else f"{'' if q == '=' else q}{int(n):,}"
                         for n, q in zip(table["respondents"], table["respondents_qualifier"].fillna("="))])
        cols = ["study_id", "sponsor", "title", "series", "year", "respondents", "population", "geography",
                "share_marketing", "share_it", "figures"]
        return table[cols]

    def conflicts_table(self) -> pd.DataFrame:
        """Where the articles disagree and what was decided, for the selected studies only (all when none).

        A disagreement is listed when any figure it involves belongs to a selected study.
        """
        c = self.data.conflicts
        study_of = self.data.findings.set_index("finding_id")["study_id"]
        involved = [[study_of.get(f.strip()) for f in str(ids).split(";") if f.strip() in study_of.index]
                    for ids in c["findings"]]
        keep = [not self.studies or bool(set(s) & set(self.studies)) for s in involved]
        out = c.assign(studies=[", ".join(dict.fromkeys(self.study_label(x) for x in s)) for s in involved],
                       set_aside=c["set_aside"].fillna(""))[keep]
        return out[["conflict_id", "studies", "kind", "description", "decision", "set_aside"]].reset_index(drop=True)

    def figures_table(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The numbers behind a chart of figures: study, question, group, %, interval, base and caveat."""
        cols = ["study_id", "metric", "group", "year", "percent", "qualifier", "ci_low", "ci_high",
                "n_used", "n_source", "caveat", "finding_id", "source_id"]
        return self.with_labels(frame[cols].reset_index(drop=True))


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Guard text cells against spreadsheet formula injection by prefixing an apostrophe.

    Numbers are left alone (a negative number is not a formula); only text cells
    starting with ``= + - @`` (or a tab or carriage return) are changed.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            s = out[col]
            mask = s.notna() & s.astype(str).str.startswith(_FORMULA_START)
            mask &= pd.to_numeric(s.where(mask), errors="coerce").isna()
            if mask.any():
                out[col] = s.astype(object).where(~mask, "'" + s.astype(str))
    return out


def as_list(value: object, name: str) -> list:
    """A list parameter as people type it: a list, or its text as JSON (``'["a", "b"]'``) or YAML (``'[a, b]'``).

    ``papermill -p studies '["a", "b"]'`` passes the text; this reads it. Empty
    text is an empty list. Anything else is a :class:`ParameterError` that says
    what to pass.
    """
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        import json

        import yaml

        for parse in (json.loads, yaml.safe_load):
            try:
                parsed = parse(text)
            except Exception:  # noqa: BLE001 - try the next notation, then say what is expected
                continue
            if isinstance(parsed, list):
                return parsed
    raise ParameterError(f"{name} must be a list such as [\"leapfrog-2016\"] (got {value!r}); as text, "
                         f"JSON ('[\"a\", \"b\"]') or YAML ('[a, b]') also works")


def check_parameters(confidence: float, studies: Sequence[str], assumed_base_n: int, output_dir: str) -> None:
    """Refuse unusable notebook parameters with a message that says what to pass instead."""
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ParameterError(f"confidence must be a fraction between 0 and 1, such as 0.95 (got {confidence!r}); "
                             "for 95% write 0.95")
    if isinstance(studies, str) or not isinstance(studies, (list, tuple)):
        raise ParameterError(f"studies must be a list of study ids such as ['leapfrog-2016'] (got {studies!r})")
    if isinstance(assumed_base_n, bool) or not isinstance(assumed_base_n, int) or assumed_base_n < 0:
        raise ParameterError(f"assumed_base_n must be a whole number, 0 for none (got {assumed_base_n!r})")
    if not isinstance(output_dir, str) or not output_dir.strip():
        raise ParameterError(f"output_dir must be a folder path (got {output_dir!r})")


def start(name: str, *, confidence: float = 0.95, studies: Sequence[str] = (), findings_path: str = "",
          output_dir: str = "results", assumed_base_n: int = 0, seed: int = 0) -> Context:
    """Set up a notebook: theme and seeds, parameter checks, validated data, output folder."""
    plots.setup(seed)
    if isinstance(studies, str):
        studies = as_list(studies, "studies")
    check_parameters(confidence, list(studies) if isinstance(studies, tuple) else studies, assumed_base_n, output_dir)
    ds = load_dataset(findings_path or None)
    studies = list(studies)
    if not all(isinstance(x, str) for x in studies):
        raise ParameterError(f"studies must be a list of study ids (text), got {studies!r}")
    known = set(ds.studies["study_id"])
    unknown = [s for s in studies if s not in known]
    if unknown:
        raise ParameterError(f"studies: unknown study id(s) {', '.join(map(repr, unknown))}; "
                             f"known ids are {', '.join(sorted(known))}")
    f = ds.findings if not studies else ds.findings[ds.findings["study_id"].isin(studies)]
    f = stats.with_questions(distinct_figures(f), ds.metrics)
    f = stats.with_intervals(stats.with_study_sizes(f, ds.studies), confidence, assumed_base_n or None)
    out = Path(output_dir) / name
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"output_dir: cannot create {out}: {exc.strerror}") from None
    return Context(name, float(confidence), assumed_base_n or None, ds, f, out, studies)


__all__ = ["HOLDING_WORDS", "Context", "as_list", "bullet_list", "chart_note", "check_parameters", "csv_safe",
           "fmt_pct", "fmt_pp", "md_escape", "size_words", "start", "study_size", "what_it_takes"]
