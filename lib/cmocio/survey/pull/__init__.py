"""Pull a survey's responses from the survey tool's API, in the layout the matching mapping reads.

One module a job:

* ``http``: retries with backoff, rate limits (429 + Retry-After), progress, one-line errors;
* ``tokens``: tokens from the environment or the tokens file, never from a parameter;
* ``qualtrics``: the response-export API (start, poll progress, download the file);
* ``surveymonkey``: the survey's details and every page of its bulk responses;
* ``google``: the form and every page of its responses, with Google's API client;
* ``write``: identifying and free-text fields dropped, the file written atomically.
"""

from __future__ import annotations

from .http import PullError, Retry
from .write import Pulled

TOOLS = ("qualtrics", "surveymonkey", "google")

__all__ = ["PullError", "Pulled", "Retry", "TOOLS"]
