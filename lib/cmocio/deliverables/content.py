"""The findings a deck and a workbook carry, from the notebooks' own analyses."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import plots, sentences, survey
from ..sentences import briefs
from ..sentences.questions import tested_questions
from ..data import source_table
from ..report import Context, size_words
from ..sentences.headlines import short


@dataclass
class Finding:
    """One finding: a plain-words headline, a chart's data, where the figures come from, and the table behind it.

    ``categories`` and ``series`` hold every row, most telling first; a slide shows the first
    :data:`MAX_CATEGORIES` and says where the rest are. ``footnote`` is short (at most
    :data:`MAX_FOOTNOTE` characters); ``studies`` name every study behind it, for the sources slides.
    """

    section: str
    headline: str
    categories: list[str]
    series: dict[str, list[float | None]]  # series name -> one value per category (percent or points)
    unit: str  # "%" for shares, "pts" for differences
    footnote: str
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    name: str = ""
    colours: dict[str, str] = field(default_factory=dict)  # series name -> "#rrggbb", as on the site
    qualifiers: dict[str, list[str]] = field(default_factory=dict)  # series name -> ">", "<", "~" or "=" per value
    studies: list[str] = field(default_factory=list)
    what: str = "rows"  # what a category is, in a plural noun: "gaps", "figures", "changes"
    sources: list[str] = field(default_factory=list)  # one line per study behind it, for the sources slides
    note: str = ""  # the footnote in full, for the workbook (``footnote`` is cut to fit a slide)

    def __post_init__(self) -> None:
        self.note = self.note or self.footnote
        if len(self.footnote) > MAX_FOOTNOTE:  # whole sentences that fit, then where the rest is
            rest = f" The full note is in the workbook, sheet “{self.name}”."
            kept = ""
            for sentence in self.footnote.replace(". ", ".\n").split("\n"):
                if len(kept) + len(sentence) + 1 + len(rest) > MAX_FOOTNOTE:
                    break
                kept = f"{kept} {sentence}".strip()
            self.footnote = (kept or self.footnote[: MAX_FOOTNOTE - len(rest) - 1].rsplit(" ", 1)[0] + "…") + rest


#: At most this many categories in one chart; the rest are in the workbook.
MAX_CATEGORIES = 12
#: A slide's footnote is at most this many characters; full sources are on the sources slides.
MAX_FOOTNOTE = 300


def _short(text: str, width: int = 70) -> str:
    return short(text, width)


def source_lines(ctx: Context, study_ids: list[str]) -> list[str]:
    """One line per study: label, sponsor, size as reported, and every article (outlet, date) that reported it."""
    f, st = ctx.data.findings, ctx.data.studies.set_index("study_id")
    src = source_table(ctx.data)
    lines = []
    for sid in dict.fromkeys(study_ids):
        outlets = [f"{src.loc[source_id, 'outlet']}, {src.loc[source_id, 'published']}"
                   for source_id in dict.fromkeys(f.loc[f["study_id"] == sid, "source_id"])]
        n, q = st.loc[sid, "respondents"], st.loc[sid, "respondents_qualifier"]
        size = "size not reported" if pd.isna(n) else f"{size_words(n, q)} respondents"
        lines.append(f"{ctx.study_label(sid)} ({st.loc[sid, 'sponsor']}; {size}): {'; '.join(outlets)}")
    return lines


def _sources_note(ctx: Context, study_ids: list[str]) -> str:
    """A footnote of at most :data:`MAX_FOOTNOTE` characters: every study's line when they fit, else their count,
    sponsors and years, pointing at the sources slides."""
    ids = list(dict.fromkeys(study_ids))
    if not ids:
        return ""
    full = "Source: " + ". ".join(source_lines(ctx, ids)) + "."
    if len(full) <= MAX_FOOTNOTE:
        return full
    st = ctx.data.studies.set_index("study_id").loc[ids]
    years = st["year"].dropna().astype(int)
    span = f", {years.min()}–{years.max()}" if len(years) else ""
    return (f"Sources: {len(ids)} survey waves by {st['sponsor'].nunique()} sponsors{span}, as reported in the press; "
            "each wave, its size and the articles are listed on the Sources slides.")


def _colour(key: str) -> str:
    return plots.GROUP_COLOURS.get(key) or plots.SERIES_COLOURS.get(key, "#7570b3")


def _gap_finding(ctx: Context, all_gaps: pd.DataFrame, section: str, a_name: str, b_name: str,
                 name: str) -> Finding | None:
    gaps = tested_questions(all_gaps).copy()  # one comparison a question, as the headline counts them
    if gaps.empty:
        return None
    gaps = gaps.reindex(gaps["diff"].abs().sort_values(ascending=False, kind="stable").index)
    headline = sentences.gap_headline(all_gaps, ctx.wording, a_name, b_name)  # the page's, for any two sides
    label = [(f"{ctx.study_label(s)}: " if "study_id" in gaps else "") + _short(ctx.wording(m), 55)
             for s, m in zip(gaps.get("study_id", [""] * len(gaps)), gaps["metric"])]
    studies = list(gaps["study_id"]) if "study_id" in gaps else []
    return Finding(section, headline, label, {a_name: list(gaps["percent_a"]), b_name: list(gaps["percent_b"])}, "%",
                   _sources_note(ctx, studies), ctx.with_labels(all_gaps), name,
                   {a_name: _colour("marketing"), b_name: _colour("it")},
                   {a_name: list(gaps["qualifier_a"]), b_name: list(gaps["qualifier_b"])}, studies,
                   "questions asked of both, widest first" + (
                       f" ({len(all_gaps)} gaps in all, with every answer category and the bounds)"
                       if len(all_gaps) > len(gaps) else ""))


def published_findings(ctx: Context) -> list[Finding]:
    """The theme notebooks' main findings, from the published figures: each slide's headline is its page's
    (:func:`cmocio.sentences.headlines`), from the same rows (:mod:`cmocio.sentences.briefs`)."""
    heads = sentences.headlines(ctx)
    out: list[Finding | None] = []
    found = _gap_finding(ctx, briefs.alignment_gaps(ctx), "Alignment", "Marketing", "IT", "perception_gaps")
    if found:
        found.headline = heads["01_alignment"]
    out.append(found)
    changes = briefs.incentive_changes(ctx)
    if not changes.empty:
        changes = changes.reindex(changes["diff"].abs().sort_values(ascending=False, kind="stable").index)
        labels = [f"{plots.GROUP_LABELS.get(g, g)}: {_short(ctx.wording(m), 50)}"
                  for g, m in zip(changes["group"], changes["metric"])]
        st = ctx.data.studies
        studies = st.loc[st["series"].isin(changes["series"]) & st["study_id"].isin(ctx.findings["study_id"]),
                         "study_id"].to_list()
        out.append(Finding("Shared incentives", heads["02_shared_incentives"],
                           labels, {"Earlier wave": list(changes["percent_early"]),
                                    "Later wave": list(changes["percent_late"])},
                           "%", _sources_note(ctx, studies), changes.reset_index(drop=True), "wave_changes",
                           {"Earlier wave": _colour("earlier_wave"), "Later wave": _colour("later_wave")},
                           {"Earlier wave": list(changes["qualifier_early"]),
                            "Later wave": list(changes["qualifier_late"])}, studies, "changes, largest first"))
    own = briefs.cx_ownership(ctx)
    if not own.empty:
        own = own.sort_values("percent", ascending=False, kind="stable")
        labels = [f"{ctx.study_label(s)}, {plots.GROUP_NOUNS.get(g, g)}: {_short(ctx.wording(m), 40)}"
                  for s, g, m in zip(own["study_id"], own["group"], own["metric"])]
        series = "Name marketing as owner"
        out.append(Finding("Customer experience", heads["03_customer_experience"], labels,
                           {series: list(own["percent"])}, "%", _sources_note(ctx, list(own["study_id"])),
                           ctx.figures_table(own), "cx_ownership", {series: _colour("marketing")},
                           {series: list(own["qualifier"].fillna("="))}, list(own["study_id"]), "figures, largest first"))
    seg = briefs.martech_segments(ctx)
    if not seg.empty:
        seg = seg.sort_values("diff", ascending=False, kind="stable")
        a, b = "Very effective", "Effective"
        out.append(Finding("Martech planning", heads["04_martech_planning"],
                           [_short(ctx.wording(m), 55) for m in seg["metric"]],
                           {a: list(seg["percent_a"]), b: list(seg["percent_b"])}, "%",
                           _sources_note(ctx, list(seg["study_id"])), ctx.with_labels(seg), "segment_gaps",
                           {a: _colour("very_effective"), b: _colour("effective")},
                           {a: list(seg["qualifier_a"]), b: list(seg["qualifier_b"])}, list(seg["study_id"]),
                           "differences, largest first"))
    return _with_sources(ctx, [f for f in out if f is not None])


def _with_sources(ctx: Context, found: list[Finding]) -> list[Finding]:
    for finding in found:
        finding.sources = source_lines(ctx, finding.studies)
    return found


def own_findings(ctx: Context, result: survey.Analysis, label: str) -> list[Finding]:
    """Your organisation beside the studies: shown figures only, after the anonymity rule."""
    answers = survey.publishable(result.overall())
    shown = answers[~answers["suppressed"].astype(bool) & answers["group"].isin(["marketing", "it"])]
    out = []
    if not shown.empty:
        wide = shown.pivot_table(index="metric", columns="group", values="percent", aggfunc="first")
        wide = wide.reindex(columns=["marketing", "it"])
        cats = [_short(ctx.wording(m), 55) for m in wide.index]
        series = {plots.GROUP_LABELS[g]: [None if pd.isna(v) else float(v) for v in wide[g]] for g in wide.columns}
        out.append(Finding("Your organisation", f"{label}: where your marketing and IT teams stand (wave {result.latest})",
                           cats, series, "%", f"Your pulse survey ({label}); figures resting on fewer than "
                           f"{result.min_group_size} people are not shown.",
                           shown.assign(question=[ctx.wording(m) for m in shown["metric"]])[
                               ["question_id", "question", "group", "percent", "ci_low", "ci_high", "n_answered"]],
                           "your_answers", {plots.GROUP_LABELS[g]: _colour(g) for g in wide.columns}, what="questions"))
    bench = survey.rounded(survey.benchmark(result.overall(), ctx.findings, ctx.confidence, ctx.assumed_n))
    bench = bench[bench["role"] == "benchmark"]
    if not bench.empty:
        bench = bench.reindex(bench["diff"].abs().sort_values(ascending=False, kind="stable").index)
        cats = [f"{plots.GROUP_LABELS[g]} vs {ctx.study_label(s)}: {_short(ctx.wording(m), 45)}"
                for g, s, m in zip(bench["group"], bench["study_id"], bench["metric"])]
        out.append(Finding("Your organisation", f"{label} beside the published studies",
                           cats, {"Yours": list(bench["percent"]), "Published": list(bench["benchmark_percent"])}, "%",
                           _sources_note(ctx, list(bench["study_id"])), ctx.with_labels(bench), "benchmark",
                           {"Yours": _colour("yours"), "Published": _colour("published")},
                           {"Yours": ["="] * len(bench), "Published": list(bench["benchmark_qualifier"].fillna("="))},
                           list(bench["study_id"]), "comparisons, widest first"))
    return _with_sources(ctx, out)


def findings(ctx: Context, responses_path: str = "", mapping_path: str = "", min_group_size: int = 5,
             weight_column: str = "weight", ledger_path: str = "", organisation: str = "") -> list[Finding]:
    """Every finding of the deck, the published ones first, then your organisation's (the example if no file).

    Your figures are a release of your survey: checked against its disclosure ledger and recorded there.
    """
    from .insights import insight_findings

    org = survey.SurveyContext.open(ctx, survey.SurveySettings(
        responses_path=responses_path, mapping_path=mapping_path, weight_column=weight_column,
        min_group_size=min_group_size, ledger_path=ledger_path, organisation=organisation), kind="deck and workbook")
    label = "Your organisation" if responses_path else "Synthetic example organisation"
    return published_findings(ctx) + own_findings(ctx, org.result, label) + insight_findings(org)


def caveats() -> list[str]:
    """The caveats every deck and workbook carries."""
    return [
        "Different studies sampled different people, in different years, with different wordings: compare within a study.",
        "Most published figures have no reported base; where it is unknown, a difference is not tested and the notebooks "
        "say what base would make it significant.",
        "\"More than half\" and similar are bounds: they support a conclusion only in their own direction.",
        "Tests are Benjamini–Hochberg adjusted once over the whole evidence base, each question tested once, and a "
        "difference is significant only at the least favourable values its rounded figures allow.",
        "Most figures come from news articles about the studies, some from the sponsors' own releases and reports "
        "(the sources sheet says which); where several articles print one figure, the most precise is used.",
        "Your organisation's figures resting on too few people, or on one person's weight, are never shown, and no "
        "hidden figure can be worked out from the shown ones or from an earlier release of the same survey.",
    ]


__all__ = ["MAX_CATEGORIES", "MAX_FOOTNOTE", "Finding", "caveats", "findings", "own_findings", "published_findings",
           "source_lines"]
