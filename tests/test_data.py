"""The shipped dataset validates, holds every figure, and broken files get specific messages."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cmocio import DataValidationError, load_dataset, load_findings, load_sources, load_studies
from cmocio.data import APPROXIMATE_TOLERANCE, DATA_DIR, distinct_figures, select_studies

from .conftest import SEEDS, edit_csv


@pytest.fixture(scope="module")
def ds(shipped):
    return shipped


def test_shipped_data_validate(ds):
    assert len(ds.findings) >= 95
    assert set(ds.findings["theme"]) == {"alignment", "incentives", "customer_experience", "martech_planning", "context"}
    assert ds.findings["finding_id"].is_unique


def test_types_are_typed(ds):
    f = ds.findings
    assert str(f["percent"].dtype) == "Float64" and str(f["year"].dtype) == "Int64"
    assert str(f["base_n"].dtype) == "Int64"
    published = load_sources()["published"].astype(str)
    assert published.str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?|unknown").all(), "dates as given, never guessed"
    assert (published == "unknown").sum() > 10 and (published == "2016-12-16").any()
    assert str(load_studies()["respondents"].dtype) == "Int64"


def test_every_study_and_article_has_figures(ds):
    with_figures = set(ds.findings["study_id"])
    assert with_figures == set(ds.studies["study_id"]) - {"merkle-nd", "ibm-2011"}  # cited for sample sizes only
    # articles that add only a sample size or a study's name (sources README: 0 figures) have no rows
    only_samples = {"issuu-oracle-socially-driven-collaboration", "forrester-report-cmo-cio-accelerate-2013",
                    "forrester-blog-couple-therapy-2014", "ibm-cmos-cios-acquaintances-allies",
                    "prnewswire-deloitte-digital-2015", "cio-native-data-partnership-2020"}
    assert set(ds.findings["source_id"]) == set(ds.sources["source_id"]) - only_samples


SOURCES = SEEDS.parent / "sources"
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|[Pp]ercent|per cent)")
_SMALL = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10}
_PARTS = {"third": 3, "quarter": 4, "fourth": 4, "fifth": 5}
_COUNT = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)"
#: "half", "a third", "two-thirds", "one-quarter", "6 in 10", "one out of four"; not ordinals ("third most",
#: "third-party") nor ratios ("half as many").
_WORDS = re.compile(r"\b(?:(?P<n>one|two|three|four|a|an)[- ](?P<part>third|quarter|fourth|fifth)s?|(?P<half>half))\b"
                    r"(?![- ](?:party|as\b|the\b))|\b(?P<a>" + _COUNT + r")\s+(?:in|of|out of)\s+(?P<b>" + _COUNT + r")\b",
                    re.IGNORECASE)
#: A figure in words followed by its number in brackets ("less than half (41 percent)") is that number's figure.
_BRACKETED = re.compile(r"[^.;,()]{0,40}\(\s*\d+(?:\.\d+)?\s*(?:%|percent|per cent)")


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _SMALL[word.lower()]


def _word_value(m: re.Match) -> float | None:
    """The percentage a figure in words stands for (one decimal), or None for a count that is not a share."""
    if m.group("half"):
        return 50.0
    if m.group("part"):
        return round(100 * _count(m.group("n")) / _PARTS[m.group("part").lower()], 1)
    a, b = _count(m.group("a")), _count(m.group("b"))
    return round(100 * a / b, 1) if 2 <= b <= 10 and a <= b else None


def _article(src) -> str:
    if isinstance(src["seed_file"], str) and src["seed_file"]:
        return (SEEDS / src["seed_file"]).read_text(encoding="utf-8")
    return (SOURCES / src["source_file"]).read_text(encoding="utf-8").split("\n---\n", 1)[1]


def _printed(text: str) -> Counter:
    """Every 'N%', 'N percent' or 'N per cent' an article prints, counted (the text after its header block)."""
    return Counter(float(v) for v in _NUMBER.findall(text))


def _in_words(text: str) -> list[float]:
    """Every figure an article gives in words and not also as a number in brackets."""
    found = []
    for m in _WORDS.finditer(text):
        value = _word_value(m)
        if value is not None and not _BRACKETED.match(text, m.end()):
            found.append(value)
    return found


def test_figures_in_words_are_read():
    text = ("Nearly half agree, two-thirds do not, less than half (41 percent) care, 6 in 10 like it, "
            "one out of four left; the third most cited, a third-party cookie, half as many.")
    assert _in_words(text) == [50.0, 66.7, 60.0, 25.0]
    assert _printed("10% said so; only 10 per cent, and 4.5 percent") == Counter({10.0: 2, 4.5: 1})


@pytest.mark.skipif(not SOURCES.is_dir(), reason="source articles (../shared/sources) not present")
def test_every_figure_in_the_articles_is_a_finding_or_listed_as_unused(ds):
    """Each figure an article prints, as a number or in words, is a figure of its own or in unused_figures.csv.

    Numbers are counted: a value printed twice needs two rows, or a row and a listing (a repeated headline is
    listed as such), so a second, different figure with the same value cannot hide behind the first. A figure
    in words needs a row of its article within the validator's five points, or a listing of its value.
    """
    unused_file = pd.read_csv(DATA_DIR / "unused_figures.csv", dtype=str)
    unused: dict[str, Counter] = {}
    for r in unused_file.itertuples():
        unused.setdefault(r.source_id, Counter()).update(float(v) for v in r.figures.split(";"))
    published = ds.findings[ds.findings["derived_from"].isna()]
    missing, stale, words_missing = [], [], []
    for _, src in ds.sources.iterrows():
        text, sid = _article(src), src["source_id"]
        printed, words = _printed(text), _in_words(text)
        rows = Counter(published.loc[published["source_id"] == sid, "percent"].astype(float))
        listed = unused.get(sid, Counter())
        missing += [(sid, v) for v, n in sorted(printed.items()) if n > rows[v] + listed[v]]
        stale += [(sid, v) for v, n in sorted(listed.items()) if n > printed[v] + words.count(v)]
        words_missing += [(sid, v) for v in words
                          if v not in listed and not any(abs(v - x) <= APPROXIMATE_TOLERANCE for x in rows)]
    assert not missing, f"figures printed in the articles more often than they are rows or listed as unused: {missing}"
    assert not words_missing, f"figures in words that are neither rows (within five points) nor listed: {words_missing}"
    assert not stale, f"listed as unused more often than that article prints them: {stale}"
    assert unused_file["reason"].str.len().gt(10).all()


def test_figures_reported_twice_agree_or_are_recorded_conflicts(ds):
    from cmocio.data import disagreements

    f = ds.findings
    keys = ["study_id", "metric", "group", "segment", "year"]
    dup = f[f.duplicated(keys, keep=False)]
    assert len(dup) >= 4  # e.g. IT 'very collaborative' 2015 in two articles; 2015 shared incentives
    recorded = [set(c.split(";")) for c in ds.conflicts["findings"]]
    found = disagreements(f)
    assert found, "the further articles do disagree"
    for ids in found:
        assert any(set(ids) <= rec for rec in recorded), ids


def test_derived_complements_add_up(ds):
    f = ds.findings.set_index("finding_id")
    derived = f[f["derived_from"].notna() & f["note"].fillna("").str.contains("omplement")]
    assert len(derived) >= 2
    for fid, row in derived.iterrows():
        assert row["percent"] == pytest.approx(100 - f.loc[row["derived_from"], "percent"]), fid


def test_derived_bases_follow_the_reported_split(ds):
    f, st = ds.findings, ds.studies.set_index("study_id")
    lf = f[(f["study_id"] == "leapfrog-2016") & (f["base_n_kind"] == "derived") & f["group"].isin(["marketing", "it"])]
    lf = lf[lf["metric"] != "mobile_first_changed_operations"]
    n, share = st.loc["leapfrog-2016", "respondents"], {"marketing": 65, "it": 35}
    for _, r in lf.iterrows():
        assert r["base_n"] == round(n * share[r["group"]] / 100)


def test_distinct_figures_keeps_one_row_per_figure(ds):
    d = distinct_figures(ds.findings)
    assert not d.duplicated(["study_id", "metric", "group", "segment", "year"]).any()
    assert not d["set_aside"].any(), "figures a conflict set aside are left out"
    published = set(zip(*(d.loc[d["derived_from"].isna(), k] for k in ["study_id", "metric", "group", "year"])))
    kept = zip(*(d.loc[d["derived_from"].notna(), k] for k in ["study_id", "metric", "group", "year"]))
    assert not [k for k in kept if k in published], "a derived row is kept only where no article prints the figure"


def test_select_studies(ds):
    assert select_studies(ds.findings, []).equals(ds.findings)
    sub = select_studies(ds.findings, ["leapfrog-2016"])
    assert set(sub["study_id"]) == {"leapfrog-2016"}
    with pytest.raises(ValueError, match="unknown study id.*no-such-study"):
        select_studies(ds.findings, ["no-such-study"])


# ---- broken files -------------------------------------------------------------------------------

def _problems(path: Path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        load_dataset(path)
    return [str(p) for p in info.value.problems]


def test_missing_column(data_copy):
    f = data_copy / "findings.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False).drop(columns=["qualifier"])
    df.to_csv(f, index=False)
    assert _problems(f) == ["findings.csv, line 1, column 'qualifier': required column is missing from the header"]


def test_bad_type(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, ",2016,87,=,87%", ",2016,eighty-seven,=,87%")
    assert "findings.csv, line 4, column 'percent': 'eighty-seven' is not a number" in _problems(f)


def test_percent_out_of_range(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, ",2016,87,=,87%", ",2016,130,=,87%")
    assert _problems(f) == ["findings.csv, line 4, column 'percent': '130' must be between 0 and 100"]


def test_unknown_group(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, "relationship_collaborative,it,,2016", "relationship_collaborative,cio,,2016")
    msgs = _problems(f)
    assert len(msgs) == 1 and re.match(r"findings.csv, line 6, column 'group': 'cio' must be one of: marketing", msgs[0])


def test_dangling_study_id(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, "lf16-01,leapfrog-2016", "lf16-01,leapfrog-2061")
    assert _problems(f) == ["findings.csv, line 2, column 'study_id': 'leapfrog-2061' is not listed in studies.csv"]


def test_duplicate_id(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, "lf16-02,", "lf16-01,")
    msgs = _problems(f)
    assert "findings.csv, line 3, column 'finding_id': 'lf16-01' appears more than once; ids must be unique" in msgs


def test_empty_file(data_copy):
    f = data_copy / "findings.csv"
    f.write_text("")
    assert _problems(f) == ["findings.csv: is empty; expected a header row and data"]


def test_not_utf8(data_copy):
    f = data_copy / "findings.csv"
    f.write_bytes(f.read_text(encoding="utf-8").replace("Marketing and", "Caf\u00e9 and", 1).encode("latin-1"))
    msgs = _problems(f)
    assert len(msgs) == 1 and msgs[0].startswith("findings.csv, line ") and "is not UTF-8 text" in msgs[0]


def test_disagreeing_duplicate_figures(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, "lf15-a02,leapfrog-2015,adage-2015,alignment,relationship_very_collaborative,it,,2015,13",
             "lf15-a02,leapfrog-2015,adage-2015,alignment,relationship_very_collaborative,it,,2015,19")
    msgs = _problems(f)
    assert any("rows reporting the same figure disagree (lf15-03 says 13%, lf15-a02 says 19%) and no conflict" in m for m in msgs)


def test_theme_must_match_metric(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, "lf16-01,leapfrog-2016,marketingcharts-2016,alignment", "lf16-01,leapfrog-2016,marketingcharts-2016,context")
    assert _problems(f) == ["findings.csv, line 2, column 'theme': 'context' differs from the theme of metric "
                            "'goal_alignment_improved' in metrics.csv ('alignment')"]


def test_base_kind_consistency(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, "87%,129,derived", "87%,,derived")
    assert _problems(f) == ["findings.csv, line 4, column 'base_n': is blank but base_n_kind is 'derived'"]


def test_a_more_than_base_marked_plainly_reported_is_an_error(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, "about one-quarter (23%),200,minimum", "about one-quarter (23%),200,reported")
    edit_csv(f, "48%,46,derived_minimum", "48%,46,derived")
    msgs = _problems(f)
    assert len(msgs) == 2
    assert "'reported', but study 'cmocouncil-2021' reports more than 200 respondents" in msgs[0]
    assert msgs[0].endswith("use 'minimum'") and msgs[1].endswith("use 'derived_minimum'")


def test_a_figure_without_a_named_group_has_no_base(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, "it_staff_understand_marketing,unspecified,,2014,53,=,53%,,unknown",
             "it_staff_understand_marketing,unspecified,,2014,53,=,53%,1100,minimum")
    msgs = _problems(f)
    assert len(msgs) == 1 and "column 'base_n_kind': is 'minimum', but a figure whose respondent group is not named" in msgs[0]


def test_a_base_above_the_study_total_is_an_error(data_copy):
    f = data_copy / "findings.csv"
    edit_csv(f, "87%,129,derived", "87%,229,derived")
    assert _problems(f) == ["findings.csv, line 4, column 'base_n': 229 is more than the 198 respondents "
                            "study 'leapfrog-2016' had in all"]


def test_tied_figures_share_a_rank(ds, data_copy):
    f = ds.findings
    it_list = f[(f["study_id"] == "accenture-2014") & (f["group"] == "it") & f["list_rank"].notna()]
    assert sorted(it_list["list_rank"]) == [1, 2, 2, 2, 2]
    path = data_copy / "findings.csv"
    edit_csv(path, "reason_technology_shapes_cx,it,,2014,31,=,31%,,unknown,,2",
             "reason_technology_shapes_cx,it,,2014,31,=,31%,,unknown,,3")
    msgs = _problems(path)
    assert len(msgs) == 1 and "column 'list_rank': is 3, but 31% ranks 2 in its list" in msgs[0]


def test_every_problem_listed_at_once_across_files(data_copy):
    edit_csv(data_copy / "findings.csv", ",2016,87,=,87%", ",2016,130,=,87%")
    edit_csv(data_copy / "findings.csv", "relationship_collaborative,it,,2016", "relationship_collaborative,cio,,2016")
    edit_csv(data_copy / "sources.csv", "2013-12-06", "6 Dec 2013")
    msgs = _problems(data_copy / "findings.csv")
    assert len(msgs) == 3
    assert ("sources.csv, line 3, column 'published': '6 Dec 2013' must be a date as given: "
            "YYYY-MM-DD, YYYY-MM, YYYY or unknown") in msgs


def test_repeated_header_and_ragged_row(data_copy):
    f = data_copy / "findings.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    lines.insert(5, lines[0])
    lines[8] += ",extra"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _problems(f) == ["findings.csv, line 6: repeats the header row; remove it",
                            "findings.csv, line 9: has 18 fields; the header has 17"]


def test_missing_file_and_directory(tmp_path):
    assert _problems(tmp_path / "nope.csv") == ["nope.csv: findings file not found"]
    (tmp_path / "dir.csv").mkdir()
    assert _problems(tmp_path / "dir.csv") == ["dir.csv: is a directory, expected a CSV findings file"]


def test_bom_and_crlf_are_accepted(data_copy):
    f = data_copy / "findings.csv"
    text = f.read_text(encoding="utf-8")
    f.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert load_findings(f).shape == load_findings().shape


def test_a_new_study_beside_a_custom_findings_file(data_copy):
    with open(data_copy / "studies.csv", "a", encoding="utf-8") as fh:
        fh.write("acme-2025,Acme 2025,Acme,Pulse,,,2025,400,=,Marketing and IT staff,UK,50,50,Made-up test wave.,\n")
    with open(data_copy / "sources.csv", "a", encoding="utf-8") as fh:
        fh.write("acme-article,,,unknown,Acme Gazette,A made-up article,,2025,,secondary,acme-2025\n")
    with open(data_copy / "findings.csv", "a", encoding="utf-8") as fh:
        fh.write("acme-01,acme-2025,acme-article,incentives,shared_incentives,marketing,,2025,70,=,70%,,unknown,,,,\n")
    f = load_findings(data_copy / "findings.csv")
    assert "acme-2025" in set(f["study_id"])


def test_cli_validate_ok_and_broken(data_copy):
    ok = subprocess.run([sys.executable, "-m", "cmocio", "validate"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("OK: ")
    assert re.search(r"\n\d+ questions \(\d+ with categories, sums or complements\); \d+ articles published by the "
                     r"sponsor; \d+ bases printed in another article", ok.stdout)
    edit_csv(data_copy / "findings.csv", ",2016,87,=,87%", ",2016,130,=,87%")
    bad = subprocess.run([sys.executable, "-m", "cmocio", "validate", str(data_copy / "findings.csv")],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "findings.csv, line 4, column 'percent': '130' must be between 0 and 100" in bad.stderr


def test_a_disagreement_needs_its_recorded_conflict(data_copy):
    conflicts = data_copy / "conflicts.csv"
    lines = conflicts.read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if not ln.startswith("c03,")]
    assert len(kept) == len(lines) - 1
    conflicts.write_text("\n".join(kept) + "\n", encoding="utf-8")
    msgs = _problems(data_copy / "findings.csv")
    assert msgs and any("accenture-13-33 says 72%" in m for m in msgs)
    # with 72% no longer set aside, it and the 23% who see no need to align no longer add up to 100
    assert all("no conflict in conflicts.csv records them" in m or "72% of accenture-13-33" in m for m in msgs)


def test_a_conflict_names_only_known_figures_and_sets_aside_its_own(data_copy):
    conflicts = data_copy / "conflicts.csv"
    text = conflicts.read_text(encoding="utf-8")
    conflicts.write_text(text.replace("accenture-13-33\n", "idg-13-01\n", 1).replace("c02,sample,accenture-13-01;",
                                                                                     "c02,sample,nosuch-01;accenture-13-01;", 1),
                         encoding="utf-8")
    msgs = _problems(data_copy / "findings.csv")
    assert any("'nosuch-01' is not a finding_id" in m for m in msgs)
    assert any("'idg-13-01' is not among this conflict's findings" in m for m in msgs)


def _line(path: Path, row_id: str) -> int:
    """The file line of the row whose first field is ``row_id``."""
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if ln.startswith(row_id + ","))


def test_provenance_rules_name_file_row_and_column(data_copy):
    """Publisher, studies reported, base source and series: each broken rule named with file, line and column."""
    sources, studies, findings = (data_copy / n for n in ("sources.csv", "studies.csv", "findings.csv"))
    edit_csv(sources, ",,secondary,forrester-2013;oracle-2013", ",,sponsor,forrester-2013;oracle-2013")  # apmdigest
    edit_csv(sources, ",,secondary,leapfrog-2015", ",,magazine,leapfrog-2015")  # adage-2015
    edit_csv(studies, "High-tech marketing budget survey,,,2012", "High-tech marketing budget survey,,gartner-cx,2012")
    lines = studies.read_text(encoding="utf-8").splitlines()
    lines[_line(studies, "gartner-2012") - 1] += "Gartner budget surveys"  # its programme, the last column
    studies.write_text("\n".join(lines) + "\n", encoding="utf-8")
    edit_csv(findings, "(662 marketing, 263 IT).\",issuu-oracle-socially-driven-collaboration",
             "(662 marketing, 263 IT).\",")  # or13-01 loses its base source
    edit_csv(findings, "82%,237,reported,,,,cio-what-cmos-cios-think", "82%,237,reported,,,,tahawultech-harveynash-2013")
    msgs = _problems(findings)
    expected = [
        f"sources.csv, line {_line(sources, 'adage-2015')}, column 'publisher': 'magazine' must be one of: sponsor, "
        "secondary",
        f"sources.csv, line {_line(sources, 'apmdigest-2013')}, column 'publisher': is 'sponsor', but its studies "
        "(forrester-2013, oracle-2013) have no sponsor or partner in common",
        f"studies.csv, line {_line(studies, 'gartner-cx-2017')}, column 'programme': 'Gartner Customer Experience "
        "Management Survey' differs from 'Gartner budget surveys' of another wave of series 'gartner-cx': a series "
        "joins waves of one survey programme only",
        f"findings.csv, line {_line(findings, 'or13-01')}, column 'base_source': is blank, but base_n has a value",
        f"findings.csv, line {_line(findings, 'idg-13-06')}, column 'base_source': 'tahawultech-harveynash-2013' "
        "does not report study 'idg-2013'",
    ]
    for text in expected:
        assert any(m.startswith(text) for m in msgs), (text, msgs)
    assert len(msgs) == 6, msgs  # and Gartner CX 2019, the series' other wave


def test_question_rules_name_file_row_and_column(data_copy):
    """One headline per question, questions named by their headline, complements that add up."""
    metrics, findings = data_copy / "metrics.csv", data_copy / "findings.csv"
    edit_csv(metrics, "relationship_excellent_or_good,category", "relationship_excellent_or_good,headline")
    edit_csv(metrics, "collaborating_same,collaborating_more_closely,category",
             "collaborating_same,collaborating_much_more_closely,category")
    edit_csv(findings, "no_need_for_alignment,it,,2013,23,=,only 23%", "no_need_for_alignment,it,,2013,33,=,only 23%")
    edit_csv(metrics, "collaboration_dont_know,alignment,", "collaboration_dont_know,context,")
    msgs = _problems(findings)
    excellent, same = _line(metrics, "relationship_excellent"), _line(metrics, "collaborating_same")
    assert (f"metrics.csv, line {excellent}, column 'question': is 'relationship_excellent_or_good', but a headline is "
            "its own question: use 'relationship_excellent'") in msgs
    assert (f"metrics.csv, line {excellent}, column 'role': is 'headline', as is relationship_excellent_or_good of "
            "question 'relationship_excellent_or_good': a question has exactly one headline") in msgs
    assert (f"metrics.csv, line {same}, column 'question': 'collaborating_much_more_closely' is not a headline "
            "(its role is 'category'): a question is named by its headline metric") in msgs
    assert (f"metrics.csv, line {_line(metrics, 'collaboration_dont_know')}, column 'theme': 'context' differs from "
            "the theme of its question 'collaborating_more_closely' ('alignment'): one question belongs to one theme") in msgs
    complement = [m for m in msgs if "are complements of one question but cannot sum to 100" in m]
    line = _line(findings, "accenture-13-32")
    assert complement and all(m.startswith(f"findings.csv, line {line}, column 'percent': 33% (no_need_for_alignment)")
                              for m in complement)


def test_the_issue_cases_in_the_shipped_data(ds):
    """Publishers, questions, series, bases and conflicts as decided (data/README.md)."""
    pub = ds.sources.set_index("source_id")["publisher"]
    assert len(pub) == 78 and pub.isin(["sponsor", "secondary"]).all()
    assert pub["accenture-newsroom-disconnect"] == "sponsor" and pub["cio-accenture-feuding"] == "secondary"
    assert pub["tahawultech-harveynash-2013"] == pub["marketingcharts-harveynash-2014"] == "secondary"
    from cmocio.data import source_table

    assert source_table(ds).loc["accenture-newsroom-disconnect", "publisher"] == "the sponsor"
    m = ds.metrics.set_index("metric")
    creative = m[m["question"] == "collaborating_more_closely"]
    assert len(creative) == 9 and (creative["role"] == "headline").sum() == 1
    assert m.at["collaborating_less_closely", "role"] == "sum"
    assert m.at["no_need_for_alignment", "role"] == "complement"
    assert m.loc[m["question"] == "counterpart_positive_role", "role"].value_counts().to_dict() == {"category": 5,
                                                                                                      "headline": 1}
    assert m.at["collaborating_more_closely", "family"] != m.at["relationship_improved_past_year", "family"]
    assert m.at["collaborate_frequently", "family"] != m.at["relationship_excellent_or_good", "family"]
    st = ds.studies.set_index("study_id")
    assert st.loc[["gartner-2012", "gartner-2013"], "series"].isna().all()
    f = ds.findings.set_index("finding_id")
    assert f.at["infosys-20-03", "base_n_kind"] == "derived_minimum" and f.at["infosys-20-03", "base_n"] == 970
    assert f.at["idg-13-06", "base_source"] == "cio-what-cmos-cios-think"  # a base printed in a companion article
    assert (f["base_n"].notna() == f["base_source"].notna()).all()
    assert f.loc[["fr13-09", "fr13-10", "ac14-38", "cc21-19", "cc21-37"], "set_aside"].all()
    assert not f.loc[["cc21-43", "cc21-44", "ac14-55"], "set_aside"].any()
    assert (f.at["harveynash-15-03", "qualifier"], f.at["ac14-61", "qualifier"]) == ("~", ">")
    c14 = ds.conflicts.set_index("conflict_id").at["c14", "findings"].split(";")
    assert {"rackspace-nd-04", "rackspace-nd-10"} <= set(c14)


@pytest.mark.skipif(not SOURCES.is_dir(), reason="source articles (../shared/sources) not present")
def test_a_reported_base_is_printed_in_its_base_source(ds):
    """'reported' and 'minimum' mean printed in base_source: the number is in that article's text."""
    texts = {sid: _article(src) for sid, src in ds.sources.set_index("source_id", drop=False).iterrows()}
    f = ds.findings[ds.findings["base_n_kind"].isin(["reported", "minimum"])]
    assert len(f) > 150
    unprinted = sorted({(r.base_source, int(r.base_n)) for r in f.itertuples()
                        if not re.search(rf"(?<![\d,.])({int(r.base_n)}|{int(r.base_n):,})(?!\d)", texts[r.base_source])})
    assert not unprinted, f"bases not printed in their base_source: {unprinted}"


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 100), st.integers(-8, 8), st.sampled_from(["=", "~"]), st.sampled_from(["=", "~"]))
def test_complements_may_miss_100_only_by_their_rounding(a, off, qa, qb):
    """Two whole percents may sum to 100 give or take half a point each (five for a figure in words)."""
    from cmocio.data.questions import can_sum_to_100

    b = 100 - a + off
    assume(0 <= b <= 100 and a + abs(off) <= 100)
    slack = sum(5 if q == "~" else 0.5 for q in (qa, qb))
    assert can_sum_to_100(a, qa, b, qb) == (abs(off) <= slack)
    assert can_sum_to_100(a, ">", 100 - a - abs(off), "=")  # "more than a" leaves room for any smaller rest
