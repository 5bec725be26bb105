"""Queries evaluated in a worker process, so that one running too long can be stopped.

pyoxigraph cannot cancel a query once it runs, and a thread cannot be killed,
so the only way to stop a runaway query is to end the process evaluating it.
The `WorkerPool` keeps one worker process (WORKER_COMMAND: a fresh interpreter,
no fork of a threaded server) with `settings.workers` query threads, each
spoken to over a pipe pair of its own with pickled messages (a *slot*). The
threads share one read-only handle on the store, so concurrent queries share
RocksDB's block cache and table readers: four copies of the same analytic
query ran in 16.3 s as four threads of one process, in 21.1 s as four
processes (benchmarks/README.md).

A request thread takes an idle slot, sends it the checked query, and waits at
most `settings.timeout` for the answer. Past that the client gets 504 and the
process is *retired*: a fresh process takes over with fresh slots at once, the
retired one gets no more queries and is killed (SIGKILL) as soon as the other
queries it is evaluating have been answered (each within its own time limit),
so no other user's query dies with the runaway one. A process that dies (a
crash in the engine) is replaced the same way, and its queries get 503.

At most `settings.max_concurrent_queries` queries run or wait for a slot at
once; one more gets 503 with Retry-After at once instead of queuing without
bound.

Memory (`settings.max_memory`, see server/memory.py): the worker limits its own
data segment (RLIMIT_DATA) and the pool's watchdog thread reads the private memory
of every worker process. A query that allocates past the ceiling ends its process:
Rust aborts it ("memory allocation of N bytes failed"; Python's MemoryError makes the
worker abort itself), or the watchdog kills it. The pool tells that death from
other crashes by the worker's stderr (that line, then Python's faulthandler naming
the thread that aborted) and its exit signal (SIGABRT), or by having killed it, and
answers:

- the query of the thread whose allocation failed: 507, "needed more memory than
  this server allows";
- the other queries the process was evaluating (bystanders): sent again to the
  fresh process, within their own time limit, so their clients see only a delay.

When the dying thread is unknown (the watchdog killed the process, or a thread
that runs no query aborted), a query alone in its process is the one to blame;
with several, each is sent again as a *suspect*, and a suspect in a second such
death is blamed. Near the ceiling, the allocation that fails is almost always the
hungry query's (it makes nearly all of them); a small query that happens to fail
there is answered 507 too, and runs again when asked again.

An answer crosses from the worker in pieces of CHUNK_BYTES and waits for its
client in a spooled temporary file (in memory up to SPOOL_BYTES, on disk beyond):
the server never holds a whole answer, and the query slot is free again as soon
as the answer has crossed, however slowly the client reads.

Several processes can open one RocksDB store read-only at the same time, but
not while another process writes it (the read-only open fails, or worse):
`voxgraph serve` therefore serves the loader's published snapshots, which
never change (see loader/store/oxigraph.py).
"""

from __future__ import annotations

import faulthandler
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import IO

from flask import Flask

from voxgraph.loader.store import Store
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.server.errors import Busy, MemoryExceeded, QueryError, QueryTimeout, WorkerLost
from voxgraph.server.formats import Wanted
from voxgraph.server.memory import (
    MIB,
    default_max_memory,
    format_size,
    limit_data_segment,
    private_memory,
)
from voxgraph.server.query import POOL_KEY, THREAD_STACK_BYTES, Dataset, QueryAnswer, evaluate
from voxgraph.server.settings import Settings

WORKER_COMMAND = "from voxgraph.server.workers import worker_main; worker_main()"
STARTUP_SECONDS = 60.0  # a fresh worker imports rdflib and pyoxigraph: a second or two
# Oxigraph's engine allocates and frees small blocks at a high rate: with glibc's
# defaults, malloc and free took 28 % of the worker's CPU on four analytic queries
# over 10,000 digests (perf), mostly refilling glibc's per-thread cache of freed
# blocks, which keeps 7 per size. Keeping 100 cut that to 12 % (1,000 did no
# better) for a few MB more memory: at most ~3.4 MB per thread, 64 sizes up to
# 1 KB (benchmarks/README.md). Other C libraries ignore the variable; a
# GLIBC_TUNABLES set by the user is left as it is.
WORKER_MALLOC_TUNABLES = "glibc.malloc.tcache_count=100"
# Without a backtrace Rust's "memory allocation of N bytes failed" ends the process at
# once, instead of symbolizing one with no memory left. A RUST_BACKTRACE of the user's wins.
WORKER_RUST_BACKTRACE = "0"

WATCH_SECONDS = 0.05  # how often the watchdog reads the workers' memory
# The watchdog acts this far over the ceiling: below it RLIMIT_DATA acts first, and
# tells which thread's allocation failed (the watchdog cannot).
WATCHDOG_SLACK = 32 * MIB
CHUNK_BYTES = 1024 * 1024  # an answer crosses from the worker in pieces of this size
SPOOL_BYTES = 1024 * 1024  # ... and waits for its client in memory up to this, on disk beyond
CHUNK_GRACE_SECONDS = 10.0  # an answer computed in time may take this long to cross
MAX_ATTEMPTS = 4  # a query whose process others' queries ended is sent this often at most

_ALLOCATION_FAILED = re.compile(rb"memory allocation of \d+ bytes failed")
OUT_OF_MEMORY_NOTE = b"voxgraph worker: out of memory (MemoryError)"
_CURRENT_THREAD = re.compile(rb"^Current thread (0x[0-9a-fA-F]+)")


@dataclass(frozen=True)
class Death:
    """How a worker process ended, as far as the pool can tell."""

    memory: bool  # past the memory ceiling: an allocation failed, or the watchdog killed it
    culprit: int | None  # the ident of the query thread whose allocation failed, if known
    in_flight: int  # queries its threads were evaluating (answered or not) when it ended


class Bystander(WorkerLost):
    """The query's process ended because another query needed too much memory: send it again.

    `suspect`: which query it was is not known (see the module's docstring).
    """

    def __init__(self, suspect: bool) -> None:
        super().__init__("the query's worker process ended; it has been replaced, try again")
        self.suspect = suspect


class Slot:
    """One query thread of a worker process, and the pipe pair to it."""

    def __init__(self, owner: WorkerProcess, requests: Connection, answers: Connection) -> None:
        self.owner = owner
        self.requests = requests
        self.answers = answers
        self.ready = False
        self.broken = False
        self.ident: int | None = None  # the worker thread's threading.get_ident()

    def ask(
        self, task: tuple, seconds: float, limit: float, max_memory: int, suspect: bool = False
    ) -> QueryAnswer:
        """Send `task` and wait up to `seconds` for the answer; sets `broken` if the
        process must be replaced (a timeout, its death).

        `limit` and `max_memory` are the limits to name in errors; `suspect` says that
        the query was in flight when an earlier process ended of memory (see Bystander).
        """
        if not self.ready:
            try:
                if not self.answers.poll(STARTUP_SECONDS):
                    raise EOFError
                _, self.ident = self.answers.recv()
            except (EOFError, OSError):
                self.broken = True
                raise WorkerLost("the query worker did not start; try again") from None
            self.owner.thread_idents.add(self.ident)
            self.ready = True
        try:
            self.requests.send(task)
        except OSError:
            self.broken = True
            raise WorkerLost("the query's worker process had ended; try again") from None
        deadline = time.monotonic() + seconds
        outcome, value = self._receive(seconds, limit, max_memory, suspect)
        if outcome == "error":
            raise value
        answer, more = value
        if not more:
            return answer
        return replace(answer, body=self._rest_of_body(answer.body, deadline, max_memory))

    def _rest_of_body(self, first: bytes, deadline: float, max_memory: int) -> IO[bytes]:
        """The pieces after `first`, until an empty one, in a spooled temporary file."""
        body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
        try:
            body.write(first)
            while piece := self._receive(
                max(deadline - time.monotonic(), CHUNK_GRACE_SECONDS), None, max_memory, False
            ):
                body.write(piece)
        except BaseException:
            body.close()
            raise
        body.seek(0)
        return body

    def _receive(self, seconds: float, limit: float | None, max_memory: int, suspect: bool):
        """The next message (a piece of an answer's body if `limit` is None)."""
        try:
            if self.answers.poll(max(seconds, 0.0)):
                return self.answers.recv() if limit is not None else self.answers.recv_bytes()
        except (EOFError, OSError):
            self.broken = True
            raise self._after_death(self.owner.death(), max_memory, suspect) from None
        self.broken = True
        self.owner.abandoned += 1  # its thread runs on, until the process is killed
        if limit is None:
            raise WorkerLost("the answer did not arrive from the query worker; try again")
        raise QueryTimeout(
            f"the query ran longer than the limit of {limit:g} seconds and was stopped"
        )

    def _after_death(self, death: Death, max_memory: int, suspect: bool) -> QueryError:
        """What to tell this slot's client, its process having died as `death` says."""
        if not death.memory:
            return WorkerLost(
                "the query's worker process ended unexpectedly; it has been replaced, try again"
            )
        if death.culprit is not None:
            blamed = death.culprit == self.ident
        else:
            blamed = death.in_flight <= 1 or suspect
        if not blamed:
            return Bystander(suspect=death.culprit is None)
        return MemoryExceeded(
            f"the query needed more memory than this server allows ({format_size(max_memory)} "
            "for evaluating queries, voxgraph serve --max-memory) and was stopped. ORDER BY, "
            "DISTINCT, GROUP BY and GROUP_CONCAT hold all the rows they read, whatever the LIMIT: "
            "narrow the patterns they apply to"
        )


class WorkerProcess:
    """A worker process with `threads` query threads, one slot each, whose private memory
    is held to `max_memory` bytes."""

    def __init__(self, threads: int, max_memory: int) -> None:
        self.slots: list[Slot] = []
        child_fds: list[int] = []
        ends: list[tuple[int, int]] = []
        for _ in range(threads):
            task_read, task_write = os.pipe()
            answer_read, answer_write = os.pipe()
            child_fds += [task_read, answer_write]
            ends.append((task_write, answer_read))
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER_COMMAND, str(max_memory), *map(str, child_fds)],
            pass_fds=child_fds,
            env=worker_environment(),
            stderr=subprocess.PIPE,
        )
        for fd in child_fds:
            os.close(fd)
        for task_write, answer_read in ends:
            self.slots.append(
                Slot(
                    self,
                    Connection(task_write, readable=False),
                    Connection(answer_read, writable=False),
                )
            )
        self.busy = 0  # slots with a query in flight
        self.abandoned = 0  # threads still evaluating a query whose client got 504
        self.retired = False
        self.thread_idents: set[int] = set()  # of the query threads, as they report ready
        self.killed_for_memory = False
        self.allocation_failed = False  # its stderr said so
        self.aborting_thread: int | None = None  # faulthandler's "Current thread"
        self._death: Death | None = None
        self._death_lock = threading.Lock()
        self._stderr_reader = threading.Thread(
            target=self._read_stderr, name=f"worker-{self.process.pid}-stderr", daemon=True
        )
        self._stderr_reader.start()

    def _read_stderr(self) -> None:
        """Pass the worker's stderr on to ours, noting what says how it ends."""
        assert self.process.stderr is not None
        for line in iter(self.process.stderr.readline, b""):
            if _ALLOCATION_FAILED.search(line) or OUT_OF_MEMORY_NOTE in line:
                self.allocation_failed = True
            elif self.allocation_failed and (current := _CURRENT_THREAD.match(line)):
                self.aborting_thread = int(current.group(1), 16)
            sys.stderr.write(line.decode("utf-8", "replace"))
        self.process.stderr.close()

    def death(self) -> Death:
        """How the process ended (waits for it to end: call when its pipes have closed)."""
        with self._death_lock:
            if self._death is None:
                in_flight = self.busy + self.abandoned
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
                self._stderr_reader.join(timeout=5)
                aborted = self.process.returncode == -signal.SIGABRT and self.allocation_failed
                memory = self.killed_for_memory or aborted
                known = self.aborting_thread in self.thread_idents
                culprit = self.aborting_thread if memory and known else None
                self._death = Death(memory, culprit, in_flight)
            return self._death

    def kill_for_memory(self) -> None:
        self.killed_for_memory = True
        self.process.kill()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        for slot in self.slots:
            slot.requests.close()
            slot.answers.close()


def worker_environment() -> dict[str, str]:
    """This process's environment, with WORKER_MALLOC_TUNABLES and WORKER_RUST_BACKTRACE
    unless the user set their own."""
    return {
        "GLIBC_TUNABLES": WORKER_MALLOC_TUNABLES,
        "RUST_BACKTRACE": WORKER_RUST_BACKTRACE,
        **os.environ,
    }


class WorkerPool:
    """A worker process with `size` query threads, a bound on queries in flight, and a
    ceiling of `max_memory` bytes on the private memory of its processes together
    (default: server.memory.default_max_memory())."""

    def __init__(self, size: int, max_concurrent: int, max_memory: int | None = None):
        self._size = max(size, 1)
        self.max_memory = max_memory or default_max_memory()
        self._idle: queue.LifoQueue[Slot] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(max(max_concurrent, 1))
        self._lock = threading.Lock()
        self._processes: list[WorkerProcess] = []
        self._start_process()
        self._closed = threading.Event()
        threading.Thread(target=self._watch, name="memory-watchdog", daemon=True).start()

    def run(
        self,
        store_path: str,
        query: str,
        dataset: Dataset,
        settings: Settings,
        wanted: Wanted,
        endpoints: tuple[str, ...],
        base_iri: str | None = None,
    ) -> QueryAnswer:
        """Evaluate a checked query in a worker within `settings.timeout` seconds."""
        if not self._slots.acquire(blocking=False):
            raise Busy(
                f"the server is busy: {settings.max_concurrent_queries} queries are running "
                "or waiting; try again in a few seconds"
            )
        deadline = time.monotonic() + settings.timeout
        task = (store_path, query, dataset, settings, wanted, endpoints, base_iri)
        suspect = False
        try:
            for _ in range(MAX_ATTEMPTS):
                slot = self._take(deadline)
                try:
                    left = deadline - time.monotonic()
                    return slot.ask(task, left, settings.timeout, self.max_memory, suspect)
                except Bystander as bystander:
                    suspect = suspect or bystander.suspect
                    if time.monotonic() >= deadline:
                        raise QueryTimeout(
                            f"the query ran longer than the limit of {settings.timeout:g} seconds "
                            "(its worker process was ended by another query's memory)"
                        ) from None
                finally:
                    self._give_back(slot)
            raise WorkerLost("the query's worker process was ended repeatedly; try again")
        finally:
            self._slots.release()

    def _take(self, deadline: float) -> Slot:
        """An idle slot of a process in service (slots of retired processes are dropped)."""
        while True:
            try:
                slot = self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                raise Busy("the server is busy: no query worker became free in time") from None
            with self._lock:
                if not slot.owner.retired:
                    slot.owner.busy += 1
                    return slot

    def _give_back(self, slot: Slot) -> None:
        with self._lock:
            process = slot.owner
            process.busy -= 1
            if slot.broken and not process.retired:
                process.retired = True
                self._start_process()
            if not process.retired:
                self._idle.put(slot)
            elif process.busy == 0 and process in self._processes:
                self._processes.remove(process)
                process.stop()

    def _start_process(self) -> None:
        """A fresh worker process, its slots idle (call with the lock held, or at start)."""
        process = WorkerProcess(self._size, self.max_memory)
        self._processes.append(process)
        for slot in process.slots:
            self._idle.put(slot)

    def _watch(self) -> None:
        """Every WATCH_SECONDS, kill a worker process whose private memory is past the ceiling
        (plus WATCHDOG_SLACK); if all of them together are, the retired ones, largest first."""
        ceiling = self.max_memory + WATCHDOG_SLACK
        while not self._closed.wait(WATCH_SECONDS):
            with self._lock:
                processes = [p for p in self._processes if not p.killed_for_memory]
            used = {process: private_memory(process.process.pid) or 0 for process in processes}
            for process, size in used.items():
                if size > ceiling:
                    process.kill_for_memory()
            total = sum(size for process, size in used.items() if not process.killed_for_memory)
            retired = [p for p in processes if p.retired and not p.killed_for_memory]
            for process in sorted(retired, key=used.__getitem__, reverse=True):
                if total <= ceiling:
                    break
                process.kill_for_memory()
                total -= used[process]

    def pids(self) -> list[int]:
        with self._lock:
            return [process.process.pid for process in self._processes]

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            for process in self._processes:
                process.stop()
            self._processes.clear()


def attach_pool(app: Flask, store: Store, settings: Settings) -> WorkerPool | None:
    """Give `app` a worker pool if its store suits one: read-only, on disk, workers wanted.

    A store opened read-write in this process (as tests do) cannot be opened by
    other processes, so its queries run in this process, without a time limit.
    """
    if settings.workers < 1 or store.path is None or not store.read_only:
        return None
    pool = WorkerPool(settings.workers, settings.max_concurrent_queries, settings.max_memory)
    app.extensions[POOL_KEY] = pool
    return pool


def worker_main() -> None:
    """The worker process: one query thread per pipe pair named in argv, until they close.

    argv holds the memory ceiling in bytes, then file descriptors, two per thread: the
    task pipe to read, the answer pipe to write. Threads run with big stacks (see
    THREAD_STACK_BYTES) and share one handle per snapshot. Once they run, the data
    segment is limited (server/memory.py), and then they report ready. Anything printed
    goes to stderr, which the server reads (see WorkerProcess._read_stderr).
    """
    os.dup2(2, 1)
    faulthandler.enable(file=sys.stderr, all_threads=True)  # names the thread that aborts
    max_memory = int(sys.argv[1])
    fds = [int(fd) for fd in sys.argv[2:]]
    threading.stack_size(THREAD_STACK_BYTES)
    stores = _SharedStores()
    limited = threading.Event()
    threads = [
        threading.Thread(
            target=_serve_tasks,
            args=(
                Connection(fds[i], writable=False),
                Connection(fds[i + 1], readable=False),
                stores,
                limited,
            ),
            name=f"query-{i // 2}",
        )
        for i in range(0, len(fds), 2)
    ]
    for thread in threads:
        thread.start()
    limit_data_segment(max_memory)  # after the threads' stacks are mapped
    limited.set()
    for thread in threads:
        thread.join()


class _SharedStores:
    """The read-only handle on the newest snapshot a query named, shared by the threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._path: str | None = None
        self._store: Store | None = None

    def get(self, path: str) -> Store:
        with self._lock:
            if path != self._path:  # a newer snapshot: open it (queries on the old keep theirs)
                self._store = GraphStore(path, read_only=True)
                self._path = path
            assert self._store is not None
            return self._store


def _serve_tasks(
    requests: Connection, answers: Connection, stores: _SharedStores, limited: threading.Event
) -> None:
    limited.wait()
    answers.send(("ready", threading.get_ident()))
    while True:
        try:
            store_path, query, dataset, settings, wanted, endpoints, base_iri = requests.recv()
        except (EOFError, OSError):  # the server is gone
            return
        try:
            store = stores.get(store_path)
            answer = evaluate(store, query, dataset, settings, wanted, endpoints, base_iri)
            _send_answer(answers, answer)
        except QueryError as error:
            answers.send(("error", error))
        except OSError as error:  # the store could not be opened
            answers.send(("error", WorkerLost(f"the store could not be opened: {error}")))
        except MemoryError:  # past RLIMIT_DATA in Python: end as Rust does, in this thread
            os.write(2, OUT_OF_MEMORY_NOTE + b"\n")
            os.abort()


def _send_answer(answers: Connection, answer: QueryAnswer) -> None:
    """("ok", (answer with its first CHUNK_BYTES, more?)), then the rest in pieces, then b""."""
    body = answer.body
    assert isinstance(body, bytes)
    more = len(body) > CHUNK_BYTES
    answers.send(("ok", (replace(answer, body=body[:CHUNK_BYTES]), more)))
    if more:
        view = memoryview(body)
        for start in range(CHUNK_BYTES, len(body), CHUNK_BYTES):
            answers.send_bytes(view[start : start + CHUNK_BYTES])
        answers.send_bytes(b"")
