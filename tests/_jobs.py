"""Jobs for executor tests: tiny, so that a spawned worker imports almost nothing."""

import os


def worker_pid(job: int) -> tuple[int, int]:
    """Which process ran the job."""
    return job, os.getpid()
