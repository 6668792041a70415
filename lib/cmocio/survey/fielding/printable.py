"""The pulse survey as a printable questionnaire (one HTML page), for any other tool or for paper.

It lists every question with its choices and codes in the order the tool
files use, so a survey built by hand from it matches the generated mappings'
wording; print it from a browser.
"""

from __future__ import annotations

from html import escape

from .design import SCALE, Design

_STYLE = ("body{font:11pt/1.45 Georgia,serif;max-width:48em;margin:2em auto;color:#111}"
          "h1{font-size:16pt}h2{font-size:12pt;margin-top:1.6em}table{border-collapse:collapse;width:100%}"
          "th,td{border:1px solid #999;padding:.3em .4em;vertical-align:top}th{font-weight:normal;font-size:9pt}"
          "td.box{text-align:center;width:4.5em}ol.choices{list-style:none;padding-left:0}"
          "@media print{body{margin:0}h2{page-break-after:avoid}tr{page-break-inside:avoid}}")


def _choice_list(labels) -> str:
    items = "".join(f"<li>&#9744; {escape(v)} <small>({i})</small></li>" for i, v in enumerate(labels, start=1))
    return f'<ol class="choices">{items}</ol>'


def questionnaire_html(design: Design) -> str:
    """The questionnaire page."""
    parts = [f"<h2>1. {escape(design.function_text)} <small>(required)</small></h2>",
             _choice_list(design.functions)]
    for i, b in enumerate(design.breakdowns, start=2):
        parts += [f"<h2>{i}. {escape(b.text)}</h2>", _choice_list(b.values)]
    head = "".join(f"<th>{escape(v)}<br>({i})</th>" for i, v in enumerate(SCALE, start=1))
    rows = "".join(f"<tr><td>{escape(s)}</td>" + '<td class="box">&#9744;</td>' * len(SCALE) + "</tr>"
                   for _, s in design.statements)
    parts += [f"<h2>{len(design.breakdowns) + 2}. {escape(design.matrix_text)}</h2>",
              f"<table><tr><th></th>{head}</tr>{rows}</table>"]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(design.title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{escape(design.title)}</h1><p>Anonymous: please do not write your name. Codes in brackets are "
            "what a numeric export should hold.</p>" + "\n".join(parts) + "</body></html>\n")
