"""Queries evaluated in worker processes, so that one running too long can be stopped.

pyoxigraph cannot cancel a query once it runs, and a thread cannot be killed,
so the only way to stop a runaway query is to end the process evaluating it.
A `WorkerPool` holds a few processes (WORKER_COMMAND: a fresh
interpreter, no fork of a threaded server), each with its own read-only handle
on the store, spoken to over its stdin and stdout with pickled messages. A request
thread takes an idle worker, sends it the checked query, and waits at most
`settings.timeout` for the answer; past that the worker is killed (SIGKILL),
replaced by a fresh one, and the client gets 504. Other requests go on in the
other workers meanwhile.

At most `settings.max_concurrent_queries` queries run or wait for a worker at
once; one more gets 503 with Retry-After at once instead of queuing without
bound. A worker that dies (a crash in the engine) is replaced and its query
answered with 503.

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


class Worker:
    """One worker process and the pipes to it."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER_COMMAND], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.connection = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()
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
            if self.connection.poll(max(seconds, 0.0)):
                return self.connection.recv()
        except (EOFError, OSError):
            self.broken = True
            raise WorkerLost(
                "the query's worker process ended unexpectedly; it has been replaced, try again"
            ) from None
        self.broken = True
        if limit is None:
            raise WorkerLost("the query worker did not start; try again")
        raise QueryTimeout(f"the query ran longer than the limit of {limit} and was stopped")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        self.requests.close()
        self.connection.close()


class WorkerPool:
    """`size` worker processes evaluating queries, with a bound on queries in flight."""

    def __init__(self, size: int, max_concurrent: int):
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(max(max_concurrent, 1))
        self._workers = [Worker() for _ in range(size)]
        for worker in self._workers:
            self._idle.put(worker)
        self._lock = threading.Lock()

    def run(
        self,
        store_path: str,
        query: str,
        dataset: Dataset,
        settings: Settings,
        wanted: Wanted,
        endpoints: tuple[str, ...],
    ) -> QueryAnswer:
        """Evaluate a checked query in a worker within `settings.timeout` seconds."""
        if not self._slots.acquire(blocking=False):
            raise Busy(
                f"the server is busy: {settings.max_concurrent_queries} queries are running "
                "or waiting; try again in a few seconds"
            )
        deadline = time.monotonic() + settings.timeout
        try:
            try:
                worker = self._idle.get(timeout=settings.timeout)
            except queue.Empty:
                raise Busy("the server is busy: no query worker became free in time") from None
            try:
                task = (store_path, query, dataset, settings, wanted, endpoints)
                return worker.ask(task, deadline - time.monotonic(), settings.timeout)
            finally:
                self._idle.put(self._replace(worker) if worker.broken else worker)
        finally:
            self._slots.release()

    def _replace(self, worker: Worker) -> Worker:
        worker.stop()
        fresh = Worker()
        with self._lock:
            self._workers[self._workers.index(worker)] = fresh
        return fresh

    def pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._workers]

    def close(self) -> None:
        with self._lock:
            for worker in self._workers:
                worker.stop()


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
    """The worker process: answer tasks from stdin on stdout until stdin closes.

    Evaluation runs in a thread with a big stack (see THREAD_STACK_BYTES). The
    real stdout becomes the answer pipe; anything printed goes to stderr.
    """
    requests = Connection(os.dup(0), writable=False)
    answers = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    threading.stack_size(THREAD_STACK_BYTES)
    thread = threading.Thread(target=_serve_tasks, args=(requests, answers), name="query")
    thread.start()
    thread.join()


def _serve_tasks(requests: Connection, answers: Connection) -> None:
    stores: dict[str, GraphStore] = {}
    answers.send(("ready", None))
    while True:
        try:
            store_path, query, dataset, settings, wanted, endpoints = requests.recv()
        except (EOFError, OSError):  # the server is gone
            return
        try:
            if store_path not in stores:  # a newer snapshot: drop the old handle
                stores = {store_path: GraphStore(store_path, read_only=True)}
            answer = evaluate(stores[store_path], query, dataset, settings, wanted, endpoints)
        except QueryError as error:
            answers.send(("error", error))
            continue
        except OSError as error:  # the store could not be opened
            answers.send(("error", WorkerLost(f"the store could not be opened: {error}")))
            continue
        answers.send(("ok", answer))
