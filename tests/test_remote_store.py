"""The loader and the endpoint on both backends: the embedded store and a remote SPARQL server.

The remote backend is `oxigraph serve` (the `oxigraph` package's binary, a test
dependency) on a free port of 127.0.0.1 with a store in a temporary folder,
started afresh for each test; the same tests run on an embedded GraphStore.
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

from loader import load as pipeline
from loader.remote_store import RemoteStore, RemoteTimeout, default_update_url
from loader.store import GraphStore
from server.settings import Settings
from tests.server_fixtures import serving_store
from tests.test_load import DATES, all_quads, select
from voxgraph.paths import CORPUS

pytest_plugins = ["tests.server_fixtures"]

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
    "oxigraph"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OxigraphServer:
    """`oxigraph serve` on 127.0.0.1 over a new store in `location`."""

    def __init__(self, location: Path):
        if OXIGRAPH is None:
            pytest.skip("the oxigraph binary is not installed (pip install oxigraph)")
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
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path / "oxigraph")
    yield server
    server.stop()


StoreFactory = Callable[[str], GraphStore | RemoteStore]


@pytest.fixture(params=["embedded", "remote"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """A factory of new, empty stores of one backend; `name` tells them apart."""
    servers: list[OxigraphServer] = []

    def make(name: str) -> GraphStore | RemoteStore:
        if request.param == "embedded":
            return GraphStore(tmp_path / name)
        servers.append(OxigraphServer(tmp_path / name))
        return RemoteStore(servers[-1].url)

    yield make
    for server in servers:
        server.stop()


def test_the_corpus_loads_with_its_five_dates(new_store: StoreFactory) -> None:
    store = new_store("store")
    report = pipeline.run([CORPUS], store)
    assert report.ok and len(report.loaded) == 5
    rows = select(store, "SELECT ?date { ?d a vox:Digest ; dcterms:date ?date } ORDER BY ?date")
    assert [r["date"] for r in rows] == DATES
    graphs = store.named_graphs()
    assert all(f"https://w3id.org/voxgraph/graph/digest/{date}" in graphs for date in DATES)


def test_loading_twice_gives_the_same_quads_on_both_backends(
    new_store: StoreFactory, tmp_path: Path
) -> None:
    store = new_store("store")
    pipeline.run([CORPUS], store)
    before = all_quads(store)
    second = pipeline.run([CORPUS], store)
    assert second.loaded == [] and len(second.unchanged) == 5, "unchanged digests are skipped"
    assert all_quads(store) == before
    embedded = GraphStore(tmp_path / "reference")
    pipeline.run([CORPUS], embedded)
    assert before == all_quads(embedded), "both backends hold exactly the same quads"


def test_a_bad_file_among_good_ones_is_named_and_the_rest_load(
    new_store: StoreFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(CORPUS / "2022-11-04.txt", folder / "good.txt")
    (folder / "undated.txt").write_text("Center for National and International Studies\n\nText.\n")
    store = new_store("store")
    report = pipeline.run([folder], store)
    assert report.loaded == [str(folder / "good.txt")]
    assert list(report.failed) == [str(folder / "undated.txt")]
    digests = [g for g in store.named_graphs() if "/graph/digest/" in g]
    assert digests == ["https://w3id.org/voxgraph/graph/digest/2022-11-04"]


def test_a_changed_digest_replaces_its_graph_whole(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store("store")
    original = tmp_path / "digest.txt"
    shutil.copy(CORPUS / "2022-11-08.txt", original)
    pipeline.run([original], store)
    text = original.read_text(encoding="utf-8")
    original.write_text(text.replace("Opposition Party announces new rallies", "Rallies"))
    assert pipeline.run([original], store).loaded == [str(original)]
    titles = [r["t"] for r in select(store, "SELECT ?t { ?s a vox:Section ; dcterms:title ?t }")]
    assert "Rallies" in titles
    assert "Opposition Party announces new rallies" not in titles


def test_the_five_publication_dates_via_the_endpoint(new_store: StoreFactory) -> None:
    store = new_store("store")
    pipeline.run([CORPUS], store)
    query = (
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?date { ?d dcterms:date ?date FILTER(isIRI(?d)) } ORDER BY ?date"
    )
    with serving_store(store) as url:
        csv = requests.get(
            url + "/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30
        )
        assert csv.status_code == 200
        assert csv.text.split() == ["date", *DATES]
        described = requests.get(
            url + "/sparql",
            params={"query": "DESCRIBE <https://w3id.org/voxgraph/id/actor/ali-karimli>"},
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        assert described.status_code == 200
        assert "Ali Karimli" in described.text
        bad = requests.get(url + "/sparql", params={"query": "SELECT nonsense"}, timeout=30)
        assert bad.status_code == 400
        page = requests.get(url + "/id/actor/ali-karimli", timeout=30)
        assert page.status_code == 200 and "Ali Karimli" in page.text
        dump = requests.get(url + "/dump.nq", timeout=60)
        assert dump.status_code == 200
        assert "<https://w3id.org/voxgraph/graph/digest/2023-10-03>" in dump.text


def test_updates_through_the_endpoint_are_still_refused(oxigraph_server: OxigraphServer) -> None:
    store = RemoteStore(oxigraph_server.url)
    with serving_store(store) as url:
        response = requests.post(
            url + "/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, timeout=30
        )
    assert response.status_code == 403
    assert store.named_graphs() == []


def test_a_remote_query_past_the_time_limit_gets_504(oxigraph_server: OxigraphServer) -> None:
    store = RemoteStore(oxigraph_server.url, timeout=0.5)
    store.update(
        "INSERT DATA { GRAPH <urn:g> { "
        + " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(300))
        + " } }"
    )
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"  # 300^3 rows
    with pytest.raises(RemoteTimeout):
        store.query(slow)
    with serving_store(store, Settings(timeout=0.5)) as url:
        response = requests.get(url + "/sparql", params={"query": slow}, timeout=30)
    assert response.status_code == 504


def test_the_update_url_follows_the_query_url() -> None:
    assert default_update_url("http://h:7878/query") == "http://h:7878/update"
    assert default_update_url("http://h/sparql") == "http://h/sparql"
