"""What the benchmarks and the tests share to run servers as child processes."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """End a server process: SIGTERM, then SIGKILL if it is still running after `timeout`
    seconds; returns once it has exited (no zombie left)."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
