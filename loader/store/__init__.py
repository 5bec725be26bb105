"""Storing: one named graph per digest, in the embedded Oxigraph store on disk (oxigraph)
or in any SPARQL 1.1 server (remote); the counts kept with the data (statistics); the
incidents consolidated across digests (consolidate); dump files and their ETags (dumps).

`Store` is the interface both stores implement, and all that the pipeline and the web
layer use of a store; `open_store` picks one from --store / --store-url and the
environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph, URIRef

from voxgraph.loader.store.oxigraph import GraphStore, Pattern, store_path
from voxgraph.loader.store.remote import RemoteStore
from voxgraph.loader.store.remote_answers import (
    RemoteAnswer,
    RemoteCut,
    RemoteSolutions,
    RemoteTriples,
)
from voxgraph.loader.store.remote_protocol import (
    DEFAULT_TIMEOUT,
    AnswerTooLarge,
    RemoteStoreError,
    RemoteTimeout,
    store_url,
)
from voxgraph.loader.store.statistics import Statistics

__all__ = [
    "AnswerTooLarge",
    "Pattern",
    "QueryAnswer",
    "RemoteAnswer",
    "RemoteCut",
    "RemoteStoreError",
    "RemoteTimeout",
    "RemoteTriples",
    "Store",
    "open_store",
]

# What query() answers: a remote store's SELECT answers are RemoteSolutions, its CONSTRUCT
# and DESCRIBE answers RemoteTriples, both
# parsed as they are read; one larger than the reader allows raises AnswerTooLarge.
QueryAnswer = (
    ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | RemoteSolutions | RemoteTriples
)


class Store(Protocol):
    """A set of named graphs, one per digest (and the ontology's, the registry's, the
    statistics' and the incidents'), read and written in SPARQL 1.1 terms."""

    @property
    def path(self) -> Path | None:
        """The store's folder on this machine; None for a store in memory or elsewhere."""

    @property
    def read_only(self) -> bool: ...

    @property
    def update_triples(self) -> int | None:
        """The most changed triples one update request of a patch may carry (a remote
        engine's limit); None: no bound, any update is one transaction."""

    # -- writing: each call one transaction
    def replace_graph(self, name: URIRef, graph: Graph | str) -> list[str]:
        """Graph `name` becomes `graph`; returns notes on literals the engine stored in
        another form than written (none on the embedded store)."""

    def holds(self, name: URIRef, graph: Graph | str) -> bool:
        """Whether graph `name` holds `graph` already, so writing it would change nothing."""

    def take_notes(self) -> list[str]:
        """The notes of replace_unless_other_source's writes since the last call."""

    def replace_unless_other_source(
        self, name: URIRef, graph: Graph | str, digest: URIRef, source: str
    ) -> str | None: ...

    def remove_graph(self, name: URIRef) -> None: ...

    def update(self, sparql: str) -> None: ...

    def recount_statistics(self) -> Statistics: ...

    def flush(self) -> None: ...

    def publish_snapshot(self) -> Path | None: ...

    # -- reading
    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryAnswer: ...

    def select(self, sparql: str) -> ox.QuerySolutions:
        """The solutions of `sparql`, a SELECT query (query() answers any form)."""

    def quads_for_pattern(
        self, subject=None, predicate=None, object=None, graph_name=None, *, limit=None
    ) -> Iterator[ox.Quad]: ...

    def first_quads(
        self, patterns: Sequence[Pattern], *, outside: str | None = None
    ) -> list[ox.Quad | None]: ...

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]: ...

    def named_graphs(self) -> list[str]: ...

    def value(self, graph: URIRef, subject: URIRef, predicate: URIRef) -> str | None: ...

    def statistics(self) -> Statistics | None: ...


def open_store(
    path: str | os.PathLike[str] | None = None,
    url: str | None = None,
    *,
    read_only: bool = False,
    timeout: float | None = None,
) -> Store:
    """The remote store at `url` (else $VOXGRAPH_STORE_URL), else the embedded one at `path`."""
    chosen = store_url(url)
    if chosen:
        return RemoteStore(chosen, timeout=timeout or DEFAULT_TIMEOUT)
    return GraphStore(store_path(path), read_only=read_only)
