"""Which row decides when several report one figure: the shipped cases and a property over generated duplicates."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmocio.data import FIGURE_KEYS, distinct_figures


@pytest.fixture(scope="module")
def ds(shipped):
    return shipped


@pytest.fixture(scope="module")
def chosen(ds):
    return distinct_figures(ds.findings).set_index("finding_id")


@pytest.mark.parametrize("kept, left, because", [
    ("harveynash-13-04", "harveynash-13-01", "exact figure; 1 other report"),  # 27% beats "less than 30%"
    ("heidrick-14-06", "heidrick-14-01", "exact figure; 1 other report"),  # 51% beats "about half"
    ("accenture-13-12", "accenture-13-02", "sponsor's own publication; 6 other reports"),  # 57% of 400 beats 56% of 405
    ("lf15-04", "lf15-a05c", "published, not derived; 1 other report"),  # printed 37% beats 100 - 63
])
def test_the_most_precise_row_decides_the_shipped_cases(chosen, kept, left, because):
    assert kept in chosen.index and left not in chosen.index
    assert chosen.at[kept, "chosen_because"] == because
    assert left in chosen.at[kept, "other_rows"].split("; ")


def test_every_duplicate_group_keeps_its_best_row(ds, chosen):
    """Over the ~70 groups of rows that report one figure, no row left out beats the one kept."""
    f = ds.findings[~ds.findings["set_aside"]]
    groups = f[f.duplicated(FIGURE_KEYS, keep=False)].groupby(FIGURE_KEYS, dropna=False, sort=False)
    assert groups.ngroups >= 60
    rank = {"=": 0, "~": 1, "<": 2, ">": 2}
    for _, grp in groups:
        keys = [(pd.notna(r.derived_from), rank[r.qualifier], r.publisher != "sponsor", pd.isna(r.base_n), i)
                for i, r in enumerate(grp.itertuples())]
        best = grp["finding_id"].iloc[min(range(len(grp)), key=keys.__getitem__)]
        assert best in chosen.index
        assert set(chosen.at[best, "other_rows"].split("; ")) == set(grp["finding_id"]) - {best}
    assert len(chosen) == f.drop_duplicates(FIGURE_KEYS).shape[0]
    assert not chosen["set_aside"].any()


def test_without_publishers_the_criterion_is_skipped(ds):
    """Findings without a publisher column (and no sources given) are ranked on the other criteria."""
    f = ds.findings.drop(columns=["publisher"])
    d = distinct_figures(f).set_index("finding_id")
    assert not d["chosen_because"].str.contains("sponsor").any()
    assert d.at["harveynash-13-04", "chosen_because"] == "exact figure; 1 other report"
    with_sources = distinct_figures(f, ds.sources).set_index("finding_id")
    assert with_sources.at["accenture-13-12", "chosen_because"].startswith("sponsor's own publication")


_ROW = st.fixed_dictionaries({
    "qualifier": st.sampled_from(["=", "~", "<", ">"]),
    "publisher": st.sampled_from(["sponsor", "secondary"]),
    "base_n": st.one_of(st.none(), st.integers(10, 500)),
    "derived": st.booleans(),
    "figure": st.integers(0, 2),
})


@settings(max_examples=20, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=8))
def test_the_rule_over_generated_duplicates(rows):
    """For any rows of a few figures: one row per figure, chosen by the stated order of criteria, the rest listed."""
    f = pd.DataFrame({
        "finding_id": [f"r{i}" for i in range(len(rows))],
        "study_id": "s", "group": "all", "segment": pd.NA, "year": 2020,
        "metric": [f"m{r['figure']}" for r in rows],
        "percent": 50.0, "qualifier": [r["qualifier"] for r in rows],
        "publisher": [r["publisher"] for r in rows],
        "base_n": pd.array([r["base_n"] for r in rows], dtype="Int64"),
        "derived_from": [("r0" if r["derived"] else None) for r in rows],
    }, index=[7 * i + 3 for i in range(len(rows))])  # an index that is not 0..n-1
    out = distinct_figures(f)
    assert sorted(out["metric"]) == sorted(set(f["metric"]))
    rank = {"=": 0, "~": 1, "<": 2, ">": 2}
    for metric, grp in f.groupby("metric"):
        keys = {fid: (r["derived"], rank[r["qualifier"]], r["publisher"] != "sponsor", r["base_n"] is None, i)
                for i, (fid, r) in enumerate(zip(f["finding_id"], rows)) if fid in set(grp["finding_id"])}
        best = min(keys, key=keys.get)
        row = out[out["metric"] == metric].iloc[0]
        assert row["finding_id"] == best
        others = [x for x in grp["finding_id"] if x != best]
        assert row["other_rows"] == "; ".join(sorted(others, key=keys.get))
        assert row["chosen_because"].endswith(f"{len(others)} other report" + ("s" if len(others) > 1 else "")
                                              if others else "only report")
    assert list(out.index) == sorted(out.index), "rows stay in file order"

