"""Where notebook jobs run: worker processes on this machine, or a Dask distributed cluster.

Both executors take the same jobs (:class:`cmocio.build.jobs.Job`) and give back the
same results; nothing is written by a worker. The build asks an executor to
:meth:`~Executor.run` a list of jobs and receives ``(job, result)`` pairs as they
finish, where ``result`` is a :class:`cmocio.build.jobs.Result` or the exception that
stopped the worker.

* :class:`LocalExecutor`: a pool of spawned processes (the default); with one
  worker, :class:`InlineExecutor` runs the jobs in this process instead.
* :class:`DaskExecutor`: ``dask.distributed`` futures on a running cluster. The
  project's code and data go to the workers as one zipped bundle, scattered once
  to every worker; the kernels import ``cmocio`` and read ``data/`` from it, so
  the workers need the same Python environment (``requirements.txt``) but no copy
  of the project and no shared file system. A worker that dies mid-job is
  replaced by the cluster and its job runs again elsewhere (Dask retries a task
  whose worker died up to ``distributed.scheduler.allowed-failures`` times).
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import io
import multiprocessing
import os
import shutil
import signal
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

from ..paths import DATA_DIR

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Executor:
    """Runs jobs somewhere and yields ``(job, result or exception)`` as each finishes."""

    workers: int = 1
    where: str = ""

    def run(self, fn: Callable[..., Any], jobs: list[Any], *args: Any) -> Iterator[tuple[Any, Any]]:
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        """Release the workers; ``cancel`` drops jobs not yet started."""


class InlineExecutor(Executor):
    """One job at a time in this process: what one local worker amounts to, without starting a process."""

    workers = 1
    where = "1 local worker"

    def run(self, fn, jobs, *args):
        for job in jobs:
            res = fn(job, *args)
            yield job, res
            if getattr(res, "status", "") == "interrupted":  # Ctrl-C reached the job: stop here, as a pool would
                raise KeyboardInterrupt


#: Local worker processes (and their kernels) are replaced after this many jobs each: rendering pages leaves a
#: worker's memory a little larger each time (about 20 MB a page, measured with benchmarks/portfolio_scale.py; the
#: kernels do not grow), so a long portfolio run would otherwise grow without bound. The jobs run in rounds of
#: ``workers x JOBS_PER_WORKER`` on a fresh pool each; one kernel start per 20 pages costs a few per cent.
#: (``ProcessPoolExecutor(max_tasks_per_child=...)`` would do the same, but hangs on Python 3.11 and 3.12 when a
#: worker retires.)
JOBS_PER_WORKER = 20


class LocalExecutor(Executor):
    """Spawned worker processes on this machine; each keeps one kernel from job to job, and the pool is
    renewed every :data:`JOBS_PER_WORKER` jobs per worker."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self.where = f"{self.workers} local worker(s)"
        self._pool: cf.ProcessPoolExecutor | None = None

    def run(self, fn, jobs, *args):
        os.environ.setdefault("MALLOC_TRIM_THRESHOLD_", "65536")  # read by each worker's C library at start-up
        ctx = multiprocessing.get_context("spawn")
        size = self.workers * JOBS_PER_WORKER
        for start in range(0, len(jobs), size):
            self._pool = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_ignore_sigint)
            futures = {self._pool.submit(fn, job, *args): job for job in jobs[start:start + size]}
            for fut in cf.as_completed(futures):
                try:
                    yield futures[fut], fut.result()
                except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                    yield futures[fut], exc
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self, cancel: bool = False) -> None:
        if self._pool is None:
            return
        if cancel:
            for proc in list(getattr(self._pool, "_processes", {}).values()):
                proc.terminate()
        self._pool.shutdown(wait=not cancel, cancel_futures=True)


def project_bundle(data_dir: Path = DATA_DIR) -> tuple[bytes, str]:
    """The ``cmocio`` package and the dataset as one zip (same bytes for the same files) and its digest."""
    files = [(f"lib/cmocio/{p.relative_to(PACKAGE_DIR).as_posix()}", p) for p in sorted(PACKAGE_DIR.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    files += [(f"data/{p.relative_to(data_dir).as_posix()}", p) for p in sorted(data_dir.rglob("*")) if p.is_file()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes())
    data = buf.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def unpack_bundle(bundle: bytes, digest: str) -> Path:
    """The project bundle (``lib/cmocio`` and ``data/``) unpacked once per machine; returns its folder."""
    target = Path(tempfile.gettempdir()) / f"cmocio-bundle-{digest[:16]}"
    if (target / ".complete").is_file():
        return target
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    with zipfile.ZipFile(io.BytesIO(bundle)) as z:
        z.extractall(staging)
    (staging / ".complete").write_text(digest)
    try:
        os.rename(staging, target)
    except OSError:  # another worker on this machine finished first
        shutil.rmtree(staging, ignore_errors=True)
    return target



class DaskExecutor(Executor):
    """Jobs as ``dask.distributed`` futures on the cluster whose scheduler is at ``address``.

    ``address`` is a scheduler address (``tcp://host:8786``) or an existing
    ``distributed.Client``. Needs the ``distributed`` package (``pip install
    "dask[distributed]"``); nothing else about the cluster is assumed.
    """

    def __init__(self, address: Any, data_dir: Path = DATA_DIR):
        try:
            from distributed import Client
        except ImportError:
            raise RuntimeError('--scheduler needs dask.distributed: pip install "dask[distributed]"') from None
        if isinstance(address, Client):
            self.client, self._own = address, False
        else:
            try:
                # how long to try: Dask's own setting, distributed.comm.timeouts.connect (30 s; environment
                # variable DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT)
                self.client, self._own = Client(address), True
            except (OSError, TimeoutError) as exc:
                raise RuntimeError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        info = self.client.scheduler_info(n_workers=-1)
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))
        self.where = f"the Dask cluster at {info.get('address', address)} ({len(info.get('workers', {}))} worker(s))"
        self._bundle, self._digest = project_bundle(data_dir)
        self._futures: list[Any] = []

    def run(self, fn, jobs, *args):
        from distributed import as_completed

        bundle = self.client.scatter(self._bundle, broadcast=True, hash=False)
        futures = {}
        for job in jobs:
            fut = self.client.submit(fn, job, *args, bundle, self._digest, pure=False,
                                     key=f"cmocio-{job.name}-{os.urandom(4).hex()}")
            futures[fut.key] = (fut, job)
        self._futures = [f for f, _ in futures.values()]
        for fut in as_completed(self._futures):
            job = futures[fut.key][1]
            try:
                yield job, fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker after too many deaths, lost connection
                yield job, exc
            finally:
                fut.release()

    def close(self, cancel: bool = False) -> None:
        if cancel and self._futures:
            self.client.cancel(self._futures)
        if self._own:
            self.client.close()


def make_executor(scheduler: str | None, workers: int, data_dir: Path = DATA_DIR) -> Executor:
    """The local pool, or the Dask cluster at ``scheduler`` when one is given."""
    if scheduler:
        return DaskExecutor(scheduler, data_dir)
    return LocalExecutor(workers) if workers > 1 else InlineExecutor()
