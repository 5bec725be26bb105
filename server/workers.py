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

Several processes can open one RocksDB store read-only at the same time, but
not while another process writes it (the read-only open fails, or worse):
`voxgraph serve` therefore serves the loader's published snapshots, which
never change (see loader/store.py).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

from flask import Flask

from loader.store import GraphStore
from server.errors import Busy, QueryError, QueryTimeout, WorkerLost
from server.formats import Wanted
from server.query import POOL_KEY, THREAD_STACK_BYTES, Dataset, QueryAnswer, evaluate
from server.settings import Settings

WORKER_COMMAND = "from server.workers import worker_main; worker_main()"
STARTUP_SECONDS = 60.0  # a fresh worker imports rdflib and pyoxigraph: a second or two
# Oxigraph's engine allocates and frees small blocks at a high rate: with glibc's
# defaults, malloc and free took 28 % of the worker's CPU on four analytic queries
# over 10,000 digests (perf), mostly refilling glibc's per-thread cache of freed
# blocks, which keeps 7 per size. Keeping 100 cut that to 12 % (1,000 did no
# better) for a few MB more memory: at most ~3.4 MB per thread, 64 sizes up to
# 1 KB (benchmarks/README.md). Other C libraries ignore the variable; a
# GLIBC_TUNABLES set by the user is left as it is.
WORKER_MALLOC_TUNABLES = "glibc.malloc.tcache_count=100"


class Slot:
    """One query thread of a worker process, and the pipe pair to it."""

    def __init__(self, owner: WorkerProcess, requests: Connection, answers: Connection) -> None:
        self.owner = owner
        self.requests = requests
        self.answers = answers
        self.ready = False
        self.broken = False

    def ask(self, task: tuple, seconds: float, limit: float) -> QueryAnswer:
        """Send `task` and wait up to `seconds` for the answer; sets `broken` on a timeout.

        `limit` is the time limit to name in the error.
        """
        if not self.ready:
            self._receive(STARTUP_SECONDS, None)
            self.ready = True
        try:
            self.requests.send(task)
        except OSError:
            self.broken = True
            raise WorkerLost("the query's worker process had ended; try again") from None
        outcome, value = self._receive(seconds, f"{limit:g} seconds")
        if outcome == "error":
            raise value
        return value

    def _receive(self, seconds: float, limit: str | None) -> tuple[str, object]:
        """The next message; `limit` None means the worker is starting up."""
        try:
            if self.answers.poll(max(seconds, 0.0)):
                return self.answers.recv()
        except (EOFError, OSError):
            self.broken = True
            raise WorkerLost(
                "the query's worker process ended unexpectedly; it has been replaced, try again"
            ) from None
        self.broken = True
        if limit is None:
            raise WorkerLost("the query worker did not start; try again")
        raise QueryTimeout(f"the query ran longer than the limit of {limit} and was stopped")


class WorkerProcess:
    """A worker process with `threads` query threads, one slot each."""

    def __init__(self, threads: int) -> None:
        self.slots: list[Slot] = []
        child_fds: list[int] = []
        ends: list[tuple[int, int]] = []
        for _ in range(threads):
            task_read, task_write = os.pipe()
            answer_read, answer_write = os.pipe()
            child_fds += [task_read, answer_write]
            ends.append((task_write, answer_read))
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER_COMMAND, *map(str, child_fds)],
            pass_fds=child_fds,
            env=worker_environment(),
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
        self.retired = False

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        for slot in self.slots:
            slot.requests.close()
            slot.answers.close()


def worker_environment() -> dict[str, str]:
    """This process's environment, with WORKER_MALLOC_TUNABLES unless the user set their own."""
    return {"GLIBC_TUNABLES": WORKER_MALLOC_TUNABLES, **os.environ}


class WorkerPool:
    """A worker process with `size` query threads, and a bound on queries in flight."""

    def __init__(self, size: int, max_concurrent: int):
        self._size = max(size, 1)
        self._idle: queue.LifoQueue[Slot] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(max(max_concurrent, 1))
        self._lock = threading.Lock()
        self._processes: list[WorkerProcess] = []
        self._start_process()

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
        try:
            slot = self._take(deadline)
            try:
                task = (store_path, query, dataset, settings, wanted, endpoints, base_iri)
                return slot.ask(task, deadline - time.monotonic(), settings.timeout)
            finally:
                self._give_back(slot)
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
        process = WorkerProcess(self._size)
        self._processes.append(process)
        for slot in process.slots:
            self._idle.put(slot)

    def pids(self) -> list[int]:
        with self._lock:
            return [process.process.pid for process in self._processes]

    def close(self) -> None:
        with self._lock:
            for process in self._processes:
                process.stop()
            self._processes.clear()


def attach_pool(app: Flask, store: GraphStore, settings: Settings) -> WorkerPool | None:
    """Give `app` a worker pool if its store suits one: read-only, on disk, workers wanted.

    A store opened read-write in this process (as tests do) cannot be opened by
    other processes, so its queries run in this process, without a time limit.
    """
    if settings.workers < 1 or store.path is None or not store.read_only:
        return None
    pool = WorkerPool(settings.workers, settings.max_concurrent_queries)
    app.extensions[POOL_KEY] = pool
    return pool


def worker_main() -> None:
    """The worker process: one query thread per pipe pair named in argv, until they close.

    argv holds file descriptors, two per thread: the task pipe to read, the answer
    pipe to write. Threads run with big stacks (see THREAD_STACK_BYTES) and share
    one handle per snapshot. Anything printed goes to stderr.
    """
    os.dup2(2, 1)
    fds = [int(fd) for fd in sys.argv[1:]]
    threading.stack_size(THREAD_STACK_BYTES)
    stores = _SharedStores()
    threads = [
        threading.Thread(
            target=_serve_tasks,
            args=(
                Connection(fds[i], writable=False),
                Connection(fds[i + 1], readable=False),
                stores,
            ),
            name=f"query-{i // 2}",
        )
        for i in range(0, len(fds), 2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class _SharedStores:
    """The read-only handle on the newest snapshot a query named, shared by the threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._path: str | None = None
        self._store: GraphStore | None = None

    def get(self, path: str) -> GraphStore:
        with self._lock:
            if path != self._path:  # a newer snapshot: open it (queries on the old keep theirs)
                self._store = GraphStore(path, read_only=True)
                self._path = path
            assert self._store is not None
            return self._store


def _serve_tasks(requests: Connection, answers: Connection, stores: _SharedStores) -> None:
    answers.send(("ready", None))
    while True:
        try:
            store_path, query, dataset, settings, wanted, endpoints, base_iri = requests.recv()
        except (EOFError, OSError):  # the server is gone
            return
        try:
            store = stores.get(store_path)
            answer = evaluate(store, query, dataset, settings, wanted, endpoints, base_iri)
        except QueryError as error:
            answers.send(("error", error))
            continue
        except OSError as error:  # the store could not be opened
            answers.send(("error", WorkerLost(f"the store could not be opened: {error}")))
            continue
        answers.send(("ok", answer))
