"""What the benchmarks and the tests share to run servers as child processes."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import requests


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """End a server process: SIGTERM, then SIGKILL if it is still running after `timeout`
    seconds; returns once it has exited (no zombie left)."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_up(
    process: subprocess.Popen, answers: Callable[[], bool], what: str, seconds: float = 60
) -> None:
    """Return once `answers()` (a request to the server) is true; a request that cannot
    connect yet counts as false. Raises RuntimeError("`what` did not start") if the
    process exits or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if answers():
                return
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.2)
