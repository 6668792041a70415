"""``python -m cmocio build``: execute every notebook with papermill and render it for reading.

* Executed notebooks go to ``build/notebooks/``, HTML pages to ``build/html/`` with an
  ``index.html`` listing each notebook's title, summary and first chart; chart and
  table files to ``build/results/``.
* Notebooks run in parallel: worker processes on this machine by default, or the
  workers of a Dask cluster (``--scheduler tcp://HOST:8786``). Each job runs in a
  private work folder with its input files shipped in, renders its page there, and
  returns every file it made; only the build process writes them.
* A notebook whose source, parameters, data, input files and ``cmocio`` code are
  unchanged since its last good build is not executed again.
* Every file is written atomically. A failing notebook does not stop the others;
  its previous good page stays in place; the exit code is 1.
* ``--update`` re-executes the notebooks in place in ``notebooks/`` with their
  default parameters and strips volatile metadata, to refresh the committed outputs.

One module a job:

* ``options``: the execution settings (:class:`Options`), shared with portfolio runs;
* ``parameters``: which notebooks, the parameters each declares, ``-p`` values checked before anything runs;
* ``cache``: the digest of everything a run depends on, and the record of each page's last good run;
* ``kernels``: one kernel per worker, reused and reset between notebooks;
* ``jobs``: one notebook run (:class:`Job` in, :class:`Result` out), self-contained so it can run anywhere;
* ``provenance``: what a page says about its run (footer, downloads, the command that reproduces it);
* ``executors``: where jobs run, local worker processes or a Dask cluster;
* ``run``: what is up to date, the rest run and written, and the site around the pages;
* ``cli``: the command's options and exit codes.
"""

from .cache import inputs_digest, job_key
from .jobs import Job, Result, run_job, strip_volatile
from .options import DEFAULT_CELL_TIMEOUT, BuildError, Options
from .parameters import NOTEBOOK_DIR, declared_parameters, discover, parse_value, plan_parameters
from .run import Interrupted, Target, build, execute

__all__ = ["DEFAULT_CELL_TIMEOUT", "NOTEBOOK_DIR", "BuildError", "Interrupted", "Job", "Options", "Result", "Target",
           "build", "declared_parameters", "discover", "execute", "inputs_digest", "job_key", "parse_value",
           "plan_parameters", "run_job", "strip_volatile"]
