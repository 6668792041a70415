"""One organisation's survey, read and analysed once with its settings, for the benchmark page and the deck.

::

    org = survey.SurveyContext.open(ctx, survey.SurveySettings(responses_path=..., min_group_size=5))
    org.benchmark(); org.gaps(); org.trend(); org.heatmap(); org.drivers(); org.actions()

``ctx`` is the page's :class:`cmocio.report.Context` (published findings, confidence,
assumed bases). Every table comes from the one suppressed analysis of the responses
(a single release in the survey's disclosure ledger), or, for drivers, from
breakdowns audited against it and recorded in the same ledger as a release of their own; methods return full-precision figures and
:func:`cmocio.survey.privacy.rounded` or ``publishable`` make them fit to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from ..errors import ParameterError
from . import compare, drivers as drivers_, evidence, heatmap as heatmap_, privacy
from .analysis import Analysis, analyse
from .instrument import ALL, EXAMPLE_PATH, SEGMENT_PREFIX, load_questions, segment_name
from .responses import Responses, read_responses


def check_survey_parameters(min_group_size: int, weight_column: str, responses_path: str, mapping_path: str = "",
                            min_difference_pts: float = 5.0, heatmap_pair: list | tuple = ()) -> None:
    """Refuse unusable parameters of an organisation's survey with a message that says what to pass."""
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int) or min_group_size < 1:
        raise ParameterError(f"min_group_size must be a whole number of at least 1 (got {min_group_size!r})")
    if not isinstance(weight_column, str):
        raise ParameterError(f"weight_column must be a column name, or empty for unweighted (got {weight_column!r})")
    if not isinstance(responses_path, str):
        raise ParameterError(f"responses_path must be a file path, or empty for the example (got {responses_path!r})")
    if not isinstance(mapping_path, str):
        raise ParameterError(f"mapping_path must be a file path, or empty for a canonical CSV (got {mapping_path!r})")
    if mapping_path and not responses_path:
        raise ParameterError("mapping_path is set but responses_path is empty: give the export the mapping describes")
    if (isinstance(min_difference_pts, bool) or not isinstance(min_difference_pts, (int, float))
            or not 0 <= min_difference_pts <= 100):
        raise ParameterError(f"min_difference_pts must be a number of points between 0 and 100 (got {min_difference_pts!r})")
    if (isinstance(heatmap_pair, str) or not isinstance(heatmap_pair, (list, tuple)) or len(heatmap_pair) not in (0, 2)
            or not all(isinstance(x, str) and x for x in heatmap_pair)):
        raise ParameterError(f"heatmap_pair must be two segment names such as [\"business_unit\", \"level\"], or [] "
                             f"for none (got {heatmap_pair!r})")


@dataclass(frozen=True)
class SurveySettings:
    """What a page or deck needs to know about an organisation's survey, checked once."""

    responses_path: str = ""
    mapping_path: str = ""
    weight_column: str = "weight"
    min_group_size: int = 5
    min_difference_pts: float = 5.0
    ledger_path: str = ""
    organisation: str = ""
    heatmap_pair: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_survey_parameters(self.min_group_size, self.weight_column, self.responses_path, self.mapping_path,
                                self.min_difference_pts, self.heatmap_pair)
        object.__setattr__(self, "heatmap_pair", tuple(self.heatmap_pair))


@dataclass
class SurveyContext:
    """An organisation's survey: its responses as read, the one suppressed analysis, and every table of the page."""

    report: object  # the page's cmocio.report.Context
    settings: SurveySettings
    questions: pd.DataFrame
    read: Responses
    result: Analysis
    ledger: privacy.Ledger | None = None
    kind: str = "notebook"
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, report_ctx, settings: SurveySettings, kind: str = "notebook") -> "SurveyContext":
        """Read the responses (the synthetic example when none are given), analyse and record the release.

        ``kind`` names the release in the ledger (notebook, deck and workbook). Two segment columns in
        ``settings.heatmap_pair`` add their crossed breakdown to the analysis, audited with everything else.
        """
        questions = load_questions()
        source = settings.responses_path or str(EXAMPLE_PATH)
        read = read_responses(source, questions, settings.weight_column, settings.mapping_path or None)
        frame = read.frame
        if settings.heatmap_pair:
            try:
                frame = heatmap_.with_crossed(frame, *settings.heatmap_pair)
            except ValueError as exc:
                raise ParameterError(str(exc)) from None
        ledger = privacy.ledger_for(settings.responses_path, settings.ledger_path, settings.organisation)
        result = analyse(frame, questions, settings.min_group_size, report_ctx.confidence, read.weighted, ledger, kind)
        return cls(report_ctx, settings, questions, Responses(frame, read.source, read.warnings, read.weighted),
                   result, ledger, kind)

    # ---- who and what -------------------------------------------------------------------------------------------
    @property
    def synthetic(self) -> bool:
        """Whether this is the shipped synthetic example."""
        return not self.settings.responses_path

    @property
    def label(self) -> str:
        """How slides name the organisation."""
        return self.settings.organisation or ("Synthetic example organisation" if self.synthetic else
                                              "Your organisation")

    @property
    def confidence(self) -> float:
        return float(self.report.confidence)

    @property
    def pts(self) -> float:
        return float(self.settings.min_difference_pts)

    def wording(self, metric: str) -> str:
        """A metric's paraphrased wording."""
        return self.report.wording(metric)

    def summary(self) -> str:
        """The page's opening lines, and the anonymity rule with how many figures it hid."""
        from ..sentences import benchmark as words

        sizes = self.sizes()
        latest = sizes[(sizes["dimension"] == "") & (sizes["wave"] == self.result.latest)]
        segs = [segment_name(SEGMENT_PREFIX + d) for d in self.result.dimensions]
        return (words.summary(self.settings.organisation, self.synthetic, self.read.source, self.result.latest,
                              words.counts(latest, self.result.min_group_size), self.result.waves, segs,
                              self.read.weighted, self.read.warnings) + "\n\n"
                + privacy.statement(self.result.min_group_size, self.result.hidden, self.ledger is not None))

    # ---- the tables ---------------------------------------------------------------------------------------------
    def sizes(self) -> pd.DataFrame:
        """Group sizes, publishable."""
        return privacy.publishable(self.result.sizes())

    def answers(self) -> pd.DataFrame:
        """Each question by function in the latest wave, publishable, with its wording."""
        a = privacy.publishable(self.result.overall())
        return a.assign(question=[self.wording(m) for m in a["metric"]])

    def _once(self, key: object, make) -> pd.DataFrame:
        """A table computed on first use and kept: the page's brief and its sections ask for the same ones."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def benchmark(self) -> pd.DataFrame:
        """Your figures minus the published ones (full precision)."""
        return self._once("benchmark", lambda: compare.benchmark(
            self.result.overall(), self.report.findings, self.confidence, self.report.assumed_n, self.pts))

    def gaps(self) -> pd.DataFrame:
        """Your marketing minus your IT (full precision)."""
        return self._once("gaps", lambda: compare.own_gaps(self.result.overall(), self.confidence, self.pts))

    def trend(self) -> pd.DataFrame:
        """Change since the previous wave (full precision)."""
        return self._once("trend", lambda: self.result.trend(self.pts))

    def segments(self) -> pd.DataFrame:
        """Every breakdown of the latest wave, publishable, with wordings."""
        parts = [privacy.publishable(self.result.breakdown(d)) for d in self.result.dimensions]
        out = pd.concat(parts, ignore_index=True) if parts else privacy.publishable(self.result.overall().iloc[:0])
        return out.assign(question=[self.wording(m) for m in out["metric"]])

    def heatmap(self, dimensions: list[str] | None = None) -> pd.DataFrame:
        """Every question x segment value x group: the difference from the organisation (full precision)."""
        return self._once(("heatmap", tuple(dimensions) if dimensions is not None else None), lambda: heatmap_.heatmap(
            self.result.table, self.result.latest, self.confidence, self.pts, dimensions))

    def highlights(self, top: int = 5) -> pd.DataFrame:
        """The heatmap's marked cells, ranked by score (:func:`cmocio.survey.heatmap.highlights`)."""
        return heatmap_.highlights(self.heatmap(), top)

    @cached_property
    def outcome_id(self) -> str:
        return drivers_.outcome_id(self.questions)

    def driver_cells(self) -> pd.DataFrame:
        """Every practice's breakdown of the outcome after the rule and the audit (full precision)."""
        return self._once("driver_cells", lambda: drivers_.driver_cells(
            self.read.frame, self.questions, self.result.table, self.result.latest, self.outcome_id,
            drivers_.practice_ids(self.questions, self.read.frame), self.result.min_group_size, self.read.weighted,
            self.ledger, self.kind))

    def drivers(self) -> pd.DataFrame:
        """Each practice's association with the outcome, by group, ranked (full precision)."""
        return drivers_.drivers(self.driver_cells(), self.questions, self.confidence, self.pts)

    def evidence(self) -> pd.DataFrame:
        """The published very-effective against effective comparisons of the practices."""
        practices = self.questions[self.questions["metric"].isin(drivers_.PRACTICES)]
        return evidence.practice_evidence(self.report, practices)

    def actions(self, top: int = 3) -> pd.DataFrame:
        """The weakest practices against the published very-effective figures, with the evidence."""
        return evidence.actions(self.result.overall(), self.evidence(), self.drivers(), top)

    def portfolio(self, pool: pd.DataFrame) -> pd.DataFrame:
        """Your figures minus the rest of the portfolio's (full precision), with your percentile band if shown."""
        out = compare.against_portfolio(self.result.overall(), pool, self.confidence, self.pts)
        if "band" in pool and len(out):
            bands = pool.set_index(["question_id", "group"])["band"]
            out["band"] = [bands.get((q, g), "") for q, g in zip(out["question_id"], out["group"])]
        return out

    def everyone(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` about all respondents."""
        return frame[frame["group"] == ALL]
