"""Shared fixtures: the bundled corpus loaded into real stores, on both backends.

`corpus_store` is the embedded store on disk. The loader and query tests use
`each_corpus_store` and `new_store` instead, which run every test twice: on the
embedded Oxigraph store and on the remote backend, `oxigraph serve` (the
`oxigraph` package's binary, a test dependency) on a free port of 127.0.0.1
reached through loader/store/remote.py.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from benchmarks.processes import stop
from voxgraph.loader import pipeline
from voxgraph.loader.store import Store
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.loader.store.remote import RemoteStore
from voxgraph.paths import CORPUS

BACKENDS = ["embedded", "remote"]
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
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(self.url, params={"query": "ASK {}"}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("oxigraph serve did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        stop(self.process)


def load_corpus(store: Store) -> Store:
    report = pipeline.run([CORPUS], store)
    assert report.ok, f"the bundled corpus failed to load: {report.failed}"
    return store


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The five bundled digests loaded once into a store on disk (read it, don't write)."""
    return load_corpus(GraphStore(tmp_path_factory.mktemp("corpus") / "store"))


@pytest.fixture(scope="session")
def remote_corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    """The five bundled digests loaded once into `oxigraph serve` (read it, don't write)."""
    server = OxigraphServer(tmp_path_factory.mktemp("remote-corpus") / "store")
    yield load_corpus(RemoteStore(server.url))
    server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def each_corpus_store(request: pytest.FixtureRequest) -> Store:
    """The corpus on one backend, then the other (read it, don't write)."""
    if request.param == "embedded":
        return request.getfixturevalue("corpus_store")
    return request.getfixturevalue("remote_corpus_store")


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path / "oxigraph")
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """A factory of new, empty stores of one backend; `name` tells them apart."""
    servers: list[OxigraphServer] = []

    def make(name: str) -> Store:
        if request.param == "embedded":
            return GraphStore(tmp_path / name)
        servers.append(OxigraphServer(tmp_path / name))
        return RemoteStore(servers[-1].url)

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))
