"""Shared fixtures: the bundled corpus loaded into real stores, on every backend.

`corpus_store` is the embedded store on disk. The loader and query tests use
`each_corpus_store` and `new_store` instead, which run every test three times: on the
embedded Oxigraph store, and on the remote backend (loader/store/remote.py) against
two engines on free ports of 127.0.0.1: `oxigraph serve` (the `oxigraph` package's
binary, a test dependency) and Virtuoso 7.2 open source (`virtuoso-t` from Debian's
virtuoso-opensource-7-bin, which `make test` installs), each started here over a
throwaway database with the stock settings of Debian's virtuoso.ini (a row cap of
10,000 among them), SPARQL Update granted to the anonymous SPARQL user.

Virtuoso takes seconds to start: one server per session holds the corpus, and one
more serves the tests that need an empty store, emptied of the project's graphs (and
of any other graph a test wrote) before each test.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from benchmarks.processes import stop, wait_until_up
from voxgraph.loader import pipeline
from voxgraph.loader.store import Store, statistics
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.loader.store.remote import RemoteStore
from voxgraph.loader.store.remote_protocol import canonical
from voxgraph.paths import CORPUS

BACKENDS = ["embedded", "oxigraph", "virtuoso"]
ENGINES = ["oxigraph", "virtuoso"]
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
VIRTUOSO_INSTALL = (
    "Virtuoso is not installed: `make test` installs it as root (DEBIAN_FRONTEND="
    "noninteractive apt-get install --no-install-recommends virtuoso-opensource-7-bin)"
)
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
    "oxigraph"
)

StoreFactory = Callable[[str], Store]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OxigraphServer:
    """`oxigraph serve` on 127.0.0.1 over a new store in `location`."""

    def __init__(self, location: Path):
        if OXIGRAPH is None:
            pytest.fail("the oxigraph binary is not installed: `make test` installs it")
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                OXIGRAPH,
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}/query"
        ask = {"query": "ASK {}"}
        try:
            wait_until_up(
                self.process,
                lambda: requests.get(self.url, params=ask, timeout=2).ok,
                "oxigraph serve",
                seconds=30,
            )
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        stop(self.process)


VIRTUOSO_INI = """\
; Debian's virtuoso.ini (virtuoso-opensource-7), stock settings, in a throwaway folder
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 2G
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = {row_cap}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


class VirtuosoServer:
    """`virtuoso-t` on 127.0.0.1 over a new database in `location`, SPARQL Update granted;
    answers cut at `row_cap` rows (its ResultSetMaxRows, 10,000 in Debian's virtuoso.ini)."""

    def __init__(self, location: Path, row_cap: int = 10_000):
        if VIRTUOSO is None or ISQL is None:
            pytest.fail(VIRTUOSO_INSTALL)
        location.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.port = free_port(), free_port()
        ini = location / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(
                dir=location, sql_port=self.sql_port, http_port=self.port, row_cap=row_cap
            )
        )
        self.log = location / "virtuoso.log"
        self.process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=location,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        ask = {"query": "ASK {}"}
        try:
            wait_until_up(
                self.process, lambda: requests.post(self.url, data=ask, timeout=2).ok, "virtuoso-t"
            )
        except RuntimeError as failed:
            self.stop()
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{failed}; its log ends:\n{log}") from None
        self.sql('GRANT SPARQL_UPDATE TO "SPARQL";')
        self.system_graphs = set(self.graphs())

    def sql(self, statement: str) -> None:
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and "Error" not in done.stdout + done.stderr, (
            f"isql {statement!r} failed: {done.stdout} {done.stderr}"
        )

    def graphs(self) -> list[str]:
        answer = requests.post(
            self.url,
            data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        answer.raise_for_status()
        return [row["g"]["value"] for row in answer.json()["results"]["bindings"]]

    def clear(self) -> None:
        """Drop every graph but the engine's own: an empty store for the next test."""
        for graph in set(self.graphs()) - self.system_graphs:
            RemoteStore(self.url).remove_graph(graph)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.process.kill()  # a throwaway database: nothing to save
        self.process.wait()


def start_engine(engine: str, location: Path) -> OxigraphServer | VirtuosoServer:
    return OxigraphServer(location) if engine == "oxigraph" else VirtuosoServer(location)


DURATION = "http://www.w3.org/2001/XMLSchema#duration"
_DURATION = re.compile(
    r"P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>[\d.]+)S)?)?"
)


def on_virtuoso(store: Store) -> bool:
    return isinstance(store, RemoteStore) and store.url.endswith("/sparql")


def as_virtuoso_stores_duration(text: str) -> float | None:
    """The number Virtuoso 7.2 keeps of an xsd:duration (README, Beyond one machine): the
    months of one in years and months, else its seconds; None if `text` is none."""
    found = _DURATION.fullmatch(text)
    if not found or text == "P" or text.endswith("T"):
        return None
    part = {key: float(value or 0) for key, value in found.groupdict().items()}
    if any(part[key] for key in "Dhms"):
        return ((part["D"] * 24 + part["h"]) * 60 + part["m"]) * 60 + part["s"]
    return part["Y"] * 12 + part["M"]


def comparable_quads(store: Store) -> set[str]:
    """The store's quads as text, literals in canonical form (Oxigraph keeps
    xsd:nonNegativeInteger as xsd:integer, Virtuoso keeps it) and each xsd:duration as
    the number Virtuoso keeps of it (as_virtuoso_stores_duration). Not the statistics
    graph, whose fingerprint hashes the values as the engine keeps them: compare them
    with assert_same_statistics."""
    return {
        comparable(f"{q.subject} {q.predicate} {canonical(q.object)} {q.graph_name}")
        for q in store.quads()
        if q.graph_name.value != statistics.STATISTICS_GRAPH
    }


def assert_same_statistics(store: Store, expected: Store) -> None:
    """The same kept statistics, and events per day; on Virtuoso but for the fingerprint."""
    kept, wanted = store.statistics(), expected.statistics()
    assert kept is not None and wanted is not None, "a store keeps no statistics"
    if on_virtuoso(store):
        kept = dataclasses.replace(kept, fingerprint=wanted.fingerprint)
    assert kept == wanted, f"the statistics differ:\n{kept}\n{wanted}"
    for month in wanted.events:
        assert statistics.event_days(store, month) == statistics.event_days(expected, month), (
            f"the events per day of {month} differ"
        )


def comparable(text: str, datatype: str = DURATION) -> str:
    """`text` (a quad, a cell) with xsd:duration lexical forms as the number Virtuoso keeps."""

    def number(found: re.Match) -> str:
        value = as_virtuoso_stores_duration(found.group(1))
        return f'"{float(found.group(1)) if value is None else value}"^^<{datatype}>'

    return re.sub(rf"'([^']*)'\^\^<{re.escape(datatype)}>", number, text)


def load_corpus(store: Store) -> Store:
    report = pipeline.run([CORPUS], store)
    assert report.ok, f"the bundled corpus failed to load: {report.failed}"
    return store


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The five bundled digests loaded once into a store on disk (read it, don't write)."""
    return load_corpus(GraphStore(tmp_path_factory.mktemp("corpus") / "store"))


@pytest.fixture(scope="session")
def remote_corpus_stores(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, RemoteStore]]:
    """Engine -> the five bundled digests loaded into it, once, when first asked for."""
    servers: list[OxigraphServer | VirtuosoServer] = []
    stores: dict[str, RemoteStore] = {}

    class Stores(dict):
        def __missing__(self, engine: str) -> RemoteStore:
            servers.append(start_engine(engine, tmp_path_factory.mktemp(f"{engine}-corpus")))
            stores[engine] = self[engine] = load_corpus(RemoteStore(servers[-1].url))
            return stores[engine]

    yield Stores()
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def remote_corpus_store(remote_corpus_stores: dict[str, RemoteStore]) -> RemoteStore:
    """The corpus in `oxigraph serve` (read it, don't write)."""
    return remote_corpus_stores["oxigraph"]


@pytest.fixture(scope="session", params=BACKENDS)
def each_corpus_store(
    request: pytest.FixtureRequest, remote_corpus_stores: dict[str, RemoteStore]
) -> Store:
    """The corpus on one backend, then the next (read it, don't write)."""
    if request.param == "embedded":
        return request.getfixturevalue("corpus_store")
    return remote_corpus_stores[request.param]


@pytest.fixture(scope="session")
def shared_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso for the tests that want an empty one (see `remote_server`)."""
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso") / "db")
    yield server
    server.stop()


@pytest.fixture(params=ENGINES)
def remote_server(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[OxigraphServer | VirtuosoServer]:
    """An empty SPARQL server of one engine, then of the other."""
    if request.param == "virtuoso":
        server = request.getfixturevalue("shared_virtuoso")
        server.clear()
        yield server
        return
    server = OxigraphServer(tmp_path / "oxigraph")
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """A factory of new, empty stores of one backend; `name` tells them apart."""
    servers: list[OxigraphServer | VirtuosoServer] = []

    def make(name: str) -> Store:
        if request.param == "embedded":
            return GraphStore(tmp_path / name)
        if request.param == "virtuoso" and not servers:  # the shared one, emptied
            servers.append(request.getfixturevalue("shared_virtuoso"))
            servers[-1].clear()
            return RemoteStore(servers[-1].url)
        servers.append(start_engine(request.param, tmp_path / name))
        return RemoteStore(servers[-1].url)

    yield make
    for server in servers:
        if not (request.param == "virtuoso" and server is servers[0]):
            server.stop()


@pytest.fixture
def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))
