"""Fixtures for the server tests: a small store on disk, served by waitress on 127.0.0.1.

Test modules load them with `pytest_plugins = ["tests.server_fixtures"]` and may
import the sample data from here too (hence PYTEST_DONT_REWRITE: it has no asserts).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD
from waitress.server import BaseWSGIServer

from voxgraph.iris import GRAPH, ID, VOX
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.server.app import create_app
from voxgraph.server.serve import make_server
from voxgraph.server.settings import Settings

GRAPH_1 = GRAPH["digest/2022-11-04"]
GRAPH_2 = GRAPH["digest/2022-11-05"]
DIGEST_1 = ID["digest/2022-11-04"]
DIGEST_2 = ID["digest/2022-11-05"]
SECTION = ID["digest/2022-11-04/section/1"]
STATEMENT = ID["digest/2022-11-04/statement/120"]
ACTOR = ID["actor/ali-karimli"]
SCRIPT_QUOTE = "<script>alert('x')</script> & \"more\""
UNSAFE_IRI = URIRef("javascript:alert(1)")

SAMPLE: dict[URIRef, list[tuple]] = {
    GRAPH_1: [
        (DIGEST_1, RDF.type, VOX.Digest),
        (DIGEST_1, DCTERMS.date, Literal("2022-11-04", datatype=XSD.date)),
        (DIGEST_1, RDFS.label, Literal("Digest of 4 November 2022", lang="en")),
        (DIGEST_1, RDFS.seeAlso, UNSAFE_IRI),
        (DIGEST_1, VOX.section, SECTION),
        (SECTION, RDF.type, VOX.Section),
        (SECTION, DCTERMS.title, Literal("(Lack of) Human Rights and Liberties")),
        (SECTION, VOX.position, Literal(1)),
        (STATEMENT, RDF.type, VOX.Statement),
        (STATEMENT, VOX.speaker, ACTOR),
        (STATEMENT, VOX.quote, Literal(SCRIPT_QUOTE)),
        (STATEMENT, VOX.reportedIn, DIGEST_1),
        (ACTOR, RDFS.label, Literal("Ali Karimli", lang="en")),
        (ACTOR, VOX.mentionedIn, DIGEST_1),
    ],
    GRAPH_2: [
        (DIGEST_2, RDF.type, VOX.Digest),
        (DIGEST_2, DCTERMS.date, Literal("2022-11-05", datatype=XSD.date)),
        (ACTOR, RDFS.label, Literal("Ali Karimli", lang="en")),  # in both graphs
        (ACTOR, VOX.mentionedIn, DIGEST_2),
    ],
}


def sample_graph(name: URIRef) -> Graph:
    graph = Graph()
    for triple in SAMPLE[name]:
        graph.add(triple)
    return graph


def union_graph() -> Graph:
    graph = Graph()
    for name in SAMPLE:
        graph += sample_graph(name)
    return graph


def make_sample_store(path: Path) -> GraphStore:
    store = GraphStore(path)
    for name in SAMPLE:
        store.replace_graph(name, sample_graph(name))
    return store


@contextmanager
def serving(app: Flask, settings: Settings | None = None) -> Iterator[str]:
    """Serve `app` with waitress on a free port of 127.0.0.1; yields the base URL."""
    server = make_server(app, "127.0.0.1", 0, settings or Settings(), threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Close the sockets on the server's own thread, between two select() calls (the
        # trigger runs a function there): closed from this thread while that one waits in
        # select(), its next select() gets a closed descriptor, "Bad file descriptor".
        try:
            server.trigger.pull_trigger(lambda: _close_all(server))
        except OSError:  # its pipe was closed under it: close them from here, as before
            _close_all(server)
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()


def _close_all(server: BaseWSGIServer) -> None:
    """Close every channel of the server: its socket, the trigger, the connections; with
    none left, its loop ends."""
    for channel in list(server._map.values()):
        channel.handle_close()


@contextmanager
def serving_store(store: GraphStore, settings: Settings | None = None) -> Iterator[str]:
    with serving(create_app(store, settings), settings) as url:
        yield url


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    return make_sample_store(tmp_path_factory.mktemp("server") / "store")


@pytest.fixture(scope="module")
def base_url(sample_store: GraphStore) -> Iterator[str]:
    """The app over the sample store with the default settings."""
    with serving_store(sample_store) as url:
        yield url


@pytest.fixture(scope="module")
def sparql_url(base_url: str) -> str:
    return base_url + "/sparql"
