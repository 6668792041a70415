"""The plain-words glossary page, and the link from a term's first appearance on a page to its entry."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One glossary entry: its name, the anchor of its entry, what it means, and how it is found in a page."""

    name: str
    anchor: str
    meaning: str
    pattern: str  # a regular expression (case-insensitive unless it starts with "(?-i)")


TERMS: list[Term] = [
    Term("Wave", "wave", "One run of a survey in one year. A series (Leapfrog's benchmark, Accenture's CMO–CIO study) "
         "has several waves; each asked different people.", r"\bwaves?\b"),
    Term("Base", "base", "The number of people whose answers a percentage rests on. Most articles do not give it, "
         "which is why many differences here cannot be tested directly.", r"\bbases?\b"),
    Term("Bound", "bound", "A figure published as \"more than half\" (>50%) or \"under a third\" (<33%). It says on "
         "which side the true figure lies, not where; it supports a conclusion only in its own direction.",
         r"\bbounds?\b"),
    Term("Interval", "interval", "The range of values the true figure plausibly lies in, at the chosen confidence "
         "(95% unless a page says otherwise). A wide interval means a small base.", r"\bintervals?\b"),
    Term("Significant", "significant", "Larger than chance alone would plausibly produce, after the adjustment for "
         "testing many differences at once (see BH adjustment).", r"\bsignificant\b"),
    Term("Break-even base", "break-even-base", "Where an article gives no base, the number of respondents each side "
         "would need for the difference to be significant. If the study was at least that large on each side, the "
         "difference is real; if not, it could be chance.", r"break-even base"),
    Term("Share of possible splits", "share-of-possible-splits", "Where an article gives a study's total size but "
         "not how many were marketers and how many IT, every split from 10% to 90% marketing is tried; the share is "
         "how many of those splits make the difference significant.", r"(?:share of )?(?:the )?possible splits"),
    Term("Holds whatever the unknown bases", "holds-whatever-the-unknown-bases", "Also: holds at any sample size the "
         "articles allow. Significant even at the smallest bases the article allows, so the conclusion stands "
         "whatever the true numbers of respondents were.",
         r"holds? whatever the unknown bases|at any sample size the articles allow"),
    Term("Depends on the unknown bases", "depends-on-the-unknown-bases", "Significant at some bases the article "
         "allows and not at others: the article does not give enough to decide.", r"depends on the unknown bases"),
    Term("Newcombe interval", "newcombe-interval", "The interval of a difference between two percentages, built "
         "from each percentage's own (Wilson) interval; it stays sensible near 0% and 100%.", r"newcombe"),
    Term("BH adjustment", "bh-adjustment", "Benjamini–Hochberg adjustment: when a table tests many differences at "
         "once, p-values are raised so that, on average, no more than 5% of the differences called significant are "
         "flukes.", r"benjamini[–-]hochberg|\bBH\b"),
    Term("p-value", "p-value", "How often a difference at least this large would appear by chance if there were no "
         "real difference. Below 0.05 (after adjustment) is called significant here.", r"\bp-values?\b"),
    Term("Cohen's h", "cohens-h", "A size of the difference between two percentages that does not depend on the "
         "base: about 0.2 is small, 0.5 medium, 0.8 large.", r"cohen['’]s h"),
    Term("Meta-analysis", "meta-analysis", "Pooling the same question's gap across studies into one estimate, each "
         "study weighted by how precise it is. Random effects allow the true gap to differ from study to study.",
         r"meta-analys[ie]s|random[- ]effects?"),
    Term("k", "k", "The number of studies pooled in a meta-analysis. With k below 5, the pooled interval and the "
         "measures of spread are rough.", r"(?-i:\(k\)|\bk ?= ?\d)"),
    Term("τ²", "tau2", "Tau squared: how much the true gap varies between studies, in squared points. Zero means the "
         "studies agree apart from chance.", r"τ²|tau²|tau2"),
    Term("Q", "q", "Cochran's Q: a test of whether the studies' gaps differ more than chance would produce. Its "
         "p-value is the \"p (heterogeneity)\" column.", r"cochran['’]s q"),
    Term("I²", "i2", "The share of the spread between studies' gaps that reflects real differences rather than "
         "chance, 0% to 100%; above about 50% the studies disagree materially.", r"I²"),
]

_SKIP = {"a", "script", "style", "title", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "pre", "code",
         "button", "label", "nav", "footer"}
_TAG = re.compile(r"(<[^>]*>)")
_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")


def _compiled() -> list[tuple[Term, re.Pattern[str]]]:
    out = []
    for term in TERMS:
        if term.pattern.startswith("(?-i"):
            out.append((term, re.compile(term.pattern)))
        else:
            out.append((term, re.compile(term.pattern, re.IGNORECASE)))
    return out


def link_terms(page: str, glossary: str = "glossary.html") -> str:
    """``page`` with each glossary term's first appearance in running text linked to its entry.

    Text inside links, headings, code, navigation and scripts is left alone.
    """
    pending = _compiled()
    parts = _TAG.split(page)
    skip: list[str] = []
    for i, part in enumerate(parts):
        if not pending:
            break
        if part.startswith("<"):
            m = _NAME.match(part)
            if m and not part.endswith("/>"):
                closing, name = m.group(1) == "/", m.group(2).lower()
                if name in _SKIP:
                    if closing and name in skip:
                        del skip[len(skip) - 1 - skip[::-1].index(name)]
                    elif not closing:
                        skip.append(name)
            continue
        if skip or not part.strip():
            continue
        for term, rx in list(pending):
            m = rx.search(part)
            if m and "<a " not in part:
                part = (part[:m.start()] + f'<a class="cmocio-term" href="{glossary}#{term.anchor}" '
                        f'title="{html.escape(term.meaning, quote=True)}">{m.group(0)}</a>' + part[m.end():])
                pending.remove((term, rx))
        parts[i] = part
    return "".join(parts)


__all__ = ["TERMS", "Term", "link_terms"]
