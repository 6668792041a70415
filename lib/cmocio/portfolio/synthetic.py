"""A folder of made-up organisations, each with its own export layout and mapping. Not real data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from ..survey.instrument import MAPPINGS_DIR, load_questions
from ..survey.synthetic import WRITERS, synthetic_people

#: Layout file -> the shipped mapping that reads it.
MAPPING_OF = {"qualtrics_numeric.csv": "qualtrics", "qualtrics_choice_text.csv": "qualtrics",
              "surveymonkey.csv": "surveymonkey", "surveymonkey.xlsx": "surveymonkey",
              "google_forms.csv": "google_forms", "microsoft_forms.xlsx": "microsoft_forms", "spss.sav": "spss"}


def write_portfolio(folder: str | os.PathLike, organisations: int = 10, seed: int = 11, smallest: int = 40,
                    largest: int = 160, layouts: tuple[str, ...] | None = None) -> list[Path]:
    """``organisations`` exports named ``org-001`` ... with a mapping beside each; returns the export paths.

    Layouts rotate through every survey tool unless ``layouts`` names some
    (keys of :data:`cmocio.survey.synthetic.WRITERS`); sizes are drawn between
    ``smallest`` and ``largest`` respondents. Deterministic for a given seed.
    """
    questions = load_questions()
    rng = np.random.default_rng(seed)
    names = list(layouts or WRITERS)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(organisations):
        layout = names[i % len(names)]
        people = synthetic_people(questions, n=int(rng.integers(smallest, largest + 1)), seed=seed * 1000 + i)
        path = folder / f"org-{i + 1:03d}{Path(layout).suffix}"
        paths.append(WRITERS[layout](people, questions, path))
        shutil.copyfile(MAPPINGS_DIR / f"{MAPPING_OF[layout]}.yaml", folder / f"org-{i + 1:03d}.yaml")
    return paths
