"""The findings a deck and a workbook carry, from the notebooks' own analyses."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import plots, stats, survey
from ..data import source_table
from ..report import Context, size_words


@dataclass
class Finding:
    """One finding: a plain-words headline, a chart's data, where the figures come from, and the table behind it."""

    section: str
    headline: str
    categories: list[str]
    series: dict[str, list[float | None]]  # series name -> one value per category (percent or points)
    unit: str  # "%" for shares, "pts" for differences
    footnote: str
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    name: str = ""


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _sources_note(ctx: Context, study_ids: list[str]) -> str:
    """Study, article (outlet, date) and size as reported, for every study behind a slide."""
    f, st = ctx.data.findings, ctx.data.studies.set_index("study_id")
    src = source_table(ctx.data)
    parts = []
    for sid in dict.fromkeys(study_ids):
        outlets = [f"{src.loc[source_id, 'outlet']}, {src.loc[source_id, 'published']}"
                   for source_id in dict.fromkeys(f.loc[f["study_id"] == sid, "source_id"])]
        n, q = st.loc[sid, "respondents"], st.loc[sid, "respondents_qualifier"]
        size = "size not reported" if pd.isna(n) else f"{size_words(n, q)} respondents"
        parts.append(f"{ctx.study_label(sid)} ({st.loc[sid, 'sponsor']}; {size}), reported by {'; '.join(outlets)}")
    return "Sources: " + ". ".join(parts) + "." if parts else ""


def _gap_finding(ctx: Context, gaps: pd.DataFrame, section: str, a_name: str, b_name: str, what: str,
                 name: str) -> Finding | None:
    gaps = gaps[gaps["testable"].astype(bool)].copy()
    if gaps.empty:
        return None
    gaps = gaps.reindex(gaps["diff"].abs().sort_values(ascending=False).index)
    top = gaps.iloc[0]
    holds = int((gaps["conclusion"] == stats.HOLDS).sum())
    headline = (f"{what}: widest on “{_short(ctx.wording(top['metric']), 60)}” ({a_name} {top['percent_a']:.0f}% vs "
                f"{b_name} {top['percent_b']:.0f}%); {holds} of {len(gaps)} differences hold whatever the unknown bases")
    label = [(f"{ctx.study_label(s)}: " if "study_id" in gaps else "") + _short(ctx.wording(m), 55)
             for s, m in zip(gaps.get("study_id", [""] * len(gaps)), gaps["metric"])]
    return Finding(section, headline, label, {a_name: list(gaps["percent_a"]), b_name: list(gaps["percent_b"])}, "%",
                   _sources_note(ctx, list(gaps["study_id"])) if "study_id" in gaps else "",
                   ctx.with_labels(gaps), name)


def published_findings(ctx: Context) -> list[Finding]:
    """The theme notebooks' main findings, from the published figures."""
    out: list[Finding | None] = []
    align = ctx.theme("alignment")
    align = align[~align["metric"].str.startswith("reason_")]
    out.append(_gap_finding(ctx, ctx.perception_gaps(align), "Alignment", "Marketing", "IT",
                            "Marketing and IT see the relationship differently", "perception_gaps"))
    changes = ctx.wave_changes(ctx.findings[ctx.findings["metric"].isin(["shared_incentives", "relationship_collaborative",
                                                                          "relationship_very_collaborative"])])
    if not changes.empty:
        labels = [f"{plots.GROUP_LABELS.get(g, g)}: {_short(ctx.wording(m), 50)}"
                  for g, m in zip(changes["group"], changes["metric"])]
        rising = changes.loc[changes["diff"].idxmax()]
        headline = (f"Shared incentives and relationship quality rose between waves, most for "
                    f"{plots.GROUP_NOUNS.get(rising['group'], rising['group'])} ({rising['diff']:+.0f} pts on "
                    f"“{_short(ctx.wording(rising['metric']), 50)}”)")
        st = ctx.data.studies
        studies = st.loc[st["series"].isin(changes["series"]) & st["study_id"].isin(ctx.findings["study_id"]),
                         "study_id"].to_list()
        out.append(Finding("Shared incentives", headline, labels,
                           {"Earlier wave": list(changes["percent_early"]), "Later wave": list(changes["percent_late"])},
                           "%", _sources_note(ctx, studies), changes, "wave_changes"))
    own = ctx.findings[ctx.findings["metric"] == "marketing_owns_cx"]
    if not own.empty:
        labels = [f"{ctx.study_label(s)} ({plots.GROUP_NOUNS.get(g, g)})" for s, g in zip(own["study_id"], own["group"])]
        out.append(Finding("Customer experience",
                           f"Most respondents put marketing in charge of the customer experience "
                           f"({own['percent'].min():.0f}% to {own['percent'].max():.0f}%), though IT was rarely asked",
                           labels, {"Marketing owns the customer experience": list(own["percent"])}, "%",
                           _sources_note(ctx, list(own["study_id"])), ctx.figures_table(own), "cx_ownership"))
    seg = ctx.segment_gaps(ctx.theme("martech_planning"))
    if not seg.empty:
        seg = seg.sort_values("diff", ascending=False)
        holds = int((seg["conclusion"] == stats.HOLDS).sum())
        top = seg.iloc[0]
        out.append(Finding("Martech planning",
                           f"Very effective CMO–CIO relationships plan and measure martech more: {holds} of {len(seg)} "
                           f"differences hold at the minimum bases; largest on “{_short(ctx.wording(top['metric']), 50)}” "
                           f"({top['percent_a']:.0f}% vs {top['percent_b']:.0f}%)",
                           [_short(ctx.wording(m), 55) for m in seg["metric"]],
                           {"Very effective": list(seg["percent_a"]), "Effective": list(seg["percent_b"])}, "%",
                           _sources_note(ctx, list(seg["study_id"])), ctx.with_labels(seg),
                           "segment_gaps"))
    return [f for f in out if f is not None]


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
                           "your_answers"))
    bench = survey.rounded(survey.benchmark(result.overall(), ctx.findings, ctx.confidence, ctx.assumed_n))
    bench = bench[bench["role"] == "benchmark"]
    if not bench.empty:
        cats = [f"{plots.GROUP_LABELS[g]} vs {ctx.study_label(s)}: {_short(ctx.wording(m), 45)}"
                for g, s, m in zip(bench["group"], bench["study_id"], bench["metric"])]
        out.append(Finding("Your organisation", f"{label} beside the published studies",
                           cats, {"Yours": list(bench["percent"]), "Published": list(bench["benchmark_percent"])}, "%",
                           _sources_note(ctx, list(bench["study_id"])), ctx.with_labels(bench), "benchmark"))
    return out


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


__all__ = ["Finding", "caveats", "findings", "own_findings", "published_findings"]
