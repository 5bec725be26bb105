"""Hostile queries against a served snapshot: time-outs, limits, no fetching, reloading."""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.server_fixtures import serving
from voxgraph.loader import pipeline
from voxgraph.loader.store.oxigraph import GraphStore, latest_snapshot
from voxgraph.paths import CORPUS
from voxgraph.server.app import create_app
from voxgraph.server.query import POOL_KEY
from voxgraph.server.settings import Settings
from voxgraph.server.workers import WORKER_MALLOC_TUNABLES, WorkerPool

# Three cross joins of the corpus' 6,700 quads: hours of work, never finished here.
ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUICK = "ASK { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


@contextmanager
def serve_snapshot(path: Path, settings: Settings) -> Iterator[str]:
    """Serve the newest snapshot of the store at `path` as `voxgraph serve` does."""
    snapshot = latest_snapshot(path)
    assert snapshot is not None
    app = create_app(GraphStore(snapshot, read_only=True), settings)
    try:
        with serving(app, settings) as url:
            yield url + "/sparql"
    finally:
        app.extensions[POOL_KEY].close()


@pytest.fixture(scope="module")
def snapshot_of_corpus(corpus_store: GraphStore) -> Path:
    assert corpus_store.path is not None and latest_snapshot(corpus_store.path)
    return corpus_store.path


@pytest.fixture(scope="module")
def limited(snapshot_of_corpus: Path) -> Iterator[str]:
    settings = Settings(timeout=2.0, workers=2, max_concurrent_queries=2, max_result_rows=3)
    with serve_snapshot(snapshot_of_corpus, settings) as url:
        yield url


def count(url: str) -> int:
    response = requests.get(url, params={"query": COUNT}, timeout=30)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def ends_within(seconds: float, pid: int) -> bool:
    """Whether process `pid` is gone within `seconds`."""
    deadline = time.monotonic() + seconds
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return not Path(f"/proc/{pid}").exists()


def test_a_query_past_the_time_limit_is_stopped_while_others_are_answered(limited: str) -> None:
    outcome: dict[str, requests.Response] = {}
    slow = threading.Thread(
        target=lambda: outcome.update(slow=requests.get(limited, params={"query": ENDLESS}))
    )
    started = time.monotonic()
    slow.start()
    time.sleep(0.3)
    quick = requests.get(limited, params={"query": QUICK}, timeout=10)
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert time.monotonic() - started < 1.9, "the quick query did not wait for the slow one"
    slow.join(timeout=30)
    response = outcome["slow"]
    assert response.status_code == 504
    assert "longer than the limit of 2 seconds" in response.text
    assert time.monotonic() - started < 10
    # The killed worker was replaced: the server answers as before.
    assert requests.get(limited, params={"query": QUICK}, timeout=30).status_code == 200


def test_a_timed_out_process_is_replaced_and_then_killed(snapshot_of_corpus: Path) -> None:
    """The runaway query's process takes no more queries; it ends once it has none in flight."""
    settings = Settings(timeout=1.0, workers=2, max_concurrent_queries=4)
    snapshot = latest_snapshot(snapshot_of_corpus)
    app = create_app(GraphStore(snapshot, read_only=True), settings)
    pool = app.extensions[POOL_KEY]
    try:
        with serving(app, settings) as url:
            assert requests.get(url + "/sparql", params={"query": QUICK}).status_code == 200
            [first] = pool.pids()
            response = requests.get(url + "/sparql", params={"query": ENDLESS}, timeout=30)
            assert response.status_code == 504
            assert first not in pool.pids() and len(pool.pids()) == 1
            assert requests.get(url + "/sparql", params={"query": COUNT}).status_code == 200
            assert ends_within(10, first), "the runaway query's process still runs"
    finally:
        pool.close()


def worker_environment_of(pool: WorkerPool) -> dict[str, str]:
    """The environment the pool's process was started with (empty for a moment after exec)."""
    [pid] = pool.pids()
    deadline = time.monotonic() + 10
    while not (raw := Path(f"/proc/{pid}/environ").read_bytes()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return dict(entry.decode().split("=", 1) for entry in raw.split(b"\0") if entry)


def test_the_worker_process_keeps_more_freed_blocks_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    pool = WorkerPool(1, 1)
    try:
        tuned = worker_environment_of(pool).get("GLIBC_TUNABLES")
        assert tuned == WORKER_MALLOC_TUNABLES, f"the worker's GLIBC_TUNABLES is {tuned!r}"
    finally:
        pool.close()
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    pool = WorkerPool(1, 1)
    try:
        mine = worker_environment_of(pool).get("GLIBC_TUNABLES")
        assert mine == "glibc.malloc.arena_max=2", f"the user's setting was replaced by {mine!r}"
    finally:
        pool.close()


def test_glibc_reads_the_workers_malloc_setting() -> None:
    """A misspelt tunable is ignored without a word: ask this glibc's loader what it read."""
    assert platform.libc_ver()[0] == "glibc", "the setting is for glibc; this is not glibc"
    linked = subprocess.run(["ldd", sys.executable], capture_output=True, text=True).stdout
    [loader] = re.findall(r"(/\S*ld-linux\S*)", linked)
    listed = subprocess.run(
        [loader, "--list-tunables"],
        env={"GLIBC_TUNABLES": WORKER_MALLOC_TUNABLES},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    read = re.search(r"glibc\.malloc\.tcache_count: (0x[0-9a-f]+)", listed)
    assert read is not None, f"{loader} lists no glibc.malloc.tcache_count"
    wanted = int(WORKER_MALLOC_TUNABLES.rsplit("=", 1)[1])
    assert int(read.group(1), 16) == wanted, f"glibc read tcache_count {read.group(1)}"


LATE_ROW = {"type": "literal", "value": "late"}


class SlowEndpoint(ThreadingHTTPServer):
    """A SPARQL endpoint on 127.0.0.1 that answers one row after `delay` seconds:
    an allowlisted SERVICE to it makes a query that takes a known time."""

    def __init__(self, delay: float) -> None:
        rows = json.dumps(
            {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": LATE_ROW}]}}
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(rows)))
                self.end_headers()
                self.wfile.write(rows)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_port}/sparql"


def test_a_runaway_query_does_not_take_other_queries_down_with_it(
    snapshot_of_corpus: Path,
) -> None:
    """The runaway times out at 2 s while another query of the same process runs until
    ~2.5 s: that one is still answered, then the retired process is killed."""
    endpoint = SlowEndpoint(delay=1.5)
    threading.Thread(target=endpoint.serve_forever, daemon=True).start()
    settings = Settings(
        timeout=2.0, workers=2, max_concurrent_queries=4, service_allowlist=(endpoint.url,)
    )
    app = create_app(GraphStore(latest_snapshot(snapshot_of_corpus), read_only=True), settings)
    pool = app.extensions[POOL_KEY]
    answers: dict[str, requests.Response] = {}

    def ask(name: str, query: str) -> None:
        answers[name] = requests.get(url + "/sparql", params={"query": query}, timeout=30)

    try:
        with serving(app, settings) as url:
            assert requests.get(url + "/sparql", params={"query": QUICK}).status_code == 200
            [first] = pool.pids()
            runaway = threading.Thread(target=ask, args=("runaway", ENDLESS))
            slow = threading.Thread(
                target=ask,
                args=("slow", f"SELECT ?x {{ SERVICE <{endpoint.url}> {{ ?x ?p ?o }} }}"),
            )
            runaway.start()
            time.sleep(1.0)
            slow.start()
            runaway.join(timeout=30)
            slow.join(timeout=30)
            assert answers["runaway"].status_code == 504
            assert answers["slow"].status_code == 200, answers["slow"].text
            assert answers["slow"].json()["results"]["bindings"][0]["x"]["value"] == "late"
            assert ends_within(10, first), "the retired process still runs"
    finally:
        pool.close()
        endpoint.shutdown()


def test_beyond_the_concurrency_limit_the_answer_is_503_with_retry_after(limited: str) -> None:
    threads = [
        threading.Thread(
            target=requests.get, args=(limited,), kwargs={"params": {"query": ENDLESS}}
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    response = requests.get(limited, params={"query": QUICK}, timeout=10)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "busy" in response.text
    for thread in threads:
        thread.join(timeout=30)
    assert requests.get(limited, params={"query": QUICK}, timeout=30).status_code == 200


def test_a_long_answer_is_cut_and_says_so(limited: str) -> None:
    query = "SELECT ?s { ?s ?p ?o } ORDER BY ?s"
    response = requests.get(limited, params={"query": query})
    assert response.status_code == 200
    assert response.headers["X-Voxgraph-Truncated"] == "true"
    document = response.json()
    assert len(document["results"]["bindings"]) == 3
    assert document["voxgraph"]["truncated"] is True
    csv = requests.get(limited, params={"query": query}, headers={"Accept": "text/csv"})
    assert csv.headers["X-Voxgraph-Truncated"] == "true"
    assert len(csv.text.strip().splitlines()) == 4  # header and three rows
    graph = requests.get(limited, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert graph.headers["X-Voxgraph-Truncated"] == "true"
    assert len(graph.text.strip().splitlines()) == 3
    short = requests.get(limited, params={"query": "SELECT ?x { VALUES ?x { 1 2 3 } }"})
    assert "X-Voxgraph-Truncated" not in short.headers and "voxgraph" not in short.json()


def test_the_byte_limit_cuts_rows_too(snapshot_of_corpus: Path) -> None:
    settings = Settings(workers=1, max_result_bytes=2_000)
    with serve_snapshot(snapshot_of_corpus, settings) as url:
        response = requests.get(
            url, params={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
        )
    assert response.status_code == 200
    assert response.headers["X-Voxgraph-Truncated"] == "true"
    assert 0 < len(response.content) <= 2_000


def test_deep_queries_run_in_the_workers_big_stacks(limited: str) -> None:
    deep = "SELECT * {" + "{" * 900 + "}" * 900 + "}"
    assert requests.get(limited, params={"query": deep}, timeout=30).status_code == 200
    deeper = "SELECT * {" + "{" * 1100 + "}" * 1100 + "}"
    assert requests.get(limited, params={"query": deeper}, timeout=30).status_code == 400


# -- nothing is ever fetched -------------------------------------------------------


class Recorder(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that only notes every request it gets."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                recorder.seen.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.end_headers()
                self.wfile.write(b"<urn:a> <urn:b> <urn:c> .")

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_graph_parameters_name_graphs_and_never_fetch_them(
    limited: str, recorder: Recorder
) -> None:
    internal = f"http://127.0.0.1:{recorder.server_address[1]}/secret"
    in_graphs = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    for parameter, query in (("default-graph-uri", COUNT), ("named-graph-uri", in_graphs)):
        response = requests.get(limited, params={"query": query, parameter: internal})
        assert response.status_code == 200
        assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"
        for iri in ("file:///etc/passwd", "FILE:/etc/passwd", "ftp://127.0.0.1/x"):
            refused = requests.get(limited, params={"query": COUNT, parameter: iri})
            assert refused.status_code == 400 and "passwd" not in refused.text.replace(iri, "")
    for update in (f"LOAD <{internal}>", "LOAD <file:///etc/passwd>"):
        assert requests.post(limited, data={"update": update}).status_code == 403
        assert requests.get(limited, params={"query": update}).status_code == 403
    service = f"SELECT * {{ SERVICE <{internal}> {{ ?s ?p ?o }} }}"
    assert requests.get(limited, params={"query": service}).status_code == 403
    from_clause = f"SELECT * FROM <{internal}> {{ ?s ?p ?o }}"
    assert requests.get(limited, params={"query": from_clause}).status_code == 200
    assert recorder.seen == []


# -- digests loaded while the server serves -----------------------------------------


def test_digests_loaded_while_serving_appear_whole(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    pipeline.run([CORPUS / "2022-11-04.txt"], store)
    settings = Settings(workers=1)
    with serve_snapshot(store.path, settings) as url:
        before = count(url)
        stop = threading.Event()
        seen: set[int] = set()

        def read() -> None:
            while not stop.is_set():
                seen.add(count(url))

        reader = threading.Thread(target=read)
        reader.start()
        report = pipeline.run([CORPUS / "2022-11-08.txt", CORPUS / "2023-09-22.txt"], store)
        assert report.ok
        time.sleep(0.5)
        stop.set()
        reader.join(timeout=30)
        after = count(url)
    fresh = GraphStore(tmp_path / "fresh")
    pipeline.run(
        [CORPUS / "2022-11-04.txt", CORPUS / "2022-11-08.txt", CORPUS / "2023-09-22.txt"], fresh
    )
    assert after == len(list(fresh.quads())) > before
    assert seen <= {before, after}, "a reader saw a batch half-loaded"
