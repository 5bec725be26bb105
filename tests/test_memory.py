"""The memory ceiling of query evaluation (`voxgraph serve --max-memory`, server/memory.py).

The end-to-end tests run `voxgraph serve` as its own process on a free port, over the
bundled corpus, with a 512 MiB ceiling, and sample the resident memory of the server
and its worker processes while hungry queries run. The sampler is also the safety net:
past SAFETY_NET it kills the server, so that a broken ceiling fails the test instead of
exhausting the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from tests.conftest import free_port
from tests.server_fixtures import serving
from voxgraph.cli import main as cli
from voxgraph.loader.store.oxigraph import GraphStore, latest_snapshot
from voxgraph.server import workers
from voxgraph.server.app import create_app
from voxgraph.server.formats import Wanted
from voxgraph.server.memory import GIB, MIB, machine_memory, parse_size
from voxgraph.server.query import POOL_KEY, Dataset, evaluate
from voxgraph.server.settings import Settings
from voxgraph.server.workers import WorkerPool

CEILING = 512 * MIB
# What the server and its workers may hold beyond the ceiling, all resident memory
# counted (README, Hardening): the server process itself (~110 MiB: Python, Flask,
# pyoxigraph, its own store handle), the worker's shared libraries and mapped files
# (~30 MiB), a replacement worker starting (~60 MiB), the watchdog's slack (32 MiB).
MARGIN = 256 * MIB
SAFETY_NET = CEILING + MARGIN + 1 * GIB
TIME_LIMIT = 30.0
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
HUNGRY = {
    # The query: a cartesian product of three, sorted, of which one row is wanted.
    "sorted product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g LIMIT 1",
    # One string made of the objects of a product of two.
    "group_concat": "SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?a ?b ?c . ?d ?e ?o }",
    # The distinct rows of a product of two, counted: 45 million, each kept to compare.
    # (Without the count the endpoint reads 100,001 rows, the row limit, and stops.)
    "distinct product": "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT * { ?a ?b ?c . ?d ?e ?f } }",
}
TOO_HUNGRY = "more memory than this server allows (512 MiB"


# -- sizes and the default ------------------------------------------------------------


def test_sizes_are_read_as_operators_write_them() -> None:
    assert parse_size("2G") == 2 * GIB
    assert parse_size("512M") == parse_size("512MiB") == parse_size("512mb") == 512 * MIB
    assert parse_size("1.5G") == 1536 * MIB
    assert parse_size("1048576") == MIB
    for wrong in ("", "lots", "2 X", "-1G", "1e9"):
        with pytest.raises(ValueError, match="is not a size"):
            parse_size(wrong)


def test_the_machines_memory_is_memtotal_or_a_lower_cgroup_limit(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:        8388608 kB\nMemFree:  1024 kB\n")
    cgroup_v2 = tmp_path / "cgroup"
    cgroup_v2.write_text("0::/voxgraph.service\n")
    root = tmp_path / "sys"
    (root / "voxgraph.service").mkdir(parents=True)
    (root / "voxgraph.service" / "memory.max").write_text("max\n")
    assert machine_memory(meminfo, cgroup_v2, root) == 8 * GIB, "memory.max 'max' is no limit"
    (root / "voxgraph.service" / "memory.max").write_text(f"{2 * GIB}\n")
    assert machine_memory(meminfo, cgroup_v2, root) == 2 * GIB
    cgroup_v1 = tmp_path / "cgroup-v1"
    cgroup_v1.write_text("4:memory:/job\n1:cpu:/\n")
    (root / "memory" / "job").mkdir(parents=True)
    (root / "memory" / "job" / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    assert machine_memory(meminfo, cgroup_v1, root) == 8 * GIB, "v1's 2**63 is no limit"
    (root / "memory" / "job" / "memory.limit_in_bytes").write_text(f"{3 * GIB}\n")
    assert machine_memory(meminfo, cgroup_v1, root) == 3 * GIB
    assert machine_memory(meminfo, tmp_path / "no-such-file", root) == 8 * GIB


def test_the_default_ceiling_is_a_quarter_of_the_machine_and_at_least_256_mib() -> None:
    from voxgraph.server.memory import default_max_memory

    assert default_max_memory(2 * GIB) == 512 * MIB
    assert default_max_memory(24 * GIB) == 6 * GIB
    assert default_max_memory(512 * MIB) == 256 * MIB
    assert Settings().max_memory == default_max_memory(machine_memory())


def test_serve_takes_max_memory_as_a_size_and_refuses_too_little() -> None:
    runner = CliRunner()
    too_little = runner.invoke(cli, ["serve", "--max-memory", "64M"])
    assert too_little.exit_code == 2 and "at least 128M" in too_little.output, too_little.output
    not_a_size = runner.invoke(cli, ["serve", "--max-memory", "lots"])
    assert not_a_size.exit_code == 2 and "'lots' is not a size" in not_a_size.output
    described = runner.invoke(cli, ["serve", "--help"]).output
    assert "--max-memory SIZE" in described and "507" in described


# -- the worker process ----------------------------------------------------------------


def limits_of(pid: int) -> dict[str, str]:
    """/proc/PID/limits as {"Max data size": "1611100160", ...} (soft limits)."""
    rows = Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]
    return {row[:26].strip(): row[26:].split()[0] for row in rows}


def status_bytes(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def test_the_worker_limits_its_data_segment_to_what_it_has_plus_the_ceiling() -> None:
    pool = WorkerPool(2, 2, max_memory=CEILING)
    try:
        [pid] = pool.pids()
        deadline = time.monotonic() + 60
        while limits_of(pid)["Max data size"] == "unlimited" and time.monotonic() < deadline:
            time.sleep(0.05)  # the worker sets it once its threads run
        limit = int(limits_of(pid)["Max data size"])
        mapped, used = status_bytes(pid, "VmData"), status_bytes(pid, "RssAnon")
        # What it has mapped and not used (mostly its threads' 256 MiB stacks) stays
        # allowed; what it may map anew is the ceiling less what it uses.
        assert mapped < limit <= mapped - used + CEILING + 16 * MIB, (limit, mapped, used)
        assert limits_of(pid)["Max address space"] == "unlimited", "RLIMIT_AS is not the limit"
    finally:
        pool.close()


class HeldEndpoint(ThreadingHTTPServer):
    """A SPARQL endpoint on 127.0.0.1 that answers one row ("late") when `release` is set:
    an allowlisted SERVICE to it is a query that stays in flight as long as a test wants."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.received = 0
        endpoint = self
        row = b'{"x":{"type":"literal","value":"late"}}'
        rows = b'{"head":{"vars":["x"]},"results":{"bindings":[' + row + b"]}}"

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                # The query is read first: a socket closed with unread input is reset.
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.received += 1
                endpoint.release.wait(timeout=120)
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
        self.query = f"SELECT ?x {{ SERVICE <{self.url}> {{ ?x ?p ?o }} }}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def handle_error(self, request: object, client_address: object) -> None:
        """A request whose worker process died has no one to answer to: nothing to report."""

    def wait_for(self, requests_received: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while self.received < requests_received:
            assert time.monotonic() < deadline, f"the endpoint got {self.received} requests"
            time.sleep(0.02)

    def new_round(self) -> None:
        self.release.set()
        self.release = threading.Event()
        self.received = 0


@pytest.fixture
def endpoint() -> Iterator[HeldEndpoint]:
    held = HeldEndpoint()
    yield held
    held.release.set()
    held.shutdown()


def ask_in_background(url: str, query: str, answers: dict[str, requests.Response], name: str):
    def ask() -> None:
        answers[name] = requests.get(url, params={"query": query}, timeout=120)

    thread = threading.Thread(target=ask)
    thread.start()
    return thread


def test_the_watchdog_kills_a_worker_past_the_ceiling_and_blames_a_query_alone_in_it(
    corpus_store: GraphStore, endpoint: HeldEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watchdog cannot tell which thread grew, so: a query alone in the process is
    blamed (507); two together are both sent again, and blamed only if it happens again.

    Memory the data-segment limit does not see is hard to make on purpose, so the
    watchdog is shown a worker's memory as 10 GiB here, by pid."""
    doomed: set[int] = set()
    measured = workers.private_memory
    monkeypatch.setattr(
        workers, "private_memory", lambda pid: 10 * GIB if pid in doomed else measured(pid)
    )
    settings = Settings(workers=2, max_memory=CEILING, service_allowlist=(endpoint.url,))
    app = create_app(GraphStore(latest_snapshot(corpus_store.path), read_only=True), settings)
    pool = app.extensions[POOL_KEY]
    answers: dict[str, requests.Response] = {}
    try:
        with serving(app, settings) as url:
            alone = ask_in_background(url + "/sparql", endpoint.query, answers, "alone")
            endpoint.wait_for(1)
            doomed.update(pool.pids())
            alone.join(timeout=60)
            assert answers["alone"].status_code == 507, answers["alone"].text
            assert "more memory than this server allows" in answers["alone"].text

            endpoint.new_round()
            threads = [
                ask_in_background(url + "/sparql", endpoint.query, answers, name)
                for name in ("one", "other")
            ]
            endpoint.wait_for(2)
            doomed.update(pool.pids())
            endpoint.wait_for(4)  # both sent again, to a fresh process
            endpoint.release.set()
            for thread in threads:
                thread.join(timeout=60)
            for name in ("one", "other"):
                assert answers[name].status_code == 200, answers[name].text
                assert answers[name].json()["results"]["bindings"][0]["x"]["value"] == "late"
    finally:
        pool.close()


def test_a_large_answer_crosses_from_the_worker_in_pieces_intact(corpus_store: GraphStore) -> None:
    """1.4 MB of N-Triples: more than one piece (workers.CHUNK_BYTES), spooled, sent whole."""
    query, wanted = "CONSTRUCT WHERE { ?s ?p ?o }", Wanted(format_name="nt")
    snapshot = GraphStore(latest_snapshot(corpus_store.path), read_only=True)
    expected = evaluate(snapshot, query, Dataset(), Settings(), wanted, ()).content()
    assert len(expected) > workers.CHUNK_BYTES, "the answer fits one piece: pick a larger one"
    settings = Settings(workers=1, max_memory=CEILING)
    app = create_app(snapshot, settings)
    try:
        with serving(app, settings) as url:
            response = requests.get(url + "/sparql", params={"query": query, "format": "nt"})
    finally:
        app.extensions[POOL_KEY].close()
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(expected))
    assert response.content == expected


# -- end to end: voxgraph serve, hungry queries, another client ---------------------------


def family(pid: int) -> list[int]:
    """`pid` and its descendants (a child belongs to the thread that started it)."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the thread or the process has ended
            children += (task / "children").read_text().split()
    return [pid] + [p for child in children for p in family(int(child))]


def resident(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError):
        return 0


class Sampler:
    """The resident memory of a process and its descendants, every 20 ms: its peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()
        self.killed = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.02):
            total = sum(resident(pid) for pid in family(self.pid))
            self.peak = max(self.peak, total)
            if total > SAFETY_NET:
                self.killed = True
                os.killpg(self.pid, signal.SIGKILL)

    def reset(self) -> None:
        self.peak = 0


class Served:
    def __init__(self, process: subprocess.Popen, url: str, endpoint: HeldEndpoint) -> None:
        self.process = process
        self.url = url
        self.endpoint = endpoint
        self.sampler = Sampler(process.pid)

    def workers(self) -> list[int]:
        return family(self.process.pid)[1:]


@pytest.fixture(scope="module")
def served(corpus_store: GraphStore) -> Iterator[Served]:
    """`voxgraph serve --max-memory 512M` over the bundled corpus, with a held SERVICE
    endpoint allowed."""
    endpoint = HeldEndpoint()
    port = free_port()
    command = [sys.executable, "-c", "from voxgraph.cli import main; main()", "serve"]
    command += ["--store", str(corpus_store.path), "--port", str(port), "--max-memory", "512M"]
    command += ["--timeout", str(TIME_LIMIT), "--service", endpoint.url]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=5).ok:
                break
        except requests.ConnectionError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)
    served = Served(process, url, endpoint)
    yield served
    served.sampler.stop.set()
    endpoint.release.set()
    endpoint.shutdown()
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)


class OtherClient:
    """Another user asking COUNT again and again: every answer, with when it came."""

    def __init__(self, url: str) -> None:
        self.answers: list[tuple[float, int, str]] = []
        self.stop = threading.Event()

        def run() -> None:
            while not self.stop.is_set():
                response = requests.get(url, params={"query": COUNT}, timeout=120)
                self.answers.append((time.monotonic(), response.status_code, response.text))

        self.thread = threading.Thread(target=run)
        self.thread.start()

    def finish(self) -> list[tuple[float, int, str]]:
        self.stop.set()
        self.thread.join(timeout=120)
        return self.answers


@pytest.mark.parametrize("name", list(HUNGRY))
def test_a_hungry_query_gets_507_within_the_ceiling_while_others_are_answered(
    served: Served, name: str
) -> None:
    count_before = requests.get(served.url, params={"query": COUNT}, timeout=30).json()
    [worker_before] = served.workers()
    # A query in flight in the same worker process all along (held by its SERVICE) ...
    served.endpoint.new_round()
    answers: dict[str, requests.Response] = {}
    bystander = ask_in_background(served.url, served.endpoint.query, answers, "bystander")
    served.endpoint.wait_for(1)
    # ... and another client asking all the time.
    other = OtherClient(served.url)
    served.sampler.reset()
    started = time.monotonic()
    hungry = requests.get(served.url, params={"query": HUNGRY[name]}, timeout=120)
    took = time.monotonic() - started
    peak = served.sampler.peak
    served.endpoint.release.set()
    bystander.join(timeout=120)
    others = other.finish()

    assert not served.sampler.killed, "the server passed the test's safety net and was killed"
    assert hungry.status_code == 507, f"{hungry.status_code}: {hungry.text[:300]}"
    assert TOO_HUNGRY in hungry.text, hungry.text
    assert took < TIME_LIMIT, f"the answer took {took:.1f} s, past the time limit"
    assert peak < CEILING + MARGIN, (
        f"the server and its workers held {peak / MIB:.0f} MiB at most, over the ceiling "
        f"({CEILING / MIB:.0f} MiB) plus the margin ({MARGIN / MIB:.0f} MiB)"
    )
    # The bystander's process ended under it; it was sent again and answered.
    assert answers["bystander"].status_code == 200, answers["bystander"].text
    assert answers["bystander"].json()["results"]["bindings"][0]["x"]["value"] == "late"
    assert served.endpoint.received == 2, "the bystander was not sent again"
    failed = [(status, text) for _, status, text in others if status != 200]
    assert not failed, f"the other client's queries failed: {failed[:3]}"
    during = [at for at, _, _ in others if started < at < started + took]
    assert during, "the other client got no answer while the hungry query ran"
    # The server is up, with a fresh worker, and answers as before.
    after = requests.get(served.url, params={"query": COUNT}, timeout=30)
    assert after.status_code == 200 and after.json() == count_before
    assert served.workers() and worker_before not in served.workers()
