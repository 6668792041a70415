"""One kernel per worker, reused from one notebook to the next and reset in between.

Starting a kernel and importing the libraries costs seconds; the reset gives each
notebook what a fresh kernel would (an empty namespace, the default plot settings,
its own folder, the cell count back to 1) for a fraction of that. A kernel that died,
timed out or is in an unknown state is discarded and the next notebook gets a new one.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

#: The Jupyter kernel every notebook runs on.
KERNEL = "python3"

_LOCAL = threading.local()

#: Run silently before each notebook: what a fresh kernel would give it, minus the start-up and imports.
_RESET = """
__import__("os").chdir(%r)  # first: the previous job's folder may be gone
get_ipython().reset(new_session=True)  # empty namespace, new history session, cell count back to 1
import sys as _sys, matplotlib as _mpl, matplotlib.pyplot as _plt
_plt.close("all")
if not hasattr(_sys, "_cmocio_rc"):
    _sys._cmocio_rc = dict(_mpl.rcParams)
_mpl.rcParams.update(_sys._cmocio_rc)
del _sys, _mpl, _plt
"""


def worker_kernel(log_dir: Path, bundle_dir: Path | None = None) -> Any:
    """This worker's kernel, started on first use (its own chatter goes to <log_dir>/kernel-<pid>.log).

    With a bundle, the kernel imports ``cmocio`` and reads the data from the bundle
    rather than from this machine's installation.
    """
    from jupyter_client.manager import AsyncKernelManager
    from nbclient.util import run_sync

    km = getattr(_LOCAL, "km", None)
    if km is not None and getattr(_LOCAL, "bundle", None) == bundle_dir and run_sync(km.is_alive)():
        return km
    discard_kernel()
    env = dict(os.environ)
    # Hand freed memory back to the system promptly (glibc), as Dask's nannies do for their workers: a kernel
    # that runs hundreds of notebooks otherwise keeps its peak heap for good.
    env.setdefault("MALLOC_TRIM_THRESHOLD_", "65536")
    if bundle_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(bundle_dir / "lib"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env["CMOCIO_DATA_DIR"] = str(bundle_dir / "data")
    km = AsyncKernelManager(kernel_name=KERNEL)
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"kernel-{os.getpid()}.log", "ab") as log:
        run_sync(km.start_kernel)(stderr=log, stdout=log, env=env)
    kc = km.client()
    kc.start_channels()
    try:
        run_sync(kc.wait_for_ready)(timeout=60)
    finally:
        kc.stop_channels()
    _LOCAL.km, _LOCAL.bundle = km, bundle_dir
    import multiprocessing.util

    multiprocessing.util.Finalize(km, shutdown_kernel, args=(km,), exitpriority=10)
    return km


def fresh_namespace(km: Any, cwd: str) -> None:
    """Empty the kernel's namespace, restore its plot settings, set the folder and restart the cell count."""
    from nbclient.util import run_sync

    kc = km.client()
    kc.start_channels(iopub=False, stdin=False, hb=False)  # the shell reply is all this needs
    try:
        msg_id = kc.execute(_RESET % (cwd,), silent=True, store_history=False)
        while True:
            reply = run_sync(kc.get_shell_msg)(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"could not reset the kernel: {reply['content'].get('evalue', '')}")
    finally:
        kc.stop_channels()


def shutdown_kernel(km: Any) -> None:
    from nbclient.util import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass


def discard_kernel() -> None:
    km = getattr(_LOCAL, "km", None)
    _LOCAL.km = None
    if km is not None:
        shutdown_kernel(km)
