"""What a consultant hands a client: a PowerPoint deck with native charts and an Excel workbook.

One module a job:

* ``content``: the findings, each a :class:`~cmocio.deliverables.content.Finding` (headline, chart data,
  source footnote, the table behind it), from the same analyses the notebooks run; your own
  survey's figures only after the anonymity rule;
* ``insights``: your heatmap (a coloured native table) and drivers, from the survey context;
* ``deck``: the PowerPoint file (python-pptx), charts editable in PowerPoint;
* ``workbook``: the Excel file (xlsxwriter): every table, number formats, sources and caveats;
* ``cli``: ``python -m cmocio deck``.
"""

from .content import Finding, findings
from .deck import write_deck
from .workbook import write_workbook

__all__ = ["Finding", "findings", "write_deck", "write_deliverables", "write_workbook"]


def write_deliverables(out_dir, *, confidence: float = 0.95, studies=(), responses_path: str = "",
                       mapping_path: str = "", min_group_size: int = 5, weight_column: str = "weight",
                       ledger_path: str = "", organisation: str = "", date: str = ""):
    """Write ``briefing.pptx`` and ``tables.xlsx`` into ``out_dir``; returns their paths.

    Your figures are checked against the survey's disclosure ledger (``ledger_path``, by default beside
    ``responses_path``) and recorded there as one release, under the survey name ``organisation``.
    """
    import tempfile
    from pathlib import Path

    from .. import report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:  # the analyses' own files are not deliverables
        ctx = report.start("deliverables", confidence=confidence, studies=list(studies), output_dir=scratch)
        found = findings(ctx, responses_path, mapping_path, min_group_size, weight_column, ledger_path, organisation)
    from ..data import source_table
    from ..sentences import counts

    about = counts.evidence_sentence(counts.evidence(ctx)) + "."
    deck = write_deck(found, out / "briefing.pptx", date=date, about=about)
    return deck, write_workbook(found, source_table(ctx.data), out / "tables.xlsx", about=about)
