"""The memory ceiling of query evaluation: sizes, the default, and how a worker is held to it.

A query can need far more memory than the store holds: ORDER BY, DISTINCT, GROUP BY
and GROUP_CONCAT keep their whole input, and a cartesian product of the bundled
corpus alone is 300 billion rows. `voxgraph serve --max-memory SIZE` bounds the
*private memory* of the query worker process (its resident memory not backed by
files: the heap, the store's caches, the threads' stacks as far as they are used),
by two means (server/workers.py):

- In the worker, RLIMIT_DATA. Since Linux 4.7 it counts every private writable
  mapping: brk, malloc's arenas as they grow, every mmap'd block (the allocations of
  Oxigraph and RocksDB, Python's objects), but not files mapped read-only, nor
  address space reserved without write access. The worker sets it once its query
  threads run (their stacks are mapped by then: 4 x 256 MiB, almost all of it never
  touched) to what it has mapped so far, less what of that it uses, plus the
  ceiling. An allocation past it fails at once: Rust aborts the process ("memory
  allocation of N bytes failed"), Python raises MemoryError (the worker then aborts
  itself). RLIMIT_AS would count address space instead: the stacks, and 64 MiB of
  reserved (PROT_NONE) address space per malloc arena, neither of which is memory in
  use, so a ceiling on it is no ceiling on memory.
- In the server, a watchdog reading each worker's private memory (/proc/PID/statm)
  every WATCH_SECONDS: it kills a worker over the ceiling (memory RLIMIT_DATA does
  not see: stack pages touched by deep recursion, mappings made before the limit),
  and it holds the worker processes *together* to the ceiling (a process retired
  after a time-out may still run a hungry query while its successor serves others).

A cgroup would bound the same memory from outside, but creating one needs a
delegated cgroup tree, which a plain `voxgraph serve` does not have; the rlimit
and /proc need nothing.
"""

from __future__ import annotations

import os
import re
import resource
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
MIN_MAX_MEMORY = 128 * MIB  # a worker holds ~60 MiB before its first query
DEFAULT_SHARE = 4  # the default ceiling is a quarter of the machine's memory ...
DEFAULT_FLOOR = 256 * MIB  # ... but not less than this
PAGE = os.sysconf("SC_PAGE_SIZE")

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": KIB, "m": MIB, "g": GIB, "t": 1024 * GIB}


def parse_size(text: str) -> int:
    """Bytes in "2G", "512M", "1.5GiB", "300MB", "1048576" (K, M, G, T are powers of 1024)."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size: write e.g. 2G, 512M or 1048576 (bytes)")
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit.lower()])


def format_size(size: int) -> str:
    """ "512 MiB", "1.5 GiB": for messages."""
    for unit, name in ((GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")):
        if size >= unit:
            return f"{size / unit:.4g} {name}"
    return f"{size} bytes"


def machine_memory(
    meminfo: Path = Path("/proc/meminfo"),
    cgroup_file: Path = Path("/proc/self/cgroup"),
    cgroup_root: Path = Path("/sys/fs/cgroup"),
) -> int:
    """This machine's memory: MemTotal, or the memory limit of our cgroup when lower."""
    total = None
    for line in meminfo.read_text().splitlines():
        if line.startswith("MemTotal:"):
            total = int(line.split()[1]) * KIB
    if total is None:
        raise ValueError(f"{meminfo} names no MemTotal")
    limit = cgroup_memory_limit(cgroup_file, cgroup_root)
    return min(total, limit) if limit else total


def cgroup_memory_limit(cgroup_file: Path, cgroup_root: Path) -> int | None:
    """The memory limit of this process's cgroup (v2 memory.max, v1 memory.limit_in_bytes).

    None when there is none, or it cannot be read (the hierarchy not mounted, "max").
    """
    try:
        lines = cgroup_file.read_text().splitlines()
    except OSError:
        return None
    candidates = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        relative = path.lstrip("/")
        if controllers == "":  # cgroup v2
            candidates += [cgroup_root / relative / "memory.max", cgroup_root / "memory.max"]
        elif "memory" in controllers.split(","):
            folder = cgroup_root / "memory"
            candidates += [folder / relative / "memory.limit_in_bytes"]
            candidates += [folder / "memory.limit_in_bytes"]
    for candidate in candidates:
        try:
            value = candidate.read_text().strip()
        except OSError:
            continue
        if value.isdigit() and int(value) < 2**60:  # v1 says "no limit" with ~2**63
            return int(value)
    return None


def default_max_memory(machine: int | None = None) -> int:
    """A quarter of the machine's memory (`machine` bytes, by default machine_memory()),
    at least DEFAULT_FLOOR."""
    return max((machine or machine_memory()) // DEFAULT_SHARE, DEFAULT_FLOOR)


def private_memory(pid: int) -> int | None:
    """Resident memory of process `pid` not backed by files (RssAnon), in bytes; None if gone."""
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except (OSError, ValueError):
        return None
    if len(fields) < 3:  # a process that has just ended (a zombie) shows no memory
        return None
    resident, shared = int(fields[1]), int(fields[2])  # shared: file-backed and shmem pages
    return (resident - shared) * PAGE


def own_status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def limit_data_segment(max_memory: int) -> int:
    """Hold this process's private memory to `max_memory` through RLIMIT_DATA; returns the limit.

    What is mapped already (VmData) but not in use (VmData - RssAnon: mostly thread
    stacks) stays allowed; new mappings may add up to `max_memory` - RssAnon.
    """
    mapped = own_status_kib("VmData") * KIB
    used = own_status_kib("RssAnon") * KIB
    limit = mapped + max(max_memory - used, 0)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    return limit
